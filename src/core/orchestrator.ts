import type { LogLevel, OrchestratorEvent, OrchestratorSettings, SubtaskView, Totals, WorkspaceIO } from './contract';
import type { Proposal } from './edits/types';
import type { LlmClient } from './llm/client';
import type { ModelRole } from './models';
import { scopesOverlap } from './plan/graph';
import type { PlannerLooks } from './plan/looks';
import type { Effort, FileInScope } from './plan/schema';
import type { PlanState } from './plan/state';
import { Checkpoints } from './review/checkpoints';
import { settleJournal } from './review/journal';
import { ReviewDesk } from './review/desk';
import { OpusReviewer } from './review/opusReview';
import { Estimator } from './runner/estimator';
import { Runner } from './runner/runner';
import { EngineEnv } from './session/env';
import { PlanEditor } from './session/planEdits';
import type { PlanRequest } from './session/planning';
import { Planning } from './session/planning';
import { PlanSession } from './session/session';
import type { Store } from './store/store';
import type { Ledger } from './usage/ledger';
import type { Usage } from './usage/usage';

export { DEFAULT_SETTINGS, OrchestratorError } from './contract';
export type {
  LogLevel,
  OrchestratorErrorCode,
  OrchestratorEvent,
  OrchestratorSettings,
  SubtaskView,
  Totals,
  WorkspaceIO,
} from './contract';

export interface OrchestratorOptions extends Partial<OrchestratorSettings> {
  root: string;
  llm: LlmClient;
  store: Store;
  io: WorkspaceIO;
  log?: (level: LogLevel, message: string) => void;
}

/**
 * The one entry point to the engine, shared by the CLI and the extension. It only wires and delegates to the parts
 * that do the work, over one plan session and one event stream:
 * - the plan session (src/core/session): the plan, its statuses, persistence, load/restore, planning and plan edits;
 * - the runner (src/core/runner): dispatch, the scheduler, caps and estimates, one worker run;
 * - the review desk (src/core/review): proposals, per-hunk decisions, Opus review, retry feedback, checkpoints.
 */
export class Orchestrator {
  readonly root: string;
  private readonly env: EngineEnv;
  private readonly session: PlanSession;
  private readonly estimator: Estimator;
  private readonly planner: Planning;
  private readonly editor: PlanEditor;
  private readonly runner: Runner;
  private readonly reviewer: OpusReviewer;
  private readonly desk: ReviewDesk;
  private readonly checkpoints: Checkpoints;

  constructor(opts: OrchestratorOptions) {
    this.root = opts.root;
    this.env = new EngineEnv(opts.root, opts.llm, opts.io, opts.log ?? (() => undefined));
    this.env.updateSettings(opts);
    this.session = new PlanSession(opts.store, this.env.log);
    this.estimator = new Estimator(this.env);
    this.reviewer = new OpusReviewer(this.env, this.session);
    this.desk = new ReviewDesk(this.env, this.session, this.reviewer);
    this.checkpoints = new Checkpoints(this.env, this.session);
    this.runner = new Runner(this.env, this.session, this.desk, this.estimator);
    this.planner = new Planning(this.env, this.session, this.estimator, () => this.runner.busy());
    this.editor = new PlanEditor(this.env, this.session, this.estimator, (id) => this.runner.has(id));
  }

  /** False in an untrusted workspace: nothing is dispatched or applied. */
  get trusted(): boolean {
    return this.env.trusted;
  }

  set trusted(value: boolean) {
    this.env.trusted = value;
  }

  /** True while Opus plans. */
  get planning(): boolean {
    return this.planner.planning;
  }

  /** Live tokens of the planner's call in progress. */
  get planLive(): Usage | undefined {
    return this.planner.live;
  }

  /** The planner's looks beyond the map: live while it plans, else those of the current plan. */
  get planLooks(): PlannerLooks | undefined {
    return this.planner.looks ?? this.session.state?.looks;
  }

  get state(): PlanState | undefined {
    return this.session.state;
  }

  /** New settings; estimates made at other prices (overrides or models changed) are made again. */
  updateSettings(s: Partial<OrchestratorSettings>): Promise<void> {
    this.env.updateSettings(s);
    return this.editor.repriceIfChanged().then(
      () => undefined,
      (err: Error) => this.env.log('warn', `could not re-price the estimates: ${err.message}`),
    );
  }

  onEvent(listener: (e: OrchestratorEvent) => void): { dispose(): void } {
    return this.session.events.on(listener);
  }

  ledger(): Ledger {
    return this.session.ledger;
  }

  /**
   * Restores the stored plan (converting an older store format as it goes). A run that was in flight when its process
   * ended becomes 'interrupted'; an accept whose record was cut off is recorded.
   */
  async load(): Promise<PlanState | undefined> {
    const state = await this.session.load(
      (spec, goal) => this.estimator.subtask(spec, spec.model, goal),
      async () => {
        await settleJournal(this.session.store, this.env.io, this.env.log);
      },
    );
    if (state && Object.values(state.subtasks).some((s) => s.work)) {
      await this.estimator.refreshOpusAlone(this.session);
    }
    await this.checkpoints.recover();
    await this.editor.repriceIfChanged();
    await this.session.flush();
    return state;
  }

  /**
   * Takes in what other processes (the CLI, another window) saved to the store since this one read it; a plan that
   * another process made or replaced is loaded, unless this one still runs subtasks of its own plan.
   */
  async syncFromStore(): Promise<void> {
    if (!this.session.state) {
      await this.load();
      return;
    }
    try {
      await this.session.transaction(async () => undefined);
    } catch (err) {
      if ((err as { code?: string }).code !== 'plan-changed' || this.runner.busy() || this.planner.planning) {
        throw err;
      }
      await this.load();
    }
  }

