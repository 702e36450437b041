import type { ModelInfo, Prices } from '../models';
import { pricesFor } from './prices';

/** Token counts of one or more API calls, as the API reports them. */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** What a streaming call is doing right now, for gauges that would otherwise stand still while a model thinks. */
export type LivePhase = 'starting' | 'thinking' | 'writing' | 'tool';

/** Live usage of a call in flight, with what the model is doing. */
export interface LiveUsage extends Usage {
  phase?: LivePhase;
}

/** The phase carried by a live usage figure, if any (stored usage never has one). */
export function livePhase(u: Usage | undefined): LivePhase | undefined {
  return u && 'phase' in u ? (u as LiveUsage).phase : undefined;
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

/** A live figure added to what earlier calls spent, keeping what the model is doing now. */
export function addLive(spent: Usage, live: LiveUsage): LiveUsage {
  const sum: LiveUsage = addUsage(spent, live);
  if (live.phase) {
    sum.phase = live.phase;
  }
  return sum;
}

/** Every token the model read for a call: fresh input plus cache reads and writes. */
export function promptTokens(u: Usage): number {
  return u.input + u.cacheRead + u.cacheWrite;
}

export function totalTokens(u: Usage): number {
  return promptTokens(u) + u.output;
}

/** The price of ONE call's usage in dollars (long-prompt tiers are decided per call), the user's overrides applied. */
export function costOfCall(u: Usage, model: ModelInfo): number {
  const tier = model.longPrompt && promptTokens(u) > model.longPrompt.threshold ? model.longPrompt.prices : undefined;
  const p: Prices = pricesFor(model, tier);
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
