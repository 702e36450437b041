import assert from 'node:assert/strict';
import { Ledger, priceEntry } from '../../src/core/usage/ledger';
import type { PlanState, SubtaskStatus, UsageEntry } from '../../src/core/plan/state';
import { planTotals } from '../../src/core/session/statuses';

const usage = (input: number, output = 0, cacheRead = 0, cacheWrite = 0) => ({ input, output, cacheRead, cacheWrite });

describe('usage ledger', () => {
  it('prices entries recorded without a cost from the model table', () => {
    const ledger = new Ledger();
    const entry = ledger.record({
      owner: 's1',
      attempt: 1,
      model: 'claude-sonnet-5-5',
      role: 'sonnet',
      usage: usage(1e6),
    });
    assert.equal(entry.cost, 2);
    assert.match(entry.at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(ledger.costOf('s1'), 2);
  });

  it('prices an overridden model id at its role prices', () => {
    assert.equal(priceEntry({ model: 'claude-sonnet-5', role: 'sonnet', usage: usage(0, 1e6) }), 10);
    assert.equal(priceEntry({ model: 'claude-opus-5-5', role: 'opus', usage: usage(0, 0, 1e6, 1e6) }), 5.2);
  });

  it('applies the long-prompt tier per call, not per total', () => {
    const ledger = new Ledger();
    for (let i = 0; i < 3; i += 1) {
      ledger.record({ owner: 's1', attempt: 1, model: 'claude-haiku-5-5', role: 'haiku', usage: usage(60_000) });
    }
    // 180K tokens in total, but each call stays under Haiku's 100K threshold: the base price of $0.10/M applies.
    assert.equal(Math.round(ledger.costOf() * 1e6), 18_000);
  });

  it('sums usage and cost per owner, per role and in total', () => {
    const ledger = new Ledger();
    ledger.record({ owner: 'plan', attempt: 1, model: 'claude-opus-5-5', role: 'opus', usage: usage(40_000, 2_000) });
    ledger.record({
      owner: 's1',
      attempt: 1,
      model: 'claude-sonnet-5-5',
      role: 'sonnet',
      usage: usage(10_000, 1_000, 5_000),
    });
    ledger.record({ owner: 's1', attempt: 2, model: 'claude-sonnet-5-5', role: 'sonnet', usage: usage(2_000, 500) });
    ledger.record({ owner: 's2', attempt: 1, model: 'claude-haiku-5-5', role: 'haiku', usage: usage(1_000, 100) });
    assert.deepEqual(ledger.usageOf('s1'), usage(12_000, 1_500, 5_000));
    assert.equal(ledger.usageOf('nobody').input, 0);
    assert.equal(ledger.costOf('nobody'), 0);
    const roles = ledger.byRole();
    assert.deepEqual(Object.keys(roles).sort(), ['haiku', 'opus', 'sonnet']);
    assert.deepEqual(roles.opus.usage, usage(40_000, 2_000));
    assert.ok(Math.abs(roles.opus.cost - 0.2) < 1e-12);
    assert.ok(Math.abs(roles.sonnet.cost - (0.02 + 0.01 + 0.001 + 0.004 + 0.005)) < 1e-12);
    const total = ledger.total();
    assert.deepEqual(total.usage, usage(53_000, 3_600, 5_000));
    assert.ok(Math.abs(total.cost - (roles.opus.cost + roles.sonnet.cost + roles.haiku.cost)) < 1e-12);
  });

  it('restores stored entries as they were, and hands out copies', () => {
    const stored: UsageEntry[] = [
      {
        owner: 'plan',
        attempt: 1,
        model: 'claude-opus-5-5',
        role: 'opus',
        usage: usage(100),
        cost: 1.5,
        at: '2026-01-01T00:00:00.000Z',
        requestId: 'req_1',
      },
    ];
    const ledger = new Ledger(stored);
    assert.equal(ledger.costOf(), 1.5, 'the recorded price is kept, not recomputed');
    const copy = ledger.entries();
    copy[0]!.usage.input = 999;
    stored[0]!.usage.input = 999;
    assert.equal(ledger.usageOf().input, 100);
    assert.deepEqual(ledger.entries()[0]?.requestId, 'req_1');
  });
});

describe('plan totals', () => {
  const spec = (id: string) => ({
    id,
    title: id,
    instructions: '',
    model: 'sonnet' as const,
    acceptanceCriteria: [],
    dependsOn: [],
    files: [],
  });
  const view = (id: string, status: SubtaskStatus, cost: number) => ({
    spec: spec(id),
    state: { id, status, model: 'sonnet' as const, attempt: 1, estimate: { inputTokens: 0, outputTokens: 0, cost } },
  });

  it('keeps the estimate of a subtask that failed in the projection: its work is still to do', () => {
    const ledger = new Ledger();
    ledger.record({ owner: 'a', attempt: 1, model: 'claude-sonnet-5-5', role: 'sonnet', usage: usage(1_000) });
    const opusOnlyEstimate = { inputTokens: 0, outputTokens: 0, cost: 1 };
    const totals = planTotals(
      ledger,
      [view('a', 'failed', 0.3), view('b', 'pending', 0.2), view('c', 'accepted', 0.5)],
      { opusOnlyEstimate } as unknown as PlanState,
    );
    assert.equal(totals.projected, ledger.total().cost + 0.3 + 0.2);
    assert.equal(totals.saved, 1 - totals.projected);
  });
});
