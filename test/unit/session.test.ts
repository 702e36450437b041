import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { OrchestratorEvent } from '../../src/core/contract';
import type { Subtask } from '../../src/core/plan/schema';
import type { PlanState, SubtaskState, SubtaskStatus } from '../../src/core/plan/state';
import { PlanSession } from '../../src/core/session/session';
import { refreshStatuses } from '../../src/core/session/statuses';
import { Store } from '../../src/core/store/store';
import { Ledger } from '../../src/core/usage/ledger';

const spec = (id: string, dependsOn: string[] = []): Subtask => ({
  id,
  title: `Do ${id}`,
  instructions: `Carry out ${id}.`,
  model: 'haiku',
  files: [{ path: `src/${id}.ts`, create: false }],
  acceptanceCriteria: [`${id} done`],
  dependsOn,
});

const state = (id: string, status: SubtaskStatus = 'pending'): SubtaskState => ({
  id,
  status,
  model: 'haiku',
  attempt: 0,
  estimate: { inputTokens: 100, outputTokens: 50, cost: 0.001 },
});

/** a ← b ← c, and d on its own. */
function chain(): PlanState {
  return {
    id: 'plan-chain',
    task: 'Chain',
    createdAt: '2026-11-28T10:00:00.000Z',
    plan: { goal: 'Chain.', subtasks: [spec('a'), spec('b', ['a']), spec('c', ['b']), spec('d')] },
    subtasks: { a: state('a'), b: state('b'), c: state('c'), d: state('d') },
    ledger: [],
    opusOnlyEstimate: { inputTokens: 1000, outputTokens: 500, cost: 0.05 },
  };
}

/** The real store, counting what it is asked to write; `failNext` makes the next subtask write fail. */
class CountingStore extends Store {
  writes = { subtask: 0, header: 0, proposal: 0 };
  failNext = false;

  override async saveSubtask(planId: string, st: SubtaskState): Promise<void> {
    this.writes.subtask += 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    await super.saveSubtask(planId, st);
  }

  override async saveHeader(st: PlanState): Promise<void> {
    this.writes.header += 1;
    await super.saveHeader(st);
  }
}

