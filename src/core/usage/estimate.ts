import type { ModelInfo } from '../models';
import { plannerSystemPrompt, plannerUserMessage } from '../plan/prompts';
import type { Subtask } from '../plan/schema';
import type { Estimate } from '../plan/state';
import type { ScopedFile } from '../worker/context';
import { buildWorkerRequest, formatScopedFile } from '../worker/context';
import { costOfCall, estimateTokens } from './usage';

/** Output every run spends on the closing summary and tool-call framing, whatever it edits. */
const BASE_OUTPUT = 400;
/** Share of an existing in-scope file's tokens a run is expected to write back as edits (old_str + new_str). */
const EDIT_SHARE = 0.35;
/** Expected output for each file the run creates. */
const PER_NEW_FILE = 1_000;
/** A run that would write more than this is better split; the estimate does not grow past it. */
const OUTPUT_CAP = 32_000;

/** How the before-dispatch figures are computed; shown in the README and in gauge tooltips. */
export const ESTIMATE_FORMULA =
  'Before a subtask runs, its input is estimated as the tokens of the exact first request the worker will send ' +
  '(system prompt, editor tool definition, goal, instructions, acceptance criteria and the in-scope files), and its ' +
  `output as ${BASE_OUTPUT} tokens plus ${EDIT_SHARE * 100}% of the in-scope files' tokens plus ` +
  `${PER_NEW_FILE.toLocaleString('en-US')} per file it creates, capped at ${OUTPUT_CAP.toLocaleString('en-US')}; ` +
  "the cost is those tokens at the assigned model's list prices, with no cache discount. The Opus-only baseline is " +
  'one Opus session doing the whole task: its input is the planner prompt with the task and repository map plus ' +
  'every file any subtask touches, each counted once, and its output is the sum of the subtasks’ expected outputs, ' +
  "at Opus's prices. Tokens are estimated offline at one token per 3.5 characters on both sides of the comparison.";

/** The output a worker run is expected to produce for these files (see ESTIMATE_FORMULA). */
export function expectedOutputTokens(files: ScopedFile[]): number {
  let total = BASE_OUTPUT;
  for (const f of files) {
    total += f.text === null ? PER_NEW_FILE : Math.ceil(EDIT_SHARE * estimateTokens(f.text));
  }
  return Math.min(total, OUTPUT_CAP);
}

/** The gauge's "before dispatch" figure: the worker's first request as it will be sent, and its expected output. */
export function estimateSubtask(input: {
  goal: string;
  subtask: Subtask;
  files: ScopedFile[];
  model: ModelInfo;
}): Estimate {
  const request = buildWorkerRequest({ goal: input.goal, subtask: input.subtask, files: input.files });
  const inputTokens = estimateTokens(JSON.stringify(request));
  const outputTokens = expectedOutputTokens(input.files);
  const cost = costOfCall({ input: inputTokens, output: outputTokens, cacheRead: 0, cacheWrite: 0 }, input.model);
  return { inputTokens, outputTokens, cost };
}

/**
 * What the same work would cost done by Opus alone in one session: it needs the planner's view of the task plus
 * every file any subtask touches (each once, however many subtasks share it), and writes all the edits itself.
 */
export function opusOnlyEstimate(input: {
  task: string;
  repoMap: string;
  files: ScopedFile[];
  outputTokens: number;
  model: ModelInfo;
}): Estimate {
  const seen = new Set<string>();
  const parts = [plannerSystemPrompt(), plannerUserMessage({ task: input.task, repoMap: input.repoMap })];
  for (const f of input.files) {
    if (!seen.has(f.path)) {
      seen.add(f.path);
      parts.push(formatScopedFile(f));
    }
  }
  const inputTokens = estimateTokens(parts.join('\n'));
  const outputTokens = input.outputTokens;
  const cost = costOfCall({ input: inputTokens, output: outputTokens, cacheRead: 0, cacheWrite: 0 }, input.model);
  return { inputTokens, outputTokens, cost };
}
