import { toModelText } from '../edits/text';
import type { ModelRole } from '../models';
import { modelFor } from '../models';
import type { FileInScope, Subtask } from '../plan/schema';
import type { Estimate, PlanState, UsageEntry } from '../plan/state';
import type { EngineEnv } from '../session/env';
import type { PlanSession } from '../session/session';
import { planOpusAlone, subtaskEstimate } from '../usage/baseline';
import type { ScopedFile } from '../worker/context';

/** Workspace-relative path → the file's text as a worker sees it (null: it does not exist), read once. */
export type FileTexts = Map<string, Promise<string | null>>;

/**
 * Before-dispatch figures: what a subtask's run will weigh and cost on its model, and what the whole task would cost
 * done by one lean Opus session ("Opus alone"): from the plan for subtasks still to run, from what their runs
 * recorded for the others. Figures are offline estimates from the files as a worker will see them (see usage/).
 */
export class Estimator {
  constructor(private readonly env: EngineEnv) {}

  /** `texts` shares file reads among several estimates (a new plan reads each file once, however many name it). */
  async subtask(spec: Subtask, role: ModelRole, goal: string, texts: FileTexts = new Map()): Promise<Estimate> {
    return subtaskEstimate({
      goal,
      spec,
      files: await this.scopedFiles(spec.files, texts),
      model: modelFor(role, this.env.settings.models),
    });
  }

  /** The "Opus alone" figure of the plan as it stands (see usage/opusAlone.ts). */
  async opusOnly(
    state: Pick<PlanState, 'task' | 'plan' | 'subtasks'>,
    ledger: readonly UsageEntry[],
    texts: FileTexts = new Map(),
  ): Promise<Estimate> {
    const figure = await planOpusAlone({
      task: state.task,
      plan: state.plan,
      subtasks: state.subtasks,
      ledger,
      files: (spec) => this.scopedFiles(spec.files, texts),
      model: modelFor('opus', this.env.settings.models),
    });
    return { inputTokens: figure.inputTokens, outputTokens: figure.outputTokens, cost: figure.cost };
  }

  /**
   * The session's Opus-alone figure from every run recorded so far (after a run, and when a plan with runs is
   * loaded); kept in memory, since the records it comes from are saved. A failure keeps the last figure and is logged.
   */
  async refreshOpusAlone(session: PlanSession): Promise<void> {
    const current = session.state;
    if (!current) {
      return;
    }
    try {
      current.opusOnlyEstimate = await this.opusOnly(current, session.ledger.entries());
      session.figuresChanged();
    } catch (err) {
      this.env.log('warn', `The Opus-alone figure was not updated: ${(err as Error).message}`);
    }
  }

  /** The files as a worker will see them. */
  private async scopedFiles(files: readonly FileInScope[], texts: FileTexts): Promise<ScopedFile[]> {
    return Promise.all(
      files.map(async (f) => {
        let read = texts.get(f.path);
        if (!read) {
          read = this.env.io.read(f.path).then((text) => (text === null ? null : toModelText(text)));
          texts.set(f.path, read);
        }
        return { path: f.path, text: await read, create: f.create, ...(f.focus ? { focus: f.focus } : {}) };
      }),
    );
  }
}
