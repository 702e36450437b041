import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import type { RecordedRun } from '../../src/core/llm/cache';
import { markFirstRequest } from '../../src/core/llm/cache';
import { LlmClient } from '../../src/core/llm/client';
import { modelFor } from '../../src/core/models';
import type { Subtask } from '../../src/core/plan/schema';
import { oneReplyOf } from '../../src/core/plan/schema';
import { WorkspaceRules } from '../../src/core/workspace/rules';
import { runWorker } from '../../src/core/worker/worker';
import { API_RULES, extraPromptTokens } from '../bench/claudeCode/apiRules';
import { PromptCache } from '../bench/promptCache';
import type { PromptBody } from '../bench/promptCache';
import { textReply, toolUseReply } from '../fake-anthropic/replies';
import type { FakeAnthropic, RecordedBody } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

const KEY = 'sk-ant-test-cache-0123456789';
const TOOL = 'str_replace_based_edit_tool';

const SOURCE = Array.from(
  { length: 400 },
  (_, i) => `export const VALUE_${i} = compute(${i}, 'value number ${i}');`,
).join('\n');

const SUBTASK: Subtask = {
  id: 'values',
  title: 'Double the values',
  instructions: 'Double VALUE_0.',
  model: 'sonnet',
  effort: 'low',
  files: [{ path: 'src/values.ts', create: false, focus: { symbols: [], lines: [{ start: 1, end: 150 }] } }],
  acceptanceCriteria: ['VALUE_0 is doubled'],
  dependsOn: [],
};

const DOUBLE_VALUE_0 = {
  name: TOOL,
  input: {
    command: 'str_replace',
    path: 'src/values.ts',
    old_str: "compute(0, 'value number 0')",
    new_str: "2 * compute(0, 'value number 0')",
  },
};

function marks(body: RecordedBody): string[] {
  const out: string[] = [];
  (body.system as { cache_control?: unknown }[] | undefined)?.forEach(
    (b, i) => b.cache_control && out.push(`system ${i}`),
  );
  (body.messages as { content: unknown }[]).forEach((m, i) => {
    if (Array.isArray(m.content)) {
      m.content.forEach((b: { cache_control?: unknown }, j) => b.cache_control && out.push(`message ${i} block ${j}`));
    }
  });
  return out;
}

describe('worker prompt caching, from the recorded request bodies', () => {
  let fake: FakeAnthropic;
  let root: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'cache-'));
    await simpleGit(root).init();
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src', 'values.ts'), `${SOURCE}\n`);
    fake = await startFakeAnthropic({ apiKey: KEY });
  });

  const run = async (extra: Partial<Parameters<typeof runWorker>[0]> = {}): Promise<void> => {
    await runWorker({
      llm: new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 }),
      model: modelFor('sonnet'),
      goal: 'Double the values.',
      subtask: SUBTASK,
      read: (rel) => fs.readFile(path.join(root, rel), 'utf8').catch(() => null),
      root,
      rules: await WorkspaceRules.load(root),
      maxTokens: 4000,
      owner: SUBTASK.id,
      attempt: 1,
      ...extra,
    });
  };

  afterEach(async () => {
    await fake.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('moves a breakpoint with the conversation, so every later turn reads most of its prompt from cache', async () => {
    // Twelve parallel views add 25 blocks in one turn: more than the API's 20-block lookback.
    const views = Array.from({ length: 12 }, (_, i) => ({
      name: TOOL,
      input: { command: 'view', path: 'src/values.ts', view_range: [20 + i * 30, 20 + i * 30] },
    }));
    fake.enqueue(toolUseReply(views), toolUseReply([DOUBLE_VALUE_0]), textReply('VALUE_0 is doubled.'));
    await run({ firstMarks: { sharedPrefix: true, conversation: true } });
    const bodies = fake.requests.map((r) => r.body);
    assert.equal(bodies.length, 3);
    assert.deepEqual(marks(bodies[0] as RecordedBody), ['system 0', 'message 0 block 2']);
    assert.deepEqual(marks(bodies[1] as RecordedBody), ['system 0', 'message 0 block 2', 'message 2 block 11']);
    assert.deepEqual(marks(bodies[2] as RecordedBody), ['system 0', 'message 2 block 11', 'message 4 block 0']);
    assert.ok(
      bodies.every((b) => marks(b).length <= 4),
      'never more than the API allows',
    );

    const cache = new PromptCache({
      minTokens: () => API_RULES.minCacheable.sonnet,
      extraTokens: extraPromptTokens,
      ttlMs: API_RULES.ttlMs,
    });
    const shares = bodies.map((b) => {
      const split = cache.account(b as PromptBody);
      return split.cacheRead / (split.input + split.cacheRead + split.cacheWrite);
    });
    assert.equal(shares[0], 0);
    for (const [i, share] of shares.slice(1).entries()) {
      assert.ok(share >= 0.8, `turn ${i + 2} read ${share.toFixed(3)} of its prompt from cache`);
    }
  });

  it('marks neither the first message nor, when no later run will read it, the system prompt', async () => {
    fake.enqueue(
      toolUseReply([{ name: TOOL, input: { command: 'view', path: 'src/values.ts', view_range: [300, 310] } }]),
      toolUseReply([DOUBLE_VALUE_0, { name: 'finish', input: { summary: 'VALUE_0 is doubled.' } }]),
      toolUseReply([DOUBLE_VALUE_0, { name: 'finish', input: { summary: 'VALUE_0 is doubled.' } }]),
    );
    await run({ firstMarks: { sharedPrefix: false, conversation: false } });
    await run({ firstMarks: { sharedPrefix: true, conversation: false } });
    const bodies = fake.requests.map((r) => r.body as RecordedBody);
    assert.equal(bodies.length, 3);
    assert.deepEqual(marks(bodies[0] as RecordedBody), [], 'nothing marked');
    assert.deepEqual(
      marks(bodies[1] as RecordedBody),
      ['system 0', 'message 0 block 2', 'message 2 block 0'],
      'a second turn marks the conversation for a third',
    );
    assert.deepEqual(marks(bodies[2] as RecordedBody), ['system 0'], 'the shared prefix alone');

    const cache = new PromptCache({
      minTokens: () => API_RULES.minCacheable.sonnet,
      extraTokens: extraPromptTokens,
      ttlMs: API_RULES.ttlMs,
    });
    const [first, second] = bodies.map((b) => cache.account(b as PromptBody));
    assert.ok(first && second);
    assert.equal(first.cacheWrite, 0, 'a run that ends in one call writes nothing');
    assert.ok(first.input > 2_000);
    assert.ok(second.cacheWrite > first.input, 'the second request writes the conversation');
  });

  it('writes nothing for a one-reply subtask that edits and finishes in its first call', async () => {
    const spec: Subtask = { ...SUBTASK, oneReply: true };
    fake.enqueue(toolUseReply([DOUBLE_VALUE_0, { name: 'finish', input: { summary: 'VALUE_0 is doubled.' } }]));
    const conversation = markFirstRequest(oneReplyOf(spec), [], modelFor('sonnet').prices);
    await run({ subtask: spec, firstMarks: { sharedPrefix: false, conversation } });
    const [body] = fake.requests.map((r) => r.body as RecordedBody);
    assert.ok(body);
    assert.equal(fake.requests.length, 1);
    assert.deepEqual(marks(body), [], 'no cache_control on the system prompt or the messages');
    const cache = new PromptCache({
      minTokens: () => API_RULES.minCacheable.sonnet,
      extraTokens: extraPromptTokens,
      ttlMs: API_RULES.ttlMs,
    });
    const split = cache.account(body as PromptBody);
    assert.equal(split.cacheWrite, 0);
    assert.ok(split.input > 2_000, 'long enough to be cached, had it been marked');
  });
});

