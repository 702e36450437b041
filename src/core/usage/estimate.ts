import type { ModelInfo, ModelRole } from '../models';
import type { Effort, Subtask } from '../plan/schema';
import { effortOf, isWholeFile, oneReplyOf } from '../plan/schema';
import type { Estimate } from '../plan/state';
import type { ScopedFile } from '../worker/context';
import { buildWorkerRequest } from '../worker/context';
import type { FileView } from '../worker/slices';
import { API_RULES, workerPromptOverhead } from './apiRules';
import type { Usage } from './usage';
import type { WorkEdit } from './work';
import { addUsage, costOfCall, estimateTokens } from './usage';

/**
 * The output of a worker run, sized by the change rather than by the files: edits of a few lines each, one per place
 * the planner pointed at. Figures in tokens; README material.
 */
export const OUTPUT_RULES = {
  /** One edit call: old_str and new_str of a few lines, and the call's JSON around them. */
  editTokens: 150,
  /** A file the subtask creates. */
  newFileTokens: 1_000,
  /** The closing answer's text. */
  answerTokens: 150,
  /** The editor tool's reply to an edit: a confirmation and the edited lines with three lines around them. */
  editResultTokens: 150,
  /** A run that would write more than this is better split; the estimate does not grow past it. */
  cap: 32_000,
} as const;

/**
 * Thinking a run is expected to write, billed as output (all three roles think by default), per effort: per edit
 * and once per run (reading the subtask, the closing answer). Generous on purpose: a figure shown before dispatch
 * should not be beaten by the bill. The same for Sonnet and Opus; Haiku at about two thirds.
 */
export const THINKING_TOKENS: Readonly<Record<ModelRole, Record<Effort, { perEdit: number; perRun: number }>>> = {
  haiku: {
    low: { perEdit: 100, perRun: 100 },
    medium: { perEdit: 250, perRun: 200 },
    high: { perEdit: 600, perRun: 500 },
  },
  sonnet: {
    low: { perEdit: 150, perRun: 150 },
    medium: { perEdit: 400, perRun: 300 },
    high: { perEdit: 1_000, perRun: 800 },
  },
  opus: {
    low: { perEdit: 150, perRun: 150 },
    medium: { perEdit: 400, perRun: 300 },
    high: { perEdit: 1_000, perRun: 800 },
  },
};

/** The edits a subtask is expected to make: how many, the tokens of their tool inputs, and each one's file. */
export interface ExpectedEdits {
  count: number;
  tokens: number;
  list: WorkEdit[];
}

/**
 * One edit per place the focus names (each symbol, each line range), one for a file given whole, and a file to
 * create at its own expected size: the output follows the change the plan describes, not the size of the files.
 */
export function expectedEdits(files: readonly ScopedFile[]): ExpectedEdits {
  const list: WorkEdit[] = [];
  for (const f of files) {
    if (f.text === null) {
      list.push({ path: f.path, tokens: OUTPUT_RULES.newFileTokens });
      continue;
    }
    const n = f.focus && !isWholeFile(f.focus) ? f.focus.symbols.length + f.focus.lines.length : 1;
    for (let i = 0; i < n; i++) {
      list.push({ path: f.path, tokens: OUTPUT_RULES.editTokens });
    }
  }
  return { count: list.length, tokens: list.reduce((n, e) => n + e.tokens, 0), list };
}

/** The two turns of a worker run as the estimate sees them: the edits, then the closing answer. */
export interface RunShape {
  /** The first request's prompt, the API's additions included. */
  prompt: number;
  /** Output of the turn that edits (thinking and tool inputs) and of the closing turn. */
  editOutput: number;
  answerOutput: number;
  /** What the editor sends back for the edits. */
  results: number;
}

/**
 * The price of a run of that shape with the worker's caching. With `firstMarked` (the default) the first request is
 * written to the cache (when it is long enough to be cached at all) and the second reads it and writes its new tail,
 * as the moving breakpoint does. Without it the first request is billed at the input price and the second writes
 * the whole conversation: the dearer path, which a one-reply subtask takes when a second turn comes after all.
 */
