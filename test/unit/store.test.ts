import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import type { Proposal } from '../../src/core/edits/types';
import type { PlanState } from '../../src/core/plan/state';
import { proposalIdFor, recordName } from '../../src/core/store/names';
import { Store, StoreError } from '../../src/core/store/store';

function samplePlan(): PlanState {
  return {
    id: 'plan-1',
    task: 'Add a --verbose flag',
    createdAt: '2026-11-24T10:00:00.000Z',
    plan: {
      goal: 'Let users ask for verbose output.',
      subtasks: [
        {
          id: 'add-flag',
          title: 'Parse --verbose',
          instructions: 'Add the flag to the argument parser.',
          model: 'sonnet',
          files: [{ path: 'src/cli.ts', create: false }],
          acceptanceCriteria: ['--verbose is accepted'],
          dependsOn: [],
        },
      ],
    },
    subtasks: {
      'add-flag': {
        id: 'add-flag',
        status: 'review',
        model: 'sonnet',
        attempt: 1,
        estimate: { inputTokens: 1200, outputTokens: 400, cost: 0.01 },
        live: { input: 1000, output: 300, cacheRead: 200, cacheWrite: 0 },
        proposalId: 'p-add-flag-1',
      },
    },
    ledger: [
      {
        owner: 'plan',
        attempt: 1,
        model: 'claude-opus-4-5',
        role: 'opus',
        usage: { input: 5000, output: 800, cacheRead: 0, cacheWrite: 0 },
        cost: 0.045,
        requestId: 'req_1',
        at: '2026-11-24T10:00:05.000Z',
      },
    ],
    opusOnlyEstimate: { inputTokens: 9000, outputTokens: 1500, cost: 0.08 },
  };
}

function sampleProposal(id = 'p-add-flag-1'): Proposal {
  return {
    id,
    subtaskId: 'add-flag',
    attempt: 1,
    createdAt: '2026-11-24T10:01:00.000Z',
    status: 'open',
    files: [
      {
        path: 'src/cli.ts',
        base: 'const a = 1;\n',
        target: 'const a = 2;\n',
        baseHash: 'abc123',
        hunks: [
          { id: 'h1', oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: ['-const a = 1;', '+const a = 2;'] },
        ],
      },
      { path: 'src/new.ts', base: null, target: 'export {};\n', baseHash: '', hunks: [] },
    ],
  };
}

