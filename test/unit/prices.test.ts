import assert from 'node:assert/strict';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { LlmClient } from '../../src/core/llm/client';
import { MODEL_TABLE, PRICES_AS_OF, modelFor } from '../../src/core/models';
import { estimateSubtask } from '../../src/core/usage/estimate';
import { Ledger } from '../../src/core/usage/ledger';
import { parsePriceOverrides, priceSourceText, setPriceOverrides } from '../../src/core/usage/prices';
import { costOfCall } from '../../src/core/usage/usage';
import { textReply } from '../fake-anthropic/replies';
import { startFakeAnthropic } from '../fake-anthropic/server';

const MTOK_CACHE_READ = { input: 0, output: 0, cacheRead: 1_000_000, cacheWrite: 0 };

describe('price overrides', () => {
  afterEach(() => {
    setPriceOverrides({});
  });

  it('keeps the dated table by default: Sonnet 5.5 reads its cache at $0.20 per million tokens', () => {
    assert.equal(MODEL_TABLE.sonnet.prices.cacheRead, 0.2);
    assert.equal(costOfCall(MTOK_CACHE_READ, modelFor('sonnet')), 0.2);
    assert.equal(priceSourceText(), `list prices of ${PRICES_AS_OF}`);
  });

  it('prices every call from an override by model id or role, the id winning, other fields from the table', () => {
    const parsed = parsePriceOverrides({ 'claude-sonnet-5-5': { cacheRead: 0.1 }, sonnet: { cacheRead: 0.15 } });
    assert.deepEqual(parsed.errors, []);
    setPriceOverrides(parsed.overrides);
    const sonnet = modelFor('sonnet');
    assert.equal(costOfCall(MTOK_CACHE_READ, sonnet), 0.1);
    assert.equal(costOfCall({ ...MTOK_CACHE_READ, cacheRead: 0, input: 1_000_000 }, sonnet), 2, 'input unchanged');
    assert.equal(costOfCall(MTOK_CACHE_READ, modelFor('opus')), 0.2, 'other models keep the table');
    // An overridden model id falls back to its role's override.
    assert.equal(costOfCall(MTOK_CACHE_READ, modelFor('sonnet', { sonnet: 'claude-sonnet-5' })), 0.15);
    assert.match(priceSourceText(), new RegExp(`^list prices of ${PRICES_AS_OF}, overridden for claude-sonnet-5-5`));
  });

  it('uses the overrides for the ledger, recorded calls and estimates', async () => {
    setPriceOverrides(parsePriceOverrides({ sonnet: { input: 3, output: 15 } }).overrides);
    const ledger = new Ledger();
    ledger.record({ owner: 's1', attempt: 1, model: 'claude-sonnet-5-5', role: 'sonnet', usage: MTOK_CACHE_READ });
    ledger.record({
      owner: 's1',
      attempt: 1,
      model: 'claude-sonnet-5-5',
      role: 'sonnet',
      usage: { input: 1_000_000, output: 0, cacheRead: 0, cacheWrite: 0 },
    });
    assert.equal(ledger.costOf('s1'), 0.2 + 3);

    const fake = await startFakeAnthropic();
    try {
      const llm = new LlmClient({ apiKey: 'sk-ant-test-prices', baseURL: fake.url, maxRetries: 0 });
      fake.enqueue(textReply('ok', { input: 0, output: 1_000_000 }));
      const messages: MessageParam[] = [{ role: 'user', content: 'hi' }];
      const book = new Ledger();
      await llm.call({ model: modelFor('sonnet'), messages, maxTokens: 100 }, { ledger: book, owner: 's2' });
      assert.equal(book.costOf('s2'), 15, 'the model call is priced at the overridden output price');
    } finally {
      await fake.close();
    }

    const spec = {
      id: 'x',
      title: 't',
      instructions: 'i',
      model: 'sonnet' as const,
      files: [],
      acceptanceCriteria: [],
      dependsOn: [],
    };
    const estimate = estimateSubtask({ goal: 'g', subtask: spec, files: [], views: [], model: modelFor('sonnet') });
    setPriceOverrides({});
    const atTable = estimateSubtask({ goal: 'g', subtask: spec, files: [], views: [], model: modelFor('sonnet') });
    // The worker's prompt is cached (written, then read), so only the output price moved: $10 → $15 a million.
    const expected = atTable.cost + (estimate.outputTokens * 5) / 1e6;
    assert.ok(Math.abs(estimate.cost - expected) < 1e-12, `${estimate.cost} vs ${expected} (table ${atTable.cost})`);
  });

  it('refuses bad overrides with a message that says where and what, keeping the good entries', () => {
    const parsed = parsePriceOverrides({
      opus: { input: 5 },
      sonnet: { cacheRead: -0.1 },
      haiku: { output: 'cheap' },
      'claude-opus-5-5': { cache_read: 0.1 },
      '': { input: 1 },
      mythos: 3,
    });
    assert.deepEqual(parsed.overrides, { opus: { input: 5 } });
    const text = parsed.errors.join('\n');
    assert.match(text, /sonnet\.cacheRead: .*(≥|greater than or equal to) 0/);
    assert.match(text, /haiku\.output: .*number/);
    assert.match(text, /claude-opus-5-5: .*cache_read/);
    assert.match(text, /mythos: .*object/);
    assert.match(text, /empty model id or role/);
    assert.deepEqual(parsePriceOverrides('{"opus":').errors.length, 1, 'text that is not JSON');
    assert.deepEqual(parsePriceOverrides('{"opus":{"input":4.5}}').overrides, { opus: { input: 4.5 } });
    assert.deepEqual(parsePriceOverrides(['opus']).errors.length, 1);
    assert.deepEqual(parsePriceOverrides(undefined), { overrides: {}, errors: [] });
  });
});
