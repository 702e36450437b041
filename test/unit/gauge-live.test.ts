import assert from 'node:assert/strict';
import { MODEL_TABLE, PRICES_AS_OF } from '../../src/core/models';
import type { SubtaskState } from '../../src/core/plan/state';
import { parsePriceOverrides, setPriceOverrides } from '../../src/core/usage/prices';
import { costLine, gaugeText, subtaskFigures } from '../../src/vscode/gauge';

/** The gauge words are pure functions over the plan state (src/vscode/gauge.ts imports no `vscode`). */
describe('gauge while a model works', () => {
  const running = (live: SubtaskState['live']): SubtaskState => ({
    id: 's1',
    status: 'running',
    model: 'sonnet',
    attempt: 1,
    estimate: { inputTokens: 1000, outputTokens: 500, cost: 0.01 },
    live,
  });

  afterEach(() => {
    setPriceOverrides({});
  });

  it('leads with what the model is doing, so a row does not look frozen while it thinks', () => {
    const usage = { input: 12_000, output: 1, cacheRead: 0, cacheWrite: 0 };
    const label = MODEL_TABLE.sonnet.label;
    const text = (phase?: string) =>
      gaugeText(label, subtaskFigures(running({ ...usage, ...(phase ? { phase } : {}) }), [], MODEL_TABLE.sonnet));
    assert.equal(text('thinking'), 'thinking… 12k tok · $0.02 · Sonnet');
    assert.equal(text('writing'), 'writing… 12k tok · $0.02 · Sonnet');
    assert.equal(text('tool'), 'calling a tool… 12k tok · $0.02 · Sonnet');
    assert.equal(text('starting'), 'starting… 12k tok · $0.02 · Sonnet');
    assert.equal(text(), '12k tok ⟳ · $0.02 · Sonnet', 'a live figure without a phase spins');
  });

  it('names the price table and its date in the cost line, and says when prices are overridden', () => {
    assert.equal(costLine('done', 0.04), `Cost $0.04 · list prices of ${PRICES_AS_OF}`);
    assert.equal(costLine('estimate', 0.04), `Estimated cost ~$0.04 · list prices of ${PRICES_AS_OF}`);
    setPriceOverrides(parsePriceOverrides({ sonnet: { cacheRead: 0.1 } }).overrides);
    assert.equal(
      costLine('done', 0.04),
      `Cost $0.04 · list prices of ${PRICES_AS_OF}, overridden for sonnet (opusOrchestrator.prices)`,
    );
  });
});
