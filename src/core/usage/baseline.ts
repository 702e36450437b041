import type { ModelInfo } from '../models';
import type { Plan, Subtask } from '../plan/schema';
import type { Estimate, SubtaskState, UsageEntry } from '../plan/state';
import type { ScopedFile } from '../worker/context';
import { viewsOf } from '../worker/context';
import type { OutlineSource } from '../plan/outline';
import { estimateSubtask, expectedEdits } from './estimate';
import type { SessionFigure } from './opusAlone';
import { opusAloneFigure } from './opusAlone';
import { estimateTokens } from './usage';
import type { RunWork, WorkEdit, WorkRead } from './work';

/**
 * The planner's thinking, read from the ledger: what its calls billed as output beyond the plan it wrote. It is the
 * locating a lean Opus session would do for itself.
 */
export function plannerThinking(entries: readonly UsageEntry[], plan: Plan): number {
  const output = entries.filter((e) => e.owner === 'plan').reduce((n, e) => n + e.usage.output, 0);
  return Math.max(0, output - estimateTokens(JSON.stringify(plan)));
}

/** A subtask's before-dispatch figure on `model`, from its files as the worker will see them. */
export async function subtaskEstimate(input: {
  goal: string;
  spec: Subtask;
  files: ScopedFile[];
  model: ModelInfo;
  outline?: OutlineSource;
}): Promise<Estimate> {
  const views = await viewsOf(input.files, input.outline);
  return estimateSubtask({ goal: input.goal, subtask: input.spec, files: input.files, views, model: input.model });
}

/**
 * The "Opus alone" figure of a plan: the work of every subtask that has run, as its last run recorded it, and the
 * expected work of the others, from their slices and expected edits (see opusAlone.ts).
 */
export async function planOpusAlone(input: {
  task: string;
  plan: Plan;
  subtasks: Readonly<Record<string, Pick<SubtaskState, 'work'> | undefined>>;
  ledger: readonly UsageEntry[];
  files: (spec: Subtask) => Promise<ScopedFile[]>;
  model: ModelInfo;
  outline?: OutlineSource;
}): Promise<SessionFigure> {
  const runs: RunWork[] = [];
  const reads: WorkRead[] = [];
  const edits: WorkEdit[] = [];
  for (const spec of input.plan.subtasks) {
    const work = input.subtasks[spec.id]?.work;
    if (work) {
      runs.push(work);
      continue;
    }
    const files = await input.files(spec);
    reads.push(...(await viewsOf(files, input.outline)).flatMap((v) => v.reads));
    edits.push(...expectedEdits(files).list);
  }
  return opusAloneFigure({
    task: estimateTokens(input.task),
    runs,
    planned: { reads, edits },
    plannerThinking: plannerThinking(input.ledger, input.plan),
    model: input.model,
  });
}
