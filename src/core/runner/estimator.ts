import { toModelText } from '../edits/text';
import type { ModelRole } from '../models';
import { modelFor } from '../models';
import type { FileInScope, Plan, Subtask } from '../plan/schema';
import type { Estimate } from '../plan/state';
import type { EngineEnv } from '../session/env';
import { estimateSubtask, expectedOutputTokens, opusOnlyEstimate } from '../usage/estimate';
import type { ScopedFile } from '../worker/context';

/** Workspace-relative path → the file's text as a worker sees it (null: it does not exist), read once. */
export type FileTexts = Map<string, Promise<string | null>>;

/**
 * Before-dispatch figures: what a subtask's first request will weigh and cost on its model, and what the whole task
 * would cost done by Opus alone. Figures are offline estimates from the files as a worker will see them.
 */
export class Estimator {
  constructor(private readonly env: EngineEnv) {}

  /** `texts` shares file reads among several estimates (a new plan reads each file once, however many name it). */
  async subtask(spec: Subtask, role: ModelRole, goal: string, texts: FileTexts = new Map()): Promise<Estimate> {
    return estimateSubtask({
      goal,
      subtask: spec,
      files: await this.scopedFiles(spec.files, texts),
      model: modelFor(role, this.env.settings.models),
    });
  }

  /** One Opus session doing the whole task: the planner's prompt plus every file any subtask touches, once each. */
  async opusOnly(task: string, plan: Plan, repoMap: string, texts: FileTexts = new Map()): Promise<Estimate> {
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
      model: modelFor('opus', this.env.settings.models),
    });
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
        return { path: f.path, text: await read, create: f.create };
      }),
    );
  }
}
