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

/**
 * Where a role's model runs: Anthropic's API (or a base URL speaking it), Amazon Bedrock, Google Vertex AI, or a chat
 * model the editor offers through VS Code's Language Model API (billed through the user's seat, not per token).
 */
export type ProviderId = 'anthropic' | 'bedrock' | 'vertex' | 'vscode-lm';
export const PROVIDERS: readonly ProviderId[] = ['anthropic', 'bedrock', 'vertex', 'vscode-lm'];
export const PROVIDER_LABELS: Readonly<Record<ProviderId, string>> = {
  anthropic: 'Anthropic API',
  bedrock: 'Amazon Bedrock',
  vertex: 'Google Vertex AI',
  'vscode-lm': 'VS Code language model',
};

export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && (PROVIDERS as readonly string[]).includes(value);
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
  /** Where it runs; absent means Anthropic's API. */
  provider?: ProviderId;
  /** 'seat': billed through a subscription (VS Code's language models), so dollar figures would be invented. */
  billing?: 'tokens' | 'seat';
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

/** User overrides of the model id per role (settings or CLI flags), as the role's provider names the model. */
export type ModelOverrides = Partial<Record<ModelRole, string>>;

/**
 * Model ids on Amazon Bedrock (the global cross-region inference profiles, which every commercial region offers) and
 * Google Vertex AI (the global endpoint), for the same three models. Source: the Bedrock model cards
 * (docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-*-5-5) and Anthropic's "Claude on Vertex
 * AI" page, read 2026-11-28.
 */
export const PLATFORM_MODEL_IDS: Readonly<Record<'bedrock' | 'vertex', Record<ModelRole, string>>> = {
  bedrock: {
    opus: 'global.anthropic.claude-opus-5-5',
    sonnet: 'global.anthropic.claude-sonnet-5-5',
    haiku: 'global.anthropic.claude-haiku-5-5',
  },
  vertex: { opus: 'claude-opus-5-5', sonnet: 'claude-sonnet-5-5', haiku: 'claude-haiku-5-5' },
};

/**
 * Bedrock and Vertex list the same per-token prices as Anthropic on their global endpoints; a regional endpoint (a
 * Bedrock id without the `global.` profile, a Vertex region other than `global`) costs 10% more. Source: Anthropic's
 * pricing page, "Third-party platform pricing", read 2026-11-28 (PRICES_AS_OF covers this table too). Users whose
 * contract differs set `opusOrchestrator.prices` for the model id.
 */
export const REGIONAL_PREMIUM = 1.1;

/** A chat model the editor offers (VS Code's Language Model API) chosen for a role. */
export interface SeatModel {
  id: string;
  label: string;
  contextWindow: number;
  maxOutput: number;
}

/** What a role runs on: its provider, whether a Vertex region is regional, and the chosen editor model. */
export interface RoleProvider {
  provider: ProviderId;
  /** Vertex: the region is not `global` (Bedrock tells from the model id). */
  regional?: boolean;
  /** vscode-lm: the editor's model picked for the role; undefined until one is picked. */
  seat?: SeatModel;
}

const ANTHROPIC_EVERYWHERE: Readonly<Record<ModelRole, RoleProvider>> = Object.freeze({
  opus: { provider: 'anthropic' },
  sonnet: { provider: 'anthropic' },
  haiku: { provider: 'anthropic' },
});

let roster: Record<ModelRole, RoleProvider> = { ...ANTHROPIC_EVERYWHERE };

/**
 * Sets where each role runs, for every model figure made from now on. Process-wide like the price overrides: one
 * editor window or CLI run talks to one set of accounts. Roles left out run on Anthropic's API.
 */
export function setRoleProviders(roles: Partial<Record<ModelRole, RoleProvider>>): void {
  roster = { ...ANTHROPIC_EVERYWHERE, ...roles };
}

export function roleProvider(role: ModelRole): RoleProvider {
  return roster[role];
}

function withPremium(p: Prices): Prices {
  const up = (n: number): number => Math.round(n * REGIONAL_PREMIUM * 1e6) / 1e6;
  return { input: up(p.input), output: up(p.output), cacheWrite: up(p.cacheWrite), cacheRead: up(p.cacheRead) };
}

const NO_PRICES: Prices = Object.freeze({ input: 0, output: 0, cacheWrite: 0, cacheRead: 0 });

/**
 * The model a role runs on. An overridden id keeps the role's window and prices: a user who points "sonnet" at
 * another Sonnet snapshot still sees honest (if approximate) figures rather than none.
 */
export function modelFor(role: ModelRole, overrides: ModelOverrides = {}): ModelInfo {
  const base = MODEL_TABLE[role];
  const given = overrides[role]?.trim();
  const where = roster[role];
  switch (where.provider) {
    case 'anthropic':
      return given ? { ...base, id: given } : base;
    case 'vscode-lm': {
      const seat = where.seat;
      return {
        ...base,
        id: seat?.id ?? given ?? '',
        label: seat ? seat.label : base.label,
        contextWindow: seat?.contextWindow ?? base.contextWindow,
        maxOutput: seat?.maxOutput ?? base.maxOutput,
        prices: NO_PRICES,
        longPrompt: undefined,
        provider: 'vscode-lm',
        billing: 'seat',
      };
    }
    default: {
      const id = given || PLATFORM_MODEL_IDS[where.provider][role];
      const regional = where.provider === 'bedrock' ? !id.startsWith('global.') : where.regional === true;
      const info: ModelInfo = { ...base, id, provider: where.provider };
      if (regional) {
        info.prices = withPremium(base.prices);
        info.longPrompt = base.longPrompt && { ...base.longPrompt, prices: withPremium(base.longPrompt.prices) };
      }
      return info;
    }
  }
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

/** Whether a model is billed per token: seat-billed models have no dollar figures to show. */
export function billedPerToken(model: Pick<ModelInfo, 'billing'>): boolean {
  return model.billing !== 'seat';
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
