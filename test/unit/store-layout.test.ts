import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { diskIO } from '../../src/cli/diskIO';
import { LlmClient } from '../../src/core/llm/client';
import type { LogLevel } from '../../src/core/orchestrator';
import { Orchestrator } from '../../src/core/orchestrator';
import type { PlanState } from '../../src/core/plan/state';
import { Store } from '../../src/core/store/store';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';

/** plan.json and proposals/ exactly as version 0.1.0 wrote them (format 1), after a plan, two runs and a review. */
const FORMAT1 = path.join(__dirname, 'fixtures', 'store-format1');
const LONG = Array.from({ length: 30 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
/** src/a.ts after the format-1 session accepted one of its two hunks. */
const A_ACCEPTED = LONG.replace('export const v1 = 1;', 'export const one = 1;');
const B = 'export const b = 1;\n';

const ONE_SUBTASK = (id: string) => ({
  goal: 'Change b.',
  subtasks: [
    {
      id,
      title: 'Change b.ts',
      instructions: 'Edit b.ts.',
      model: 'haiku',
      files: [{ path: 'src/b.ts', create: false }],
      acceptanceCriteria: ['b.ts changed'],
      dependsOn: [],
    },
  ],
});

describe('store layout (format 2) and the format-1 migration', function () {
  this.timeout(30_000);
  let fake: FakeAnthropic;
  let root: string;
  let logs: string[];
  const made: Orchestrator[] = [];
  const storeDir = (): string => path.join(root, '.opus-orchestrator');
  const readJson = async (rel: string) => JSON.parse(await fs.readFile(path.join(storeDir(), rel), 'utf8'));
  const make = (): Orchestrator => {
    const orch = new Orchestrator({
      root,
      llm: new LlmClient({ apiKey: 'sk-ant-unit', baseURL: fake.url, maxRetries: 0 }),
      store: new Store(root),
      io: diskIO(root),
      log: (level: LogLevel, message: string) => logs.push(`${level}: ${message}`),
    });
    made.push(orch);
    return orch;
  };
  const format1 = async (): Promise<{ data: PlanState }> =>
    JSON.parse(await fs.readFile(path.join(FORMAT1, 'plan.json'), 'utf8'));
  const installFormat1 = async (edit?: (data: PlanState) => void): Promise<PlanState> => {
    await fs.cp(FORMAT1, storeDir(), { recursive: true });
    const envelope = await format1();
    if (edit) {
      edit(envelope.data);
      await fs.writeFile(path.join(storeDir(), 'plan.json'), JSON.stringify(envelope, null, 2));
    }
    return envelope.data;
  };
  const editingWorker = () =>
    fake.setResponder((req) =>
      (req.body.messages?.length ?? 0) > 1
        ? textReply('done')
        : toolUseReply([
            {
              name: 'str_replace_based_edit_tool',
              input: { command: 'str_replace', path: 'src/b.ts', old_str: 'b = 1', new_str: 'b = 2' },
            },
          ]),
    );

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    logs = [];
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'opus-layout-')));
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src/a.ts'), A_ACCEPTED);
    await fs.writeFile(path.join(root, 'src/b.ts'), B);
  });

  afterEach(async () => {
    await Promise.all(made.splice(0).map((o) => o.flush().catch(() => undefined)));
    await fake.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('opens a plan saved by 0.1.0 with nothing lost, and saves it in the new layout', async () => {
    const v1 = await installFormat1();
    const proposalsBefore = await fs.readFile(path.join(FORMAT1, 'proposals', 'second-1.json'), 'utf8');

    assert.deepEqual(await new Store(root).loadPlan(), v1, 'every field of the format-1 state comes back');

    const plan = await readJson('plan.json');
    assert.equal(plan.version, 2);
    assert.deepEqual(Object.keys(plan.data).sort(), ['createdAt', 'id', 'opusOnlyEstimate', 'plan', 'repoMap', 'task']);
    assert.deepEqual(plan.data.plan, v1.plan);
    assert.deepEqual((await fs.readdir(path.join(storeDir(), 'subtasks'))).sort(), [
      'first.json',
      'second.json',
      'third.json',
    ]);
    assert.deepEqual((await readJson('subtasks/first.json')).data, { planId: v1.id, rev: 1, state: v1.subtasks.first });
    const ledger = (await fs.readFile(path.join(storeDir(), 'ledger.jsonl'), 'utf8')).trimEnd().split('\n');
    assert.deepEqual(JSON.parse(ledger[0] as string), { version: 2, kind: 'ledger', planId: v1.id });
    assert.deepEqual(
      ledger.slice(1).map((l) => JSON.parse(l)),
      v1.ledger,
    );
    assert.equal(
      await fs.readFile(path.join(storeDir(), 'proposals', 'second-1.json'), 'utf8'),
      proposalsBefore,
      'proposals keep their file',
    );
    assert.deepEqual(await new Store(root).loadPlan(), v1, 'the new layout reads back the same state');

    // What a user sees: the usage, the open proposal, and the accepted subtask's checkpoint all survived.
    const orch = make();
    await orch.load();
    assert.deepEqual(orch.ledger().entries(), v1.ledger);
    assert.deepEqual(
      orch.subtasks().map((s) => [s.spec.id, s.state.status]),
      [
        ['first', 'accepted'],
        ['second', 'review'],
        ['third', 'ready'],
      ],
    );
    assert.equal(orch.subtask('second')?.state.review?.pass, true);
    await orch.revertSubtask('first');
    assert.equal(await fs.readFile(path.join(root, 'src/a.ts'), 'utf8'), LONG, 'the checkpoint still reverts');
    await orch.acceptProposal('second');
    assert.equal(await fs.readFile(path.join(root, 'src/b.ts'), 'utf8'), 'export const b = 2;\n');
  });

  it('loads a plan whose state lacks a subtask: the subtask starts again, and the log says so', async () => {
    await installFormat1((data) => {
      delete data.subtasks.third;
    });
    const orch = make();
    await orch.load();
    const third = orch.subtask('third')?.state;
    assert.equal(third?.status, 'ready', 'its dependency is accepted');
    assert.equal(third?.attempt, 0);
    assert.equal(third?.model, 'haiku');
    assert.ok((third?.estimate.inputTokens ?? 0) > 0, 'it is priced again');
    assert.ok(logs.some((l) => l.startsWith('warn') && l.includes('"third"')));

    await orch.flush();
    await fs.rm(path.join(storeDir(), 'subtasks', 'second.json'));
    const again = make();
    await again.load();
    assert.equal(again.subtask('second')?.state.status, 'ready');
    assert.equal(again.subtask('first')?.state.status, 'accepted');
  });

  it('runs, saves and reloads a subtask with a 200-character id, as 0.1.0 could plan', async () => {
    // Plans are now held to 64-character ids, but a plan saved by 0.1.0 can carry longer ones.
    const id = `rename-${'x'.repeat(193)}`;
    const data = {
      id: 'plan-long',
      task: 'Change b',
      createdAt: '2026-11-20T10:00:00.000Z',
      plan: ONE_SUBTASK(id),
      subtasks: {
        [id]: {
          id,
          status: 'ready',
          model: 'haiku',
          attempt: 0,
          estimate: { inputTokens: 9, outputTokens: 9, cost: 0 },
        },
      },
      ledger: [],
      opusOnlyEstimate: { inputTokens: 0, outputTokens: 0, cost: 0 },
    };
    await fs.mkdir(storeDir());
    await fs.writeFile(path.join(storeDir(), 'plan.json'), JSON.stringify({ version: 1, kind: 'plan', data }));
    const orch = make();
    await orch.load();
    editingWorker();
    await orch.dispatch([id]);
    assert.equal(orch.subtask(id)?.state.status, 'review', orch.subtask(id)?.state.error);
    await orch.flush();
    const again = make();
    await again.load();
    assert.equal((await again.proposal(id))?.files[0]?.path, 'src/b.ts');
    await again.acceptProposal(id);
    assert.equal(await fs.readFile(path.join(root, 'src/b.ts'), 'utf8'), 'export const b = 2;\n');
    for (const dir of ['subtasks', 'proposals']) {
      for (const name of await fs.readdir(path.join(storeDir(), dir))) {
        assert.ok(name.length < 100, `${dir}/${name} is a short file name`);
      }
    }
  });

  it('a status change writes that subtask only; usage is appended, never rewritten', async () => {
    fake.enqueue(jsonReply(ONE_SUBTASK('change-b')));
    const orch = make();
    await orch.plan('Change b');
    const planFile = path.join(storeDir(), 'plan.json');
    const before = { text: await fs.readFile(planFile, 'utf8'), ino: (await fs.stat(planFile)).ino };
    const ledgerBefore = await fs.readFile(path.join(storeDir(), 'ledger.jsonl'), 'utf8');
    editingWorker();
    await orch.dispatch(['change-b']);
    await orch.acceptProposal('change-b');
    await orch.flush();

    assert.equal((await fs.stat(planFile)).ino, before.ino, 'plan.json was not replaced');
    assert.equal(await fs.readFile(planFile, 'utf8'), before.text);
    assert.equal((await readJson('subtasks/change-b.json')).data.state.status, 'accepted');
    const ledger = await fs.readFile(path.join(storeDir(), 'ledger.jsonl'), 'utf8');
    assert.ok(ledger.startsWith(ledgerBefore), 'earlier lines are untouched');
    assert.equal(ledger.trimEnd().split('\n').length, 1 + orch.ledger().entries().length);
  });

  it('drops a torn last usage line left by a process that died mid-append, and repairs the file', async () => {
    fake.enqueue(jsonReply(ONE_SUBTASK('change-b')));
    const orch = make();
    await orch.plan('Change b');
    const entries = orch.ledger().entries();
    const file = path.join(storeDir(), 'ledger.jsonl');
    await fs.appendFile(file, '{"owner":"change-b","attempt":1,"mo');
    const again = make();
    await again.load();
    assert.deepEqual(again.ledger().entries(), entries);
    assert.ok(logs.some((l) => l.startsWith('warn') && /unfinished last line/.test(l)));
    assert.ok((await fs.readFile(file, 'utf8')).endsWith('\n'), 'the next append starts on a line of its own');
  });
});
