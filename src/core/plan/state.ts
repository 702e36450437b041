import type { ModelRole } from '../models';
import type { Usage } from '../usage/usage';
import type { RunWork } from '../usage/work';
import type { PlannerLooks } from './looks';
import type { Plan } from './schema';

/**
 * Where a subtask is in its life. `ready`/`blocked`/`pending` are recomputed from dependencies; the rest are set by
 * what happened to it. `interrupted` is a run that was in flight when the process (or window) went away.
 */
export const SUBTASK_STATUSES = [
  'pending',
  'blocked',
  'ready',
  'running',
  'review',
  'accepted',
  'rejected',
  'failed',
  'cancelled',
  'interrupted',
] as const;
export type SubtaskStatus = (typeof SUBTASK_STATUSES)[number];

/** Statuses from which a subtask may be started (again). */
export const RUNNABLE: ReadonlySet<SubtaskStatus> = new Set([
  'ready',
  'failed',
  'cancelled',
  'interrupted',
  'rejected',
]);

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
  /** Opus's verdict on the current proposal. */
  review?: SubtaskReview;
  /** True while Opus reviews the current proposal. */
  reviewing?: boolean;
  /** Parts of the current proposal the user rejected, with the reasons given; sent back on re-dispatch. */
  rejections?: Rejection[];
  /** One record per finished attempt, oldest first. */
  history?: AttemptRecord[];
  /** What accepting this subtask changed, per file, so that Revert Subtask can undo exactly that. */
  checkpoint?: CheckpointFile[];
  /** What the last finished run was shown and wrote: the "Opus alone" figure is recomputed from it. */
  work?: RunWork;
  /** Distinct secrets kept out of this subtask's requests (at least: counted per process, the largest kept). */
  redactions?: number;
  /** The last run ended with the model declining: why, and the model to offer the same work on (none: rephrase). */
  refusal?: SubtaskRefusal;
}

export interface SubtaskRefusal {
  category: string | null;
  explanation: string | null;
  fallback?: ModelRole;
}

export interface SubtaskReview {
  attempt: number;
  at: string;
  pass: boolean;
  summary: string;
  criteria: Array<{ criterion: string; met: boolean; reason: string }>;
}

export interface Rejection {
  path: string;
  /** The hunk's unified-diff lines. */
  lines: string[];
  reason?: string;
}

export type AttemptOutcome = 'review' | 'accepted' | 'rejected' | 'failed' | 'cancelled';

export interface AttemptRecord {
  attempt: number;
  model: ModelRole;
  outcome: AttemptOutcome;
  /** The proposal's diff as the worker made it (before any accept or reject). */
  diff?: string;
  error?: string;
  review?: SubtaskReview;
  rejections?: Rejection[];
}

export interface CheckpointFile {
  path: string;
  /** The file before the subtask's first accepted hunk (null: it did not exist). */
  before: string | null;
  /** The file after its last accepted hunk. */
  after: string;
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
  /** What the planner looked at beyond the map with its tools, and the budget that took. */
  looks?: PlannerLooks;
  /** Distinct secrets kept out of the planner's requests (the map, the selection, tool results). */
  redactions?: number;
  /** The prices and models the estimates were made with; when they change, the estimates are made again. */
  pricedWith?: string;
}
