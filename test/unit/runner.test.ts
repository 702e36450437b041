import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { diskIO } from '../../src/cli/diskIO';
import type { OrchestratorError, WorkspaceIO } from '../../src/core/contract';
import { LlmClient } from '../../src/core/llm/client';
import type { Subtask } from '../../src/core/plan/schema';
import type { PlanState, SubtaskState } from '../../src/core/plan/state';
import { Estimator } from '../../src/core/runner/estimator';
import type { RunHandoff } from '../../src/core/runner/runner';
import { Runner } from '../../src/core/runner/runner';
import { EngineEnv } from '../../src/core/session/env';
import { PlanSession } from '../../src/core/session/session';
import { refreshStatuses } from '../../src/core/session/statuses';
import { Store } from '../../src/core/store/store';
import { Ledger } from '../../src/core/usage/ledger';
import type { WorkerResult } from '../../src/core/worker/worker';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { textReply, toolUseReply } from '../fake-anthropic/replies';

const spec = (id: string, file: string, dependsOn: string[] = []): Subtask => ({
  id,
  title: `Edit ${file}`,
  instructions: `Edit ${file} for ${id}.`,
  model: 'haiku',
  files: [{ path: file, create: false }],
  acceptanceCriteria: [`${file} changed`],
  dependsOn,
});

function planState(): PlanState {
  const specs = [spec('one', 'src/a.ts'), spec('two', 'src/a.ts'), spec('three', 'src/b.ts', ['one'])];
  const state: PlanState = {
    id: 'plan-runner',
    task: 'Edit files',
    createdAt: '2026-11-28T10:00:00.000Z',
    plan: { goal: 'Edit files.', subtasks: specs },
    subtasks: Object.fromEntries(
      specs.map((s): [string, SubtaskState] => [
        s.id,
        {
          id: s.id,
          status: 'pending',
          model: 'haiku',
          attempt: 0,
          estimate: { inputTokens: 10, outputTokens: 10, cost: 0.01 },
        },
      ]),
    ),
    ledger: [],
    opusOnlyEstimate: { inputTokens: 0, outputTokens: 0, cost: 0 },
  };
  refreshStatuses(state);
  return state;
}

/** Where the runner hands a finished run: it keeps what it got and puts the subtask in review. */
class ReceivingDesk implements RunHandoff {
  received: Array<{ id: string; attempt: number; files: WorkerResult['files'] }> = [];

  feedback(state: SubtaskState): string | undefined {
    return state.attempt > 0 ? `previous attempt ${state.attempt}` : undefined;
  }

  async receive(s: Subtask, state: SubtaskState, files: WorkerResult['files']): Promise<void> {
    this.received.push({ id: s.id, attempt: state.attempt, files });
    state.status = 'review';
  }
}

