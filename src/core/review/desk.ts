import { OrchestratorError } from '../contract';
import { acceptHunks, buildProposal, isStale, rejectHunks } from '../edits/proposal';
import type { FileChange, Proposal } from '../edits/types';
import type { SubtaskState } from '../plan/state';
import type { Subtask } from '../plan/schema';
import type { RunHandoff } from '../runner/runner';
import type { EngineEnv } from '../session/env';
import type { PlanSession } from '../session/session';
import { recordAttempt } from '../session/statuses';
import { proposalIdFor } from '../store/names';
import type { WorkerResult } from '../worker/worker';
import { withoutTransient } from '../session/writer';
import { addToCheckpoint, rejectionsOf, settle } from './decisions';
import type { JournalFile } from './journal';
import { journalFiles } from './journal';
import { feedbackFor } from './feedback';
import type { OpusReviewer } from './opusReview';
import { proposalDiff } from './review';

/**
 * Where proposals are kept and decided: a worker's files become a proposal, the user accepts or rejects it hunk by
 * hunk (an accept writes the workspace first, then records the change for a later revert), stale files are refused,
 * and a retry hears what was rejected and why. Decisions report their events at once and leave the saving to the
 * session's writer, so a dependent can start the moment its dependency is accepted.
 */
export class ReviewDesk implements RunHandoff {
  constructor(
    private readonly env: EngineEnv,
    private readonly session: PlanSession,
    private readonly reviewer: OpusReviewer,
  ) {}

  feedback(state: SubtaskState): string | undefined {
    const previous = state.history?.at(-1);
    return previous && previous.outcome !== 'accepted' && previous.outcome !== 'cancelled'
      ? feedbackFor(previous)
      : undefined;
  }

  /** The subtask shows 'review' as soon as its proposal exists; the proposal and the record are saved after. */
  async receive(spec: Subtask, state: SubtaskState, files: WorkerResult['files'], signal: AbortSignal): Promise<void> {
    const attempt = state.attempt;
    const proposal = buildProposal({ id: proposalIdFor(spec.id, attempt), subtaskId: spec.id, attempt, files });
    // The history is saved with the plan and sent back on a retry: it keeps the markers, never a secret's value.
    const diff = await this.env.llm.redactor.redact(proposalDiff(proposal.files), { owner: spec.id, file: 'its diff' });
    this.session.setProposal(spec.id, proposal);
    state.proposalId = proposal.id;
    recordAttempt(state, { attempt, model: state.model, outcome: 'review', diff });
    state.status = 'review';
    state.live = undefined;
    this.session.changed([spec.id]);
    if (this.env.settings.autoReview) {
      await this.reviewer.review(spec.id, { signal }).catch((err: Error) => {
        this.env.log('warn', `${spec.id}: automatic review failed: ${err.message}`);
      });
    }
  }

  /** The subtask's current proposal: only the files that still have hunks to decide. */
  proposal(subtaskId: string): Proposal | undefined {
    const proposal = this.session.proposal(subtaskId);
    return proposal && { ...proposal, files: proposal.files.filter((f) => f.hunks.length > 0) };
  }

  /** Files of the proposal that changed in the workspace since the worker read them. */
  async staleFiles(subtaskId: string): Promise<string[]> {
    const proposal = this.session.proposal(subtaskId);
    const stale: string[] = [];
    for (const change of proposal?.files ?? []) {
      if (change.hunks.length > 0 && isStale(change, await this.env.io.read(change.path))) {
        stale.push(change.path);
      }
    }
    return stale;
  }

  acceptHunk(subtaskId: string, path: string, hunkId: string): Promise<void> {
    return this.decide(subtaskId, 'accept', (f) => (f.path === path ? [hunkId] : []));
  }

  rejectHunk(subtaskId: string, path: string, hunkId: string, reason?: string): Promise<void> {
    return this.decide(subtaskId, 'reject', (f) => (f.path === path ? [hunkId] : []), reason);
  }

  acceptFile(subtaskId: string, path: string): Promise<void> {
    return this.decide(subtaskId, 'accept', (f) => (f.path === path ? f.hunks.map((h) => h.id) : []));
  }

  rejectFile(subtaskId: string, path: string, reason?: string): Promise<void> {
    return this.decide(subtaskId, 'reject', (f) => (f.path === path ? f.hunks.map((h) => h.id) : []), reason);
  }

  acceptProposal(subtaskId: string): Promise<void> {
    return this.decide(subtaskId, 'accept', (f) => f.hunks.map((h) => h.id));
  }

  rejectProposal(subtaskId: string, reason?: string): Promise<void> {
    return this.decide(subtaskId, 'reject', (f) => f.hunks.map((h) => h.id), reason);
  }

  /** Drops an open proposal before a re-dispatch: what is still undecided counts as rejected. */
  abandon(id: string): void {
    const { state } = this.session.require(id);
    const proposal = this.session.proposal(id);
    if (proposal) {
      for (const [i, change] of proposal.files.entries()) {
        const ids = change.hunks.map((h) => h.id);
        if (ids.length > 0) {
          state.rejections = [...(state.rejections ?? []), ...rejectionsOf(change, ids, undefined)];
          proposal.files[i] = rejectHunks(change, ids);
        }
      }
      settle(state, proposal, this.env.log);
      this.session.proposalChanged(proposal);
    }
    state.status = 'rejected';
    this.session.changed([id, ...this.session.refresh()]);
  }

