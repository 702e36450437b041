import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MODEL_TABLE } from '../../src/core/models';
import type { UsageEntry } from '../../src/core/plan/state';
import { costOfCall } from '../../src/core/usage/usage';
import type { RecordedBody, RecordedRequest } from '../fake-anthropic/server';
import type { PromptBody } from './promptCache';
import { PromptCache } from './promptCache';
import { isPlannerRequest, messageText, subtaskOf } from './responder';
import type { Scenario } from './transcripts';

/** Printed in the report header: how the Opus-alone side of the scoping ratio (and the replay cost) is built. */
export const BASELINE_FORMULA = [
  '- For every worker request r (subtask s, turn k), the request Opus alone would send at the same turn:',
  "  system prompt + tool definitions (the workers' own) + ONE user message holding the planner's prompt (task +",
  "  repository map), every subtask's instructions and acceptance criteria, and the full text of every file any",
  '  subtask touches + the turns r already carries after its first message (the same tool calls and results).',
  '  Conservative: Opus alone would also carry the turns of the subtasks it did before s; they are not counted.',
  '- scoping ratio(r) = tokens(worker request r) ÷ tokens(Opus-alone request r); the row reports the largest.',
  '- replay cost = Σ over r of Opus prices on that request (split into cache reads/writes by the same',
  "  cache_control breakpoints the workers used) + Opus output price × r's output tokens; shown beside the",
  "  plan-cost ratio. Plan cost = every ledger entry (planner and workers) at its own model's price.",
  "- tokens(x) = ceil(characters of JSON(system, tools, messages) / 3.5), the product's estimateTokens, both sides.",
];

export interface WorkerRequest {
  subtaskId: string;
  body: RecordedBody;
}

/** The worker requests of a session, in the order they arrived, each tagged with its subtask. */
export function workerRequests(requests: RecordedRequest[], scenario: Scenario): WorkerRequest[] {
  const out: WorkerRequest[] = [];
  for (const r of requests) {
    if (r.path !== '/v1/messages' || isPlannerRequest(r.body)) {
      continue;
    }
    const subtaskId = subtaskOf(r.body, scenario);
    if (subtaskId) {
      out.push({ subtaskId, body: r.body });
    }
  }
  return out;
}

/** The one user message that gives Opus alone everything the workers got between them, plus the map. */
export async function opusAloneContext(root: string, scenario: Scenario, plannerBody: RecordedBody): Promise<string> {
  const parts = [messageText(plannerBody.messages?.[0]), '', '# Subtasks'];
  for (const s of scenario.plan.subtasks) {
    parts.push(`## ${s.id}: ${s.title}`, s.instructions, ...s.acceptanceCriteria.map((c) => `- ${c}`), '');
  }
  parts.push('# Files');
  const paths = [
    ...new Set(scenario.plan.subtasks.flatMap((s) => s.files.filter((f) => !f.create).map((f) => f.path))),
  ];
  for (const p of paths) {
    parts.push(`<file path="${p}">`, await fs.readFile(path.join(root, p), 'utf8'), '</file>');
  }
  return parts.join('\n');
}

function hasMarker(message: unknown): boolean {
  const content = (message as { content?: unknown }).content;
  return Array.isArray(content) && content.some((b) => b && typeof b === 'object' && 'cache_control' in b);
}

/** The Opus-alone counterpart of a worker request: same prefix and turns, the whole-task context up front. */
export function counterpart(worker: RecordedBody, context: string): PromptBody {
  const [first, ...rest] = worker.messages ?? [];
  const block: Record<string, unknown> = { type: 'text', text: context };
  if (first && hasMarker(first)) {
    block.cache_control = { type: 'ephemeral' };
  }
  return {
    model: MODEL_TABLE.opus.id,
    system: worker.system,
    tools: worker.tools,
    messages: [{ role: 'user', content: [block] }, ...rest],
  };
}

/**
 * What Opus alone would pay for the same turns: each counterpart prompt split into cache reads, writes and fresh
 * input by the same caching rules, and the same output tokens the worker produced on that turn.
 */
export function opusAloneCost(workers: WorkerRequest[], context: string, ledger: UsageEntry[]): number {
  const cache = new PromptCache();
  const outputs = new Map<string, number[]>();
  for (const e of ledger) {
    outputs.set(e.owner, [...(outputs.get(e.owner) ?? []), e.usage.output]);
  }
  let cost = 0;
  for (const w of workers) {
    const split = cache.account(counterpart(w.body, context));
    const output = outputs.get(w.subtaskId)?.shift() ?? 0;
    cost += costOfCall({ ...split, output }, MODEL_TABLE.opus);
  }
  return cost;
}
