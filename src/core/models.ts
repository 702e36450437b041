import type { Model } from '@anthropic-ai/sdk/resources/messages/messages';

/** The three jobs a model can be given: Opus plans and reviews, Sonnet implements, Haiku does small mechanical work. */
export type ModelRole = 'opus' | 'sonnet' | 'haiku';
export const MODEL_ROLES: readonly ModelRole[] = ['opus', 'sonnet', 'haiku'];

/** Prices in US dollars per million tokens. `cacheWrite` is the 5-minute cache write. */
export interface Prices {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export interface ModelInfo {
  id: Model;
  role: ModelRole;
  label: string;
  contextWindow: number;
  maxOutput: number;
  prices: Prices;
  /**
   * Some models charge more once a prompt passes a size. When a request's prompt (input + cache reads + cache
   * writes) exceeds `threshold` tokens, every token of that request is priced at `prices`.
   */
  longPrompt?: { threshold: number; prices: Prices };
}

/**
 * Source: Anthropic's model overview pages (platform.claude.com/docs/en/models/*), read 2026-11-24.
 * Update this table, and its date, when the published prices change. Only the official pages count: third-party
 * trackers have reported a lower Sonnet 5.5 cache-read price (from 2026-10-07) that those pages do not show. Users
 * whose bill differs set `opusOrchestrator.prices` (or `--prices`), and every figure follows (usage/prices.ts).
 */
export const PRICES_AS_OF = '2026-11-24';

export const MODEL_TABLE: Readonly<Record<ModelRole, ModelInfo>> = {
  opus: {
    id: 'claude-opus-5-5',
    role: 'opus',
    label: 'Opus',
    contextWindow: 1_000_000,
    maxOutput: 128_000,
    prices: { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 },
  },
  sonnet: {
    id: 'claude-sonnet-5-5',
    role: 'sonnet',
    label: 'Sonnet',
    contextWindow: 1_000_000,
    maxOutput: 128_000,
    prices: { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
  },
  haiku: {
    id: 'claude-haiku-5-5',
    role: 'haiku',
    label: 'Haiku',
    contextWindow: 1_000_000,
    maxOutput: 128_000,
    prices: { input: 0.1, output: 0.5, cacheWrite: 0.125, cacheRead: 0.01 },
    longPrompt: { threshold: 100_000, prices: { input: 0.5, output: 2.5, cacheWrite: 0.625, cacheRead: 0.05 } },
  },
};

/** User overrides of the model id per role (settings or CLI flags). */
export type ModelOverrides = Partial<Record<ModelRole, string>>;

/**
 * The model a role runs on. An overridden id keeps the role's window and prices: a user who points "sonnet" at
 * another Sonnet snapshot still sees honest (if approximate) figures rather than none.
 */
export function modelFor(role: ModelRole, overrides: ModelOverrides = {}): ModelInfo {
  const base = MODEL_TABLE[role];
  const id = overrides[role]?.trim();
  return id ? { ...base, id } : base;
}

/** The table entry for a model id, matching overrides too; undefined for an id we have no figures for. */
export function modelById(id: string, overrides: ModelOverrides = {}): ModelInfo | undefined {
  for (const role of MODEL_ROLES) {
    const info = modelFor(role, overrides);
    if (info.id === id) {
      return info;
    }
  }
  return undefined;
}

/** One step up in capability, for escalating a failed subtask; Opus stays Opus. */
export function escalate(role: ModelRole): ModelRole {
  return role === 'haiku' ? 'sonnet' : 'opus';
}

/**
 * The model to offer when a model's safety classifiers decline a request. Anthropic's guidance is to send the same
 * request to another Claude model, which usually answers; each model's classifiers differ. Haiku and Sonnet go one
 * step up, as a failed subtask escalates; Opus, with nothing above it, goes to Sonnet.
 */
export function refusalFallback(role: ModelRole): ModelRole {
  return role === 'opus' ? 'sonnet' : escalate(role);
}
