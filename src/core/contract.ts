import type { ModelOverrides, ModelRole } from './models';
import { DEFAULT_MAP_BUDGET_TOKENS } from './plan/repoMap';
import type { Subtask } from './plan/schema';
import type { Estimate, SubtaskState } from './plan/state';
import type { UsageTotal } from './usage/ledger';

/**
 * The shapes the CLI and the editor program against, shared by the `Orchestrator` facade and the parts behind it
 * (plan session, runner, review desk). They live apart from the facade so that the parts can use them without
 * importing the facade that imports them; src/core/orchestrator.ts re-exports every one of them.
 */

/** How the core reads and writes the user's files: the disk for the CLI, open documents and WorkspaceEdits in VS Code. */
export interface WorkspaceIO {
  /** The file's current text, or null when it does not exist. */
  read(rel: string): Promise<string | null>;
  /** Replaces (or creates) the file; the only way an accepted change reaches the workspace. */
  write(rel: string, text: string): Promise<void>;
  /** Deletes a file; needed only to revert a subtask that created one. */
  remove?(rel: string): Promise<void>;
}

export interface OrchestratorSettings {
  concurrency: number;
  models: ModelOverrides;
  maxOutputTokens: number;
  mapBudgetTokens: number;
  extraIgnores: string[];
  /** US dollars; 0 = no cap. */
  maxCostPerSubtask: number;
  /** US dollars; 0 = no cap. */
  maxCostPerPlan: number;
  maxTurns: number;
  /** Opus reviews each proposal before it is shown (default false). */
  autoReview?: boolean;
}

export const DEFAULT_SETTINGS: Readonly<OrchestratorSettings> = Object.freeze({
  concurrency: 3,
  models: {},
  maxOutputTokens: 16_000,
  mapBudgetTokens: DEFAULT_MAP_BUDGET_TOKENS,
  extraIgnores: [],
  maxCostPerSubtask: 0,
  maxCostPerPlan: 0,
  maxTurns: 30,
  autoReview: false,
});

export type LogLevel = 'info' | 'warn' | 'error';

export type Logger = (level: LogLevel, message: string) => void;

export type OrchestratorEvent =
  | { kind: 'plan' }
  | { kind: 'subtask'; id: string }
  | { kind: 'usage'; id: string }
  | { kind: 'proposal'; subtaskId: string };

export type OrchestratorErrorCode =
  | 'no-plan'
  | 'unknown-subtask'
  | 'not-runnable'
  | 'cap'
  | 'stale'
  | 'no-proposal'
  | 'busy'
  | 'untrusted'
  | 'invalid'
  | 'moved-on'
  | 'plan-changed';

/** A refusal the user can act on; the message says what to do. */
export class OrchestratorError extends Error {
  constructor(
    readonly code: OrchestratorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OrchestratorError';
  }
}

export interface SubtaskView {
  spec: Subtask;
  state: SubtaskState;
}

export interface Totals extends UsageTotal {
  byRole: Record<ModelRole, UsageTotal>;
  /** Spent so far plus the estimates of subtasks that have not run yet. */
  projected: number;
  opusOnly: Estimate;
  /** Opus-only estimate minus `projected`. */
  saved: number;
}
