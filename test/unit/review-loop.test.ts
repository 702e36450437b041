import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { diskIO } from '../../src/cli/diskIO';
import { LlmClient } from '../../src/core/llm/client';
import { modelFor } from '../../src/core/models';
import type { OrchestratorError } from '../../src/core/orchestrator';
import { Orchestrator } from '../../src/core/orchestrator';
import type { Subtask } from '../../src/core/plan/schema';
import { checkVerdict, reviewProposal, ReviewError } from '../../src/core/review/review';
import { buildProposal } from '../../src/core/edits/proposal';
import { Store } from '../../src/core/store/store';
import { Ledger } from '../../src/core/usage/ledger';
import type { FakeAnthropic, RecordedRequest } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';

const SUBTASK: Subtask = {
  id: 'rename',
  title: 'Rename the constant',
  instructions: 'Rename VALUE to LIMIT.',
  model: 'haiku',
  files: [{ path: 'src/a.ts', create: false }],
  acceptanceCriteria: ['VALUE is renamed to LIMIT', 'No other line changes'],
  dependsOn: [],
};

const PLAN = {
  goal: 'Rename things.',
  subtasks: [
    SUBTASK,
    { ...SUBTASK, id: 'other', title: 'Touch a.ts too', dependsOn: [], model: 'sonnet' },
    {
      ...SUBTASK,
      id: 'separate',
      title: 'Edit b.ts',
      files: [{ path: 'src/b.ts', create: false }],
      dependsOn: [],
    },
  ],
};

const A = 'export const VALUE = 1;\nexport const other = 2;\n';

const verdict = (met: boolean[]) => ({
  criteria: SUBTASK.acceptanceCriteria.map((criterion, i) => ({ criterion, met: met[i] ?? false, reason: `r${i}` })),
  pass: met.every(Boolean),
  summary: met.every(Boolean) ? 'Looks right.' : 'Not quite.',
});

const lastUser = (req: RecordedRequest | undefined): string => JSON.stringify(req?.body.messages?.at(-1) ?? '');
const isWorker = (req: RecordedRequest): boolean => Array.isArray(req.body.tools) && req.body.tools.length > 0;

