import type { Logger } from '../contract';
import { OrchestratorError } from '../contract';
import type { Proposal } from '../edits/types';
import type { Subtask } from '../plan/schema';
import type { Estimate, PlanState, SubtaskState } from '../plan/state';
import type { Store, StoredRecord } from '../store/store';
import type { RecordBook } from './records';
import { describeClaim, replaceInPlace } from './records';
import { freshState } from './statuses';

/** What restoring a loaded plan needs from the session. */
export interface RestoreContext {
  estimate: (spec: Subtask, goal: string) => Promise<Estimate>;
  log: Logger;
  /** True while another living process runs the subtask (its 'running' is true, not a run cut off). */
  runsElsewhere: (id: string) => boolean;
  loadProposal: (id: string) => Promise<Proposal | undefined>;
  keep: (subtaskId: string, proposal: Proposal) => void;
}

/**
 * Makes a loaded plan true to what this process can see: a run whose process ended becomes 'interrupted' (one another
 * living process runs stays 'running'), a subtask without a stored state starts again, what was only true while a
 * process ran is dropped, and a subtask in review whose proposal is gone can run again. Returns the ids it changed.
 */
export async function restoreLoaded(state: PlanState, ctx: RestoreContext): Promise<Set<string>> {
  const dirty = new Set<string>();
  for (const spec of state.plan.subtasks) {
    if (!state.subtasks[spec.id]) {
      state.subtasks[spec.id] = freshState(spec, await ctx.estimate(spec, state.plan.goal));
      ctx.log('warn', `subtask "${spec.id}" had no stored state; it starts again from the beginning`);
      dirty.add(spec.id);
    }
  }
  for (const st of Object.values(state.subtasks)) {
    if (st.status === 'running' && !ctx.runsElsewhere(st.id)) {
      st.status = 'interrupted';
      dirty.add(st.id);
    }
    if (st.live || st.reviewing) {
      delete st.live;
      delete st.reviewing;
      dirty.add(st.id);
    }
  }
  const withProposal = Object.values(state.subtasks).filter((st) => st.proposalId);
  const loaded = await Promise.all(withProposal.map((st) => ctx.loadProposal(st.proposalId as string)));
  withProposal.forEach((st, i) => {
    const proposal = loaded[i];
    if (proposal) {
      ctx.keep(st.id, proposal);
    } else if (lostProposal(st)) {
      ctx.log('warn', `subtask "${st.id}": ${st.error}`);
      dirty.add(st.id);
    }
  });
  return dirty;
}

/**
 * A subtask in review whose proposal is gone from the store (deleted after it was damaged) can only run again: it
 * becomes failed, saying so, and dispatching it makes a new proposal. True when that happened.
 */
export function lostProposal(st: SubtaskState): boolean {
  if (st.status !== 'review') {
    return false;
  }
  st.error = `its proposal ${st.proposalId ?? ''} is missing from the store; dispatch the subtask again for a new one.`;
  st.status = 'failed';
  st.proposalId = undefined;
  return true;
}

/** Refuses while a living process (another CLI, the editor) runs a subtask of the stored plan. */
export async function refuseWhileOthersRun(store: Store, records: RecordBook, what: string): Promise<void> {
  const stored = await store.load().catch(() => undefined);
  for (const [id, meta] of Object.entries(stored?.records ?? {})) {
    const running = stored?.state.subtasks[id]?.status === 'running';
    if (running && meta.claim && meta.claim.token !== records.claim.token && records.alive(meta.claim)) {
      throw new OrchestratorError(
        'busy',
        `Subtask "${id}" is running in another Opus Orchestrator ${describeClaim(meta.claim)}, so this one ` +
          `does not ${what}. Wait for it to finish (or cancel it there), then try again.`,
      );
    }
  }
}

/** Another process replaced (or cleared) the plan this one holds: its decisions would land in the wrong plan. */
export function planChanged(onDisk: string | undefined): OrchestratorError {
  return new OrchestratorError(
    'plan-changed',
    onDisk
      ? 'Another Opus Orchestrator process replaced the plan since this one read it: run the command again.'
      : 'The plan was cleared (or deleted) by another process since this one read it: plan again.',
  );
}

/** What taking in a record another process saved needs from the session. */
export interface AdoptContext {
  records: RecordBook;
  /** The open proposals by subtask id. */
  proposals: Map<string, Proposal>;
  loadProposal: (id: string) => Promise<Proposal | undefined>;
  /** The subtask's record is to be saved again: what it says no longer holds in this process. */
  resave: (id: string) => void;
}

/**
 * Another process saved this record: it replaces the one in memory (in place: runs and views hold it), along with its
 * proposal. Returns the subtask's id.
 */
export async function adoptRecord(
  subtasks: Record<string, SubtaskState>,
  record: StoredRecord,
  ctx: AdoptContext,
): Promise<string> {
  ctx.records.seen(record);
  const target = replaceInPlace(subtasks, record.state);
  if (target.status === 'running' && !ctx.records.otherRunner(target.id)) {
    target.status = 'interrupted';
    ctx.resave(target.id);
  }
  const proposal = target.proposalId ? await ctx.loadProposal(target.proposalId) : undefined;
  if (proposal) {
    ctx.proposals.set(target.id, proposal);
  } else {
    ctx.proposals.delete(target.id);
    if (lostProposal(target)) {
      ctx.resave(target.id);
    }
  }
  return target.id;
}