describe('store', () => {
  let root: string;
  let store: Store;
  const planFile = (): string => path.join(root, '.opus-orchestrator', 'plan.json');

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'store-'));
    store = new Store(root);
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('has nothing to load before anything was saved, and creates no folder by reading', async () => {
    assert.equal(await store.loadPlan(), undefined);
    assert.equal(await store.loadProposal('p1'), undefined);
    await assert.rejects(fs.access(path.join(root, '.opus-orchestrator')));
  });

  it('round-trips a plan and a proposal as versioned JSON', async () => {
    await store.savePlan(samplePlan());
    await store.saveProposal(sampleProposal());
    assert.deepEqual(await store.loadPlan(), samplePlan());
    assert.deepEqual(await store.loadProposal('p-add-flag-1'), sampleProposal());
    const onDisk = JSON.parse(await fs.readFile(planFile(), 'utf8'));
    assert.equal(onDisk.version, 2);
    assert.equal(onDisk.kind, 'plan');
    assert.equal(onDisk.data.task, 'Add a --verbose flag');
  });

  it('keeps its folder out of git with a .gitignore of *', async () => {
    await simpleGit(root).init();
    await store.savePlan(samplePlan());
    assert.equal(await fs.readFile(path.join(root, '.opus-orchestrator', '.gitignore'), 'utf8'), '*\n');
    const status = await simpleGit(root).status();
    assert.deepEqual(status.files, []);
  });

  it('writes atomically: replacing a file leaves no temporary files behind', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.savePlan({ ...samplePlan(), task: `task ${i}` })));
    await store.saveProposal(sampleProposal());
    const entries = [
      ...(await fs.readdir(path.join(root, '.opus-orchestrator'))),
      ...(await fs.readdir(path.join(root, '.opus-orchestrator', 'proposals'))),
      ...(await fs.readdir(path.join(root, '.opus-orchestrator', 'subtasks'))),
    ];
    assert.deepEqual(entries.sort(), [
      '.gitignore',
      'add-flag.json',
      'ledger.jsonl',
      'p-add-flag-1.json',
      'plan.json',
      'proposals',
      'subtasks',
    ]);
    assert.match((await store.loadPlan())?.task ?? '', /^task \d+$/);
  });

  it('never stores an API key, even when a caller passes one along', async () => {
    const withKey = { ...samplePlan(), apiKey: 'sk-ant-api03-secret' } as PlanState;
    await store.savePlan(withKey);
    const text = await fs.readFile(planFile(), 'utf8');
    assert.ok(!text.includes('sk-ant'), 'the key reached the disk');
    assert.deepEqual(await store.loadPlan(), samplePlan());
  });

  it('refuses a corrupt file with a StoreError that names it and says what to do', async () => {
    await store.savePlan(samplePlan());
    await fs.writeFile(planFile(), '{"version": 1, "kind": "plan", "data": {');
    await assert.rejects(store.loadPlan(), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.equal(err.file, planFile());
      assert.match(err.message, /plan\.json is not valid JSON .*Delete the file/);
      return true;
    });
  });

  it('refuses a file written by a newer version, saying to update or delete', async () => {
    await fs.mkdir(path.dirname(planFile()), { recursive: true });
    await fs.writeFile(planFile(), JSON.stringify({ version: 3, kind: 'plan', data: {} }));
    await assert.rejects(store.loadPlan(), {
      name: 'StoreError',
      message:
        /plan\.json was written by a newer version of Opus Orchestrator.*Update the extension or delete the file/,
    });
  });

  it('refuses the wrong kind, a missing envelope and a plan of the wrong shape', async () => {
    await fs.mkdir(path.dirname(planFile()), { recursive: true });
    await fs.writeFile(planFile(), JSON.stringify({ version: 1, kind: 'proposal', data: sampleProposal() }));
    await assert.rejects(store.loadPlan(), { name: 'StoreError', message: /holds a proposal, not a plan/ });
    await fs.writeFile(planFile(), JSON.stringify(samplePlan()));
    await assert.rejects(store.loadPlan(), { name: 'StoreError', message: /not an Opus Orchestrator plan file/ });
    const broken = {
      ...samplePlan(),
      subtasks: { 'add-flag': { ...samplePlan().subtasks['add-flag'], status: 'done' } },
    };
    await fs.writeFile(planFile(), JSON.stringify({ version: 1, kind: 'plan', data: broken }));
    await assert.rejects(store.loadPlan(), {
      name: 'StoreError',
      message: /unexpected shape at subtasks\.add-flag\.status/,
    });
  });

  it('deletes one proposal and clears everything', async () => {
    await store.savePlan(samplePlan());
    await store.saveProposal(sampleProposal('p1'));
    await store.saveProposal(sampleProposal('p2'));
    await store.deleteProposal('p1');
    await store.deleteProposal('never-saved');
    assert.equal(await store.loadProposal('p1'), undefined);
    assert.equal((await store.loadProposal('p2'))?.id, 'p2');
    await store.clear();
    assert.equal(await store.loadPlan(), undefined);
    assert.equal(await store.loadProposal('p2'), undefined);
  });

  it("clears the plan and its proposals but keeps the repository map's cache, which belongs to no plan", async () => {
    await store.savePlan(samplePlan());
    await store.saveProposal(sampleProposal('p1'));
    const cache = path.join(root, '.opus-orchestrator', 'cache', 'map-scans.json');
    await fs.mkdir(path.dirname(cache), { recursive: true });
    await fs.writeFile(cache, '{"format":2,"entries":{}}');
    await store.clear();
    assert.equal(await store.loadPlan(), undefined);
    assert.equal(await store.loadProposal('p1'), undefined);
    assert.deepEqual((await fs.readdir(path.join(root, '.opus-orchestrator'))).sort(), ['.gitignore', 'cache']);
    assert.equal(await fs.readFile(cache, 'utf8'), '{"format":2,"entries":{}}');
  });

  it('refuses proposal ids that would escape the store folder', async () => {
    await assert.rejects(store.loadProposal('../../plan'), {
      name: 'StoreError',
      message: /cannot be used as a file name/,
    });
    await assert.rejects(store.saveProposal(sampleProposal('../evil')), { name: 'StoreError' });
    await assert.rejects(fs.access(path.join(root, 'evil.json')));
  });

  it('names record files safely whatever the id: short, distinct, no folder or device names', () => {
    assert.equal(recordName('add-flag'), 'add-flag');
    const odd = [
      'x'.repeat(300),
      'x'.repeat(301),
      'Add-Flag',
      'add flag',
      'a/b',
      '../plan',
      'con',
      'CON',
      'nul.txt',
      'ü',
    ];
    const names = odd.map(recordName);
    assert.equal(new Set([...names, 'add-flag']).size, odd.length + 1, names.join(' '));
    for (const name of names) {
      assert.match(name, /^[a-z0-9][a-z0-9._-]*~[0-9a-f]{16}$/);
      assert.ok(name.length <= 65, name);
    }
    assert.equal(proposalIdFor('add-flag', 2), 'add-flag-2');
    assert.match(proposalIdFor('a/b', 1), /^a-b~[0-9a-f]{16}-1$/);
  });

  it('saves proposals with ids of any length, and finds one a format-1 store named after its id', async () => {
    const long = sampleProposal(`${'p'.repeat(200)}-1`);
    await store.saveProposal(long);
    assert.deepEqual(await store.loadProposal(long.id), long);
    const legacy = sampleProposal('Add-Flag-1');
    await fs.mkdir(path.join(root, '.opus-orchestrator', 'proposals'), { recursive: true });
    await fs.writeFile(
      path.join(root, '.opus-orchestrator', 'proposals', 'Add-Flag-1.json'),
      JSON.stringify({ version: 1, kind: 'proposal', data: legacy }),
    );
    assert.deepEqual(await store.loadProposal('Add-Flag-1'), legacy);
    await store.deleteProposal('Add-Flag-1');
    assert.equal(await store.loadProposal('Add-Flag-1'), undefined);
  });

  it('refuses a store folder that is a link, so writes cannot be redirected', async () => {
    const elsewhere = await fs.mkdtemp(path.join(os.tmpdir(), 'store-elsewhere-'));
    try {
      await fs.symlink(elsewhere, path.join(root, '.opus-orchestrator'));
      await assert.rejects(store.savePlan(samplePlan()), { name: 'StoreError', message: /is not a folder/ });
      assert.deepEqual(await fs.readdir(elsewhere), []);
    } finally {
      await fs.rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('lets a decision waiting for the lock go before a save made after the fact', async () => {
    const order: string[] = [];
    let letGo = (): void => undefined;
    let holding: Promise<void> = Promise.resolve();
    await new Promise<void>((entered) => {
      holding = store.transact(() => {
        entered();
        return new Promise<void>((resolve) => (letGo = resolve));
      });
    });
    const save = store.transact(async () => void order.push('save'), { background: true });
    const accept = store.transact(async () => void order.push('accept'));
    letGo();
    await Promise.all([holding, save, accept]);
    assert.deepEqual(order, ['accept', 'save']);
  });

  it('reads again what another process saved while this one did not hold the lock', async () => {
    const plan = samplePlan();
    await store.transact(() => store.savePlan(plan));
    assert.equal((await store.transact(() => store.readSubtask(plan.id, 'add-flag')))?.rev, 1);
    const other = new Store(root);
    const accepted = { ...(plan.subtasks['add-flag'] as PlanState['subtasks'][string]), status: 'accepted' as const };
    await other.transact(() => other.saveSubtask(plan.id, accepted, { rev: 7 }));
    const seen = await store.transact(() => store.readSubtask(plan.id, 'add-flag'));
    assert.equal(seen?.rev, 7);
    assert.equal(seen?.state.status, 'accepted');
  });
});
