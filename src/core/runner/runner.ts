import { OrchestratorError } from '../contract';
import { modelFor } from '../models';
import type { Subtask } from '../plan/schema';
import type { SubtaskState } from '../plan/state';
import type { EngineEnv } from '../session/env';
import type { PlanSession } from '../session/session';
import { RUNNABLE, notRunnableMessage, recordAttempt } from '../session/statuses';
import { describeUsage } from '../usage/format';
import type { WorkerResult } from '../worker/worker';
import { runWorker } from '../worker/worker';
import type { Estimator } from './estimator';
import { Scheduler } from './scheduler';

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
   * records are saved right after. Refuses all of them, starting none, when one may not run.
   */
  async dispatch(ids: string[]): Promise<void> {
    this.env.requireTrust('dispatch subtasks');
    const views = ids.map((id) => this.session.require(id));
    let planned = this.session.ledger.costOf();
    for (const { spec, state } of views) {
      if (state.status === 'running' || this.scheduler.has(spec.id)) {
        throw new OrchestratorError('not-runnable', `Subtask "${spec.id}" is already running.`);
      }
      const waitingFor = this.session.unacceptedDeps(spec);
      if (!RUNNABLE.has(state.status) || waitingFor.length > 0) {
        throw new OrchestratorError('not-runnable', notRunnableMessage(spec, state, waitingFor));
      }
      this.checkCaps(spec, state, planned);
      planned += state.estimate.cost;
    }
    await Promise.all(views.map(({ spec, state }) => this.enqueue(spec, state)));
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
      this.session.changed([spec.id, ...this.session.refresh()]);
    }
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
        signal,
        ledger: this.session.ledger,
        owner: spec.id,
        attempt,
        feedback,
        onUsage: (u) => {
          state.live = u;
          this.session.events.emit({ kind: 'usage', id: spec.id });
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
      if (signal.aborted) {
        state.status = 'cancelled';
        this.env.log('info', `${spec.id}: cancelled`);
        recordAttempt(state, { attempt, model: state.model, outcome: 'cancelled' });
      } else {
        state.status = 'failed';
        state.error = (err as Error).message;
        this.env.log('error', `${spec.id}: ${state.error}`);
        recordAttempt(state, { attempt, model: state.model, outcome: 'failed', error: state.error });
      }
    } finally {
      state.live = undefined;
      this.session.changed([spec.id, ...this.session.refresh()]);
    }
  }
}

function money(n: number): string {
  return `$${n.toFixed(2)}`;
}
