import { OrchestratorError } from '../contract';
import { priceKey } from './planEdits';
import { modelFor } from '../models';
import type { PlannerLooks } from '../plan/looks';
import { addLook, noLooks } from '../plan/looks';
import { planTask } from '../plan/planner';
import { buildRepoMap } from '../plan/repoMap';
import type { Plan } from '../plan/schema';
import type { PlanState, SubtaskState } from '../plan/state';
import type { PlannerToolEvent } from '../plan/tools';
import { DEFAULT_TOOL_BUDGET } from '../plan/tools';
import type { RedactionEvent } from '../secrets/redactor';
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
  /** Each look the planner takes with its tools, as it happens (the CLI prints them). */
  onLook?: (e: PlannerToolEvent) => void;
}

/**
 * Asks Opus for a plan from the repository map, prices every subtask and the Opus-only baseline, and makes it the
 * session's plan (the previous plan, its proposals and its usage are replaced). Live tokens of the planner's calls and
 * each look it takes with its tools are reported as usage of 'plan'. Secrets kept out of requests are counted on the
 * plan and on each subtask, and saved with them, so a reloaded window or a later `show` still tells.
 */
export class Planning {
  planning = false;
  live: Usage | undefined;
  /** The looks of the planning run in progress. */
  looks: PlannerLooks | undefined;
  private readonly redactions: { dispose(): void };

  constructor(
    private readonly env: EngineEnv,
    private readonly session: PlanSession,
    private readonly estimator: Estimator,
    private readonly busy: () => boolean,
  ) {
    this.redactions = env.llm.redactor.onRedaction((e) => this.redacted(e));
  }

  dispose(): void {
    this.redactions.dispose();
  }

  async plan(task: string, opts: PlanRequest = {}): Promise<PlanState> {
    if (this.planning || this.busy()) {
      throw new OrchestratorError('busy', 'Opus Orchestrator is still working: cancel the running work first.');
    }
    if (!task.trim()) {
      throw new OrchestratorError('invalid', 'Describe the task to plan.');
    }
    // Before Opus is paid to plan: the plan it makes would replace one another process is still running.
    await this.session.refuseWhileOthersRun('replace the plan');
    this.planning = true;
    this.live = undefined;
    this.looks = noLooks(DEFAULT_TOOL_BUDGET);
    this.session.events.emit({ kind: 'usage', id: 'plan' });
    const { redactor } = this.env.llm;
    // The new plan replaces every count: what the last plan's runs kept out is not this plan's.
    redactor.forget();
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
        redactor,
        // Kept on disk too, so the CLI's next run and a reloaded window read only what changed.
        persistCache: true,
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
        // The map's own listing: the tools see exactly the files it counted, and the workspace is listed once.
        tools: { listing: map.listing, describe: map.describe, onEvent: (e) => this.looked(e, opts) },
      });
      for (const e of ledger.entries()) {
        this.env.log('info', `plan: ${e.model} ${describeUsage(e.usage)} $${e.cost.toFixed(4)} ${e.requestId ?? ''}`);
      }
      const state = await this.newState(task, plan, map.text, ledger);
      state.looks = this.looks;
      state.redactions = redactor.count('plan');
      await this.session.replace(state, ledger);
      return state;
    } finally {
      this.planning = false;
      this.live = undefined;
      this.looks = undefined;
      this.session.events.emit({ kind: 'usage', id: 'plan' });
    }
  }

  private looked(e: PlannerToolEvent, opts: PlanRequest): void {
    this.looks = addLook(this.looks ?? noLooks(DEFAULT_TOOL_BUDGET), e);
    this.env.log('info', `plan: looked ${e.calls}/${e.maxCalls}: ${e.summary} (${e.tokens} tokens)`);
    opts.onLook?.(e);
    this.session.events.emit({ kind: 'usage', id: 'plan' });
  }

  /** A subtask's count follows its requests; the plan's is taken once planning ends. */
  private redacted(e: RedactionEvent): void {
    const state = this.session.state?.subtasks[e.owner];
    if (state && e.total > (state.redactions ?? 0)) {
      state.redactions = e.total;
      this.session.changed([e.owner]);
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
      pricedWith: priceKey(this.env.settings.models),
    };
    refreshStatuses(state);
    return state;
  }
}
