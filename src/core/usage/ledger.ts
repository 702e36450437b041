import type { ModelRole } from '../models';
import { MODEL_ROLES, MODEL_TABLE, modelById } from '../models';
import type { UsageEntry } from '../plan/state';
import type { Usage } from './usage';
import { ZERO_USAGE, addUsage, costOfCall } from './usage';

export interface UsageTotal {
  usage: Usage;
  cost: number;
}

/** An entry to record; `cost` is priced from the model when left out, `at` defaults to now. */
export type NewUsageEntry = Omit<UsageEntry, 'cost' | 'at'> & { cost?: number; at?: string };

/**
 * The price of one entry: the model's own figures when known, else its role's under the entry's model id (overridden
 * ids keep role prices, and a price override set for that id still applies).
 */
export function priceEntry(entry: Pick<UsageEntry, 'model' | 'role' | 'usage'>): number {
  return costOfCall(entry.usage, modelById(entry.model) ?? { ...MODEL_TABLE[entry.role], id: entry.model });
}

/** Every billed model call of a plan: the source of every gauge, the status bar and the cost caps. */
export class Ledger {
  private readonly list: UsageEntry[];

  /** `entries` restored from the store are kept as they were recorded (their prices included). */
  constructor(entries: readonly UsageEntry[] = []) {
    this.list = entries.map((e) => ({ ...e, usage: { ...e.usage } }));
  }

  record(entry: NewUsageEntry): UsageEntry {
    const full: UsageEntry = {
      ...entry,
      usage: { ...entry.usage },
      cost: entry.cost ?? priceEntry(entry),
      at: entry.at ?? new Date().toISOString(),
    };
    this.list.push(full);
    return full;
  }

  /** Copies of the entries, oldest first; from the `from`-th on when given (what is new since a save). */
  entries(from = 0): UsageEntry[] {
    return this.list.slice(from).map((e) => ({ ...e, usage: { ...e.usage } }));
  }

  get size(): number {
    return this.list.length;
  }

  /** Tokens of one owner ('plan' or a subtask id), or of everything. */
  usageOf(owner?: string): Usage {
    return this.select(owner).reduce<Usage>((sum, e) => addUsage(sum, e.usage), { ...ZERO_USAGE });
  }

  costOf(owner?: string): number {
    return this.select(owner).reduce((sum, e) => sum + e.cost, 0);
  }

  /** Tokens and dollars per role, every role present (zero when unused). */
  byRole(): Record<ModelRole, UsageTotal> {
    const out = {} as Record<ModelRole, UsageTotal>;
    for (const role of MODEL_ROLES) {
      out[role] = { usage: { ...ZERO_USAGE }, cost: 0 };
    }
    for (const e of this.list) {
      const slot = out[e.role];
      slot.usage = addUsage(slot.usage, e.usage);
      slot.cost += e.cost;
    }
    return out;
  }

  total(): UsageTotal {
    return { usage: this.usageOf(), cost: this.costOf() };
  }

  private select(owner: string | undefined): UsageEntry[] {
    return owner === undefined ? this.list : this.list.filter((e) => e.owner === owner);
  }
}