describe('PlanSession', () => {
  let root: string;
  let store: CountingStore;
  let logs: string[];
  let session: PlanSession;
  const record = async (id: string): Promise<SubtaskState> =>
    JSON.parse(await fs.readFile(path.join(root, '.opus-orchestrator', 'subtasks', `${id}.json`), 'utf8')).data.state;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'opus-session-'));
    store = new CountingStore(root);
    logs = [];
    session = new PlanSession(store, (level, message) => logs.push(`${level}: ${message}`));
  });

  afterEach(async () => {
    await session.flush().catch(() => undefined);
    await fs.rm(root, { recursive: true, force: true });
  });

  it('derives pending, blocked and ready from the dependencies', () => {
    const plan = chain();
    assert.deepEqual(refreshStatuses(plan), ['a', 'd']);
    assert.deepEqual(
      Object.values(plan.subtasks).map((s) => s.status),
      ['ready', 'pending', 'pending', 'ready'],
    );
    (plan.subtasks.a as SubtaskState).status = 'failed';
    refreshStatuses(plan);
    assert.equal(plan.subtasks.b?.status, 'blocked', 'a stuck dependency blocks');
    assert.equal(plan.subtasks.c?.status, 'blocked', 'and so does a blocked one');
    (plan.subtasks.a as SubtaskState).status = 'accepted';
    assert.deepEqual(refreshStatuses(plan), ['b', 'c']);
    assert.equal(plan.subtasks.b?.status, 'ready');
    assert.equal(plan.subtasks.c?.status, 'pending');
  });

  it('sends events before anything is written, and saves a burst of changes once per subtask', async () => {
    const plan = chain();
    refreshStatuses(plan);
    await session.replace(plan, new Ledger());
    store.writes = { subtask: 0, header: 0, proposal: 0 };
    const events: OrchestratorEvent[] = [];
    session.events.on((e) => events.push(e));
    const a = plan.subtasks.a as SubtaskState;
    for (let i = 1; i <= 20; i++) {
      a.attempt = i;
      session.changed(['a']);
    }
    (plan.subtasks.d as SubtaskState).status = 'running';
    session.changed(['d']);
    assert.equal(events.length, 21, 'every change is reported at once');
    assert.equal((await record('a')).attempt, 0, 'nothing was written yet');
    await session.flush();
    assert.deepEqual(store.writes, { subtask: 2, header: 0, proposal: 0 });
    assert.equal((await record('a')).attempt, 20);
    assert.equal((await record('d')).status, 'running');
  });

  it('keeps live tokens and a review in progress out of the store', async () => {
    const plan = chain();
    await session.replace(plan, new Ledger());
    const a = plan.subtasks.a as SubtaskState;
    a.live = { input: 5, output: 5, cacheRead: 0, cacheWrite: 0 };
    a.reviewing = true;
    session.changed(['a']);
    await session.flush();
    const saved = await record('a');
    assert.equal(saved.live, undefined);
    assert.equal(saved.reviewing, undefined);
    assert.ok(a.live && a.reviewing, 'memory keeps them while this process runs');
  });

  it('restores a plan: a run cut off becomes interrupted, a lost record starts again, and both are logged', async () => {
    const plan = chain();
    (plan.subtasks.a as SubtaskState).status = 'accepted';
    (plan.subtasks.b as SubtaskState).status = 'running';
    await store.savePlan(plan);
    await fs.rm(path.join(root, '.opus-orchestrator', 'subtasks', 'd.json'));
    store.writes = { subtask: 0, header: 0, proposal: 0 };
    const priced: string[] = [];
    const loaded = await session.load(async (s) => {
      priced.push(s.id);
      return { inputTokens: 7, outputTokens: 7, cost: 0.007 };
    });
    assert.deepEqual(
      session.subtasks().map((s) => [s.spec.id, s.state.status]),
      [
        ['a', 'accepted'],
        ['b', 'interrupted'],
        ['c', 'blocked'],
        ['d', 'ready'],
      ],
    );
    assert.equal(loaded?.subtasks.d?.estimate.cost, 0.007);
    assert.deepEqual(priced, ['d']);
    assert.ok(
      logs.some((l) => l.startsWith('warn') && l.includes('"d"')),
      logs.join('\n'),
    );
    assert.equal(store.writes.subtask, 3, 'the repaired records and the status they change are saved, no more');
    assert.equal((await record('b')).status, 'interrupted');

    store.writes = { subtask: 0, header: 0, proposal: 0 };
    await new PlanSession(store, () => undefined).load(async () => ({ inputTokens: 0, outputTokens: 0, cost: 0 }));
    assert.deepEqual(store.writes, { subtask: 0, header: 0, proposal: 0 }, 'a clean load writes nothing');
  });

  it('logs a failed save and writes it with the next round', async () => {
    const plan = chain();
    await session.replace(plan, new Ledger());
    (plan.subtasks.a as SubtaskState).status = 'running';
    store.failNext = true;
    session.changed(['a']);
    await assert.rejects(session.flush(), /disk full/);
    assert.ok(logs.some((l) => l === 'error: could not save the plan: disk full'));
    assert.equal((await record('a')).status, 'pending');
    await session.flush();
    assert.equal((await record('a')).status, 'running');
  });

  it('a new plan replaces the old one on disk, proposals and usage included', async () => {
    const old = chain();
    await session.replace(old, new Ledger());
    const id = 'a-1';
    session.setProposal('a', { id, subtaskId: 'a', attempt: 1, createdAt: 'x', files: [], status: 'open' });
    await session.flush();
    assert.ok(await store.loadProposal(id));

    const book = new Ledger();
    book.record({ owner: 'plan', attempt: 1, model: 'claude-opus-5-5', role: 'opus', usage: usage(10) });
    const next: PlanState = { ...chain(), id: 'plan-next', ledger: book.entries() };
    await session.replace(next, book);
    assert.equal(await store.loadProposal(id), undefined);
    const stored = await store.loadPlan();
    assert.equal(stored?.id, 'plan-next');
    assert.deepEqual(stored?.ledger, book.entries());
    assert.equal(session.totals().cost, book.costOf());
  });
});

function usage(input: number) {
  return { input, output: 1, cacheRead: 0, cacheWrite: 0 };
}
