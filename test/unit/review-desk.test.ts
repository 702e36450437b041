import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { diskIO } from '../../src/cli/diskIO';
import type { OrchestratorError } from '../../src/core/contract';
import { acceptHunks } from '../../src/core/edits/proposal';
import { LlmClient } from '../../src/core/llm/client';
import type { PlanState, SubtaskState } from '../../src/core/plan/state';
import { Checkpoints } from '../../src/core/review/checkpoints';
import { ReviewDesk } from '../../src/core/review/desk';
import { OpusReviewer } from '../../src/core/review/opusReview';
import { EngineEnv } from '../../src/core/session/env';
import { PlanSession } from '../../src/core/session/session';
import { Store } from '../../src/core/store/store';
import { Ledger } from '../../src/core/usage/ledger';

const BASE = Array.from({ length: 30 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
const TARGET = BASE.replace('v1 = 1;', 'one = 1;').replace('v25 = 25;', 'twentyFive = 25;');

function planState(): PlanState {
  const subtask = (id: string, dependsOn: string[]) => ({
    id,
    title: `Edit a.ts (${id})`,
    instructions: 'Rename.',
    model: 'haiku' as const,
    files: [{ path: 'src/a.ts', create: false }],
    acceptanceCriteria: ['renamed'],
    dependsOn,
  });
  const state = (id: string, status: SubtaskState['status']): SubtaskState => ({
    id,
    status,
    model: 'haiku',
    attempt: 1,
    estimate: { inputTokens: 10, outputTokens: 10, cost: 0.01 },
  });
  return {
    id: 'plan-desk',
    task: 'Rename',
    createdAt: '2026-11-28T10:00:00.000Z',
    plan: { goal: 'Rename.', subtasks: [subtask('edit', []), subtask('after', ['edit'])] },
    subtasks: { edit: state('edit', 'running'), after: state('after', 'pending') },
    ledger: [],
    opusOnlyEstimate: { inputTokens: 0, outputTokens: 0, cost: 0 },
  };
}

describe('ReviewDesk', () => {
  let root: string;
  let session: PlanSession;
  let desk: ReviewDesk;
  let checkpoints: Checkpoints;
  /** The stored status of 'edit' when it was reported in review. */
  let atReview: string | undefined;
  const file = (): string => path.join(root, 'src/a.ts');
  const stored = async (): Promise<SubtaskState | undefined> => (await new Store(root).loadPlan())?.subtasks.edit;
  const edit = (): SubtaskState => session.subtask('edit')?.state as SubtaskState;

  beforeEach(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'opus-desk-')));
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(file(), BASE);
    const env = new EngineEnv(root, new LlmClient({ apiKey: 'sk-ant-unit' }), diskIO(root), () => undefined);
    session = new PlanSession(new Store(root), () => undefined);
    desk = new ReviewDesk(env, session, new OpusReviewer(env, session));
    checkpoints = new Checkpoints(env, session);
    await session.replace(planState(), new Ledger());
    const spec = session.subtask('edit')?.spec;
    assert.ok(spec);
    const record = path.join(root, '.opus-orchestrator', 'subtasks', 'edit.json');
    const watch = session.events.on(() => {
      atReview = JSON.parse(readFileSync(record, 'utf8')).data.state.status;
    });
    await desk.receive(spec, edit(), [{ path: 'src/a.ts', base: BASE, target: TARGET }], new AbortController().signal);
    watch.dispose();
  });

  afterEach(async () => {
    await session.flush().catch(() => undefined);
    await fs.rm(root, { recursive: true, force: true });
  });

  it('puts the subtask in review the moment the proposal exists, and saves it after', async () => {
    assert.equal(edit().status, 'review');
    assert.equal(edit().history?.[0]?.outcome, 'review');
    assert.match(edit().history?.[0]?.diff ?? '', /\+export const one = 1;/);
    assert.equal(atReview, 'running', 'when it showed review, the store still said running');
    await session.flush();
    assert.equal((await stored())?.status, 'review');
    assert.equal((await new Store(root).loadProposal(edit().proposalId ?? ''))?.files[0]?.hunks.length, 2);
  });

  it('an accept writes the file first, reports at once (dependents ready), and records it after', async () => {
    await session.flush();
    const record = path.join(root, '.opus-orchestrator', 'subtasks', 'edit.json');
    const seen: Array<[string, string, string, string]> = [];
    session.events.on((e) => {
      if (e.kind === 'subtask') {
        const onDisk = JSON.parse(readFileSync(record, 'utf8')).data.state.status;
        seen.push([e.id, session.subtask(e.id)?.state.status ?? '?', onDisk, readFileSync(file(), 'utf8')]);
      }
    });
    await desk.acceptProposal('edit');
    assert.deepEqual(seen, [
      ['edit', 'accepted', 'review', TARGET],
      ['after', 'ready', 'review', TARGET],
    ]);
    await session.flush();
    const saved = await stored();
    assert.equal(saved?.status, 'accepted');
    assert.deepEqual(saved?.checkpoint, [{ path: 'src/a.ts', before: BASE, after: TARGET }]);
  });

  it('refuses an accept on a file that changed since, writing nothing', async () => {
    await fs.writeFile(file(), `${BASE}// mine\n`);
    assert.deepEqual(await desk.staleFiles('edit'), ['src/a.ts']);
    await assert.rejects(desk.acceptProposal('edit'), (e: OrchestratorError) => e.code === 'stale');
    assert.equal(await fs.readFile(file(), 'utf8'), `${BASE}// mine\n`);
    assert.equal(edit().status, 'review');
  });

  it('refuses an accept on a file someone already changed the same way, leaving it and no journal behind', async () => {
    await fs.writeFile(file(), TARGET);
    await assert.rejects(desk.acceptProposal('edit'), (e: OrchestratorError) => e.code === 'stale');
    assert.equal(await fs.readFile(file(), 'utf8'), TARGET);
    assert.equal(edit().status, 'review');
    assert.equal(edit().checkpoint, undefined);
    await assert.rejects(fs.stat(new Store(root).journalFile()), /ENOENT/);
  });

  it('a rejected hunk leaves the file as it was and reaches the next attempt with its reason', async () => {
    const [first, second] = desk.proposal('edit')?.files[0]?.hunks ?? [];
    assert.ok(first && second);
    await desk.acceptHunk('edit', 'src/a.ts', first.id);
    await desk.rejectHunk('edit', 'src/a.ts', second.id, 'Keep v25.');
    assert.equal(edit().status, 'accepted', 'the last decision settles it');
    assert.equal(await fs.readFile(file(), 'utf8'), BASE.replace('v1 = 1;', 'one = 1;'));
    assert.deepEqual(
      edit().history?.[0]?.rejections?.map((r) => r.reason),
      ['Keep v25.'],
    );

    edit().history?.push({ attempt: 2, model: 'haiku', outcome: 'rejected', rejections: edit().rejections });
    assert.match(desk.feedback(edit()) ?? '', /Reason: Keep v25\./);
  });

  it('abandoning an open proposal for a retry counts what was undecided as rejected', () => {
    desk.abandon('edit');
    assert.equal(edit().status, 'rejected');
    assert.equal(edit().rejections?.length, 2);
    assert.equal(session.proposal('edit')?.status, 'rejected');
  });

  it('finds an accept whose record was cut off (file written, process gone) and records it, revertible', async () => {
    const change = session.proposal('edit')?.files[0];
    assert.ok(change);
    const [one] = change.hunks;
    assert.ok(one);
    // What an accept of the first hunk writes before its record is saved.
    const halfway = acceptHunks(change, [one.id]).text;
    await fs.writeFile(file(), halfway);
    await checkpoints.recover();
    assert.equal(edit().status, 'review', 'one hunk is still open');
    assert.equal(desk.proposal('edit')?.files[0]?.hunks.length, 1);
    assert.deepEqual(edit().checkpoint, [{ path: 'src/a.ts', before: BASE, after: halfway }]);

    await fs.writeFile(file(), TARGET);
    await checkpoints.recover();
    assert.equal(edit().status, 'accepted');
    assert.equal(session.subtask('after')?.state.status, 'ready');
    await checkpoints.revert('edit');
    assert.equal(await fs.readFile(file(), 'utf8'), BASE);
  });

  it('leaves a file someone else changed alone: still open, and stale', async () => {
    await fs.writeFile(file(), `${BASE}// mine\n`);
    await checkpoints.recover();
    assert.equal(edit().status, 'review');
    assert.equal(edit().checkpoint, undefined);
    assert.deepEqual(await desk.staleFiles('edit'), ['src/a.ts']);
  });
});
