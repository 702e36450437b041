import { OrchestratorError } from '../contract';
import { modelFor } from '../models';
import { planTask } from '../plan/planner';
import { buildRepoMap } from '../plan/repoMap';
import type { Plan } from '../plan/schema';
import type { PlanState, SubtaskState } from '../plan/state';
import type { Estimator, FileTexts } from '../runner/estimator';
import { describeUsage } from '../usage/format';
import { Ledger } from '../usage/ledger';
import type { Usage } from '../usage/usage';
import type { EngineEnv } from './env';
import type { PlanSession } from './session';
import { freshState, refreshStatuses } from './statuses';

export interface PlanRequest {
  selection?: { path: string; text: string };
  activeFile?: string;
  signal?: AbortSignal;
}

/**
 * Asks Opus for a plan from the repository map, prices every subtask and the Opus-only baseline, and makes it the
 * session's plan (the previous plan, its proposals and its usage are replaced). Live tokens of the planner's calls are
 * reported as usage of 'plan'.
 */
export class Planning {
  planning = false;
  live: Usage | undefined;

  constructor(
    private readonly env: EngineEnv,
    private readonly session: PlanSession,
    private readonly estimator: Estimator,
    private readonly busy: () => boolean,
  ) {}

  async plan(task: string, opts: PlanRequest = {}): Promise<PlanState> {
    if (this.planning || this.busy()) {
      throw new OrchestratorError('busy', 'Opus Orchestrator is still working: cancel the running work first.');
    }
    if (!task.trim()) {
      throw new OrchestratorError('invalid', 'Describe the task to plan.');
    }
    this.planning = true;
    this.live = undefined;
    this.session.events.emit({ kind: 'usage', id: 'plan' });
    try {
      const { settings } = this.env;
      const rules = await this.env.rules();
      const map = await buildRepoMap({
        root: this.env.root,
        task,
        selection: opts.selection,
        activeFile: opts.activeFile,
        budgetTokens: settings.mapBudgetTokens,
        rules,
      });
      this.env.log('info', `repository map: ${map.fileCount} files, ~${map.tokens} tokens`);
      const ledger = new Ledger();
      const plan = await planTask({
        llm: this.env.llm,
        model: modelFor('opus', settings.models),
        task,
        repoMap: map.text,
        root: this.env.root,
        rules,
        maxTokens: settings.maxOutputTokens,
        signal: opts.signal,
        ledger,
        onUsage: (u) => {
          this.live = u;
          this.session.events.emit({ kind: 'usage', id: 'plan' });
        },
      });
      for (const e of ledger.entries()) {
        this.env.log('info', `plan: ${e.model} ${describeUsage(e.usage)} $${e.cost.toFixed(4)} ${e.requestId ?? ''}`);
      }
      const state = await this.newState(task, plan, map.text, ledger);
      await this.session.replace(state, ledger);
      return state;
    } finally {
      this.planning = false;
      this.live = undefined;
      this.session.events.emit({ kind: 'usage', id: 'plan' });
    }
  }

  private async newState(task: string, plan: Plan, repoMap: string, ledger: Ledger): Promise<PlanState> {
    const subtasks: Record<string, SubtaskState> = {};
    // Each file is read once for every estimate of the plan, however many subtasks name it.
    const texts: FileTexts = new Map();
    for (const spec of plan.subtasks) {
      subtasks[spec.id] = freshState(spec, await this.estimator.subtask(spec, spec.model, plan.goal, texts));
    }
    const state: PlanState = {
      id: `plan-${Date.now().toString(36)}`,
      task,
      createdAt: new Date().toISOString(),
      plan,
      subtasks,
      ledger: ledger.entries(),
      opusOnlyEstimate: await this.estimator.opusOnly({ task, plan, subtasks }, ledger.entries(), texts),
      repoMap,
    };
    refreshStatuses(state);
    return state;
  }
}
