import type { ModelInfo } from '../models';
import type { Estimate } from '../plan/state';
import { API_RULES } from './apiRules';
import { THINKING_TOKENS } from './estimate';
import type { Usage } from './usage';
import { costOfCall } from './usage';
import type { RunWork, WorkEdit, WorkRead } from './work';
import { mergeReads } from './work';

/**
 * The lean Opus agent the "Opus alone" figure stands for: Claude Code 2.1.328 running Opus (`claude -p`), as
 * `npm run bench` (the claude-code step) recorded its requests on 2026-11-28. Its fixed prefix is what every request
 * carries whatever the task; the rest are the sizes of its tool calls and their results, rounded down where they
 * varied, so that the figure errs towards the cheaper session.
 */
export const LEAN_AGENT = {
  source: 'Claude Code 2.1.328 with Opus, requests recorded by npm run bench (claude-code step), 2026-11-28',
  /** Every request: the system prompt and 14 tool definitions (12,136 tokens) and the API's tool-use prompt (290). */
  prefixTokens: 12_426,
  /** The first request's messages around the task: reminders, git status, environment, the tool list. */
  firstTurnTokens: 3_066,
  /** One search call's input. */
  searchCallTokens: 30,
  /** Search results: one matching line per place it then reads. */
  searchLineTokens: 25,
  /** One ranged read's input (path, offset, limit). */
  readCallTokens: 35,
  /** Lines one ranged read shows around a place it is about to edit. */
  readLines: 60,
  /** What a read's result adds around the lines it shows. */
  readResultTokens: 10,
  /** An edit's confirmation. */
  editResultTokens: 30,
} as const;

/** What one lean session does for the work: every figure in tokens. */
export interface SessionWork {
  task: number;
  /** Ranged reads (merged per file): the text each shows. */
  reads: number[];
  /** Tool input of each edit (creates included). */
  edits: number[];
  thinking: { locate: number; edit: number; answer: number };
  /** The closing answer's text. */
  answer: number;
}

export interface SessionTurn {
  label: 'locate' | 'read' | 'edit' | 'answer';
  usage: Usage;
  cost: number;
  /** The prompt this request holds (input + cache reads + cache writes). */
  prompt: number;
}

export interface SessionFigure extends Estimate {
  turns: SessionTurn[];
}

interface Turn {
  label: SessionTurn['label'];
  output: number;
  /** Content blocks the turn's reply and its tool results add to the conversation. */
  blocks: number;
  /** Tokens its tool results add. */
  results: number;
}

/**
 * One lean Opus session doing the work, in the turn structure of the measured agent: locate (a search), read (the
 * same slices, as ranged reads in one turn of parallel calls), edit (every edit in one turn), answer. Caching as the
 * API applies it to that agent's breakpoints: one after its fixed prefix, one on the newest block, moved each turn;
 * the first request writes everything (1.25× the input price), each later one reads the conversation so far (the
 * cache-read price) and writes what is new. When a turn adds more blocks than the API looks back (20), the next
 * request finds only the fixed prefix and writes the rest again, as the measured agent did with many parallel calls.
 * The last request writes nothing: nothing would read it.
 */
export function leanSession(work: SessionWork, model: ModelInfo): SessionFigure {
  const A = LEAN_AGENT;
  const plan: Turn[] = [];
  const reading = work.reads.length > 0;
  const locateShare = reading ? Math.ceil(work.thinking.locate / 2) : work.thinking.locate;
  plan.push({
    label: 'locate',
    output: locateShare + A.searchCallTokens,
    blocks: 3,
    results: work.reads.length * A.searchLineTokens,
  });
  if (reading) {
    plan.push({
      label: 'read',
      output: work.thinking.locate - locateShare + work.reads.length * A.readCallTokens,
      blocks: 1 + 2 * work.reads.length,
      results: sum(work.reads) + work.reads.length * A.readResultTokens,
    });
  }
  plan.push({
    label: 'edit',
    output: work.thinking.edit + sum(work.edits),
    blocks: 1 + 2 * work.edits.length,
    results: work.edits.length * A.editResultTokens,
  });
  plan.push({ label: 'answer', output: work.thinking.answer + work.answer, blocks: 1, results: 0 });

  const turns: SessionTurn[] = [];
  let prompt = A.prefixTokens + A.firstTurnTokens + work.task;
  let cachedConversation = 0;
  plan.forEach((t, i) => {
    const last = i === plan.length - 1;
    const cacheRead = i === 0 ? 0 : Math.min(prompt, cachedConversation);
    const fresh = prompt - cacheRead;
    const cacheable = prompt >= API_RULES.minCacheableTokens[model.role];
    const usage: Usage =
      last || !cacheable
        ? { input: fresh, cacheRead, cacheWrite: 0, output: t.output }
        : { input: 0, cacheRead, cacheWrite: fresh, output: t.output };
    turns.push({ label: t.label, usage, cost: costOfCall(usage, model), prompt });
    // The next request reads this one's entry when it lies within the API's lookback, else only the fixed prefix.
    cachedConversation = t.blocks < API_RULES.lookbackBlocks ? prompt : A.prefixTokens;
    prompt += t.output + t.results;
  });
  return {
    inputTokens: Math.max(...turns.map((t) => t.prompt)),
    outputTokens: turns.reduce((n, t) => n + t.usage.output, 0),
    cost: turns.reduce((n, t) => n + t.cost, 0),
    turns,
  };
}

