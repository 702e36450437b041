import type { ModelInfo } from '../core/models';
import type { SubtaskState, UsageEntry } from '../core/plan/state';
import { priceSourceText } from '../core/usage/prices';
import type { LivePhase, Usage } from '../core/usage/usage';
import { ZERO_USAGE, addUsage, costOfCall, livePhase, totalTokens } from '../core/usage/usage';

import { formatTokens } from '../core/usage/format';
import { fillColor } from './gaugeIcons';

export { formatTokens };

/**
 * Gauges: the words and the bar that say how much context a subtask takes and what it costs. Pure functions over
 * the plan state, so the tree, the status bar and the tests all read the same figures.
 */

/** Dollars with two decimals; a non-zero amount under a cent reads '<$0.01' rather than a misleading '$0.00'. */
export function formatCost(dollars: number): string {
  if (dollars > 0 && dollars < 0.005) {
    return '<$0.01';
  }
  return `$${Math.max(0, dollars).toFixed(2)}`;
}

/** Which figures a gauge shows: the estimate before any call, live tokens while running, the ledger afterwards. */
export type GaugePhase = 'estimate' | 'running' | 'done';

export interface SubtaskFigures {
  phase: GaugePhase;
  /** Every token billed (and, while running, streamed so far) for the subtask over all its attempts. */
  tokens: number;
  cost: number;
  /** Tokens of the largest single request: what had to fit in the model's context window. */
  context: number;
  usage: Usage;
  /** While running: what the model is doing, so a row whose count stands still (a model thinking) says why. */
  live?: LivePhase;
}

/**
 * The figures of one subtask. While it runs, earlier attempts come from the ledger and the current one from
 * `state.live`; the ledger's entries of the current attempt are left out then, so no call is counted twice.
 * `mine` are the ledger entries of this subtask.
 */
export function subtaskFigures(state: SubtaskState, mine: readonly UsageEntry[], model: ModelInfo): SubtaskFigures {
  if (state.status === 'running') {
    // `live` sums the current attempt's calls; until its first call streams (queued), every entry is history.
    const live = state.live;
    const earlier = live ? mine.filter((e) => e.attempt < state.attempt) : mine;
    const usage = earlier.reduce<Usage>((sum, e) => addUsage(sum, e.usage), { ...(live ?? ZERO_USAGE) });
    const cost = earlier.reduce((sum, e) => sum + e.cost, live ? costOfCall(live, model) : 0);
    const doing = livePhase(live);
    return {
      phase: 'running',
      tokens: totalTokens(usage),
      cost,
      context: runningContext(state, mine),
      usage,
      ...(doing ? { live: doing } : {}),
    };
  }
  if (mine.length === 0) {
    return {
      phase: 'estimate',
      tokens: state.estimate.inputTokens + state.estimate.outputTokens,
      cost: state.estimate.cost,
      context: state.estimate.inputTokens,
      usage: { ...ZERO_USAGE, input: state.estimate.inputTokens, output: state.estimate.outputTokens },
    };
  }
  const usage = mine.reduce<Usage>((sum, e) => addUsage(sum, e.usage), { ...ZERO_USAGE });
  return {
    phase: 'done',
    tokens: totalTokens(usage),
    cost: mine.reduce((sum, e) => sum + e.cost, 0),
    context: Math.max(...mine.map((e) => totalTokens(e.usage))),
    usage,
  };
}

/** The largest request of the current attempt so far, the call now streaming included. */
function runningContext(state: SubtaskState, mine: readonly UsageEntry[]): number {
  const current = mine.filter((e) => e.attempt === state.attempt);
  const finished = current.reduce((sum, e) => sum + totalTokens(e.usage), 0);
  const streaming = state.live ? Math.max(0, totalTokens(state.live) - finished) : 0;
  return Math.max(streaming, ...current.map((e) => totalTokens(e.usage)));
}

const DOING: Record<LivePhase, string> = {
  starting: 'starting\u2026',
  thinking: 'thinking\u2026',
  writing: 'writing\u2026',
  tool: 'calling a tool\u2026',
};

/** What a live model is doing, in words: `thinking…`. */
export function liveText(phase: LivePhase): string {
  return DOING[phase];
}

/**
 * The row text, leading with what matters at that moment: the estimate before a run (`~14k tok · ~$0.05 · Sonnet`),
 * the live tokens while it runs, with what the model is doing when the API says (`thinking… 12.3k tok · $0.04 ·
 * Sonnet`, `12.3k tok ⟳ · …`, `starting… · Sonnet` before the first token), what was billed afterwards (`15.1k tok ·
 * $0.06 · Sonnet`). The model closes the text; the row's badge carries it too, since the end of a description is what
 * a narrow side bar cuts.
 */