describe('Runner', function () {
  this.timeout(30_000);
  let fake: FakeAnthropic;
  let root: string;
  let session: PlanSession;
  let env: EngineEnv;
  let desk: ReceivingDesk;
  let runner: Runner;

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'opus-runner-')));
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src/a.ts'), 'export const a = 1;\n');
    await fs.writeFile(path.join(root, 'src/b.ts'), 'export const b = 1;\n');
    const llm = new LlmClient({ apiKey: 'sk-ant-unit', baseURL: fake.url, maxRetries: 0 });
    env = new EngineEnv(root, llm, diskIO(root), () => undefined);
    session = new PlanSession(new Store(root), () => undefined);
    desk = new ReceivingDesk();
    runner = new Runner(env, session, desk);
    await session.replace(planState(), new Ledger());
  });

  afterEach(async () => {
    runner.cancelAll();
    await session.flush().catch(() => undefined);
    await fake.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  const editsA = () =>
    fake.setResponder((req) =>
      (req.body.messages?.length ?? 0) > 1
        ? textReply('done')
        : toolUseReply([
            {
              name: 'str_replace_based_edit_tool',
              input: { command: 'str_replace', path: 'src/a.ts', old_str: 'a = 1', new_str: 'a = 2' },
            },
          ]),
    );

  it('refuses, starting nothing, a subtask whose dependency is not accepted, one over a cap, or any when untrusted', async () => {
    await assert.rejects(
      runner.dispatch(['one', 'three']),
      (e: OrchestratorError) => e.code === 'not-runnable' && /waits for "one"/.test(e.message),
    );
    assert.equal(session.subtask('one')?.state.status, 'ready', 'the runnable one did not start either');
    env.updateSettings({ maxCostPerPlan: 0.015 });
    await assert.rejects(
      runner.dispatch(['one', 'two']),
      (e: OrchestratorError) => e.code === 'cap' && /maxCostPerPlan/.test(e.message),
    );
    env.updateSettings({ maxCostPerPlan: 0 });
    env.trusted = false;
    await assert.rejects(runner.dispatch(['one']), (e: OrchestratorError) => e.code === 'untrusted');
    assert.equal(fake.requests.length, 0);
  });

  it('runs a subtask and hands its changed files over; the attempt counts up and the worker hears the feedback', async () => {
    editsA();
    const statuses: string[] = [];
    session.events.on((e) => {
      if (e.kind === 'subtask' && e.id === 'one') {
        statuses.push(session.subtask('one')?.state.status ?? '?');
      }
    });
    await runner.dispatch(['one']);
    assert.deepEqual(
      desk.received.map((r) => [r.id, r.attempt]),
      [['one', 1]],
    );
    assert.deepEqual(desk.received[0]?.files, [
      { path: 'src/a.ts', base: 'export const a = 1;\n', target: 'export const a = 2;\n' },
    ]);
    assert.deepEqual(statuses, ['running', 'review']);
    assert.ok(session.ledger.costOf('one') > 0, 'the calls are billed to the subtask');
    assert.equal(await fs.readFile(path.join(root, 'src/a.ts'), 'utf8'), 'export const a = 1;\n');

    (session.subtask('one')?.state as SubtaskState).status = 'rejected';
    await runner.dispatch(['one']);
    assert.match(JSON.stringify(fake.requests.at(-2)?.body.messages?.[0]), /previous attempt 1/);
    assert.equal(session.subtask('one')?.state.attempt, 2);
  });

  it('records a failed run in the history, and blocks what depends on it', async () => {
    fake.enqueue({ httpError: 400, message: 'bad request' });
    await runner.dispatch(['one']);
    const one = session.subtask('one')?.state;
    assert.equal(one?.status, 'failed');
    assert.match(one?.error ?? '', /bad request/);
    assert.deepEqual(
      one?.history?.map((h) => [h.attempt, h.outcome]),
      [[1, 'failed']],
    );
    assert.equal(session.subtask('three')?.state.status, 'blocked');
  });

  it('never runs two subtasks on the same file together; cancelling the queued one ends it without a request', async () => {
    fake.setResponder(() => ({ ...textReply('slow'), latencyMs: 300 }));
    const both = runner.dispatch(['one', 'two']);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(runner.has('two'), true);
    runner.cancel('two');
    await both;
    assert.equal(session.subtask('two')?.state.status, 'cancelled');
    assert.equal(session.subtask('two')?.state.attempt, 0, 'it never started');
    assert.ok(fake.requests.every((r) => !JSON.stringify(r.body.messages?.[0]).includes('for two')));
  });

  it('recomputes the Opus-alone figure from what a run recorded, and saves it', async () => {
    const estimator = new Estimator(env);
    const withFigures = new Runner(env, session, desk, estimator);
    const planned = await estimator.opusOnly(session.state as PlanState, []);
    editsA();
    await withFigures.dispatch(['one']);
    const work = session.subtask('one')?.state.work;
    assert.ok(work, 'the run recorded its work');
    assert.deepEqual(work.edits, [{ path: 'src/a.ts', tokens: work.edits[0]?.tokens }]);
    assert.deepEqual(
      work.reads.map((r) => [r.path, r.start, r.end]),
      [['src/a.ts', 1, 1]],
    );
    const after = session.state?.opusOnlyEstimate;
    assert.ok(after && after.cost > 0);
    assert.deepEqual(after, await estimator.opusOnly(session.state as PlanState, session.ledger.entries()));
    assert.notDeepEqual(after, planned, 'the recorded edit replaces the expected one');
    await session.flush();
    const stored = await new Store(root).load();
    assert.deepEqual(stored?.state.subtasks.one?.work, work, 'the work is saved with its subtask');
    const reloaded = new PlanSession(new Store(root), () => undefined);
    await reloaded.load(async () => ({ inputTokens: 0, outputTokens: 0, cost: 0 }));
    await estimator.refreshOpusAlone(reloaded);
    assert.deepEqual(reloaded.state?.opusOnlyEstimate, after, 'a reload computes the same figure from the records');
  });

  it('estimates read each file once for a whole plan', async () => {
    const reads: string[] = [];
    const io: WorkspaceIO = { read: async (rel) => (reads.push(rel), diskIO(root).read(rel)), write: async () => {} };
    const estimator = new Estimator(new EngineEnv(root, env.llm, io, () => undefined));
    const plan = planState().plan;
    const texts = new Map();
    for (const s of plan.subtasks) {
      assert.ok((await estimator.subtask(s, s.model, plan.goal, texts)).inputTokens > 0);
    }
    assert.ok((await estimator.opusOnly({ task: 'Edit files', plan, subtasks: {} }, [], texts)).cost > 0);
    assert.deepEqual(reads.sort(), ['src/a.ts', 'src/b.ts']);
  });
});