describe('Review loop', function () {
  this.timeout(30_000);
  let fake: FakeAnthropic;
  let root: string;

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'opus-review-')));
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src/a.ts'), A);
    await fs.writeFile(path.join(root, 'src/b.ts'), 'export const b = 1;\n');
  });

  afterEach(async () => {
    await Promise.all(made.splice(0).map((o) => o.flush().catch(() => undefined)));
    await fake.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  const llm = (): LlmClient => new LlmClient({ apiKey: 'sk-ant-unit', baseURL: fake.url, maxRetries: 0 });
  /** Decisions save after they return: each engine's writes finish before its workspace is deleted. */
  const made: Orchestrator[] = [];
  const make = (): Orchestrator => {
    const orch = new Orchestrator({ root, llm: llm(), store: new Store(root), io: diskIO(root) });
    made.push(orch);
    return orch;
  };
  const read = (rel: string): Promise<string> => fs.readFile(path.join(root, rel), 'utf8');

  /** Plans, then dispatches `rename` with a worker that renames VALUE (and, when asked, also touches `other`). */
  async function inReview(orch: Orchestrator, alsoOther = false): Promise<void> {
    fake.enqueue(jsonReply(PLAN));
    await orch.plan('Rename');
    fake.setResponder((req) => {
      if (!isWorker(req)) {
        return jsonReply(verdict([true, true]));
      }
      if ((req.body.messages?.length ?? 0) > 1) {
        return textReply('Renamed.');
      }
      const calls = [
        {
          name: 'str_replace_based_edit_tool',
          input: { command: 'str_replace', path: 'src/a.ts', old_str: 'VALUE = 1', new_str: 'LIMIT = 1' },
        },
      ];
      if (alsoOther) {
        calls.push({
          name: 'str_replace_based_edit_tool',
          input: { command: 'str_replace', path: 'src/a.ts', old_str: 'other = 2', new_str: 'other = 3' },
        });
      }
      return toolUseReply(calls);
    });
    await orch.dispatch(['rename']);
    assert.equal(orch.subtask('rename')?.state.status, 'review');
  }

  describe('verdicts', () => {
    it('accepts a verdict with one entry per criterion and refuses inconsistent ones', () => {
      assert.ok(checkVerdict(JSON.stringify(verdict([true, false])), SUBTASK).verdict);
      assert.match(checkVerdict('not json', SUBTASK).errors[0] ?? '', /not valid JSON/);
      const short = { ...verdict([true, true]), criteria: verdict([true]).criteria.slice(0, 1) };
      assert.match(checkVerdict(JSON.stringify(short), SUBTASK).errors.join(), /expected 2 criteria/);
      const lying = { ...verdict([true, false]), pass: true };
      assert.match(checkVerdict(JSON.stringify(lying), SUBTASK).errors.join(), /pass is true although/);
    });

    it('Opus reads the diff, not whole files; a bad verdict gets one repair round, then a clear error', async () => {
      const files = buildProposal({
        id: 'p-1',
        subtaskId: 'rename',
        attempt: 1,
        files: [{ path: 'src/a.ts', base: A, target: A.replace('VALUE', 'LIMIT') }],
      }).files;
      const ledger = new Ledger();
      fake.enqueue(jsonReply({ ...verdict([true, false]), pass: true }), jsonReply(verdict([true, false])));
      const review = await reviewProposal({
        llm: llm(),
        model: modelFor('opus'),
        subtask: SUBTASK,
        files,
        attempt: 1,
        ledger,
      });
      assert.equal(review.pass, false);
      assert.deepEqual(
        review.criteria.map((c) => c.met),
        [true, false],
      );
      const [first, repair] = fake.requests;
      assert.equal(first?.body.model, 'claude-opus-5-5');
      assert.ok(first?.body.output_config, 'structured output');
      assert.match(JSON.stringify(first?.body), /-export const VALUE = 1;\\n\+export const LIMIT = 1;/);
      assert.match(lastUser(repair), /pass is true although/);
      assert.deepEqual(
        ledger.entries().map((e) => [e.owner, e.role]),
        [
          ['rename', 'opus'],
          ['rename', 'opus'],
        ],
      );

      fake.enqueue(jsonReply({ nope: 1 }), jsonReply({ nope: 2 }));
      await assert.rejects(
        reviewProposal({ llm: llm(), model: modelFor('opus'), subtask: SUBTASK, files, attempt: 1 }),
        ReviewError,
      );
    });
  });

  it('Review with Opus keeps the verdict on the subtask and bills it to that subtask', async () => {
    const orch = make();
    await inReview(orch);
    fake.setResponder(() => jsonReply(verdict([true, false])));
    await orch.review('rename');
    const st = orch.subtask('rename')?.state;
    assert.equal(st?.review?.pass, false);
    assert.equal(st?.review?.criteria[1]?.reason, 'r1');
    const opusForRename = orch
      .ledger()
      .entries()
      .filter((e) => e.owner === 'rename' && e.role === 'opus');
    assert.equal(opusForRename.length, 1);
    assert.equal(orch.escalation('rename'), 'sonnet', 'a failed review offers one step up');
  });

  it('re-dispatch sends the previous diff, the rejected hunks with reasons and the unmet criteria', async () => {
    const orch = make();
    await inReview(orch, true);
    fake.setResponder(() => jsonReply(verdict([true, false])));
    await orch.review('rename');
    await orch.rejectProposal('rename', 'Only rename; leave `other` alone.');
    assert.equal(orch.subtask('rename')?.state.status, 'rejected');
    assert.equal(await read('src/a.ts'), A, 'rejecting leaves the file byte-identical');

    fake.setResponder((req) => {
      if ((req.body.messages?.length ?? 0) > 1) {
        return textReply('Renamed only.');
      }
      return toolUseReply([
        {
          name: 'str_replace_based_edit_tool',
          input: { command: 'str_replace', path: 'src/a.ts', old_str: 'VALUE = 1', new_str: 'LIMIT = 1' },
        },
      ]);
    });
    const before = fake.requests.length;
    await orch.retry('rename');
    const first = JSON.stringify(fake.requests[before]?.body.messages?.[0] ?? '');
    assert.match(first, /previous attempt \(1\)/);
    assert.match(first, /-export const VALUE = 1;/, 'the previous diff');
    assert.match(first, /Only rename; leave `other` alone\./, 'the reason');
    assert.match(first, /No other line changes: r1/, 'the unmet criterion and why');
    const st = orch.subtask('rename')?.state;
    assert.equal(st?.attempt, 2);
    assert.deepEqual(
      st?.history?.map((h) => [h.attempt, h.outcome]),
      [
        [1, 'rejected'],
        [2, 'review'],
      ],
    );
    const byAttempt = orch
      .ledger()
      .entries()
      .filter((e) => e.owner === 'rename')
      .map((e) => e.attempt);
    assert.ok(byAttempt.includes(1) && byAttempt.includes(2), 'the ledger keeps each attempt apart');
    await orch.acceptProposal('rename');
    assert.equal(await read('src/a.ts'), A.replace('VALUE', 'LIMIT'));
  });

  it('escalates a failed subtask one step up and a twice-rejected one, never past Opus', async () => {
    const orch = make();
    fake.enqueue(jsonReply(PLAN));
    await orch.plan('Rename');
    fake.enqueue({ httpError: 400, message: 'bad request' });
    await orch.dispatch(['rename']);
    assert.equal(orch.subtask('rename')?.state.status, 'failed');
    assert.equal(orch.escalation('rename'), 'sonnet');
    assert.equal(orch.escalation('separate'), undefined, 'nothing to escalate');
    fake.setResponder((req) =>
      (req.body.messages?.length ?? 0) > 1
        ? textReply('ok')
        : toolUseReply([
            {
              name: 'str_replace_based_edit_tool',
              input: { command: 'str_replace', path: 'src/a.ts', old_str: 'VALUE = 1', new_str: 'LIMIT = 1' },
            },
          ]),
    );
    await orch.retry('rename', { model: 'sonnet' });
    assert.equal(fake.requests.at(-1)?.body.model, 'claude-sonnet-5-5');
    await orch.rejectProposal('rename');
    assert.equal(orch.escalation('rename'), undefined, 'one rejection is not yet a reason');
    await orch.retry('rename');
    await orch.rejectProposal('rename');
    assert.equal(orch.escalation('rename'), 'opus');
    await orch.changeModel('rename', 'opus', { allowFinished: true });
    assert.equal(orch.escalation('rename'), undefined);
  });

  it('marks subtasks whose declared files overlap', async () => {
    const orch = make();
    fake.enqueue(jsonReply(PLAN));
    await orch.plan('Rename');
    assert.deepEqual(orch.overlaps('rename'), [{ id: 'other', paths: ['src/a.ts'] }]);
    assert.deepEqual(orch.overlaps('separate'), []);
  });

  it('reverts exactly what a subtask changed, and refuses when the file moved on', async () => {
    const orch = make();
    await inReview(orch);
    await orch.acceptProposal('rename');
    assert.equal(await read('src/a.ts'), A.replace('VALUE', 'LIMIT'));
    await orch.revertSubtask('rename');
    assert.equal(await read('src/a.ts'), A);
    assert.equal(orch.subtask('rename')?.state.status, 'ready');

    await orch.retry('rename');
    await orch.acceptProposal('rename');
    const mine = `${A.replace('VALUE', 'LIMIT')}// later edit\n`;
    await fs.writeFile(path.join(root, 'src/a.ts'), mine);
    await assert.rejects(orch.revertSubtask('rename'), (e: OrchestratorError) => e.code === 'moved-on');
    assert.equal(await read('src/a.ts'), mine, 'nothing was touched');
  });
});
