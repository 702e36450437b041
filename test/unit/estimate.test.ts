import assert from 'node:assert/strict';
import { modelFor } from '../../src/core/models';
import type { Subtask } from '../../src/core/plan/schema';
import {
  ESTIMATE_FORMULA,
  estimateSubtask,
  expectedOutputTokens,
  opusOnlyEstimate,
} from '../../src/core/usage/estimate';
import { costOfCall, estimateTokens } from '../../src/core/usage/usage';
import type { ScopedFile } from '../../src/core/worker/context';

const sonnet = modelFor('sonnet');
const opus = modelFor('opus');
const GOAL = 'Add input validation to the order service.';

function subtask(id: string, files: ScopedFile[]): Subtask {
  return {
    id,
    title: `Validate ${id}`,
    instructions: 'Reject negative quantities with a RangeError.',
    model: 'sonnet',
    files: files.map((f) => ({ path: f.path, create: f.create })),
    acceptanceCriteria: ['negative quantities throw RangeError'],
    dependsOn: [],
  };
}

function source(lines: number, tag: string): string {
  return (
    Array.from({ length: lines }, (_, i) => `export const ${tag}${i} = computeValue(${i}, 'x');`).join('\n') + '\n'
  );
}

describe('estimates', () => {
  it('grows with the size of the files in scope, input and output', () => {
    const small: ScopedFile[] = [{ path: 'src/order.ts', text: source(20, 'a'), create: false }];
    const large: ScopedFile[] = [{ path: 'src/order.ts', text: source(400, 'a'), create: false }];
    const a = estimateSubtask({ goal: GOAL, subtask: subtask('order', small), files: small, model: sonnet });
    const b = estimateSubtask({ goal: GOAL, subtask: subtask('order', large), files: large, model: sonnet });
    assert.ok(b.inputTokens > a.inputTokens + estimateTokens(source(380, 'a')) * 0.9, 'input counts the file text');
    assert.ok(b.outputTokens > a.outputTokens);
    assert.ok(b.cost > a.cost);
    assert.equal(
      a.cost,
      costOfCall({ input: a.inputTokens, output: a.outputTokens, cacheRead: 0, cacheWrite: 0 }, sonnet),
    );
  });

  it('prices the same context lower on Haiku than on Sonnet', () => {
    const files: ScopedFile[] = [{ path: 'src/order.ts', text: source(50, 'a'), create: false }];
    const s = estimateSubtask({ goal: GOAL, subtask: subtask('order', files), files, model: sonnet });
    const h = estimateSubtask({ goal: GOAL, subtask: subtask('order', files), files, model: modelFor('haiku') });
    assert.equal(h.inputTokens, s.inputTokens);
    assert.ok(h.cost < s.cost);
  });

  it('expects output for new files and caps the expectation', () => {
    const none = expectedOutputTokens([]);
    const withNew = expectedOutputTokens([{ path: 'src/new.ts', text: null, create: true }]);
    assert.ok(none > 0);
    assert.ok(withNew > none);
    const huge = expectedOutputTokens([{ path: 'src/big.ts', text: 'x'.repeat(2_000_000), create: false }]);
    assert.ok(huge <= 32_000, `capped, got ${huge}`);
  });

  it('counts a file shared by several subtasks once in the Opus-only baseline', () => {
    const shared: ScopedFile = { path: 'src/shared.ts', text: source(300, 's'), create: false };
    const ownA: ScopedFile = { path: 'src/a.ts', text: source(100, 'a'), create: false };
    const ownB: ScopedFile = { path: 'src/b.ts', text: source(100, 'b'), create: false };
    const filesA = [shared, ownA];
    const filesB = [shared, ownB];
    const estA = estimateSubtask({ goal: GOAL, subtask: subtask('a', filesA), files: filesA, model: sonnet });
    const estB = estimateSubtask({ goal: GOAL, subtask: subtask('b', filesB), files: filesB, model: sonnet });
    const outputTokens = estA.outputTokens + estB.outputTokens;
    const base = { task: GOAL, repoMap: 'src/\n  a.ts\n  b.ts\n  shared.ts', outputTokens, model: opus };

    const union = opusOnlyEstimate({ ...base, files: [...filesA, ...filesB] });
    const distinct = opusOnlyEstimate({ ...base, files: [shared, ownA, ownB] });
    assert.deepEqual(union, distinct, 'the shared file is counted once');

    const fileTokens = [shared, ownA, ownB].reduce((n, f) => n + estimateTokens(f.text ?? ''), 0);
    assert.ok(union.inputTokens >= fileTokens, 'the baseline reads every distinct file');
    assert.ok(union.inputTokens >= Math.max(estA.inputTokens, estB.inputTokens) - 1_500);
    assert.ok(
      union.inputTokens < estA.inputTokens + estB.inputTokens,
      'scoped runs re-read the shared file, the single session does not',
    );
    assert.equal(union.outputTokens, outputTokens);
    assert.equal(
      union.cost,
      costOfCall({ input: union.inputTokens, output: outputTokens, cacheRead: 0, cacheWrite: 0 }, opus),
    );
  });

  it('includes the repository map and task in the baseline', () => {
    const files: ScopedFile[] = [{ path: 'src/a.ts', text: 'export {};\n', create: false }];
    const small = opusOnlyEstimate({ task: GOAL, repoMap: 'src/', files, outputTokens: 0, model: opus });
    const big = opusOnlyEstimate({ task: GOAL, repoMap: 'src/\n'.repeat(2000), files, outputTokens: 0, model: opus });
    assert.ok(big.inputTokens > small.inputTokens + 2000);
  });

  it('documents both formulas in one paragraph', () => {
    assert.match(ESTIMATE_FORMULA, /Opus-only baseline/);
    assert.match(ESTIMATE_FORMULA, /each counted once/);
    assert.ok(!ESTIMATE_FORMULA.includes('\n'));
  });
});
