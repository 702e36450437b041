import { OrchestratorError } from '../contract';
import type { RecordedRun } from '../llm/cache';
import { markFirstRequest } from '../llm/cache';
import { LlmError } from '../llm/errors';
import type { ModelInfo } from '../models';
import { modelFor } from '../models';
import type { Subtask } from '../plan/schema';
import { oneReplyOf } from '../plan/schema';
import type { SubtaskState, SubtaskStatus } from '../plan/state';
import type { EngineEnv } from '../session/env';
import { describeClaim } from '../session/records';
import type { PlanSession } from '../session/session';
import { RUNNABLE } from '../plan/state';
import { notRunnableMessage, recordAttempt } from '../session/statuses';
import { describeUsage } from '../usage/format';
import { priceEntry } from '../usage/ledger';
import { contextWindowRefusal } from '../worker/contextFit';
import type { WorkerResult } from '../worker/worker';
import { runWorker } from '../worker/worker';
import type { Estimator } from './estimator';
import { Scheduler } from './scheduler';

/** Statuses of a subtask that has not started yet and is expected to. */
const LATER: ReadonlySet<SubtaskStatus> = new Set(['pending', 'blocked', 'ready']);

/** Where a run's outcome goes: the review desk, which owns proposals and what the worker hears about its last try. */
export interface RunHandoff {
  /** What the worker is told about its previous attempt, if that attempt did not get through. */
  feedback(state: SubtaskState): string | undefined;
  /** The worker's changed files become the subtask's proposal (status 'review'). */
  receive(spec: Subtask, state: SubtaskState, files: WorkerResult['files'], signal: AbortSignal): Promise<void>;
}

/**
 * Dispatch: checks that subtasks may run (dependencies, caps, trust), runs them through the scheduler — in parallel
 * up to the concurrency limit, never two with overlapping files at once — and books each run: its attempt number,
 * its live tokens, how it ended. The ledger entries are recorded by the worker's calls as they are billed.
 */
export class Runner {
  private readonly scheduler: Scheduler;

  constructor(
    private readonly env: EngineEnv,
    private readonly session: PlanSession,
    private readonly handoff: RunHandoff,
    /** Re-prices the "Opus alone" figure from what a run recorded; left out, the figure stays as planned. */
    private readonly estimator?: Estimator,
  ) {
    this.scheduler = new Scheduler(env.settings.concurrency);
    env.followSettings((s) => this.scheduler.setLimit(s.concurrency));
  }

  /** True while any subtask runs or waits for its turn. */
  busy(): boolean {
    return this.scheduler.running().length > 0 || this.scheduler.queued().length > 0;
  }

  /** True while the subtask runs or waits for its turn. */
  has(id: string): boolean {
    return this.scheduler.has(id);
  }

  /**
   * Starts the given subtasks and resolves when every one of them has ended (in review, failed or cancelled); their
   * records are saved right after. Refuses all of them, starting none, when one may not run. The check is made
   * again under the store lock with what other processes saved, and the runs are claimed on disk before they
   * start: two processes never run one subtask, and a subtask another process just took is refused.
   */
  async dispatch(ids: string[]): Promise<void> {
    this.env.requireTrust('dispatch subtasks');
    this.check(ids);
    const views = await this.session.transaction(async () => {
      const fresh = this.check(ids);
      for (const { spec, state } of fresh) {
        this.session.records.start(spec.id);
        state.status = 'running';
        state.error = undefined;
        state.refusal = undefined;
      }
      await this.session.commit(ids);
      return fresh;
    });
    await Promise.all(views.map(({ spec, state }) => this.enqueue(spec, state)));
  }

