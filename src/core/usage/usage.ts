import type { ModelInfo, Prices } from '../models';

/** Token counts of one or more API calls, as the API reports them. */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export const ZERO_USAGE: Readonly<Usage> = Object.freeze({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
  };
}

/** Every token the model read for a call: fresh input plus cache reads and writes. */
export function promptTokens(u: Usage): number {
  return u.input + u.cacheRead + u.cacheWrite;
}

export function totalTokens(u: Usage): number {
  return promptTokens(u) + u.output;
}

/** The price of ONE call's usage in dollars (long-prompt tiers are decided per call). */
export function costOfCall(u: Usage, model: ModelInfo): number {
  const p: Prices =
    model.longPrompt && promptTokens(u) > model.longPrompt.threshold ? model.longPrompt.prices : model.prices;
  return (u.input * p.input + u.output * p.output + u.cacheRead * p.cacheRead + u.cacheWrite * p.cacheWrite) / 1e6;
}

/**
 * Offline token estimate used everywhere a count is needed before a call (gauges, the Opus-only baseline, the
 * repository-map budget): one token per 3.5 characters, rounded up. It overestimates plain English a little and
 * is close for source code on current Claude tokenizers; the same estimate is used on both sides of every ratio.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}
