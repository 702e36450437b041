import type { Usage } from '../../../src/core/usage/usage';
import { ZERO_USAGE, addUsage } from '../../../src/core/usage/usage';
import { promptTokensOf } from '../promptCache';
import type { TokenCounter } from '../tokens';
import { API_RULES, extraPromptTokens } from './apiRules';
import type { Exchange, SideRecord } from './exchange';
import type { ProductRun } from './productRun';

/** How the context row is defined; printed with it. */
export const CONTEXT_DEFINITION =
  'context of a request = the prompt the model holds when it answers (input + cache reads + cache writes, the ' +
  'API’s tool-use additions included); context of a side = its largest request. Worker context = the largest ' +
  'request of any worker (each worker has its own window); lean context = the largest request of the Claude Code ' +
  'session (its last turn). Row = worker context ÷ lean context.';

export interface SideTotals {
  usage: Usage;
  cost: number;
}

export function totalsOf(exchanges: readonly Exchange[]): SideTotals {
  return {
    usage: exchanges.reduce((u, e) => addUsage(u, e.call.usage), { ...ZERO_USAGE }),
    cost: exchanges.reduce((n, e) => n + e.call.cost, 0),
  };
}

/** A request's context by the bench's counter (the offline estimate, or count_tokens), plus the API's additions. */
async function contextOf(e: Exchange, counter: TokenCounter): Promise<number> {
  return (await counter.count(e.body)) + extraPromptTokens(e.body);
}

/** The run a product call belongs to: "plan", or the subtask id. */
export function runOf(e: Exchange): string {
  return e.label === 'plan' ? 'plan' : (e.label.split(' ')[0] as string);
}

export interface ClaudeCodePrefix {
  /** system + tool definitions, as sent (JSON at 3.5 characters a token). */
  systemAndTools: number;
  /** The tool definitions alone. */
  toolDefinitions: number;
  /** The API's tool-use system prompt on top. */
  toolUseSystemPrompt: number;
  /** The messages Claude Code puts around the task on the first turn (reminders, git status, environment). */
  sessionMessages: number;
  tools: number;
  /** Whether system and tools were byte-identical on every main request. */
  stable: boolean;
}

/** Claude Code's fixed prefix, read from its recorded requests. */
export function claudeCodePrefix(cc: SideRecord, task: string): ClaudeCodePrefix {
  const main = cc.exchanges.filter((e) => e.label.startsWith('turn '));
  const first = main[0];
  if (!first) {
    throw new Error('Claude Code sent no request of the lean script');
  }
  const fixed = (e: Exchange): string => JSON.stringify({ system: e.body.system, tools: e.body.tools });
  const systemAndTools = promptTokensOf({ system: first.body.system, tools: first.body.tools });
  const messages = (first.body.messages ?? []).map((m) => {
    const { role, content } = m as { role: string; content: unknown };
    const blocks = Array.isArray(content) ? content : [{ type: 'text', text: content }];
    return { role, content: blocks.filter((b: { text?: string }) => b.text !== task) };
  });
  const withMessages = promptTokensOf({ system: first.body.system, tools: first.body.tools, messages });
  return {
    systemAndTools,
    toolDefinitions: promptTokensOf({ tools: first.body.tools }),
    toolUseSystemPrompt: extraPromptTokens(first.body),
    sessionMessages: withMessages - systemAndTools,
    tools: first.body.tools?.length ?? 0,
    stable: main.every((e) => fixed(e) === fixed(first)),
  };
}

export interface LaterTurn {
  label: string;
  share: number;
  previousShare: number;
  previousPrompt: number;
  previousUnderMinimum: boolean;
}

export interface SizeResult {
  size: number;
  files: number;
  edits: number;
  cc: SideRecord;
  product: ProductRun;
  ccTotals: SideTotals;
  productTotals: SideTotals;
  /** The product's own ledger total (`show --json` after the run), which must agree with the meter. */
  ledgerCost: number;
  ccContext: number;
  workerContext: number;
  workerContextLabel: string;
  /** Σ over workers of each one's largest request. */
  workerContextSum: number;
  plannerContext: number;
  /**
   * Every worker request after its run's first, with its label: cache reads ÷ its own prompt (`share`), cache reads
   * ÷ the previous request's prompt (`previousShare`: 1 when the breakpoint moved with the conversation), and whether
   * that previous prompt was under the model's minimum cacheable prefix (then nothing of it could be cached).
   */
  laterTurns: LaterTurn[];
  /** Cache writes of the runs that made a single call. */
  singleCallWrites: { run: string; write: number }[];
  prefix: ClaudeCodePrefix;
}

export async function measureSize(
  size: number,
  task: string,
  cc: SideRecord,
  product: ProductRun,
  counter: TokenCounter,
  shape: { files: number; edits: number },
): Promise<SizeResult> {
  let ccContext = 0;
  for (const e of cc.exchanges) {
    ccContext = Math.max(ccContext, await contextOf(e, counter));
  }
  const peaks = new Map<string, number>();
  let workerContext = 0;
  let workerContextLabel = '';
  let plannerContext = 0;
  for (const e of product.exchanges) {
    const tokens = await contextOf(e, counter);
    const run = runOf(e);
    if (run === 'plan') {
      plannerContext = Math.max(plannerContext, tokens);
      continue;
    }
    peaks.set(run, Math.max(peaks.get(run) ?? 0, tokens));
    if (tokens > workerContext) {
      workerContext = tokens;
      workerContextLabel = e.label;
    }
  }
  const seen = new Set<string>();
  const laterTurns: SizeResult['laterTurns'] = [];
  const calls = new Map<string, Exchange[]>();
  for (const e of product.exchanges) {
    const run = runOf(e);
    calls.set(run, [...(calls.get(run) ?? []), e]);
    const previous = calls.get(run)?.at(-2);
    if (run !== 'plan' && seen.has(run) && previous) {
      laterTurns.push({
        label: e.label,
        share: e.call.usage.cacheRead / e.call.prompt,
        previousShare: Math.min(1, e.call.usage.cacheRead / previous.call.prompt),
        previousPrompt: previous.call.prompt,
        previousUnderMinimum: previous.call.prompt < API_RULES.minCacheable[previous.call.role],
      });
    }
    seen.add(run);
  }
  const singleCallWrites = [...calls.entries()]
    .filter(([, list]) => list.length === 1)
    .map(([run, list]) => ({ run, write: list[0]?.call.usage.cacheWrite ?? 0 }));
  return {
    size,
    ...shape,
    cc,
    product,
    ccTotals: totalsOf(cc.exchanges),
    productTotals: totalsOf(product.exchanges),
    ledgerCost: product.after.totals.cost,
    ccContext,
    workerContext,
    workerContextLabel,
    workerContextSum: [...peaks.values()].reduce((a, b) => a + b, 0),
    plannerContext,
    laterTurns,
    singleCallWrites,
    prefix: claudeCodePrefix(cc, task),
  };
}
