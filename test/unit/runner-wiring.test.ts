import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { diskIO } from '../../src/cli/diskIO';
import { LlmClient } from '../../src/core/llm/client';
import type { OrchestratorError } from '../../src/core/orchestrator';
import { Orchestrator } from '../../src/core/orchestrator';
import { Store } from '../../src/core/store/store';
import { setPriceOverrides } from '../../src/core/usage/prices';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { jsonReply, refusalReply, toolUseReply } from '../fake-anthropic/replies';
import { isPlanner } from '../soak/harness';

const PLAN = {
  goal: 'Edit a file.',
  subtasks: [
    {
      id: 'edit',
      title: 'Change a.ts',
      instructions: 'Edit a.ts.',
      model: 'haiku',
      files: [{ path: 'src/a.ts', create: false }],
      acceptanceCriteria: ['a.ts changed'],
      dependsOn: [],
    },
  ],
};

describe('Runner wiring: context fit, refusals, prices', function () {
  this.timeout(30_000);
  let fake: FakeAnthropic;
  let root: string;
  const made: Orchestrator[] = [];

  const make = (extra: Partial<ConstructorParameters<typeof Orchestrator>[0]> = {}): Orchestrator => {
    const orch = new Orchestrator({
      root,
      llm: new LlmClient({ apiKey: 'sk-ant-unit', baseURL: fake.url, maxRetries: 0 }),
      store: new Store(root),
      io: diskIO(root),
      ...extra,
    });
    made.push(orch);
    return orch;
  };

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'opus-wiring-')));
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src/a.ts'), 'export const a = 1;\n');
  });

  afterEach(async () => {
    setPriceOverrides({});
    await Promise.all(made.splice(0).map((o) => o.flush().catch(() => undefined)));
    await fake.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  async function planned(orch: Orchestrator): Promise<void> {
    fake.enqueue(jsonReply(PLAN));
    await orch.plan('Edit a file');
  }

  const workerCalls = (): number => fake.requests.filter((r) => !isPlanner(r)).length;
  const edit = (file: string, from: string, to: string) => ({
    name: 'str_replace_based_edit_tool',
    input: { command: 'str_replace', path: file, old_str: from, new_str: to },
  });
  const finish = { name: 'finish', input: { summary: 'done' } };

  it('stops marking workers’ first requests for the cache once this plan’s runs end in one call', async () => {
    await fs.writeFile(path.join(root, 'src/b.ts'), 'export const b = 1;\n');
    const subtask = (id: string, file: string, dependsOn: string[]) => ({
      ...PLAN.subtasks[0],
      id,
      model: 'sonnet',
      files: [{ path: file, create: false }],
      dependsOn,
    });
    const orch = make();
    fake.enqueue(
      jsonReply({
        goal: 'Edit two files.',
        subtasks: [subtask('one', 'src/a.ts', []), subtask('two', 'src/b.ts', [])],
      }),
    );
    await orch.plan('Edit two files');
    // The first run edits and finishes in one call.
    fake.enqueue(toolUseReply([edit('src/a.ts', 'a = 1', 'a = 2'), finish]));
    await orch.dispatch(['one']);
    fake.enqueue(toolUseReply([edit('src/b.ts', 'b = 1', 'b = 2'), finish]));
    await orch.dispatch(['two']);
    assert.equal(orch.subtask('one')?.state.status, 'review');
    assert.equal(orch.subtask('two')?.state.status, 'review');

    const workers = fake.requests
      .filter((r) => !isPlanner(r))
      .map((r) => r.body as { system: unknown; messages: unknown[] });
    assert.equal(workers.length, 2);
    const firstMessageMarked = (b: { messages: unknown[] }): boolean =>
      JSON.stringify(b.messages[0]).includes('cache_control');
    const systemMarked = (b: { system: unknown }): boolean => JSON.stringify(b.system).includes('cache_control');
    const [oneFirst, twoFirst] = workers as [(typeof workers)[0], (typeof workers)[0]];
    assert.equal(
      firstMessageMarked(oneFirst),
      true,
      'no run recorded yet: a second turn may come, so the first request is marked',
    );
    assert.equal(systemMarked(oneFirst), true, 'subtask two, on the same model, will read the shared prefix');
    assert.equal(
      firstMessageMarked(twoFirst),
      false,
      'the one run recorded ended in one call: the next first request is not marked',
    );
    assert.equal(systemMarked(twoFirst), false, 'no run on its model comes after it');
  });

  it('leaves a one-reply subtask’s first message unmarked, and marks it again once such runs take second turns', async () => {
    await fs.writeFile(path.join(root, 'src/b.ts'), 'export const b = 1;\n');
    const subtask = (id: string, file: string) => ({
      ...PLAN.subtasks[0],
      id,
      model: 'sonnet',
      files: [{ path: file, create: false }],
      oneReply: true,
    });
    const orch = make();
    fake.enqueue(
      jsonReply({ goal: 'Edit two files.', subtasks: [subtask('one', 'src/a.ts'), subtask('two', 'src/b.ts')] }),
    );
    await orch.plan('Edit two files');
    assert.equal(orch.subtask('one')?.spec.oneReply, true, 'the planner’s word is kept on the plan');
    // The first run looks before it edits: the planner's prediction fails.
    fake.enqueue(
      toolUseReply([{ name: 'str_replace_based_edit_tool', input: { command: 'view', path: 'src/a.ts' } }]),
      toolUseReply([edit('src/a.ts', 'a = 1', 'a = 2'), finish]),
    );
    await orch.dispatch(['one']);
    fake.enqueue(toolUseReply([edit('src/b.ts', 'b = 1', 'b = 2'), finish]));
    await orch.dispatch(['two']);
    assert.equal(orch.subtask('two')?.state.status, 'review');

    const workers = fake.requests.filter((r) => !isPlanner(r)).map((r) => r.body as { messages: unknown[] });
    assert.equal(workers.length, 3);
    const messagesMarked = (b: { messages: unknown[] }): boolean =>
      JSON.stringify(b.messages).includes('cache_control');
    assert.equal(messagesMarked(workers[0]!), false, 'expected to end in one reply: its first request is not marked');
    assert.equal(messagesMarked(workers[1]!), true, 'its second turn marks the conversation for a third');
    assert.equal(
      messagesMarked(workers[2]!),
      true,
      'the one-reply run recorded took a second turn: the next one-reply subtask’s first request is marked again',
    );
  });

  it('marks the shared prefix for a later run of another role set to the same model', async () => {
    const orch = make({ models: { haiku: 'claude-sonnet-5-5' } });
    fake.enqueue(
      jsonReply({
        goal: 'Edit a file, then its note.',
        subtasks: [
          { ...PLAN.subtasks[0], id: 'code', model: 'sonnet' },
          { ...PLAN.subtasks[0], id: 'note', model: 'haiku', dependsOn: ['code'] },
        ],
      }),
    );
    await orch.plan('Edit a file, then its note');
    fake.enqueue(toolUseReply([edit('src/a.ts', 'a = 1', 'a = 2'), finish]));
    await orch.dispatch(['code']);
    const [first] = fake.requests.filter((r) => !isPlanner(r));
    assert.match(JSON.stringify(first?.body.model), /claude-sonnet-5-5/);
    assert.match(JSON.stringify(first?.body.system), /cache_control/, 'the Haiku role runs on the same model next');
  });

  it('refuses before dispatch a subtask whose first request cannot fit its context window; nothing runs', async () => {
    const orch = make({ maxOutputTokens: 5_000_000 });
    await planned(orch);
    await assert.rejects(
      orch.dispatch(['edit']),
      (e: OrchestratorError) => e.code === 'not-runnable' && /does not fit in .*context window/.test(e.message),
    );
    const { state } = orch.subtask('edit') ?? {};
    assert.equal(state?.status, 'ready', 'still ready: it never started');
    assert.equal(state?.attempt, 0);
    assert.equal(workerCalls(), 0);
  });

  it('keeps a refusal on the subtask and offers the model it suggests, also after a reload', async () => {
    const orch = make();
    await planned(orch);
    fake.enqueue(refusalReply('', { category: 'cyber', explanation: 'Looks like an exploit.' }));
    await orch.dispatch(['edit']);
    const state = orch.subtask('edit')?.state;
    assert.equal(state?.status, 'failed');
    assert.deepEqual(state?.refusal, { category: 'cyber', explanation: 'Looks like an exploit.', fallback: 'sonnet' });
    assert.equal(orch.escalation('edit'), 'sonnet');
    await orch.flush();
    const again = make();
    await again.load();
    assert.equal(again.subtask('edit')?.state.refusal?.fallback, 'sonnet');
    assert.equal(again.escalation('edit'), 'sonnet');
  });

  it('a refusal on Opus offers Sonnet (escalation alone offers nothing above Opus)', async () => {
    const orch = make();
    await planned(orch);
    await orch.changeModel('edit', 'opus');
    fake.enqueue(refusalReply('', { category: 'bio', explanation: null }));
    await orch.dispatch(['edit']);
    assert.equal(orch.subtask('edit')?.state.status, 'failed');
    assert.equal(orch.escalation('edit'), 'sonnet');
  });

  it('offers nothing for a refusal to reveal reasoning: only rephrasing helps', async () => {
    const orch = make();
    await planned(orch);
    fake.enqueue(refusalReply('', { category: 'reasoning_extraction', explanation: null }));
    await orch.dispatch(['edit']);
    assert.equal(orch.subtask('edit')?.state.status, 'failed');
    assert.equal(orch.escalation('edit'), undefined);
  });

  it('re-prices saved estimates and the Opus-only baseline when the prices change', async () => {
    const orch = make();
    await planned(orch);
    const before = { edit: orch.subtask('edit')?.state.estimate.cost ?? 0, opus: orch.totals().opusOnly.cost };
    await orch.flush();
    setPriceOverrides({
      haiku: { input: 100, output: 500, cacheRead: 10, cacheWrite: 125 },
      opus: { input: 40, output: 200, cacheRead: 4, cacheWrite: 50 },
    });
    const next = make();
    await next.load();
    const after = { edit: next.subtask('edit')?.state.estimate.cost ?? 0, opus: next.totals().opusOnly.cost };
    assert.ok(after.edit > 50 * before.edit, `the estimate follows the new price (${before.edit} → ${after.edit})`);
    assert.ok(after.opus > 5 * before.opus, `so does the Opus-only baseline (${before.opus} → ${after.opus})`);
    setPriceOverrides({});
    await next.updateSettings({});
    assert.ok(Math.abs((next.subtask('edit')?.state.estimate.cost ?? 0) - before.edit) < 1e-12, 'and back');
  });
});
