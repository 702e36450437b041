import { z } from 'zod';
import type { ModelInfo, Prices } from '../models';
import { PRICES_AS_OF } from '../models';

/**
 * Prices the user sets over the dated table (the `opusOrchestrator.prices` setting, the CLI's `--prices` flag or
 * OPUS_ORCHESTRATOR_PRICES): per model id or role, any of input / output / cacheWrite / cacheRead in US dollars per
 * million tokens. Published prices change between releases of this table; an override lets every figure follow the
 * user's real prices at once. It is process-wide because prices belong to the account, not to one plan.
 */
export type PriceOverrides = Record<string, Partial<Prices>>;

const PRICE = z.number({ error: 'must be a number of dollars per million tokens' }).finite().min(0);
const ENTRY = z.strictObject({
  input: PRICE.optional(),
  output: PRICE.optional(),
  cacheWrite: PRICE.optional(),
  cacheRead: PRICE.optional(),
});

let active: PriceOverrides = {};

/** Where a price list came from, named in its errors: the setting, the flag or the variable. */
export type PriceSource = 'opusOrchestrator.prices' | '--prices' | 'OPUS_ORCHESTRATOR_PRICES';

/**
 * Checks a price list (an object, or JSON text of one). Valid entries are kept and every problem is listed, so one
 * typo neither loses the other overrides nor passes silently.
 */
export function parsePriceOverrides(value: unknown): { overrides: PriceOverrides; errors: string[] } {
  if (value === undefined || value === null || value === '') {
    return { overrides: {}, errors: [] };
  }
  let raw: unknown = value;
  if (typeof value === 'string') {
    try {
      raw = JSON.parse(value) as unknown;
    } catch (err) {
      return { overrides: {}, errors: [`not valid JSON (${(err as Error).message})`] };
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { overrides: {}, errors: ['must be an object of model ids or roles, e.g. {"sonnet": {"cacheRead": 0.1}}'] };
  }
  const overrides: PriceOverrides = {};
  const errors: string[] = [];
  for (const [key, entry] of Object.entries(raw)) {
    if (key.trim() === '') {
      errors.push('an empty model id or role');
      continue;
    }
    const checked = ENTRY.safeParse(entry);
    if (checked.success) {
      overrides[key.trim()] = stripUndefined(checked.data);
      continue;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      errors.push(`${key}: must be an object such as {"input": 2, "cacheRead": 0.1}`);
      continue;
    }
    for (const issue of checked.error.issues) {
      const where = issue.path.length > 0 ? `${key}.${issue.path.join('.')}` : key;
      errors.push(`${where}: ${describeIssue(issue)}`);
    }
  }
  return { overrides, errors };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field ${issue.keys.join(', ')} (use input, output, cacheWrite, cacheRead)`;
  }
  if (issue.code === 'too_small') {
    return 'must be ≥ 0';
  }
  return issue.message;
}

function stripUndefined(p: Partial<Prices>): Partial<Prices> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Partial<Prices>;
}

/** Replaces the overrides in force (an empty object restores the table). */
export function setPriceOverrides(overrides: PriceOverrides): void {
  active = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, { ...v }]));
}

export function priceOverrides(): Readonly<PriceOverrides> {
  return active;
}

/**
 * A model's standard prices with the overrides applied: its id's entry first, then its role's, then the table. Haiku's
 * long-prompt tier keeps the table's figures unless the id or role is overridden, when it follows the same override.
 */
export function pricesFor(model: ModelInfo, tier: Prices = model.prices): Prices {
  const byId = active[model.id];
  const byRole = active[model.role];
  if (!byId && !byRole) {
    return tier;
  }
  return { ...tier, ...byRole, ...byId };
}

/** For tooltips: which table the figures come from, and which of its entries the user replaced. */
export function priceSourceText(): string {
  const keys = Object.keys(active);
  const table = `list prices of ${PRICES_AS_OF}`;
  return keys.length === 0 ? table : `${table}, overridden for ${keys.join(', ')} (opusOrchestrator.prices)`;
}
