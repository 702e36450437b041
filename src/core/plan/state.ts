import type { ModelRole } from '../models';
import type { Usage } from '../usage/usage';
import type { Plan } from './schema';

/**
 * Where a subtask is in its life. `ready`/`blocked`/`pending` are recomputed from dependencies; the rest are set by
 * what happened to it. `interrupted` is a run that was in flight when the process (or window) went away.
 */
export type SubtaskStatus =
  | 'pending'
  | 'blocked'
  | 'ready'
  | 'running'
  | 'review'
  | 'accepted'
  | 'rejected'
  | 'failed'
  | 'cancelled'
  | 'interrupted';

/** One call to a model, as the ledger keeps it. */
export interface UsageEntry {
  /** 'plan' for the planner's calls, otherwise the subtask id. */
  owner: string;
  attempt: number;
  model: string;
  role: ModelRole;
  usage: Usage;
  cost: number;
  requestId?: string;
  at: string;
}

/** Before-dispatch figures: the scoped context's size and the expected price. */
export interface Estimate {
  inputTokens: number;
  outputTokens: number;
  cost: number;
}

export interface SubtaskState {
  id: string;
  status: SubtaskStatus;
  /** The role it will run (or ran) on; starts as the plan's choice and can be changed by the user. */
  model: ModelRole;
  attempt: number;
  estimate: Estimate;
  /** Live tokens of the current run, updated while it streams. */
  live?: Usage;
  proposalId?: string;
  error?: string;
}

export interface PlanState {
  id: string;
  task: string;
  createdAt: string;
  plan: Plan;
  subtasks: Record<string, SubtaskState>;
  ledger: UsageEntry[];
  /** The same work done by Opus alone with the union of every subtask's context. */
  opusOnlyEstimate: Estimate;
  /** The repository map the plan was made from (kept to re-price the Opus-only baseline when scopes change). */
  repoMap?: string;
}
