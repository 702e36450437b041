import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { diskIO } from '../../src/cli/diskIO';
import { LlmClient } from '../../src/core/llm/client';
import type { OrchestratorError } from '../../src/core/orchestrator';
import { Orchestrator } from '../../src/core/orchestrator';
import { Store } from '../../src/core/store/store';
import type { FakeAnthropic, RecordedRequest } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';

const LONG = Array.from({ length: 30 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';

const PLAN = {
  goal: 'Rename values.',
  subtasks: [
    {
      id: 'first',
      title: 'Change a.ts',
      instructions: 'Edit a.ts.',
      model: 'sonnet',
      files: [{ path: 'src/a.ts', create: false }],
      acceptanceCriteria: ['a.ts changed'],
      dependsOn: [],
    },
    {
      id: 'second',
      title: 'Change b.ts',
      instructions: 'Edit b.ts.',
      model: 'haiku',
      files: [{ path: 'src/b.ts', create: false }],
      acceptanceCriteria: ['b.ts changed'],
      dependsOn: [],
    },
    {
      id: 'third',
      title: 'Change a.ts again',
      instructions: 'Edit a.ts once more.',
      model: 'haiku',
      files: [{ path: 'src/a.ts', create: false }],
      acceptanceCriteria: ['a.ts changed again'],
      dependsOn: ['first'],
    },
  ],
};

const edit = (p: string, oldStr: string, newStr: string) =>
  toolUseReply([
    {
      name: 'str_replace_based_edit_tool',
      input: { command: 'str_replace', path: p, old_str: oldStr, new_str: newStr },
    },
  ]);

const subtaskOf = (req: RecordedRequest): string => {
  const first = JSON.stringify(req.body.messages?.[0] ?? '');
  return (
    ['first', 'second', 'third'].find((id) =>
      first.includes(`Edit ${id === 'first' ? 'a.ts.' : id === 'second' ? 'b.ts.' : 'a.ts once more.'}`),
    ) ?? '?'
  );
};

describe('Orchestrator', function () {
  this.timeout(30_000);
  let fake: FakeAnthropic;
  let root: string;
  let store: Store;
  /** Decisions save after they return: each engine's writes finish before its workspace is deleted. */
  const made: Orchestrator[] = [];

  const make = (extra: Partial<ConstructorParameters<typeof Orchestrator>[0]> = {}): Orchestrator => {
    const orch = new Orchestrator({
      root,
      llm: new LlmClient({ apiKey: 'sk-ant-unit', baseURL: fake.url, maxRetries: 0 }),
      store,
      io: diskIO(root),
      ...extra,
    });
    made.push(orch);
    return orch;
  };
  const read = (rel: string): Promise<string> => fs.readFile(path.join(root, rel), 'utf8');

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'opus-orch-')));
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src/a.ts'), LONG);
    await fs.writeFile(path.join(root, 'src/b.ts'), 'export const b = 1;\n');
    const git = simpleGit(root);
    await git.init();
    store = new Store(root);
  });

  afterEach(async () => {
    await Promise.all(made.splice(0).map((o) => o.flush().catch(() => undefined)));
    await fake.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  async function planned(orch: Orchestrator): Promise<void> {
    fake.enqueue(jsonReply(PLAN));
    await orch.plan('Rename values');
  }

  it('plans: dependency statuses, estimates per subtask and an Opus-only baseline above their sum', async () => {
    const orch = make();
    await planned(orch);
    assert.deepEqual(
      orch.subtasks().map((s) => [s.spec.id, s.state.status]),
      [
        ['first', 'ready'],
        ['second', 'ready'],
        ['third', 'pending'],
      ],
    );
    const sum = orch.subtasks().reduce((n, s) => n + s.state.estimate.cost, 0);
    assert.ok(orch.subtasks().every((s) => s.state.estimate.inputTokens > 0));
    assert.ok(orch.totals().opusOnly.cost > sum);
    assert.ok(orch.ledger().costOf('plan') > 0);
  });

  it('runs independent subtasks in parallel and accepts hunk by hunk; the last decision settles the subtask', async () => {
    const orch = make();
    await planned(orch);
    let inFlight = 0;
    let maxInFlight = 0;
    fake.setResponder(async (req) => {
      const id = subtaskOf(req);
      if ((req.body.messages?.length ?? 0) > 1) {
        return textReply(`done ${id}`);
      }
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 150));
      inFlight--;
      if (id === 'first') {
        return toolUseReply([
          {
            name: 'str_replace_based_edit_tool',
            input: {
              command: 'str_replace',
              path: 'src/a.ts',
              old_str: 'export const v1 = 1;',
              new_str: 'export const one = 1;',
            },
          },
          {
            name: 'str_replace_based_edit_tool',
            input: {
              command: 'str_replace',
              path: 'src/a.ts',
              old_str: 'export const v25 = 25;',
              new_str: 'export const twentyFive = 25;',
            },
          },
        ]);
      }
      return edit('src/b.ts', 'export const b = 1;', 'export const b = 2;');
    });
    const events: string[] = [];
    orch.onEvent((e) => events.push(e.kind));
    await orch.dispatchAllReady();
    assert.equal(maxInFlight, 2, 'first and second ran at the same time');
    assert.ok(events.includes('usage'), 'live usage was reported');
    assert.equal(orch.subtask('first')?.state.status, 'review');
    assert.equal(await read('src/a.ts'), LONG, 'nothing on disk yet');

    const proposal = await orch.proposal('first');
    assert.equal(proposal?.files.length, 1);
    const [h1, h2] = proposal?.files[0]?.hunks ?? [];
    assert.ok(h1 && h2, 'two separate hunks');
    await orch.acceptHunk('first', 'src/a.ts', h1.id);
    assert.equal(await read('src/a.ts'), LONG.replace('export const v1 = 1;', 'export const one = 1;'));
    assert.equal(orch.subtask('first')?.state.status, 'review');
    const rest = await orch.proposal('first');
    assert.deepEqual(
      rest?.files[0]?.hunks.map((h) => h.id),
      [h2.id],
      'the other hunk keeps its id',
    );
    await orch.rejectHunk('first', 'src/a.ts', h2.id);
    assert.equal(await read('src/a.ts'), LONG.replace('export const v1 = 1;', 'export const one = 1;'));
    assert.equal(orch.subtask('first')?.state.status, 'accepted');
    assert.equal(orch.subtask('third')?.state.status, 'ready', 'its dependent is ready now');

    await orch.rejectProposal('second');
    assert.equal(await read('src/b.ts'), 'export const b = 1;\n');
    assert.equal(orch.subtask('second')?.state.status, 'rejected');
  });

  it('keeps subtasks with overlapping files apart', async () => {
    const overlapping = structuredClone(PLAN);
    overlapping.subtasks[2]!.dependsOn = [];
    fake.enqueue(jsonReply(overlapping));
    const orch = make();
    await orch.plan('Rename values');
    const windows: Record<string, [number, number]> = { first: [0, 0], second: [0, 0], third: [0, 0] };
    fake.setResponder(async (req) => {
      const id = subtaskOf(req);
      if ((req.body.messages?.length ?? 0) > 1) {
        windows[id]![1] = Date.now();
        return textReply('done');
      }
      windows[id] = [Date.now(), 0];
      await new Promise((r) => setTimeout(r, 100));
      return id === 'second'
        ? edit('src/b.ts', 'export const b = 1;', 'export const b = 2;')
        : edit('src/a.ts', 'export const v2 = 2;', `export const v2 = ${id.length};`);
    });
    await orch.dispatch(['first', 'second', 'third']);
    const [f, t, s] = [windows.first!, windows.third!, windows.second!];
    assert.ok(t[0] >= f[1] || f[0] >= t[1], 'first and third (both on src/a.ts) did not overlap in time');
    assert.ok(s[0] < Math.max(f[1], t[1]), 'second ran alongside');
  });

  it('refuses stale accepts, caps, untrusted workspaces and bad scope edits with clear errors', async () => {
    const orch = make();
    await planned(orch);
    fake.setResponder((req) =>
      (req.body.messages?.length ?? 0) > 1
        ? textReply('done')
        : edit('src/b.ts', 'export const b = 1;', 'export const b = 2;'),
    );
    await orch.dispatch(['second']);
    await fs.writeFile(path.join(root, 'src/b.ts'), 'export const b = 3;\n');
    await assert.rejects(orch.acceptProposal('second'), (e: OrchestratorError) => e.code === 'stale');
    assert.equal(await read('src/b.ts'), 'export const b = 3;\n');
    assert.deepEqual(await orch.staleFiles('second'), ['src/b.ts']);

    orch.updateSettings({ maxCostPerSubtask: 0.000001 });
    await assert.rejects(
      orch.dispatch(['first']),
      (e: OrchestratorError) => e.code === 'cap' && /maxCostPerSubtask/.test(e.message),
    );
    orch.updateSettings({ maxCostPerSubtask: 0 });

    orch.trusted = false;
    await assert.rejects(orch.dispatch(['first']), (e: OrchestratorError) => e.code === 'untrusted');
    orch.trusted = true;

    await assert.rejects(
      orch.dispatch(['third']),
      (e: OrchestratorError) => e.code === 'not-runnable' && /"first"/.test(e.message),
    );
    await assert.rejects(
      orch.setFiles('first', [{ path: '../outside.ts', create: true }]),
      (e: OrchestratorError) => e.code === 'invalid',
    );
    await orch.removeSubtask('first');
    assert.equal(orch.subtask('third')?.state.status, 'ready', 'removing a dependency frees its dependent');
  });

  it('keeps the planner’s one-reply expectation while the files stay, and drops it with other files', async () => {
    const orch = make();
    fake.enqueue(
      jsonReply({ ...PLAN, subtasks: PLAN.subtasks.map((s) => (s.id === 'second' ? { ...s, oneReply: true } : s)) }),
    );
    await orch.plan('Rename values');
    const spec = () => orch.subtask('second')?.spec;
    const before = orch.subtask('second')?.state.estimate.cost ?? 0;
    await orch.setFiles('second', [{ path: 'src/b.ts', create: false }]);
    assert.equal(spec()?.oneReply, true, 'the same files: the prediction stands');
    await orch.setFiles('second', [
      { path: 'src/b.ts', create: false },
      { path: 'src/c.ts', create: true },
    ]);
    assert.equal(spec()?.oneReply, undefined, 'other files: the prediction was not about them');
    assert.ok((orch.subtask('second')?.state.estimate.cost ?? 0) > before);
    const reloaded = make();
    await reloaded.load();
    assert.equal(reloaded.subtask('second')?.spec.oneReply, undefined);
  });

  it('a reload restores the plan, usage and proposals; a run in flight becomes interrupted', async () => {
    const orch = make();
    await planned(orch);
    fake.setResponder((req) =>
      (req.body.messages?.length ?? 0) > 1
        ? textReply('done')
        : edit('src/b.ts', 'export const b = 1;', 'export const b = 2;'),
    );
    await orch.dispatch(['second']);
    fake.setResponder(() => ({ ...textReply('slow'), latencyMs: 3000 }));
    const running = orch.dispatch(['first']).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    await orch.flush();

    const again = make();
    const state = await again.load();
    assert.equal(state?.subtasks.first?.status, 'interrupted');
    assert.equal(state?.subtasks.second?.status, 'review');
    assert.equal((await again.proposal('second'))?.files[0]?.path, 'src/b.ts');
    assert.equal(
      again.ledger().costOf(),
      orch
        .ledger()
        .entries()
        .filter((e) => e.owner !== 'first')
        .reduce((n, e) => n + e.cost, 0),
    );
    orch.cancelAll();
    await running;
  });

  it('a reload records an accept that was cut off between writing the file and saving its record', async () => {
    const orch = make();
    await planned(orch);
    fake.setResponder((req) =>
      (req.body.messages?.length ?? 0) > 1
        ? textReply('done')
        : edit('src/b.ts', 'export const b = 1;', 'export const b = 2;'),
    );
    await orch.dispatch(['second']);
    await orch.flush();
    // The accept's write reached the workspace; the process ended before its record did.
    await fs.writeFile(path.join(root, 'src/b.ts'), 'export const b = 2;\n');

    const again = make();
    await again.load();
    assert.equal(again.subtask('second')?.state.status, 'accepted');
    await again.revertSubtask('second');
    assert.equal(await read('src/b.ts'), 'export const b = 1;\n');
  });

  it('a failed dependency blocks its dependents until it runs again', async () => {
    const orch = make();
    await planned(orch);
    fake.enqueue({ httpError: 400, message: 'bad' });
    await orch.dispatch(['first']);
    assert.equal(orch.subtask('first')?.state.status, 'failed');
    assert.equal(orch.subtask('third')?.state.status, 'blocked');
    fake.setResponder(() => ({ ...textReply('slow'), latencyMs: 300 }));
    const again = orch.retry('first');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(orch.subtask('third')?.state.status, 'pending');
    await again;
  });

  it('a worker that changes nothing fails with its summary', async () => {
    const orch = make();
    await planned(orch);
    fake.setResponder(() => textReply('Nothing to do here.'));
    await orch.dispatch(['second']);
    const st = orch.subtask('second')?.state;
    assert.equal(st?.status, 'failed');
    assert.match(st?.error ?? '', /without changing any file: Nothing to do here/);
  });
});