function sum(xs: readonly number[]): number {
  return xs.reduce((n, x) => n + x, 0);
}

/** The cheapest thinking a lean session would do: Opus at low effort, for the same edits. */
const LEAN_THINKING = THINKING_TOKENS.opus.low;

/** The closing answer assumed before any run has answered. */
export const LEAN_ANSWER_TOKENS = 150;

/**
 * The reads a lean session makes for these edits, each range once (overlapping reads merged). Its reads are windows
 * of LEAN_AGENT.readLines lines around the places its search found: a slice shorter than that counts as one window
 * (at the file's tokens per line when known, else the slice's), a longer one as it is, and a file shown whole that is longer than one window as
 * one window per edit in it — a session with a search tool reads around the place rather than the whole file.
 */
export function leanReads(reads: readonly WorkRead[], edits: readonly WorkEdit[]): number[] {
  const perFile = new Map<string, number>();
  for (const e of edits) {
    perFile.set(e.path, (perFile.get(e.path) ?? 0) + 1);
  }
  const out: number[] = [];
  for (const r of mergeReads(reads)) {
    const lines = r.end - r.start + 1;
    if (!r.whole && lines < LEAN_AGENT.readLines) {
      out.push(Math.max(r.tokens, Math.round((r.lineTokens ?? r.tokens / lines) * LEAN_AGENT.readLines)));
      continue;
    }
    if (!r.whole || lines <= LEAN_AGENT.readLines) {
      out.push(r.tokens);
      continue;
    }
    const windows = Math.min(Math.max(1, perFile.get(r.path) ?? 0), Math.ceil(lines / LEAN_AGENT.readLines));
    const perWindow = Math.round((r.tokens / lines) * LEAN_AGENT.readLines);
    for (let i = 0; i < windows; i++) {
      out.push(perWindow);
    }
  }
  return out.filter((t) => t > 0);
}

/**
 * The figure for a plan. Subtasks that have run count with what their last run recorded: the text the worker was
 * shown and viewed, the edits it made, its thinking on those edits, and its closing answer. Thinking on turns that
 * only read is left out, since the session's locating (the planner's thinking) stands for it. Subtasks still to run
 * count with the slices their workers will be shown and the edits the estimates expect, thought through at Opus's
 * low effort. The session answers once (the smallest answer of the runs).
 */
export function opusAloneFigure(input: {
  task: number;
  runs: readonly RunWork[];
  planned: { reads: readonly WorkRead[]; edits: readonly WorkEdit[] };
  plannerThinking: number;
  model: ModelInfo;
}): SessionFigure {
  const { runs, planned } = input;
  const answered = runs.filter((r) => r.turns > 0);
  // A run that ended with its edits (finish) had no closing turn to think on. The session still closes, but with no
  // closing seen its thinking there counts as none: the figure errs low, never claiming more saved than measured.
  const closed = answered.filter((r) => r.thinking.answer > 0);
  const closingFallback = answered.length > 0 ? 0 : LEAN_THINKING.perRun;
  const smallest = (f: (r: RunWork) => number, fallback: number, among = answered): number =>
    among.length > 0 ? Math.min(...among.map(f)) : fallback;
  const edits = [...runs.flatMap((r) => r.edits), ...planned.edits];
  return leanSession(
    {
      task: input.task,
      reads: leanReads([...runs.flatMap((r) => r.reads), ...planned.reads], edits),
      edits: edits.map((e) => e.tokens),
      thinking: {
        locate: input.plannerThinking,
        edit: sum(runs.map((r) => r.thinking.edit)) + planned.edits.length * LEAN_THINKING.perEdit,
        answer: smallest((r) => r.thinking.answer, closingFallback, closed),
      },
      answer: smallest((r) => r.answer, LEAN_ANSWER_TOKENS),
    },
    input.model,
  );
}

/** How the "Opus alone" figure is computed; shown in the README and in tooltips. */
export const BASELINE_FORMULA =
  'The "Opus alone" figure is one lean Opus agent session doing the same work: Claude Code 2.1.328’s fixed prefix ' +
  `(${LEAN_AGENT.prefixTokens.toLocaleString('en-US')} tokens on every request, ` +
  `${LEAN_AGENT.firstTurnTokens.toLocaleString('en-US')} more on the first; measured 2026-11-28) and the task, then ` +
  'four requests — locate (a search), read (the same slices the workers see, as ranged reads of at least ' +
  `${LEAN_AGENT.readLines} lines, each range once; a large file shown whole as one such read around each edit), ` +
  'edit (the same edits) and answer — with the planner’s thinking as its locating, the workers’ thinking on their ' +
  'edits (before the run, Opus at low effort), and one closing answer. Caching as the API applies it to that agent: ' +
  'the first request written at 1.25× the input price, each later one reading the conversation so far at the ' +
  'cache-read price and writing what is new, the fixed prefix alone found again after a turn of more than 20 ' +
  'blocks, nothing written on the last request. Before dispatch it comes from the plan’s slices and the expected ' +
  'edits; after the runs, from what the workers were shown, read and wrote. Prices from the model table.';
