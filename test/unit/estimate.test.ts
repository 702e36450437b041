import assert from 'node:assert/strict';
import { modelFor } from '../../src/core/models';
import type { Effort, Subtask } from '../../src/core/plan/schema';
import { subtaskEstimate } from '../../src/core/usage/baseline';
import { ESTIMATE_FORMULA, OUTPUT_RULES, THINKING_TOKENS, expectedEdits, runCost } from '../../src/core/usage/estimate';
import type { ScopedFile } from '../../src/core/worker/context';

const sonnet = modelFor('sonnet');
const haiku = modelFor('haiku');
const GOAL = 'Add input validation to the order service.';

function source(functions: number): string {
  return Array.from(
    { length: functions },
    (_, i) => `export function check${i}(order: Order): boolean {\n  return order.quantity > ${i};\n}\n`,
  ).join('\n');
}

function subtask(files: ScopedFile[], effort: Effort = 'medium'): Subtask {
  return {
    id: 'order',
    title: 'Validate orders',
    instructions: 'Reject negative quantities with a RangeError.',
    model: 'sonnet',
    effort,
    files: files.map((f) => ({ path: f.path, create: f.create, ...(f.focus ? { focus: f.focus } : {}) })),
    acceptanceCriteria: ['negative quantities throw RangeError'],
    dependsOn: [],
  };
}

const estimate = (files: ScopedFile[], effort: Effort = 'medium', model = sonnet) =>
  subtaskEstimate({ goal: GOAL, spec: subtask(files, effort), files, model });

describe('estimates', () => {
  it('sizes the output by the places the plan points at, not by the size of the file', async () => {
    const focus = { symbols: ['check3'], lines: [] };
    const small = await estimate([{ path: 'src/order.ts', text: source(40), create: false, focus }]);
    const large = await estimate([{ path: 'src/order.ts', text: source(2_000), create: false, focus }]);
    assert.equal(large.outputTokens, small.outputTokens);
    assert.ok(large.inputTokens < small.inputTokens + 800, 'a larger file adds only to its outline and markers');
    const two = await estimate([
      {
        path: 'src/order.ts',
        text: source(2_000),
        create: false,
        focus: { symbols: ['check3', 'check900'], lines: [] },
      },
    ]);
    assert.equal(
      two.outputTokens - large.outputTokens,
      OUTPUT_RULES.editTokens + THINKING_TOKENS.sonnet.medium.perEdit,
    );
  });

  it('counts one edit per focus entry, one for a file given whole, and a new file at its own size', () => {
    const named = expectedEdits([
      { path: 'a.ts', text: 'x', create: false, focus: { symbols: ['a', 'b'], lines: [{ start: 1, end: 2 }] } },
    ]);
    assert.equal(named.count, 3);
    assert.equal(named.tokens, 3 * OUTPUT_RULES.editTokens);
    assert.equal(expectedEdits([{ path: 'a.ts', text: 'x'.repeat(40_000), create: false }]).count, 1);
    assert.deepEqual(expectedEdits([{ path: 'n.ts', text: null, create: true }]).list, [
      { path: 'n.ts', tokens: OUTPUT_RULES.newFileTokens },
    ]);
  });

  it('expects more thinking, and so more output and cost, at a higher effort', async () => {
    const files: ScopedFile[] = [{ path: 'src/order.ts', text: source(40), create: false }];
    const [low, medium, high] = await Promise.all((['low', 'medium', 'high'] as const).map((e) => estimate(files, e)));
    assert.ok(low && medium && high);
    assert.ok(low.outputTokens < medium.outputTokens && medium.outputTokens < high.outputTokens);
    assert.ok(low.cost < medium.cost && medium.cost < high.cost);
    assert.equal(low.inputTokens, high.inputTokens);
  });

  it('prices two turns with the worker’s caching, and no cache write under the model’s minimum', () => {
    const shape = { prompt: 3_000, editOutput: 600, answerOutput: 300, results: 150 };
    const cached = runCost(shape, sonnet);
    assert.deepEqual(cached.usage, { input: 0, cacheRead: 3_000, cacheWrite: 3_750, output: 900 });
    const uncachedCost = ((3_000 * 2 + 750) * sonnet.prices.input + 900 * sonnet.prices.output) / 1e6;
    assert.ok(cached.cost < uncachedCost, 'caching pays from the second turn');
    const onHaiku = runCost(shape, haiku);
    assert.equal(onHaiku.usage.cacheWrite, 0, 'Haiku caches nothing under 4,096 tokens');
    assert.equal(onHaiku.usage.input, 3_000 * 2 + 750);
  });

  it('prices a one-reply subtask at the dearer path: unmarked first request, then a second turn writing it', async () => {
    const shape = { prompt: 3_000, editOutput: 600, answerOutput: 300, results: 150 };
    const unmarked = runCost(shape, sonnet, false);
    assert.deepEqual(unmarked.usage, { input: 3_000, cacheRead: 0, cacheWrite: 3_750, output: 900 });
    const marked = runCost(shape, sonnet);
    assert.ok(unmarked.cost > marked.cost, 'a second turn after an unmarked first request bills more');
    const oneCall = (3_000 * sonnet.prices.input + 600 * sonnet.prices.output) / 1e6;
    assert.ok(oneCall < marked.cost, 'a run of one call bills least');

    const files: ScopedFile[] = [{ path: 'src/order.ts', text: source(80), create: false }];
    const plain = await estimate(files);
    const spec: Subtask = { ...subtask(files), oneReply: true };
    const oneReply = await subtaskEstimate({ goal: GOAL, spec, files, model: sonnet });
    assert.ok(plain.inputTokens >= 1_024, 'long enough to be cached');
    assert.equal(oneReply.inputTokens, plain.inputTokens);
    assert.equal(oneReply.outputTokens, plain.outputTokens);
    assert.ok(oneReply.cost > plain.cost, 'the one-reply estimate covers a second turn without the mark');
    const expected = runCost(
      {
        prompt: plain.inputTokens,
        editOutput: plain.outputTokens - THINKING_TOKENS.sonnet.medium.perRun - OUTPUT_RULES.answerTokens,
        answerOutput: THINKING_TOKENS.sonnet.medium.perRun + OUTPUT_RULES.answerTokens,
        results: OUTPUT_RULES.editResultTokens,
      },
      sonnet,
      false,
    );
    assert.ok(Math.abs(oneReply.cost - expected.cost) < 1e-12, `${oneReply.cost} vs ${expected.cost}`);
  });

  it('documents the formula in one paragraph', () => {
    assert.match(ESTIMATE_FORMULA, /sized by the change/);
    assert.match(ESTIMATE_FORMULA, /effort/);
    assert.match(ESTIMATE_FORMULA, /one reply/);
    assert.ok(!ESTIMATE_FORMULA.includes('\n'));
  });
});
