import assert from 'node:assert/strict';
import { modelFor } from '../../src/core/models';
import type { Plan } from '../../src/core/plan/schema';
import type { UsageEntry } from '../../src/core/plan/state';
import { planOpusAlone, plannerThinking } from '../../src/core/usage/baseline';
import { OUTPUT_RULES, THINKING_TOKENS } from '../../src/core/usage/estimate';
import { BASELINE_FORMULA, LEAN_AGENT, leanReads, leanSession, opusAloneFigure } from '../../src/core/usage/opusAlone';
import type { SessionWork } from '../../src/core/usage/opusAlone';
import { costOfCall, estimateTokens } from '../../src/core/usage/usage';
import type { RunWork } from '../../src/core/usage/work';

const opus = modelFor('opus');

const WORK: SessionWork = {
  task: 150,
  reads: [700, 700, 400],
  edits: [120, 80, 200],
  thinking: { locate: 400, edit: 300, answer: 50 },
  answer: 120,
};

function source(functions: number): string {
  return Array.from(
    { length: functions },
    (_, i) => `export function f${i}(x: number): number {\n  return x + ${i};\n}\n`,
  ).join('\n');
}

describe('the "Opus alone" figure', () => {
  it('is a lean session of four requests: the fixed prefix written once, then read, the last writing nothing', () => {
    const s = leanSession(WORK, opus);
    assert.deepEqual(
      s.turns.map((t) => t.label),
      ['locate', 'read', 'edit', 'answer'],
    );
    const first = LEAN_AGENT.prefixTokens + LEAN_AGENT.firstTurnTokens + WORK.task;
    assert.deepEqual(s.turns[0]?.usage, { input: 0, cacheRead: 0, cacheWrite: first, output: 230 });
    assert.equal(s.turns[1]?.usage.cacheRead, first, 'the second request reads the first');
    assert.equal(s.turns[3]?.usage.cacheWrite, 0, 'nothing reads what the last request would write');
    for (const [i, t] of s.turns.entries()) {
      assert.equal(t.usage.input + t.usage.cacheRead + t.usage.cacheWrite, t.prompt);
      if (i > 0) {
        assert.equal(t.usage.cacheRead, s.turns[i - 1]?.prompt, `request ${i + 1} reads the whole conversation so far`);
      }
    }
    assert.equal(
      s.outputTokens,
      400 + 300 + 50 + 120 + 400 + LEAN_AGENT.searchCallTokens + 3 * LEAN_AGENT.readCallTokens,
    );
    assert.equal(
      s.cost,
      s.turns.reduce((n, t) => n + costOfCall(t.usage, opus), 0),
    );
  });

  it('finds only the fixed prefix again after a turn of more than 20 blocks, as the API’s lookback does', () => {
    const many = leanSession({ ...WORK, reads: Array.from({ length: 12 }, () => 300) }, opus);
    const edit = many.turns[2];
    assert.equal(edit?.label, 'edit');
    assert.equal(edit?.usage.cacheRead, LEAN_AGENT.prefixTokens, '12 parallel reads add 25 blocks');
    const few = leanSession({ ...WORK, reads: Array.from({ length: 9 }, () => 400) }, opus);
    assert.equal(few.turns[2]?.usage.cacheRead, few.turns[1]?.prompt, '9 reads add 19 blocks, within reach');
  });

  it('before dispatch: the slices each file shows, once however many subtasks show them, and the expected edits', async () => {
    const text = source(200);
    const focus = { symbols: ['f10'], lines: [] };
    const file = { path: 'src/f.ts', create: false, focus };
    const plan: Plan = {
      goal: 'Bump f10.',
      subtasks: ['a', 'b'].map((id) => ({
        id,
        title: id,
        instructions: 'Change f10.',
        model: 'sonnet' as const,
        files: [file],
        acceptanceCriteria: [],
        dependsOn: [],
      })),
    };
    const ledger: UsageEntry[] = [
      {
        owner: 'plan',
        attempt: 1,
        model: opus.id,
        role: 'opus',
        usage: { input: 3_000, output: estimateTokens(JSON.stringify(plan)) + 400, cacheRead: 0, cacheWrite: 0 },
        cost: 0,
        at: '2026-11-28T00:00:00Z',
      },
    ];
    assert.equal(plannerThinking(ledger, plan), 400);
    const figure = await planOpusAlone({
      task: 'Bump f10 in src/f.ts.',
      plan,
      subtasks: {},
      ledger,
      files: async (spec) => spec.files.map((f) => ({ ...f, text })),
      model: opus,
    });
    const read = figure.turns.find((t) => t.label === 'read');
    const edit = figure.turns.find((t) => t.label === 'edit');
    assert.ok(read && edit);
    assert.equal(read.usage.output, 200 + LEAN_AGENT.readCallTokens, 'the shared slice is read once, in one call');
    assert.equal(edit.usage.output, 2 * (OUTPUT_RULES.editTokens + THINKING_TOKENS.opus.low.perEdit));
    const prefixWrite = costOfCall(
      { input: 0, cacheRead: 0, cacheWrite: figure.turns[0]?.prompt ?? 0, output: 0 },
      opus,
    );
    assert.ok(figure.cost > prefixWrite && figure.cost < prefixWrite + 0.05, `a two-edit job: $${figure.cost}`);
  });

  it('after the runs: what the workers were shown and wrote, their edit thinking, one answer', () => {
    const runA: RunWork = {
      reads: [{ path: 'a.ts', start: 10, end: 40, tokens: 500 }],
      edits: [
        { path: 'a.ts', tokens: 100 },
        { path: 'a.ts', tokens: 60 },
      ],
      thinking: { edit: 200, read: 0, answer: 50 },
      answer: 90,
      turns: 2,
    };
    const runB: RunWork = {
      reads: [
        { path: 'a.ts', start: 30, end: 60, tokens: 500 },
        { path: 'b.ts', start: 1, end: 20, tokens: 300 },
      ],
      edits: [{ path: 'b.ts', tokens: 140 }],
      thinking: { edit: 100, read: 250, answer: 80 },
      answer: 150,
      turns: 3,
    };
    const none = { reads: [], edits: [] };
    const after = opusAloneFigure({ task: 150, runs: [runA, runB], planned: none, plannerThinking: 400, model: opus });
    const expected = leanSession(
      {
        task: 150,
        // a.ts 10-60 (51 lines, merged) and b.ts 1-20, each shorter than a 60-line window.
        reads: [Math.round(((500 + Math.round(20 * (500 / 31))) / 51) * 60), Math.round((300 / 20) * 60)],
        edits: [100, 60, 140],
        thinking: { locate: 400, edit: 300, answer: 50 },
        answer: 90,
      },
      opus,
    );
    assert.deepEqual(after, expected, 'overlapping reads merge; read-only thinking is left out; the smallest answer');
  });

  it('after runs that ended with finish: their summaries stand for the answer, with no closing thinking', () => {
    const finished: RunWork = {
      reads: [{ path: 'a.ts', start: 1, end: 60, tokens: 900 }],
      edits: [{ path: 'a.ts', tokens: 120 }],
      thinking: { edit: 150, read: 0, answer: 0 },
      answer: 70,
      turns: 1,
    };
    const none = { reads: [], edits: [] };
    const after = opusAloneFigure({ task: 150, runs: [finished], planned: none, plannerThinking: 400, model: opus });
    const expected = leanSession(
      { task: 150, reads: [900], edits: [120], thinking: { locate: 400, edit: 150, answer: 0 }, answer: 70 },
      opus,
    );
    assert.deepEqual(after, expected);
  });

  it('comes out the same before and after when the runs did what the plan expected', () => {
    const reads = [{ path: 'a.ts', start: 1, end: 30, tokens: 400 }];
    const edit = { path: 'a.ts', tokens: OUTPUT_RULES.editTokens };
    const before = opusAloneFigure({
      task: 100,
      runs: [],
      planned: { reads, edits: [edit, edit] },
      plannerThinking: 300,
      model: opus,
    });
    const run: RunWork = {
      reads,
      edits: [edit, edit],
      thinking: { edit: 2 * THINKING_TOKENS.opus.low.perEdit, read: 0, answer: THINKING_TOKENS.opus.low.perRun },
      answer: 150,
      turns: 2,
    };
    const after = opusAloneFigure({
      task: 100,
      runs: [run],
      planned: { reads: [], edits: [] },
      plannerThinking: 300,
      model: opus,
    });
    assert.deepEqual(after, before);
  });

  it('reads windows around each place: a short slice as one, a large file shown whole as one per edit', () => {
    const whole = { path: 'big.ts', start: 1, end: 600, tokens: 6_000, whole: true };
    const edits = [
      { path: 'big.ts', tokens: 100 },
      { path: 'big.ts', tokens: 100 },
    ];
    assert.deepEqual(leanReads([whole], edits), [600, 600]);
    assert.deepEqual(leanReads([{ ...whole, end: 50, tokens: 500 }], edits), [500], 'a short file is one read');
    assert.deepEqual(leanReads([{ ...whole, whole: false }], edits), [6_000], 'a long slice is read as it was shown');
    assert.deepEqual(
      leanReads([{ ...whole, end: 6, tokens: 60, whole: false }], edits),
      [600],
      'a short slice counts as one window around it',
    );
    assert.deepEqual(
      leanReads([{ ...whole, end: 6, tokens: 60, whole: false, lineTokens: 8 }], edits),
      [480],
      'at the file’s tokens per line when the slice knows them',
    );
  });

  it('documents its source and formula', () => {
    assert.match(LEAN_AGENT.source, /Claude Code 2\.1\.328.*2026-11-28/);
    assert.match(BASELINE_FORMULA, /12,426/);
    assert.ok(!BASELINE_FORMULA.includes('\n'));
  });
});
