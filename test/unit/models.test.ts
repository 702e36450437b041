import assert from 'node:assert/strict';
import { MODEL_TABLE, escalate, modelById, modelFor } from '../../src/core/models';
import { costOfCall, estimateTokens } from '../../src/core/usage/usage';

describe('model roster', () => {
  it('maps each role to its default model id', () => {
    assert.equal(modelFor('opus').id, 'claude-opus-5-5');
    assert.equal(modelFor('sonnet').id, 'claude-sonnet-5-5');
    assert.equal(modelFor('haiku').id, 'claude-haiku-5-5');
  });

  it('lets a user override an id while keeping the role figures', () => {
    const m = modelFor('sonnet', { sonnet: 'claude-sonnet-5' });
    assert.equal(m.id, 'claude-sonnet-5');
    assert.equal(m.prices.input, MODEL_TABLE.sonnet.prices.input);
    assert.equal(modelById('claude-sonnet-5', { sonnet: 'claude-sonnet-5' })?.role, 'sonnet');
    assert.equal(modelById('no-such-model'), undefined);
  });

  it('ignores a blank override', () => {
    assert.equal(modelFor('haiku', { haiku: '  ' }).id, 'claude-haiku-5-5');
  });

  it('escalates haiku to sonnet and sonnet to opus', () => {
    assert.equal(escalate('haiku'), 'sonnet');
    assert.equal(escalate('sonnet'), 'opus');
    assert.equal(escalate('opus'), 'opus');
  });
});

describe('pricing', () => {
  it('prices each kind of token at its own rate', () => {
    const sonnet = modelFor('sonnet');
    assert.equal(costOfCall({ input: 1_000_000, output: 0, cacheRead: 0, cacheWrite: 0 }, sonnet), 2);
    assert.equal(costOfCall({ input: 0, output: 1_000_000, cacheRead: 0, cacheWrite: 0 }, sonnet), 10);
    assert.equal(costOfCall({ input: 0, output: 0, cacheRead: 1_000_000, cacheWrite: 0 }, sonnet), 0.2);
    assert.equal(costOfCall({ input: 0, output: 0, cacheRead: 0, cacheWrite: 1_000_000 }, sonnet), 2.5);
  });

  it('switches Haiku to its long-prompt prices past 100K prompt tokens', () => {
    const haiku = modelFor('haiku');
    const small = costOfCall({ input: 100_000, output: 1000, cacheRead: 0, cacheWrite: 0 }, haiku);
    const large = costOfCall({ input: 100_001, output: 1000, cacheRead: 0, cacheWrite: 0 }, haiku);
    assert.ok(Math.abs(small - (100_000 * 0.1 + 1000 * 0.5) / 1e6) < 1e-12);
    assert.ok(Math.abs(large - (100_001 * 0.5 + 1000 * 2.5) / 1e6) < 1e-12);
  });

  it('estimates tokens consistently from characters', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('abcdefg'), 2);
    assert.equal(estimateTokens('x'.repeat(3500)), 1000);
  });
});