export function runCost(shape: RunShape, model: ModelInfo, firstMarked = true): { usage: Usage; cost: number } {
  const { first, second } = turnsOf(shape, shape.prompt >= API_RULES.minCacheableTokens[model.role], firstMarked);
  return { usage: addUsage(first, second), cost: costOfCall(first, model) + costOfCall(second, model) };
}

function turnsOf(shape: RunShape, cached: boolean, firstMarked: boolean): { first: Usage; second: Usage } {
  const tail = shape.editOutput + shape.results;
  const none = { input: 0, cacheRead: 0, cacheWrite: 0 };
  const edit = { ...none, output: shape.editOutput };
  const answer = { ...none, output: shape.answerOutput };
  if (!cached) {
    return { first: { ...edit, input: shape.prompt }, second: { ...answer, input: shape.prompt + tail } };
  }
  return firstMarked
    ? { first: { ...edit, cacheWrite: shape.prompt }, second: { ...answer, cacheRead: shape.prompt, cacheWrite: tail } }
    : { first: { ...edit, input: shape.prompt }, second: { ...answer, cacheWrite: shape.prompt + tail } };
}

/**
 * The gauge's "before dispatch" figure. Input: the worker's first request as it will be sent (the files as the
 * worker sees them), plus what the API adds. Output: the expected edits and their thinking at the subtask's effort,
 * and the closing answer. Cost: the two turns with the worker's caching. A one-reply subtask's first request goes
 * without a conversation mark unless its kind of run keeps taking second turns (markFirstRequest); should a second
 * turn come, that run bills more than the marked one (its prompt once at the input price, then written), so its
 * cost is the dearer of the two: the figure stays at or above the bill either way.
 */
export function estimateSubtask(input: {
  goal: string;
  subtask: Subtask;
  files: readonly ScopedFile[];
  views: FileView[];
  model: ModelInfo;
}): Estimate {
  const { subtask, model } = input;
  const request = buildWorkerRequest({ goal: input.goal, subtask, views: input.views });
  const prompt = estimateTokens(JSON.stringify(request)) + workerPromptOverhead(model.role);
  const edits = expectedEdits(input.files);
  const thinking = THINKING_TOKENS[model.role][effortOf(subtask)];
  const editOutput = Math.min(OUTPUT_RULES.cap, edits.tokens + edits.count * thinking.perEdit);
  const answerOutput = thinking.perRun + OUTPUT_RULES.answerTokens;
  const results = edits.count * OUTPUT_RULES.editResultTokens;
  const shape: RunShape = { prompt, editOutput, answerOutput, results };
  const marked = runCost(shape, model).cost;
  const cost = oneReplyOf(subtask) ? Math.max(marked, runCost(shape, model, false).cost) : marked;
  return { inputTokens: prompt, outputTokens: editOutput + answerOutput, cost };
}

/** How the before-dispatch figures are computed; shown in the README and in gauge tooltips. */
export const ESTIMATE_FORMULA =
  'Before a subtask runs, its input is the tokens of the exact first request the worker will send (system prompt, ' +
  'editor tool, goal, instructions, acceptance criteria, and the files as the worker sees them: whole, or the ' +
  'slices the planner named with an outline of the rest), plus what the API adds for the tool. Its output is sized ' +
  `by the change: ${OUTPUT_RULES.editTokens} tokens per place the planner pointed at (each symbol or line range, or ` +
  `a file given whole; ${OUTPUT_RULES.newFileTokens.toLocaleString('en-US')} per file to create), the thinking its model is expected ` +
  'to do at the subtask’s effort (per edit and per run), and a closing answer. The cost is two turns at the model’s ' +
  'list prices with the worker’s caching: the first request written to the cache, the second reading it; for a ' +
  'subtask the planner expects to end in one reply, whose first request is sent without a cache mark, the dearer ' +
  'path: the first request at the input price, the second writing it to the cache.';