  /**
   * One decision, made under the store lock on the latest saved state (another process may have decided first) and
   * saved before the lock is let go. An accept writes its journal, then the files, then the record (see journal.ts):
   * a process killed on the way leaves nothing half-applied that the next start cannot finish or undo.
   */
  private async decide(
    subtaskId: string,
    action: 'accept' | 'reject',
    pick: (change: FileChange) => string[],
    reason?: string,
  ): Promise<void> {
    this.session.require(subtaskId);
    if (action === 'accept') {
      this.env.requireTrust('apply changes');
    }
    return this.session.transaction(() => this.decideLocked(subtaskId, action, pick, reason));
  }

  private async decideLocked(
    subtaskId: string,
    action: 'accept' | 'reject',
    pick: (change: FileChange) => string[],
    reason?: string,
  ): Promise<void> {
    const { state } = this.session.require(subtaskId);
    const proposal = this.session.proposal(subtaskId);
    if (!proposal || state.status !== 'review') {
      throw new OrchestratorError('no-proposal', `Subtask "${subtaskId}" has no proposal awaiting review.`);
    }
    const chosen = proposal.files
      .map((change) => ({ change, ids: pick(change).filter((id) => change.hunks.some((h) => h.id === id)) }))
      .filter((c) => c.ids.length > 0);
    const writes: JournalFile[] = [];
    const undecided = structuredClone({ state: withoutTransient(state), proposal });
    const applied = action === 'accept' ? chosen.map((c) => c.change) : [];
    for (const { change, ids } of chosen) {
      const at = proposal.files.indexOf(change);
      if (action === 'accept') {
        const { text, change: rest } = acceptHunks(change, ids);
        writes.push({ path: change.path, before: change.base, after: text });
        // Not stale: the file on disk is the change's base, so that is what a revert writes back.
        addToCheckpoint(state, change.path, change.base, text);
        proposal.files[at] = rest;
        proposal.status = 'partial';
      } else {
        state.rejections = [...(state.rejections ?? []), ...rejectionsOf(change, ids, reason)];
        proposal.files[at] = rejectHunks(change, ids);
      }
    }
    if (proposal.files.every((f) => f.hunks.length === 0)) {
      settle(state, proposal, this.env.log);
    }
    if (writes.length > 0) {
      try {
        await this.write(state, proposal, writes, applied);
      } catch (err) {
        // Refused or not written: the decision goes back as it was (write() put the files back).
        Object.assign(proposal, undecided.proposal);
        for (const key of Object.keys(state)) {
          delete (state as unknown as Record<string, unknown>)[key];
        }
        Object.assign(state, undecided.state);
        throw err;
      }
    }
    this.session.proposalChanged(proposal);
    this.session.events.emit({ kind: 'proposal', subtaskId });
    const touched = this.session.refresh();
    this.session.changed([subtaskId, ...touched]);
    await this.session.commit([subtaskId]);
    if (writes.length > 0) {
      await this.session.store.deleteJournal();
    }
  }

  /**
   * The journal, then the workspace: no record, in memory or on disk, claims a change the files do not have. The files
   * are checked for staleness while the journal is written; a refused accept deletes it again (one left by a process
   * killed in between finds its files moved, and changes nothing).
   */
  private async write(
    state: SubtaskState,
    proposal: Proposal,
    writes: JournalFile[],
    changes: readonly FileChange[],
  ): Promise<void> {
    const planId = this.session.state?.id ?? '';
    const [stale] = await Promise.all([
      this.firstStale(changes),
      this.session.store.saveJournal({
        planId,
        subtaskId: state.id,
        files: journalFiles(writes),
        state: withoutTransient(state),
        proposal,
      }),
    ]);
    if (stale) {
      await this.session.store.deleteJournal();
      throw new OrchestratorError(
        'stale',
        `${stale} changed since subtask "${state.id}" ran, so its proposal no longer applies. ` +
          'Re-dispatch the subtask to get a proposal against the current file.',
      );
    }
    try {
      for (const file of writes) {
        await this.env.io.write(file.path, file.after);
      }
    } catch (err) {
      // A file could not be written: the others go back as they were.
      await undoWrites(this.env.io, writes);
      await this.session.store.deleteJournal();
      throw err;
    }
  }

  /** The first of these files that no longer holds the text its change was made against, if any. */
  private async firstStale(changes: readonly FileChange[]): Promise<string | undefined> {
    const now = await Promise.all(changes.map((c) => this.env.io.read(c.path)));
    return changes.find((c, i) => isStale(c, now[i] ?? null))?.path;
  }
}

/** Every file of `writes` that holds its new text gets its old text back (best effort: a failing disk may refuse). */
async function undoWrites(io: EngineEnv['io'], writes: readonly JournalFile[]): Promise<void> {
  for (const file of writes) {
    const now = await io.read(file.path).catch(() => undefined);
    if (now !== file.after) {
      continue;
    }
    if (file.before === null) {
      await io.remove?.(file.path).catch(() => undefined);
    } else {
      await io.write(file.path, file.before).catch(() => undefined);
    }
  }
}
