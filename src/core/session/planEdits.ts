import { OrchestratorError } from '../contract';
import type { ModelOverrides, ModelRole } from '../models';
import { modelFor } from '../models';
import type { Effort, FileInScope, Plan, Subtask } from '../plan/schema';
import type { SubtaskState } from '../plan/state';
import { validatePlan } from '../plan/validate';
import type { FileTexts, Estimator } from '../runner/estimator';
import { priceOverrides } from '../usage/prices';
import type { EngineEnv } from './env';
import type { PlanSession } from './session';
import { RUNNABLE } from '../plan/state';
import { WAITING } from './statuses';

/**
 * The user's corrections to a plan before (or between) runs: another model or effort, other files in scope, one
 * subtask fewer.
 * Each is checked by the same rules as a plan from Opus and re-prices what it changes.
 */
export class PlanEditor {
  constructor(
    private readonly env: EngineEnv,
    private readonly session: PlanSession,
    private readonly estimator: Estimator,
    private readonly isScheduled: (id: string) => boolean,
  ) {}

  async changeModel(id: string, role: ModelRole, opts: { allowFinished?: boolean } = {}): Promise<void> {
    const { spec, state } = this.session.require(id);
    this.requireEditable(spec, state, opts.allowFinished);
    state.model = role;
    state.estimate = await this.estimator.subtask(spec, role, this.goal());
    this.session.changed([id]);
    await this.session.flush();
  }

  /** Sets how hard the subtask's worker thinks (the API's effort); its estimate follows. */
  async changeEffort(id: string, effort: Effort, opts: { allowFinished?: boolean } = {}): Promise<void> {
    const { spec, state } = this.session.require(id);
    this.requireEditable(spec, state, opts.allowFinished);
    spec.effort = effort;
    state.estimate = await this.estimator.subtask(spec, state.model, this.goal());
    this.session.saveLater(id);
    this.session.planChanged();
    await this.session.flush();
  }

  /**
   * Replaces the subtask's files in scope; the same rules as a plan from Opus apply. The planner's expectation that
   * the worker ends in one reply was about the files it gave: other files drop it.
   */
  async setFiles(id: string, files: FileInScope[]): Promise<void> {
    const { spec, state } = this.session.require(id);
    this.requireEditable(spec, state);
    const plan = structuredClone(this.session.state?.plan as Plan);
    plan.subtasks = plan.subtasks.map((s) => (s.id === id ? { ...s, files } : s));
    const valid = await this.validate(plan);
    const updated = valid.subtasks.find((s) => s.id === id) as Subtask;
    if (JSON.stringify(updated.files) !== JSON.stringify(spec.files)) {
      delete spec.oneReply;
    }
    spec.files = updated.files;
    state.estimate = await this.estimator.subtask(spec, state.model, this.goal());
    await this.refreshOpusOnly();
    this.session.saveLater(id);
    this.session.planChanged();
    await this.session.flush();
  }

  async removeSubtask(id: string): Promise<void> {
    const { spec, state } = this.session.require(id);
    this.requireEditable(spec, state, true);
    const current = this.session.state;
    if (!current) {
      return;
    }
    this.session.dropProposal(id);
    current.plan.subtasks = current.plan.subtasks.filter((s) => s.id !== id);
    for (const other of current.plan.subtasks) {
      other.dependsOn = other.dependsOn.filter((d) => d !== id);
    }
    delete current.subtasks[id];
    this.session.subtaskRemoved(id);
    for (const touched of this.session.refresh()) {
      this.session.saveLater(touched);
    }
    await this.refreshOpusOnly();
    this.session.planChanged();
    await this.session.flush();
  }

  private goal(): string {
    return this.session.state?.plan.goal ?? '';
  }

  private requireEditable(spec: Subtask, state: SubtaskState, allowFinished = false): void {
    const editable = allowFinished
      ? state.status !== 'running'
      : WAITING.has(state.status) || RUNNABLE.has(state.status);
    if (!editable || this.isScheduled(spec.id)) {
      throw new OrchestratorError(
        'not-runnable',
        `Subtask "${spec.id}" is ${state.status}; it can be changed only before it runs or after it failed.`,
      );
    }
  }

  /**
   * Estimates are figures at a price: when the price overrides (opusOrchestrator.prices, --prices) or the models
   * changed since they were made, every subtask's estimate and the Opus-only baseline are made again. True when so.
   */
  async repriceIfChanged(): Promise<boolean> {
    const current = this.session.state;
    const key = priceKey(this.env.settings.models);
    if (!current || (current.pricedWith ?? tableKey()) === key) {
      return false;
    }
    const texts: FileTexts = new Map();
    for (const { spec, state } of this.session.subtasks()) {
      state.estimate = await this.estimator.subtask(spec, state.model, current.plan.goal, texts);
    }
    current.opusOnlyEstimate = await this.estimator.opusOnly(current, this.session.ledger.entries(), texts);
    current.pricedWith = key;
    this.env.log(
      'info',
      'prices changed since the estimates were made: estimates and the Opus-only baseline re-priced',
    );
    this.session.changed(this.session.subtasks().map((s) => s.spec.id));
    this.session.planChanged();
    return true;
  }

  private async validate(plan: Plan): Promise<Plan> {
    const result = await validatePlan(plan, { root: this.env.root, rules: await this.env.rules() });
    if (!result.ok) {
      throw new OrchestratorError('invalid', result.errors.slice(0, 5).join('\n'));
    }
    return result.plan;
  }

  private async refreshOpusOnly(): Promise<void> {
    const current = this.session.state;
    if (current) {
      current.opusOnlyEstimate = await this.estimator.opusOnly(current, this.session.ledger.entries());
    }
  }
}

/** What the estimates depend on besides the files: the price overrides and the model of each role. */
export function priceKey(models: ModelOverrides): string {
  const roles: ModelRole[] = ['opus', 'sonnet', 'haiku'];
  return JSON.stringify({ prices: priceOverrides(), models: roles.map((r) => modelFor(r, models).id) });
}

/** A plan saved before estimates were keyed was priced from the table, with the default models. */
function tableKey(): string {
  const roles: ModelRole[] = ['opus', 'sonnet', 'haiku'];
  return JSON.stringify({ prices: {}, models: roles.map((r) => modelFor(r, {}).id) });
}