export function gaugeText(
  label: string,
  f: Pick<SubtaskFigures, 'phase' | 'tokens' | 'cost' | 'live'>,
  billing: 'tokens' | 'seat' = 'tokens',
): string {
  const approx = f.phase === 'estimate' ? '~' : '';
  if (f.phase === 'running' && f.tokens === 0) {
    // Dispatched, waiting for the model's first token (or for a free slot): there is no figure to lead with yet.
    return `${liveText(f.live ?? 'starting')} \u00b7 ${label}`;
  }
  // A seat-billed model (VS Code's language models) has no per-token price, and its usage is counted, not reported.
  const money = billing === 'seat' ? 'seat' : `${approx}${formatCost(f.cost)}`;
  const tokens = `${billing === 'seat' ? '~' : approx}${formatTokens(f.tokens)} tok`;
  const lead = f.phase !== 'running' ? tokens : f.live ? `${liveText(f.live)} ${tokens}` : `${tokens} \u27f3`;
  return `${lead} \u00b7 ${money} \u00b7 ${label}`;
}

/** The tooltip's cost line, with the price table it comes from and whether the user overrode it. */
export function costLine(phase: GaugePhase, cost: number, billing: 'tokens' | 'seat' = 'tokens'): string {
  if (billing === 'seat') {
    return (
      'Billed through your seat for VS Code\u2019s language models: no per-token price. Token figures are the ' +
      'model\u2019s own counts of what was sent and received (estimates: the API reports no usage).'
    );
  }
  const what = phase === 'estimate' ? 'Estimated cost ~' : 'Cost ';
  return `${what}${formatCost(cost)} \u00b7 ${priceSourceText()}`;
}

/** What a gauge is measured against: the per-subtask cost cap when one is set, else the model's context window. */
export interface GaugeFill {
  fill: number;
  /** `$0.05 of the $1.00 budget per subtask (5%)`, or `14k of 1M context (1%)`. */
  caption: string;
}

/**
 * How full a subtask's gauge is. The budget is the user's cap per subtask (maxCostPerSubtask): dispatch refuses what
 * would pass it, so a ring near full says "this one is expensive" before and while it runs. With no cap the ring
 * shows the largest request against the model's context window, as it does for a model billed through a seat.
 */
export function gaugeFill(
  f: Pick<SubtaskFigures, 'phase' | 'cost' | 'context'>,
  model: ModelInfo,
  cap: number,
  billing: 'tokens' | 'seat' = 'tokens',
): GaugeFill {
  const approx = f.phase === 'estimate' ? '~' : '';
  // A seat has no dollars to weigh against the budget; its ring shows the context window.
  if (cap > 0 && billing !== 'seat') {
    const fill = Math.max(0, f.cost / cap);
    return {
      fill,
      caption: `${approx}${formatCost(f.cost)} of the ${formatCost(cap)} budget per subtask (${Math.round(fill * 100)}%)`,
    };
  }
  const fill = contextFill(f.context, model.contextWindow);
  return {
    fill,
    caption: `${approx}${formatTokens(f.context)} of ${formatTokens(model.contextWindow)} context (${Math.round(fill * 100)}%)`,
  };
}

/** The plan row: the planner's own tokens, then what the whole plan has cost so far. */
export function planText(opusUsage: Usage, planCost: number): string {
  return `Opus ${formatTokens(totalTokens(opusUsage))} tok \u00b7 ${formatCost(planCost)}`;
}

/** Share of the model's context window a request filled, 0..1. */
export function contextFill(contextTokens: number, contextWindow: number): number {
  if (contextWindow <= 0) {
    return 0;
  }
  return Math.min(1, Math.max(0, contextTokens / contextWindow));
}

/** A 120×10 bar filled to `fill`, as an SVG document. */
export function gaugeSvg(fill: number): string {
  const width = 120;
  const height = 10;
  const filled = Math.round(contextFill(fill, 1) * width);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="${width}" height="${height}" rx="2" fill="#8b949e" fill-opacity="0.35"/>` +
    `<rect width="${filled}" height="${height}" rx="2" fill="${fillColor(fill)}"/>` +
    `</svg>`
  );
}

/** The bar as a data URI for a Markdown image: tooltips cannot load files from the extension reliably over remotes. */
export function gaugeDataUri(fill: number): string {
  return `data:image/svg+xml;base64,${Buffer.from(gaugeSvg(fill), 'utf8').toString('base64')}`;
}