describe('whether a worker’s first request is marked for the cache', () => {
  const prices = modelFor('sonnet').prices;
  /** Runs of that many model calls, of subtasks the planner did not expect to end in one reply. */
  const runs = (...turns: number[]): RecordedRun[] => turns.map((t) => ({ turns: t, oneReply: false }));
  /** The same, of one-reply subtasks. */
  const oneReplyRuns = (...turns: number[]): RecordedRun[] => turns.map((t) => ({ turns: t, oneReply: true }));

  it('is marked before any run is recorded: a missed second-turn read costs more than an unread write', () => {
    assert.equal(markFirstRequest(false, [], prices), true);
    assert.equal(markFirstRequest(false, runs(0, 0), prices), true, 'subtasks that have not run say nothing');
  });

  it('is left unmarked once fewer than about one run in five took a second turn', () => {
    assert.equal(markFirstRequest(false, runs(1), prices), false);
    assert.equal(markFirstRequest(false, runs(1, 1, 1, 1, 1), prices), false);
    assert.equal(
      markFirstRequest(false, runs(2, 1, 1, 1, 1), prices),
      false,
      '1 in 5 is under the break-even of 0.217',
    );
  });

  it('is marked while second turns are common enough for the mark to pay', () => {
    assert.equal(markFirstRequest(false, runs(2), prices), true);
    assert.equal(markFirstRequest(false, runs(3, 1, 1, 1), prices), true, '1 in 4 is over the break-even');
  });

  it('is always marked when a price override makes cache writes no dearer than input', () => {
    assert.equal(markFirstRequest(false, runs(1, 1, 1), { ...prices, cacheWrite: prices.input }), true);
    assert.equal(markFirstRequest(true, [], { ...prices, cacheWrite: prices.input }), true);
  });

  it('is left unmarked for a subtask the planner expects to end in one reply, with no run recorded', () => {
    assert.equal(markFirstRequest(true, [], prices), false);
    assert.equal(markFirstRequest(true, oneReplyRuns(0, 0), prices), false, 'subtasks that have not run say nothing');
    assert.equal(markFirstRequest(true, runs(3, 2, 2), prices), false, 'runs of the other kind say nothing of it');
    assert.equal(markFirstRequest(true, oneReplyRuns(1, 1, 1, 2, 1), prices), false, '1 in 5 is under the break-even');
  });

  it('is marked again for a one-reply subtask once this plan’s one-reply runs keep taking second turns', () => {
    assert.equal(markFirstRequest(true, oneReplyRuns(2), prices), true);
    assert.equal(markFirstRequest(true, oneReplyRuns(1, 3, 1, 1), prices), true, '1 in 4 is over the break-even');
    assert.equal(
      markFirstRequest(true, [...oneReplyRuns(2, 1), ...runs(1, 1, 1, 1)], prices),
      true,
      'one-call runs of other subtasks do not hide the failed predictions',
    );
  });

  it('judges the other subtasks by their own runs, not by the one-reply runs', () => {
    assert.equal(markFirstRequest(false, oneReplyRuns(1, 1, 1, 1), prices), true);
    assert.equal(markFirstRequest(false, [...oneReplyRuns(1, 1, 1), ...runs(1)], prices), false);
  });
});
