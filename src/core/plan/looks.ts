import { redactedText } from '../secrets/counts';
import { formatTokens } from '../usage/format';
import type { PlannerToolBudget, PlannerToolEvent } from './tools';

/** One look the planner took beyond the map (a tool call), as the plan keeps it. */
export interface PlannerLook {
  tool: string;
  /** What was asked, e.g. `read_file src/app.ts L10-80`. */
  summary: string;
  /** Tokens its result added to the planner's input. */
  tokens: number;
  /** Why it was refused, if it was. */
  refused?: string;
}

/** The planner's looks of one plan and what they spent of the budget: what the gauge and `show` report. */
export interface PlannerLooks {
  calls: number;
  maxCalls: number;
  tokens: number;
  maxTokens: number;
  looks: PlannerLook[];
}

/** Nothing looked at yet, with the budget there is. */
export function noLooks(budget: PlannerToolBudget): PlannerLooks {
  return { calls: 0, maxCalls: budget.maxCalls, tokens: 0, maxTokens: budget.maxTokens, looks: [] };
}

/** The looks so far with one more tool call; the call's event carries the budget spent until now. */
export function addLook(so: PlannerLooks, e: PlannerToolEvent): PlannerLooks {
  const look: PlannerLook = {
    tool: e.tool,
    summary: e.summary,
    tokens: e.tokens,
    ...(e.refused ? { refused: e.refused } : {}),
  };
  return {
    calls: e.calls,
    maxCalls: e.maxCalls,
    tokens: e.tokensUsed,
    maxTokens: e.maxTokens,
    looks: [...so.looks, look],
  };
}

/** `looked 2/5 · 3.1k tok`: the calls made of those allowed, and the tokens their results added. */
export function looksText(l: PlannerLooks): string {
  return `looked ${l.calls}/${l.maxCalls} \u00b7 ${formatTokens(l.tokens)} tok`;
}

/** One look on a line of its own: `search /parseArgs/ · 1.2k tok`, and why it was refused if it was. */
export function lookLine(look: PlannerLook): string {
  return `${look.summary} \u00b7 ${formatTokens(look.tokens)} tok${look.refused ? ` (refused: ${look.refused})` : ''}`;
}

/**
 * What the plan row says of the planner beyond its tokens: `looked 2/5 · 3.1k tok · 1 secret redacted`; undefined
 * when there is nothing to say (a plan made before looks were kept, without a secret).
 */
export function plannerFacts(state: { looks?: PlannerLooks; redactions?: number }): string | undefined {
  const facts = [state.looks && looksText(state.looks), redactedText(state.redactions)].filter((f) => f !== undefined);
  return facts.length > 0 ? facts.join(' \u00b7 ') : undefined;
}
