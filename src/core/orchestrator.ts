import { acceptHunks, buildProposal, hashText, isStale, rejectHunks } from './edits/proposal';
import { toModelText } from './edits/text';
import type { FileChange, Proposal } from './edits/types';
import type { LlmClient } from './llm/client';
import type { ModelOverrides, ModelRole } from './models';
import { escalate, modelFor } from './models';
import { buildRepoMap, DEFAULT_MAP_BUDGET_TOKENS } from './plan/repoMap';
import { planTask } from './plan/planner';
import type { FileInScope, Plan, Subtask } from './plan/schema';
import { scopesOverlap } from './plan/graph';
import type { AttemptRecord, Estimate, PlanState, Rejection, SubtaskState, SubtaskStatus } from './plan/state';
import { validatePlan } from './plan/validate';
import { feedbackFor } from './review/feedback';
import { proposalDiff, reviewProposal } from './review/review';
import { Scheduler } from './scheduler';
import type { Store } from './store/store';
import type { UsageTotal } from './usage/ledger';
import { Ledger } from './usage/ledger';
import { estimateSubtask, expectedOutputTokens, opusOnlyEstimate } from './usage/estimate';
import type { Usage } from './usage/usage';
import type { ScopedFile } from './worker/context';
import { runWorker } from './worker/worker';
import { WorkspaceRules } from './workspace/rules';

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

export interface OrchestratorOptions extends Partial<OrchestratorSettings> {
  root: string;
  llm: LlmClient;
  store: Store;
  io: WorkspaceIO;
  log?: (level: LogLevel, message: string) => void;
}

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
  | 'moved-on';

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

/** Workspace-relative path → the file's text as a worker sees it (null: it does not exist), read once. */
type FileTexts = Map<string, Promise<string | null>>;

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

/** How long ignore rules read for one run are reused by runs that start right after it. */
const RULES_FRESH_MS = 2_000;
/** Statuses from which a subtask may be started (again). */
const RUNNABLE: ReadonlySet<SubtaskStatus> = new Set(['ready', 'failed', 'cancelled', 'interrupted', 'rejected']);
/** Statuses that follow from the dependencies alone. */
const WAITING: ReadonlySet<SubtaskStatus> = new Set(['pending', 'blocked', 'ready']);
/** A dependency in one of these will not become accepted without the user acting on it. */
const STUCK: ReadonlySet<SubtaskStatus> = new Set(['rejected', 'failed', 'cancelled', 'interrupted', 'blocked']);

/**
 * The one entry point to the engine, shared by the CLI and the extension: plan with Opus, dispatch subtasks to their
 * workers through the scheduler, keep proposals, apply or reject them hunk by hunk, and persist all of it so that a
 * reload (or another process on the same workspace) picks up where it stopped.
 */
export class Orchestrator {
  readonly root: string;
  /** False in an untrusted workspace: nothing is dispatched or applied. */
  trusted = true;
  planning = false;
  planLive: Usage | undefined;

  private readonly llm: LlmClient;
  private readonly store: Store;
  private readonly io: WorkspaceIO;
  private readonly logger: (level: LogLevel, message: string) => void;
  private readonly listeners = new Set<(e: OrchestratorEvent) => void>();
  private readonly proposals = new Map<string, Proposal>();
  private readonly scheduler: Scheduler;
  private settings: OrchestratorSettings;
  private current: PlanState | undefined;
  private book = new Ledger();
  private saving: Promise<void> = Promise.resolve();
  private queuedSave: Promise<void> | undefined;
  private rulesCache: { at: number; rules: Promise<WorkspaceRules> } | undefined;

  constructor(opts: OrchestratorOptions) {
    this.root = opts.root;
    this.llm = opts.llm;
    this.store = opts.store;
    this.io = opts.io;
    this.logger = opts.log ?? (() => undefined);
    this.settings = { ...DEFAULT_SETTINGS };
    this.updateSettings(opts);
    this.scheduler = new Scheduler(this.settings.concurrency);
  }

  get state(): PlanState | undefined {
    return this.current;
  }

  updateSettings(s: Partial<OrchestratorSettings>): void {
    const next = { ...this.settings };
    for (const key of Object.keys(DEFAULT_SETTINGS) as Array<keyof OrchestratorSettings>) {
      if (s[key] !== undefined) {
        (next as Record<string, unknown>)[key] = s[key];
      }
    }
    this.settings = next;
    this.rulesCache = undefined;
    this.scheduler?.setLimit(next.concurrency);
  }

