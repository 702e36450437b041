import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FakeAnthropic, Responder } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { jsonReply } from '../fake-anthropic/replies';
import type { SoakSubtask } from '../soak/harness';
import {
  KEY,
  buildCli,
  changedText,
  fileText,
  filePath,
  isPlanner,
  makeRepo,
  planOf,
  runCli,
  showJson,
  subtaskOf,
  workerResponder,
} from '../soak/harness';

const SIX: SoakSubtask[] = [1, 2, 3, 4, 5, 6].map((n) => ({ id: `s${n}`, files: [n] }));

describe('CLI: two processes on one workspace', function () {
  this.timeout(120_000);
  let fake: FakeAnthropic;
  let repo: string;
  let env: Record<string, string>;

  before(buildCli);

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    repo = await makeRepo(Object.fromEntries(SIX.map((s) => [filePath(s.files[0] ?? 0), fileText(s.files[0] ?? 0)])));
    env = { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url };
    fake.enqueue(jsonReply(planOf(SIX)));
    const r = await runCli(['plan', 'Change the constants', '--workspace', repo], env);
    assert.equal(r.code, 0, r.stderr);
  });

  afterEach(async () => {
    await fake.close();
    await fs.rm(repo, { recursive: true, force: true });
  });

  const ws = (...args: string[]): string[] => [...args, '--workspace', repo];
  const read = (n: number): Promise<string> => fs.readFile(path.join(repo, filePath(n)), 'utf8');
  const statuses = async (): Promise<Record<string, string>> =>
    Object.fromEntries((await showJson(repo, env)).subtasks.map((s) => [s.id, s.status]));

  /** Workers that take `ms` before their first answer, so runs of two processes overlap. */
  function slowWorkers(ms: number, subtasks = SIX): Responder {
    const respond = workerResponder(subtasks);
    return async (req) => {
      if ((req.body.messages?.length ?? 0) === 1) {
        await new Promise((r) => setTimeout(r, ms));
      }
      return respond(req);
    };
  }

  const firstTurns = (id: string): number =>
    fake.requests.filter((q) => !isPlanner(q) && (q.body.messages?.length ?? 0) === 1 && subtaskOf(q, [id]) === id)
      .length;

  it('two dispatches of different subtasks at once: both proposals are kept', async () => {
    fake.setResponder(slowWorkers(600));
    const runs = await Promise.all([
      runCli(ws('dispatch', 's1', 's2', 's3'), env),
      runCli(ws('dispatch', 's4', 's5', 's6'), env),
    ]);
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
    }
    assert.deepEqual(await statuses(), {
      s1: 'review',
      s2: 'review',
      s3: 'review',
      s4: 'review',
      s5: 'review',
      s6: 'review',
    });
    const shown = await showJson(repo, env);
    for (const s of shown.subtasks) {
      assert.equal(s.proposal?.status, 'open', `${s.id} keeps its proposal`);
    }
  });

  it('the same subtask dispatched by two processes runs once; the other is refused and says where it runs', async () => {
    fake.setResponder(slowWorkers(800));
    const runs = await Promise.all([runCli(ws('dispatch', 's1'), env), runCli(ws('dispatch', 's1'), env)]);
    assert.equal(firstTurns('s1'), 1, 'one worker run');
    const codes = runs.map((r) => r.code).sort();
    assert.deepEqual(codes, [0, 1]);
    const refused = runs.find((r) => r.code === 1);
    assert.match(refused?.stderr ?? '', /already running in another Opus Orchestrator process \d+/);
    assert.equal((await statuses()).s1, 'review');
  });

  it('apply while another process dispatches: both outcomes are kept', async () => {
    fake.setResponder(slowWorkers(0));
    assert.equal((await runCli(ws('dispatch', 's1'), env)).code, 0);
    fake.setResponder(slowWorkers(800));
    const [d, a] = await Promise.all([
      runCli(ws('dispatch', 's2'), env),
      new Promise((r) => setTimeout(r, 300)).then(() => runCli(ws('apply', 's1'), env)),
    ]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal((a as { code: number }).code, 0);
    const st = await statuses();
    assert.equal(st.s1, 'accepted');
    assert.equal(st.s2, 'review');
    assert.equal(await read(1), changedText(1));
  });

  it('plan while dispatch --all runs is refused, and the runs keep their proposals', async () => {
    const workers = slowWorkers(1000);
    fake.setResponder((req) => (isPlanner(req) ? jsonReply(planOf([{ id: 'other', files: [1] }])) : workers(req)));
    const dispatch = runCli(ws('dispatch', '--all'), env);
    await new Promise((r) => setTimeout(r, 500));
    const plan = await runCli(ws('plan', 'Something else'), env);
    const d = await dispatch;
    assert.equal(d.code, 0, d.stderr);
    assert.equal(plan.code, 1);
    assert.match(plan.stderr, /is running in another Opus Orchestrator process \d+ .*Wait for it to finish/);
    assert.equal(fake.requests.filter(isPlanner).length, 1, 'Opus was not asked to plan again');
    assert.deepEqual(Object.values(await statuses()), ['review', 'review', 'review', 'review', 'review', 'review']);
  });

  it('apply and reject of one subtask at once: one wins, and the store and the disk agree', async () => {
    fake.setResponder(slowWorkers(0));
    const ids = ['s1', 's2', 's3', 's4'];
    assert.equal((await runCli(ws('dispatch', ...ids, '--concurrency', '4'), env)).code, 0);
    const races = await Promise.all(
      ids.map((id) => Promise.all([runCli(ws('apply', id), env), runCli(ws('reject', id), env)])),
    );
    const st = await statuses();
    for (const [i, [a, r]] of races.entries()) {
      const id = ids[i] as string;
      assert.deepEqual([a.code, r.code].sort(), [0, 1], `${id}: one of apply and reject is refused`);
      assert.match((a.code === 1 ? a : r).stderr, /has no proposal awaiting review/);
      assert.equal(st[id], a.code === 0 ? 'accepted' : 'rejected');
      assert.equal(await read(i + 1), st[id] === 'accepted' ? changedText(i + 1) : fileText(i + 1), id);
    }
  });

  it('six applies at once: every file written and every subtask accepted', async () => {
    fake.setResponder(slowWorkers(0));
    assert.equal((await runCli(ws('dispatch', '--all', '--concurrency', '6'), env)).code, 0);
    const runs = await Promise.all(SIX.map((s) => runCli(ws('apply', s.id), env)));
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
    }
    assert.deepEqual(
      Object.values(await statuses()),
      SIX.map(() => 'accepted'),
    );
    for (const n of [1, 2, 3, 4, 5, 6]) {
      assert.equal(await read(n), changedText(n));
    }
  });
});