  /** The subtasks, if every one of them may start now; else the refusal for the first that may not. */
  private check(ids: string[]): Array<{ spec: Subtask; state: SubtaskState }> {
    const views = ids.map((id) => this.session.require(id));
    let planned = this.session.ledger.costOf();
    for (const { spec, state } of views) {
      const claim = this.session.records.otherRunner(spec.id);
      if (claim) {
        throw new OrchestratorError(
          'not-runnable',
          `Subtask "${spec.id}" is already running in another Opus Orchestrator ${describeClaim(claim)}: wait for its proposal.`,
        );
      }
      if (state.status === 'running' || this.scheduler.has(spec.id)) {
        throw new OrchestratorError('not-runnable', `Subtask "${spec.id}" is already running.`);
      }
      const waitingFor = this.session.unacceptedDeps(spec);
      if (!RUNNABLE.has(state.status) || waitingFor.length > 0) {
        throw new OrchestratorError('not-runnable', notRunnableMessage(spec, state, waitingFor));
      }
      const tooBig = contextWindowRefusal({
        subtaskId: spec.id,
        inputTokens: state.estimate.inputTokens,
        maxOutputTokens: this.env.settings.maxOutputTokens,
        model: modelFor(state.model, this.env.settings.models),
      });
      if (tooBig) {
        throw new OrchestratorError('not-runnable', tooBig);
      }
      this.checkCaps(spec, state, planned);
      planned += state.estimate.cost;
    }
    return views;
  }

  /** A queued subtask is dropped; a running one is aborted and ends as cancelled. */
  cancel(id: string): void {
    this.scheduler.cancel(id);
  }

  cancelAll(): void {
    this.scheduler.cancelAll();
  }

  private checkCaps(spec: Subtask, state: SubtaskState, plannedSoFar: number): void {
    const { maxCostPerSubtask, maxCostPerPlan } = this.env.settings;
    const spent = this.session.ledger.costOf(spec.id);
    if (maxCostPerSubtask > 0 && spent + state.estimate.cost > maxCostPerSubtask) {
      throw new OrchestratorError(
        'cap',
        `Subtask "${spec.id}" would cost about ${money(spent + state.estimate.cost)}, over the per-subtask cap of ` +
          `${money(maxCostPerSubtask)}. Raise opusOrchestrator.maxCostPerSubtask (CLI: --max-cost-per-subtask) ` +
          'or narrow its files.',
      );
    }
    if (maxCostPerPlan > 0 && plannedSoFar + state.estimate.cost > maxCostPerPlan) {
      throw new OrchestratorError(
        'cap',
        `Dispatching "${spec.id}" would bring the plan to about ${money(plannedSoFar + state.estimate.cost)}, over ` +
          `the per-plan cap of ${money(maxCostPerPlan)}. Raise opusOrchestrator.maxCostPerPlan ` +
          '(CLI: --max-cost-per-plan) to go on.',
      );
    }
  }

  private async enqueue(spec: Subtask, state: SubtaskState): Promise<void> {
    state.status = 'running';
    state.error = undefined;
    state.live = undefined;
    this.session.changed([spec.id, ...this.session.refresh()]);
    const outcome = await this.scheduler.submit({
      id: spec.id,
      scope: spec.files.map((f) => f.path),
      run: (signal) => this.run(spec, state, signal),
    });
    if (outcome === 'cancelled') {
      state.status = 'cancelled';
      this.session.records.stop(spec.id);
      this.session.changed([spec.id, ...this.session.refresh()]);
    }
  }

  /**
   * Stops a run whose billed calls pass the per-subtask cap: an estimate is made before the run, and a model that
   * keeps reading and writing can spend far more than it. Returns the message once the cap is passed.
   */
  private overCap(id: string, spent = this.session.ledger.costOf(id)): string | undefined {
    const cap = this.env.settings.maxCostPerSubtask;
    return cap > 0 && spent > cap
      ? `Stopped after spending ${money(spent)}, over the per-subtask cap of ${money(cap)}. Raise ` +
          'opusOrchestrator.maxCostPerSubtask (CLI: --max-cost-per-subtask) or narrow its files, then dispatch again.'
      : undefined;
  }

  /**
   * Whether another subtask will start a run on `model` after this one, and so read the system prompt and tools this
   * run writes to the cache: one waiting in the queue, for its dependencies, or to be dispatched. Runs started
   * together send their first requests together, and none of them can read what the others write.
   */
  private laterRunOn(model: ModelInfo, self: string): boolean {
    const queued = new Set(this.scheduler.queued());
    return Object.values(this.session.state?.subtasks ?? {}).some(
      (s) =>
        s.id !== self &&
        (queued.has(s.id) || LATER.has(s.status)) &&
        modelFor(s.model, this.env.settings.models).id === model.id,
    );
  }

