import type { Logger } from '../contract';
import type { FileChange, Proposal } from '../edits/types';
import type { Rejection, SubtaskState } from '../plan/state';

/** The proposal has no hunk left to decide: the subtask is accepted if any of it was, else rejected. */
export function settle(state: SubtaskState, proposal: Proposal, log: Logger): void {
  proposal.status = proposal.status === 'partial' ? 'accepted' : 'rejected';
  state.status = proposal.status;
  const record = state.history?.at(-1);
  if (record && record.attempt === state.attempt) {
    record.outcome = proposal.status;
    record.rejections = state.rejections?.length ? [...state.rejections] : undefined;
  }
  log('info', `${state.id}: ${proposal.status}`);
}

/** Keeps the first `before` and the latest `after` of each file this subtask's accepts wrote. */
export function addToCheckpoint(state: SubtaskState, path: string, before: string | null, after: string): void {
  const files = state.checkpoint ?? [];
  const existing = files.find((f) => f.path === path);
  if (existing) {
    existing.after = after;
  } else {
    files.push({ path, before, after });
  }
  state.checkpoint = files;
}

/** The rejected hunks as the worker will hear about them on its next attempt, with the reason given. */
export function rejectionsOf(change: FileChange, ids: readonly string[], reason: string | undefined): Rejection[] {
  return change.hunks
    .filter((h) => ids.includes(h.id))
    .map((h) => ({ path: change.path, lines: h.lines, ...(reason?.trim() ? { reason: reason.trim() } : {}) }));
}