  onEvent(listener: (e: OrchestratorEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  ledger(): Ledger {
    return this.book;
  }

  /** Restores the stored plan; a run that was in flight when its process ended becomes 'interrupted'. */
  async load(): Promise<PlanState | undefined> {
    const state = await this.store.loadPlan();
    this.proposals.clear();
    this.current = state;
    this.book = new Ledger(state?.ledger ?? []);
    if (!state) {
      this.emit({ kind: 'plan' });
      return undefined;
    }
    let changed = false;
    for (const st of Object.values(state.subtasks)) {
      if (st.status === 'running') {
        st.status = 'interrupted';
        st.live = undefined;
        changed = true;
      }
      if (st.proposalId) {
        const proposal = await this.store.loadProposal(st.proposalId);
        if (proposal) {
          this.proposals.set(st.id, proposal);
        }
      }
    }
    changed = this.refreshStatuses().length > 0 || changed;
    if (changed) {
      await this.persist();
    }
    this.emit({ kind: 'plan' });
    return state;
  }

  /** Asks Opus for a plan from the repository map and replaces the current plan with it. */
  async plan(
    task: string,
    opts: { selection?: { path: string; text: string }; activeFile?: string; signal?: AbortSignal } = {},
  ): Promise<PlanState> {
    if (this.planning || this.scheduler.running().length > 0 || this.scheduler.queued().length > 0) {
      throw new OrchestratorError('busy', 'Opus Orchestrator is still working: cancel the running work first.');
    }
    if (!task.trim()) {
      throw new OrchestratorError('invalid', 'Describe the task to plan.');
    }
    this.planning = true;
    this.planLive = undefined;
    this.emit({ kind: 'usage', id: 'plan' });
    try {
      const rules = await this.rules();
      const map = await buildRepoMap({
        root: this.root,
        task,
        selection: opts.selection,
        activeFile: opts.activeFile,
        budgetTokens: this.settings.mapBudgetTokens,
        rules,
      });
      this.logger('info', `repository map: ${map.fileCount} files, ~${map.tokens} tokens`);
      const ledger = new Ledger();
      const opus = modelFor('opus', this.settings.models);
      const plan = await planTask({
        llm: this.llm,
        model: opus,
        task,
        repoMap: map.text,
        root: this.root,
        rules,
        maxTokens: this.settings.maxOutputTokens,
        signal: opts.signal,
        ledger,
        onUsage: (u) => {
          this.planLive = u;
          this.emit({ kind: 'usage', id: 'plan' });
        },
      });
      for (const e of ledger.entries()) {
        this.logger('info', `plan: ${e.model} ${describeUsage(e.usage)} $${e.cost.toFixed(4)} ${e.requestId ?? ''}`);
      }
      const state = await this.newState(task, plan, map.text, ledger);
      this.proposals.clear();
      await this.store.clear();
      this.current = state;
      this.book = ledger;
      await this.persist();
      this.emit({ kind: 'plan' });
      return state;
    } finally {
      this.planning = false;
      this.planLive = undefined;
      this.emit({ kind: 'usage', id: 'plan' });
    }
  }

  subtask(id: string): SubtaskView | undefined {
    const spec = this.current?.plan.subtasks.find((s) => s.id === id);
    const state = this.current?.subtasks[id];
    return spec && state ? { spec, state } : undefined;
  }

  subtasks(): SubtaskView[] {
    const state = this.current;
    return state ? state.plan.subtasks.map((spec) => ({ spec, state: state.subtasks[spec.id] as SubtaskState })) : [];
  }

  /** Ids that can be dispatched now. */
  ready(): string[] {
    return this.subtasks()
      .filter((s) => s.state.status === 'ready')
      .map((s) => s.spec.id);
  }

  /**
   * Starts the given subtasks (in parallel up to the concurrency limit, never two with overlapping files at once) and
   * resolves when every one of them has ended: in review, failed or cancelled.
   */
  async dispatch(ids: string[]): Promise<void> {
    this.requireTrust('dispatch subtasks');
    const views = ids.map((id) => this.require(id));
    let planned = this.book.costOf();
    for (const { spec, state } of views) {
      if (state.status === 'running' || this.scheduler.has(spec.id)) {
        throw new OrchestratorError('not-runnable', `Subtask "${spec.id}" is already running.`);
      }
      if (!RUNNABLE.has(state.status) || !this.dependenciesAccepted(spec)) {
        throw new OrchestratorError('not-runnable', notRunnableMessage(spec, state, this.unacceptedDeps(spec)));
      }
      this.checkCaps(spec, state, planned);
      planned += state.estimate.cost;
    }
    await Promise.all(views.map(({ spec }) => this.enqueue(spec)));
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
    const { state } = this.require(id);
    this.requireTrust('dispatch subtasks');
    if (state.status === 'review') {
      await this.abandonProposal(id);
    }
    if (opts.model && opts.model !== state.model) {
      await this.changeModel(id, opts.model, { allowFinished: true });
    }
    await this.dispatch([id]);
  }

  /**
   * The model one step up, offered when a subtask failed, failed its review, or was rejected twice; undefined when
   * there is no reason to escalate or it already runs on Opus.
   */
  escalation(id: string): ModelRole | undefined {
    const view = this.subtask(id);
    if (!view || view.state.model === 'opus') {
      return undefined;
    }
    const { state } = view;
    const rejectedTwice = (state.history ?? []).filter((h) => h.outcome === 'rejected').length >= 2;
    const reviewFailed = state.status === 'review' && state.review?.pass === false;
    return state.status === 'failed' || reviewFailed || rejectedTwice ? escalate(state.model) : undefined;
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
  async review(id: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const { spec, state } = this.require(id);
    const proposal = this.proposals.get(id);
    if (!proposal || state.status !== 'review') {
      throw new OrchestratorError('no-proposal', `Subtask "${id}" has no proposal awaiting review.`);
    }
    if (state.reviewing) {
      throw new OrchestratorError('busy', `Opus is already reviewing subtask "${id}".`);
    }
    state.reviewing = true;
    this.emit({ kind: 'subtask', id });
    try {
      const review = await reviewProposal({
        llm: this.llm,
        model: modelFor('opus', this.settings.models),
        subtask: spec,
        files: proposal.files.filter((f) => f.hunks.length > 0),
        attempt: state.attempt,
        signal: opts.signal,
        ledger: this.book,
        onUsage: (u) => {
          state.live = u;
          this.emit({ kind: 'usage', id });
        },
      });
      state.review = review;
      const record = state.history?.at(-1);
      if (record && record.attempt === state.attempt) {
        record.review = review;
      }
      this.logger('info', `${id}: review ${review.pass ? 'passed' : 'failed'}: ${review.summary}`);
    } finally {
      state.reviewing = false;
      state.live = undefined;
      await this.persist();
      this.emit({ kind: 'subtask', id });
    }
  }

  /**
   * Undoes exactly what accepting this subtask wrote, file by file, and makes it ready to run again. Refuses, changing
   * nothing, when any of those files changed after the accept.
   */
  async revertSubtask(id: string): Promise<void> {
    const { state } = this.require(id);
    this.requireTrust('change files');
    const checkpoint = state.checkpoint ?? [];
    if (checkpoint.length === 0) {
      throw new OrchestratorError('no-proposal', `Subtask "${id}" has no accepted changes to revert.`);
    }
    for (const file of checkpoint) {
      if (hashText(await this.io.read(file.path)) !== hashText(file.after)) {
        throw new OrchestratorError(
          'moved-on',
          `${file.path} changed after subtask "${id}" was accepted, so reverting it would lose those changes. ` +
            'Undo it by hand (or with git) instead.',
        );
      }
    }
    for (const file of checkpoint) {
      if (file.before === null) {
        if (!this.io.remove) {
          throw new OrchestratorError('invalid', `Cannot delete ${file.path} here: delete it yourself.`);
        }
        await this.io.remove(file.path);
      } else {
        await this.io.write(file.path, file.before);
      }
    }
    state.checkpoint = undefined;
    state.status = 'pending';
    const touched = this.refreshStatuses();
    this.logger('info', `${id}: reverted ${checkpoint.map((f) => f.path).join(', ')}`);
    await this.persist();
    this.emit({ kind: 'subtask', id });
    for (const other of touched) {
      this.emit({ kind: 'subtask', id: other });
    }
  }

  cancel(id: string): void {
    this.scheduler.cancel(id);
  }

  cancelAll(): void {
    this.scheduler.cancelAll();
  }

  /** The subtask's current proposal: only the files that still have hunks to decide. */
  async proposal(subtaskId: string): Promise<Proposal | undefined> {
    const proposal = this.proposals.get(subtaskId);
    if (!proposal) {
      return undefined;
    }
    return { ...proposal, files: proposal.files.filter((f) => f.hunks.length > 0) };
  }

  /** The stored proposal as it is now, resolved files included (hunks: []). */
  proposalSnapshot(subtaskId: string): Proposal | undefined {
    return this.proposals.get(subtaskId);
  }

  /** Files of the proposal that changed in the workspace since the worker read them. */
  async staleFiles(subtaskId: string): Promise<string[]> {
    const proposal = this.proposals.get(subtaskId);
    if (!proposal) {
      return [];
    }
    const stale: string[] = [];
    for (const change of proposal.files) {
      if (change.hunks.length > 0 && isStale(change, await this.io.read(change.path))) {
        stale.push(change.path);
      }
    }
    return stale;
  }

  async acceptHunk(subtaskId: string, path: string, hunkId: string): Promise<void> {
    await this.decide(subtaskId, 'accept', (f) => (f.path === path ? [hunkId] : []));
  }

  async rejectHunk(subtaskId: string, path: string, hunkId: string, reason?: string): Promise<void> {
    await this.decide(subtaskId, 'reject', (f) => (f.path === path ? [hunkId] : []), reason);
  }

  async acceptFile(subtaskId: string, path: string): Promise<void> {
    await this.decide(subtaskId, 'accept', (f) => (f.path === path ? f.hunks.map((h) => h.id) : []));
  }

  async rejectFile(subtaskId: string, path: string, reason?: string): Promise<void> {
    await this.decide(subtaskId, 'reject', (f) => (f.path === path ? f.hunks.map((h) => h.id) : []), reason);
  }

  async acceptProposal(subtaskId: string): Promise<void> {
    await this.decide(subtaskId, 'accept', (f) => f.hunks.map((h) => h.id));
  }

  async rejectProposal(subtaskId: string, reason?: string): Promise<void> {
    await this.decide(subtaskId, 'reject', (f) => f.hunks.map((h) => h.id), reason);
  }

  async changeModel(id: string, role: ModelRole, opts: { allowFinished?: boolean } = {}): Promise<void> {
    const { spec, state } = this.require(id);
    this.requireEditable(spec, state, opts.allowFinished);
    state.model = role;
    state.estimate = await this.estimate(spec, role);
    await this.persist();
    this.emit({ kind: 'subtask', id });
  }

  /** Replaces the subtask's files in scope; the same rules as a plan from Opus apply. */
  async setFiles(id: string, files: FileInScope[]): Promise<void> {
    const { spec, state } = this.require(id);
    this.requireEditable(spec, state);
    const plan = this.plainPlan();
    plan.subtasks = plan.subtasks.map((s) => (s.id === id ? { ...s, files } : s));
    const valid = await this.validate(plan);
    const updated = valid.subtasks.find((s) => s.id === id) as Subtask;
    spec.files = updated.files;
    state.estimate = await this.estimate(spec, state.model);
    await this.refreshOpusOnly();
    await this.persist();
    this.emit({ kind: 'plan' });
  }

  async removeSubtask(id: string): Promise<void> {
    const { spec, state } = this.require(id);
    this.requireEditable(spec, state, true);
    const current = this.current as PlanState;
    current.plan.subtasks = current.plan.subtasks.filter((s) => s.id !== id);
    for (const other of current.plan.subtasks) {
      other.dependsOn = other.dependsOn.filter((d) => d !== id);
    }
    delete current.subtasks[id];
    if (state.proposalId) {
      await this.store.deleteProposal(state.proposalId);
    }
    this.proposals.delete(id);
    this.refreshStatuses();
    await this.refreshOpusOnly();
    await this.persist();
    this.emit({ kind: 'plan' });
  }

  /** Forgets the plan, its proposals and its usage (the workspace files are not touched). */
  async clear(): Promise<void> {
    this.scheduler.cancelAll();
    await this.saving;
    await this.store.clear();
    this.current = undefined;
    this.book = new Ledger();
    this.proposals.clear();
    this.emit({ kind: 'plan' });
  }

  totals(): Totals {
    const total = this.book.total();
    const notRun = this.subtasks().filter((s) => WAITING.has(s.state.status));
    const projected = total.cost + notRun.reduce((sum, s) => sum + s.state.estimate.cost, 0);
    const opusOnly = this.current?.opusOnlyEstimate ?? { inputTokens: 0, outputTokens: 0, cost: 0 };
    return { ...total, byRole: this.book.byRole(), projected, opusOnly, saved: opusOnly.cost - projected };
  }

  /** Cancels running work; the stored plan stays. */
  dispose(): void {
    this.scheduler.cancelAll();
    this.listeners.clear();
  }

  /** Resolves when every pending write to the store has finished. */
  async flush(): Promise<void> {
    await this.saving;
  }

  private async enqueue(spec: Subtask): Promise<void> {
    const state = this.current?.subtasks[spec.id] as SubtaskState;
    state.status = 'running';
    state.error = undefined;
    state.live = undefined;
    for (const id of [spec.id, ...this.refreshStatuses()]) {
      this.emit({ kind: 'subtask', id });
    }
    const outcome = await this.scheduler.submit({
      id: spec.id,
      scope: spec.files.map((f) => f.path),
      run: (signal) => this.run(spec, state, signal),
    });
    if (outcome === 'cancelled') {
      state.status = 'cancelled';
      const touched = this.refreshStatuses();
      await this.persist();
      for (const id of [spec.id, ...touched]) {
        this.emit({ kind: 'subtask', id });
      }
    }
  }

  private async run(spec: Subtask, state: SubtaskState, signal: AbortSignal): Promise<void> {
    const goal = this.current?.plan.goal ?? '';
    const previous = state.history?.at(-1);
    const feedback =
      previous && previous.outcome !== 'accepted' && previous.outcome !== 'cancelled'
        ? feedbackFor(previous)
        : undefined;
    state.attempt += 1;
    const attempt = state.attempt;
    state.review = undefined;
    state.rejections = [];
    const model = modelFor(state.model, this.settings.models);
    this.logger('info', `${spec.id}: attempt ${attempt} on ${model.id}`);
    // The attempt number is saved alongside the first call, not before it: a failed save is logged, the run goes on.
    void this.persist().catch(() => undefined);
    try {
      const result = await runWorker({
        llm: this.llm,
        model,
        goal,
        subtask: spec,
        read: (rel) => this.io.read(rel),
        root: this.root,
        rules: await this.rules(),
        maxTokens: this.settings.maxOutputTokens,
        maxTurns: this.settings.maxTurns,
        signal,
        ledger: this.book,
        owner: spec.id,
        attempt,
        feedback,
        onUsage: (u) => {
          state.live = u;
          this.emit({ kind: 'usage', id: spec.id });
        },
      });
      this.logger('info', `${spec.id}: ${result.turns} turn(s), ${describeUsage(result.usage)}`);
      if (result.files.length === 0) {
        throw new Error(`The worker finished without changing any file: ${result.summary.slice(0, 300)}`);
      }
      const proposal = buildProposal({ id: `${spec.id}-${attempt}`, subtaskId: spec.id, attempt, files: result.files });
      await this.store.saveProposal(proposal);
      if (state.proposalId && state.proposalId !== proposal.id) {
        await this.store.deleteProposal(state.proposalId);
      }
      this.proposals.set(spec.id, proposal);
      state.proposalId = proposal.id;
      this.record(state, { attempt, model: state.model, outcome: 'review', diff: proposalDiff(proposal.files) });
      state.status = 'review';
      if (this.settings.autoReview) {
        state.live = undefined;
        await this.review(spec.id, { signal }).catch((err: Error) => {
          this.logger('warn', `${spec.id}: automatic review failed: ${err.message}`);
        });
      }
    } catch (err) {
      if (signal.aborted) {
        state.status = 'cancelled';
        this.logger('info', `${spec.id}: cancelled`);
        this.record(state, { attempt, model: state.model, outcome: 'cancelled' });
      } else {
        state.status = 'failed';
        state.error = (err as Error).message;
        this.logger('error', `${spec.id}: ${state.error}`);
        this.record(state, { attempt, model: state.model, outcome: 'failed', error: state.error });
      }
    } finally {
      state.live = undefined;
      const touched = this.refreshStatuses();
      await this.persist();
      this.emit({ kind: 'subtask', id: spec.id });
      for (const id of touched) {
        this.emit({ kind: 'subtask', id });
      }
    }
  }

  private async decide(
    subtaskId: string,
    action: 'accept' | 'reject',
    pick: (change: FileChange) => string[],
    reason?: string,
  ): Promise<void> {
    const { state } = this.require(subtaskId);
    if (action === 'accept') {
      this.requireTrust('apply changes');
    }
    const proposal = this.proposals.get(subtaskId);
    if (!proposal || state.status !== 'review') {
      throw new OrchestratorError('no-proposal', `Subtask "${subtaskId}" has no proposal awaiting review.`);
    }
    const chosen = proposal.files
      .map((change) => ({ change, ids: pick(change).filter((id) => change.hunks.some((h) => h.id === id)) }))
      .filter((c) => c.ids.length > 0);
    if (action === 'accept') {
      for (const { change } of chosen) {
        if (isStale(change, await this.io.read(change.path))) {
          throw new OrchestratorError(
            'stale',
            `${change.path} changed since subtask "${subtaskId}" ran, so its proposal no longer applies. ` +
              'Re-dispatch the subtask to get a proposal against the current file.',
          );
        }
      }
    }
    for (const { change, ids } of chosen) {
      const at = proposal.files.indexOf(change);
      if (action === 'accept') {
        const { text, change: rest } = acceptHunks(change, ids);
        await this.io.write(change.path, text);
        // Not stale: the file on disk is the change's base, so that is what a revert writes back.
        this.checkpoint(state, change.path, change.base, text);
        proposal.files[at] = rest;
        proposal.status = 'partial';
      } else {
        state.rejections = [...(state.rejections ?? []), ...rejectionsOf(change, ids, reason)];
        proposal.files[at] = rejectHunks(change, ids);
      }
    }
    if (proposal.files.every((f) => f.hunks.length === 0)) {
      this.settle(state, proposal);
    }
    await this.store.saveProposal(proposal);
    const touched = this.refreshStatuses();
    await this.persist();
    this.emit({ kind: 'proposal', subtaskId });
    this.emit({ kind: 'subtask', id: subtaskId });
    for (const id of touched) {
      this.emit({ kind: 'subtask', id });
    }
  }

  /** The proposal has no hunk left to decide: the subtask is accepted if any of it was, else rejected. */
  private settle(state: SubtaskState, proposal: Proposal): void {
    proposal.status = proposal.status === 'partial' ? 'accepted' : 'rejected';
    state.status = proposal.status;
    const record = state.history?.at(-1);
    if (record && record.attempt === state.attempt) {
      record.outcome = proposal.status;
      record.rejections = state.rejections?.length ? [...state.rejections] : undefined;
    }
    this.logger('info', `${state.id}: ${proposal.status}`);
  }

  /** Drops an open proposal before a re-dispatch: what is still undecided counts as rejected. */
  private async abandonProposal(id: string): Promise<void> {
    const state = this.current?.subtasks[id] as SubtaskState;
    const proposal = this.proposals.get(id);
    if (proposal) {
      for (const [i, change] of proposal.files.entries()) {
        const ids = change.hunks.map((h) => h.id);
        if (ids.length > 0) {
          state.rejections = [...(state.rejections ?? []), ...rejectionsOf(change, ids, undefined)];
          proposal.files[i] = rejectHunks(change, ids);
        }
      }
      this.settle(state, proposal);
      await this.store.saveProposal(proposal);
    }
    state.status = 'rejected';
    this.refreshStatuses();
  }

  /** Keeps the first `before` and the latest `after` of each file this subtask's accepts wrote. */
  private checkpoint(state: SubtaskState, path: string, before: string | null, after: string): void {
    const files = state.checkpoint ?? [];
    const existing = files.find((f) => f.path === path);
    if (existing) {
      existing.after = after;
    } else {
      files.push({ path, before, after });
    }
    state.checkpoint = files;
  }

  private record(state: SubtaskState, entry: AttemptRecord): void {
    const history = state.history ?? [];
    const at = history.findIndex((h) => h.attempt === entry.attempt);
    if (at >= 0) {
      history[at] = { ...history[at], ...entry };
    } else {
      history.push(entry);
    }
    state.history = history;
  }

  private checkCaps(spec: Subtask, state: SubtaskState, plannedSoFar: number): void {
    const { maxCostPerSubtask, maxCostPerPlan } = this.settings;
    const spent = this.book.costOf(spec.id);
    if (maxCostPerSubtask > 0 && spent + state.estimate.cost > maxCostPerSubtask) {
      throw new OrchestratorError(
        'cap',
        `Subtask "${spec.id}" would cost about ${money(spent + state.estimate.cost)}, over the per-subtask cap of ` +
          `${money(maxCostPerSubtask)}. Raise opusOrchestrator.maxCostPerSubtask or narrow its files.`,
      );
    }
    if (maxCostPerPlan > 0 && plannedSoFar + state.estimate.cost > maxCostPerPlan) {
      throw new OrchestratorError(
        'cap',
        `Dispatching "${spec.id}" would bring the plan to about ${money(plannedSoFar + state.estimate.cost)}, over ` +
          `the per-plan cap of ${money(maxCostPerPlan)}. Raise opusOrchestrator.maxCostPerPlan to go on.`,
      );
    }
  }

  /** Recomputes pending/blocked/ready from the dependencies; returns the ids whose status changed. */
  private refreshStatuses(): string[] {
    const current = this.current;
    if (!current) {
      return [];
    }
    const changed: string[] = [];
    for (const spec of current.plan.subtasks) {
      const state = current.subtasks[spec.id];
      if (!state || !WAITING.has(state.status)) {
        continue;
      }
      const deps = spec.dependsOn.map((d) => current.subtasks[d]?.status);
      const next: SubtaskStatus = deps.every((s) => s === 'accepted' || s === undefined)
        ? 'ready'
        : deps.some((s) => s !== undefined && STUCK.has(s))
          ? 'blocked'
          : 'pending';
      if (next !== state.status) {
        state.status = next;
        changed.push(spec.id);
      }
    }
    return changed;
  }

  private dependenciesAccepted(spec: Subtask): boolean {
    return this.unacceptedDeps(spec).length === 0;
  }

  private unacceptedDeps(spec: Subtask): string[] {
    return spec.dependsOn.filter((d) => {
      const status = this.current?.subtasks[d]?.status;
      return status !== undefined && status !== 'accepted';
    });
  }

  private async newState(task: string, plan: Plan, repoMap: string, ledger: Ledger): Promise<PlanState> {
    const subtasks: Record<string, SubtaskState> = {};
    // Each file is read once for every estimate of the plan, however many subtasks name it.
    const texts: FileTexts = new Map();
    for (const spec of plan.subtasks) {
      subtasks[spec.id] = {
        id: spec.id,
        status: 'pending',
        model: spec.model,
        attempt: 0,
        estimate: await this.estimate(spec, spec.model, plan.goal, texts),
      };
    }
    const state: PlanState = {
      id: `plan-${Date.now().toString(36)}`,
      task,
      createdAt: new Date().toISOString(),
      plan,
      subtasks,
      ledger: ledger.entries(),
      opusOnlyEstimate: await this.opusOnly(task, plan, repoMap, texts),
      repoMap,
    };
    this.current = state;
    this.refreshStatuses();
    return state;
  }

  private async estimate(
    spec: Subtask,
    role: ModelRole,
    goal = this.current?.plan.goal ?? '',
    texts: FileTexts = new Map(),
  ): Promise<Estimate> {
    return estimateSubtask({
      goal,
      subtask: spec,
      files: await this.scopedFiles(spec.files, texts),
      model: modelFor(role, this.settings.models),
    });
  }

  private async opusOnly(task: string, plan: Plan, repoMap: string, texts: FileTexts = new Map()): Promise<Estimate> {
    const seen = new Map<string, FileInScope>();
    for (const f of plan.subtasks.flatMap((s) => s.files)) {
      seen.set(f.path, f);
    }
    let outputTokens = 0;
    for (const spec of plan.subtasks) {
      outputTokens += expectedOutputTokens(await this.scopedFiles(spec.files, texts));
    }
    return opusOnlyEstimate({
      task,
      repoMap,
      files: await this.scopedFiles([...seen.values()], texts),
      outputTokens,
      model: modelFor('opus', this.settings.models),
    });
  }

  private async refreshOpusOnly(): Promise<void> {
    const current = this.current;
    if (current) {
      current.opusOnlyEstimate = await this.opusOnly(current.task, current.plan, current.repoMap ?? '');
    }
  }

  /** The files as a worker will see them; `texts` shares the reads among several calls. */
  private async scopedFiles(files: readonly FileInScope[], texts: FileTexts = new Map()): Promise<ScopedFile[]> {
    return Promise.all(
      files.map(async (f) => {
        let read = texts.get(f.path);
        if (!read) {
          read = this.io.read(f.path).then((text) => (text === null ? null : toModelText(text)));
          texts.set(f.path, read);
        }
        return { path: f.path, text: await read, create: f.create };
      }),
    );
  }

  private async validate(plan: Plan): Promise<Plan> {
    const result = await validatePlan(plan, { root: this.root, rules: await this.rules() });
    if (!result.ok) {
      throw new OrchestratorError('invalid', result.errors.slice(0, 5).join('\n'));
    }
    return result.plan;
  }

  private plainPlan(): Plan {
    return structuredClone((this.current as PlanState).plan);
  }

  /**
   * The workspace's ignore rules, read afresh unless they were read in the last moments: a batch of subtasks
   * starting together shares one read instead of walking the tree for nested .gitignore files once each.
   */
  private rules(): Promise<WorkspaceRules> {
    const now = Date.now();
    if (!this.rulesCache || now - this.rulesCache.at > RULES_FRESH_MS) {
      const rules = WorkspaceRules.load(this.root, this.settings.extraIgnores);
      this.rulesCache = { at: now, rules };
      rules.catch(() => {
        this.rulesCache = undefined;
      });
    }
    return this.rulesCache.rules;
  }

  private require(id: string): SubtaskView {
    if (!this.current) {
      throw new OrchestratorError('no-plan', 'There is no plan yet: run "Plan with Opus" first.');
    }
    const view = this.subtask(id);
    if (!view) {
      throw new OrchestratorError('unknown-subtask', `The plan has no subtask "${id}".`);
    }
    return view;
  }

  private requireTrust(what: string): void {
    if (!this.trusted) {
      throw new OrchestratorError(
        'untrusted',
        `This workspace is not trusted, so Opus Orchestrator does not ${what}. Trust the workspace to go on.`,
      );
    }
  }

  private requireEditable(spec: Subtask, state: SubtaskState, allowFinished = false): void {
    const editable = allowFinished
      ? state.status !== 'running'
      : WAITING.has(state.status) || RUNNABLE.has(state.status);
    if (!editable || this.scheduler.has(spec.id)) {
      throw new OrchestratorError(
        'not-runnable',
        `Subtask "${spec.id}" is ${state.status}; it can be changed only before it runs or after it failed.`,
      );
    }
  }

  /**
   * Saves the plan. Calls that come while a save is waiting to start share it, and it writes the state as it is when
   * it starts: a burst of status changes (many subtasks starting at once) costs one or two writes, not one each.
   */
  private persist(): Promise<void> {
    if (!this.current) {
      return this.saving;
    }
    if (!this.queuedSave) {
      const queued = this.saving
        .catch(() => undefined)
        .then(async () => {
          this.queuedSave = undefined;
          const current = this.current;
          if (!current) {
            return;
          }
          current.ledger = this.book.entries();
          const snapshot = structuredClone(current);
          for (const st of Object.values(snapshot.subtasks)) {
            delete st.live;
          }
          await this.store.savePlan(snapshot);
        })
        .catch((err: Error) => {
          this.logger('error', `could not save the plan: ${err.message}`);
          throw err;
        });
      this.queuedSave = queued;
      this.saving = queued;
    }
    return this.queuedSave;
  }

  private emit(e: OrchestratorEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(e);
      } catch (err) {
        this.logger('error', `event listener failed: ${(err as Error).message}`);
      }
    }
  }
}

function notRunnableMessage(spec: Subtask, state: SubtaskState, waitingFor: string[]): string {
  if (waitingFor.length > 0) {
    return `Subtask "${spec.id}" waits for ${waitingFor.map((d) => `"${d}"`).join(', ')} to be accepted first.`;
  }
  if (state.status === 'review') {
    return `Subtask "${spec.id}" has a proposal awaiting review: accept or reject it first.`;
  }
  return `Subtask "${spec.id}" is ${state.status} and cannot be dispatched now.`;
}

function rejectionsOf(change: FileChange, ids: readonly string[], reason: string | undefined): Rejection[] {
  return change.hunks
    .filter((h) => ids.includes(h.id))
    .map((h) => ({ path: change.path, lines: h.lines, ...(reason?.trim() ? { reason: reason.trim() } : {}) }));
}

function money(n: number): string {
  return `$${n.toFixed(2)}`;
}

function describeUsage(u: Usage): string {
  return `in ${u.input} out ${u.output} cache-read ${u.cacheRead} cache-write ${u.cacheWrite}`;
}