  /** Asks Opus for a plan from the repository map and replaces the current plan with it. */
  plan(task: string, opts: PlanRequest = {}): Promise<PlanState> {
    return this.planner.plan(task, opts);
  }

  subtask(id: string): SubtaskView | undefined {
    return this.session.subtask(id);
  }

  subtasks(): SubtaskView[] {
    return this.session.subtasks();
  }

  /** Ids that can be dispatched now. */
  ready(): string[] {
    return this.session.ready();
  }

  /**
   * Starts the given subtasks (in parallel up to the concurrency limit, never two with overlapping files at once) and
   * resolves when every one of them has ended: in review, failed or cancelled.
   */
  dispatch(ids: string[]): Promise<void> {
    return this.runner.dispatch(ids);
  }

  /** Dispatches every ready subtask; resolves with their ids once all of them have ended. */
  async dispatchAllReady(): Promise<string[]> {
    const ids = this.ready();
    if (ids.length > 0) {
      await this.dispatch(ids);
    }
    return ids;
  }

  /**
   * Runs a subtask again (attempt + 1), optionally on another model. From review, the open proposal is dropped (its
   * undecided hunks count as rejected). The worker is told about the previous attempt: its diff, the rejected hunks
   * with their reasons, and the criteria Opus's review found unmet.
   */
  async retry(id: string, opts: { model?: ModelRole } = {}): Promise<void> {
    const { state } = this.session.require(id);
    this.env.requireTrust('dispatch subtasks');
    if (state.status === 'review') {
      this.desk.abandon(id);
    }
    if (opts.model && opts.model !== state.model) {
      await this.editor.changeModel(id, opts.model, { allowFinished: true });
    }
    await this.dispatch([id]);
  }

  /** The model one step up when a subtask failed, failed its review or was rejected twice; else undefined. */
  escalation(id: string): ModelRole | undefined {
    return this.reviewer.escalation(id);
  }

  /** Other subtasks whose declared files overlap this one's (the scheduler never runs them at the same time). */
  overlaps(id: string): Array<{ id: string; paths: string[] }> {
    const mine = this.subtask(id)?.spec;
    if (!mine) {
      return [];
    }
    return this.subtasks()
      .filter((o) => o.spec.id !== id)
      .map((o) => ({ id: o.spec.id, paths: scopesOverlap(mine, o.spec) }))
      .filter((o) => o.paths.length > 0);
  }

  /** Opus judges the open proposal against the subtask's acceptance criteria; the verdict is kept on the subtask. */
  review(id: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.reviewer.review(id, opts);
  }

  /** Undoes exactly what accepting this subtask wrote; refuses, changing nothing, when a file moved on since. */
  revertSubtask(id: string): Promise<void> {
    return this.checkpoints.revert(id);
  }

  cancel(id: string): void {
    this.runner.cancel(id);
  }

  cancelAll(): void {
    this.runner.cancelAll();
  }

  /** The subtask's current proposal: only the files that still have hunks to decide. */
  async proposal(subtaskId: string): Promise<Proposal | undefined> {
    return this.desk.proposal(subtaskId);
  }

  /** The stored proposal as it is now, resolved files included (hunks: []). */
  proposalSnapshot(subtaskId: string): Proposal | undefined {
    return this.session.proposal(subtaskId);
  }

  /** Files of the proposal that changed in the workspace since the worker read them. */
  staleFiles(subtaskId: string): Promise<string[]> {
    return this.desk.staleFiles(subtaskId);
  }

  acceptHunk(subtaskId: string, path: string, hunkId: string): Promise<void> {
    return this.desk.acceptHunk(subtaskId, path, hunkId);
  }

  rejectHunk(subtaskId: string, path: string, hunkId: string, reason?: string): Promise<void> {
    return this.desk.rejectHunk(subtaskId, path, hunkId, reason);
  }

  acceptFile(subtaskId: string, path: string): Promise<void> {
    return this.desk.acceptFile(subtaskId, path);
  }

  rejectFile(subtaskId: string, path: string, reason?: string): Promise<void> {
    return this.desk.rejectFile(subtaskId, path, reason);
  }

  acceptProposal(subtaskId: string): Promise<void> {
    return this.desk.acceptProposal(subtaskId);
  }

  rejectProposal(subtaskId: string, reason?: string): Promise<void> {
    return this.desk.rejectProposal(subtaskId, reason);
  }

  changeModel(id: string, role: ModelRole, opts: { allowFinished?: boolean } = {}): Promise<void> {
    return this.editor.changeModel(id, role, opts);
  }

  /** Sets how hard the subtask's worker thinks (the API's effort). */
  changeEffort(id: string, effort: Effort, opts: { allowFinished?: boolean } = {}): Promise<void> {
    return this.editor.changeEffort(id, effort, opts);
  }

  /** Replaces the subtask's files in scope; the same rules as a plan from Opus apply. */
  setFiles(id: string, files: FileInScope[]): Promise<void> {
    return this.editor.setFiles(id, files);
  }

  removeSubtask(id: string): Promise<void> {
    return this.editor.removeSubtask(id);
  }

  /** Forgets the plan, its proposals and its usage (the workspace files are not touched). */
  async clear(): Promise<void> {
    this.runner.cancelAll();
    await this.session.clear();
  }

  totals(): Totals {
    return this.session.totals();
  }

  /** Cancels running work; the stored plan stays (changes not yet written still are, in the background). */
  dispose(): void {
    this.runner.cancelAll();
    this.planner.dispose();
    this.session.events.clear();
  }

  /**
   * Resolves when every change made so far is on disk. Decisions and runs report their events first and save after,
   * off the hot path; call this before the process exits.
   */
  flush(): Promise<void> {
    return this.session.flush();
  }
}
