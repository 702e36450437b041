import type { SubtaskView, Totals } from '../contract';
import type { Subtask } from '../plan/schema';
import type { Ledger } from '../usage/ledger';
import type { AttemptRecord, PlanState, SubtaskState, SubtaskStatus } from '../plan/state';
import { RUNNABLE } from '../plan/state';

/** Statuses that follow from the dependencies alone. */
export const WAITING: ReadonlySet<SubtaskStatus> = new Set(['pending', 'blocked', 'ready']);
/** A dependency in one of these will not become accepted without the user acting on it. */
const STUCK: ReadonlySet<SubtaskStatus> = new Set(['rejected', 'failed', 'cancelled', 'interrupted', 'blocked']);

/**
 * Recomputes pending/blocked/ready from the dependencies: ready once every dependency is accepted (or gone from the
 * plan), blocked while one of them is stuck, pending otherwise. Returns the ids whose status changed.
 */
export function refreshStatuses(state: PlanState | undefined): string[] {
  if (!state) {
    return [];
  }
  const changed: string[] = [];
  for (const spec of state.plan.subtasks) {
    const st = state.subtasks[spec.id];
    if (!st || !WAITING.has(st.status)) {
      continue;
    }
    const deps = spec.dependsOn.map((d) => state.subtasks[d]?.status);
    const next: SubtaskStatus = deps.every((s) => s === 'accepted' || s === undefined)
      ? 'ready'
      : deps.some((s) => s !== undefined && STUCK.has(s))
        ? 'blocked'
        : 'pending';
    if (next !== st.status) {
      st.status = next;
      changed.push(spec.id);
    }
  }
  return changed;
}

/** The dependencies of `spec` that are not accepted yet. */
export function unacceptedDeps(state: PlanState | undefined, spec: Subtask): string[] {
  return spec.dependsOn.filter((d) => {
    const status = state?.subtasks[d]?.status;
    return status !== undefined && status !== 'accepted';
  });
}

export function notRunnableMessage(spec: Subtask, state: SubtaskState, waitingFor: string[]): string {
  if (waitingFor.length > 0) {
    return `Subtask "${spec.id}" waits for ${waitingFor.map((d) => `"${d}"`).join(', ')} to be accepted first.`;
  }
  if (state.status === 'review') {
    return `Subtask "${spec.id}" has a proposal awaiting review: accept or reject it first.`;
  }
  return `Subtask "${spec.id}" is ${state.status} and cannot be dispatched now.`;
}

/** The state a subtask starts with; also what replaces a state the store lost. */
export function freshState(spec: Subtask, estimate: SubtaskState['estimate']): SubtaskState {
  return { id: spec.id, status: 'pending', model: spec.model, attempt: 0, estimate };
}

/** Adds (or completes) the record of one attempt in the subtask's history. */
export function recordAttempt(state: SubtaskState, entry: AttemptRecord): void {
  const history = state.history ?? [];
  const at = history.findIndex((h) => h.attempt === entry.attempt);
  if (at >= 0) {
    history[at] = { ...history[at], ...entry };
  } else {
    history.push(entry);
  }
  state.history = history;
}

/**
 * What the plan cost so far, what it will cost once the subtasks whose work is still to do have run, and the saving
 * against Opus. A subtask that failed, was cancelled or rejected has not done its work: its estimate stays in the
 * projection (what it spent is already in the ledger), so a failure never makes the saving look larger.
 */
export function planTotals(book: Ledger, subtasks: readonly SubtaskView[], state: PlanState | undefined): Totals {
  const total = book.total();
  const notRun = subtasks.filter((s) => WAITING.has(s.state.status) || RUNNABLE.has(s.state.status));
  const projected = total.cost + notRun.reduce((sum, s) => sum + s.state.estimate.cost, 0);
  const opusOnly = state?.opusOnlyEstimate ?? { inputTokens: 0, outputTokens: 0, cost: 0 };
  return { ...total, byRole: book.byRole(), projected, opusOnly, saved: opusOnly.cost - projected };
}