  /** The runs this plan has recorded (its subtasks' last runs): their model calls, and whether each was one-reply. */
  private recordedRuns(): RecordedRun[] {
    const state = this.session.state;
    const specs = new Map(state?.plan.subtasks.map((s) => [s.id, s]));
    return Object.values(state?.subtasks ?? {}).map((s) => ({
      turns: s.work?.turns ?? 0,
      oneReply: oneReplyOf(specs.get(s.id)),
    }));
  }

  private async run(spec: Subtask, state: SubtaskState, signal: AbortSignal): Promise<void> {
    const feedback = this.handoff.feedback(state);
    state.attempt += 1;
    const attempt = state.attempt;
    state.review = undefined;
    state.rejections = [];
    const model = modelFor(state.model, this.env.settings.models);
    this.env.log('info', `${spec.id}: attempt ${attempt} on ${model.id}`);
    // The attempt number is saved alongside the first call, never before it.
    this.session.saveLater(spec.id);
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort);
    let capped: string | undefined;
    // The live figures are the run's calls so far, billed or streaming: the cap holds within a call too.
    const spentBefore = this.session.ledger.costOf(spec.id);
    try {
      const result = await runWorker({
        llm: this.env.llm,
        model,
        goal: this.session.state?.plan.goal ?? '',
        subtask: spec,
        read: (rel) => this.env.io.read(rel),
        root: this.env.root,
        rules: await this.env.rules(),
        maxTokens: this.env.settings.maxOutputTokens,
        maxTurns: this.env.settings.maxTurns,
        signal: stop.signal,
        ledger: this.session.ledger,
        owner: spec.id,
        attempt,
        feedback,
        firstMarks: {
          sharedPrefix: this.laterRunOn(model, spec.id),
          conversation: markFirstRequest(oneReplyOf(spec), this.recordedRuns(), model.prices),
        },
        onUsage: (u) => {
          state.live = u;
          this.session.events.emit({ kind: 'usage', id: spec.id });
          capped ??= this.overCap(spec.id, spentBefore + priceEntry({ model: model.id, role: state.model, usage: u }));
          if (capped && !stop.signal.aborted) {
            // Aborted on the next turn of the event loop, not inside the SDK's own stream event: an abort from
            // there could leave the call hanging unsettled.
            setImmediate(() => stop.abort());
          }
        },
      });
      this.env.log('info', `${spec.id}: ${result.turns} turn(s), ${describeUsage(result.usage)}`);
      if (result.files.length === 0) {
        throw new Error(`The worker finished without changing any file: ${result.summary.slice(0, 300)}`);
      }
      state.work = result.work;
      await this.handoff.receive(spec, state, result.files, signal);
      await this.estimator?.refreshOpusAlone(this.session);
    } catch (err) {
      capped ??= this.overCap(spec.id);
      if (signal.aborted || (stop.signal.aborted && !capped)) {
        state.status = 'cancelled';
        this.env.log('info', `${spec.id}: cancelled`);
        recordAttempt(state, { attempt, model: state.model, outcome: 'cancelled' });
      } else {
        state.status = 'failed';
        state.error = capped ?? (err as Error).message;
        state.refusal = refusalOf(err);
        this.env.log('error', `${spec.id}: ${state.error}`);
        recordAttempt(state, { attempt, model: state.model, outcome: 'failed', error: state.error });
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      state.live = undefined;
      this.session.records.stop(spec.id);
      this.session.changed([spec.id, ...this.session.refresh()]);
    }
  }
}

/** A model's refusal, kept on the subtask: its category and explanation, and the model to offer the work on. */
function refusalOf(err: unknown): SubtaskState['refusal'] {
  if (!(err instanceof LlmError) || err.kind !== 'refusal') {
    return undefined;
  }
  return {
    category: err.stopDetails?.category ?? null,
    explanation: err.stopDetails?.explanation ?? null,
    ...(err.fallback ? { fallback: err.fallback } : {}),
  };
}

function money(n: number): string {
  return `$${n.toFixed(2)}`;
}
