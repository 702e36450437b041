import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LlmClient } from '../../src/core/llm/client';
import { modelFor } from '../../src/core/models';
import { planTask } from '../../src/core/plan/planner';
import { buildRepoMap } from '../../src/core/plan/repoMap';
import type { PlannerToolEvent } from '../../src/core/plan/tools';
import { WorkspaceRules } from '../../src/core/workspace/rules';
import { jsonReply, toolUseReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { CANARY, makeRealRepo } from './realRepo';
import type { RealRepo } from './realRepo';

const KEY = 'sk-ant-test-real-repo-0123456789';
const TASK = 'Make Parser.parseDocument skip blank lines, and mention it in the user guide.';

const PLAN = {
  goal: 'parseDocument skips blank lines; the user guide says so.',
  subtasks: [
    {
      id: 'skip-blank',
      title: 'Skip blank lines in parseDocument',
      instructions: 'In Parser.parseDocument, drop lines that are empty after trimming.',
      model: 'sonnet',
      effort: 'medium',
      oneReply: false,
      files: [
        { path: 'packages/core/src/index.ts', create: false, focus: { symbols: ['Parser.parseDocument'], lines: [] } },
        { path: 'src/naïve ünïcode.ts', create: false, focus: { symbols: [], lines: [{ start: 1, end: 1 }] } },
      ],
      acceptanceCriteria: ['parseDocument("a\\n\\nb") returns two lines'],
      dependsOn: [],
    },
    {
      id: 'document',
      title: 'Document it',
      instructions: 'Add a sentence to the user guide.',
      model: 'haiku',
      effort: 'low',
      oneReply: false,
      files: [{ path: 'docs/user guide.md', create: false, focus: { symbols: [], lines: [] } }],
      acceptanceCriteria: ['The guide mentions blank lines'],
      dependsOn: ['skip-blank'],
    },
  ],
};

/** Every way a planner could try to see what it must not: named, searched, listed, linked, escaped. */
const PEEKS = [
  { name: 'list_folder', input: { path: '' } },
  { name: 'list_folder', input: { path: '.venv' } },
  { name: 'list_folder', input: { path: 'linked-dir' } },
  { name: 'search', input: { pattern: 'CANARY', path: '', ignore_case: true } },
  { name: 'search', input: { pattern: 'CANARY', path: 'vendor', ignore_case: false } },
  { name: 'read_file', input: { path: '.env', start_line: 1, end_line: 10 } },
  { name: 'read_file', input: { path: 'linked-secret.ts', start_line: 1, end_line: 10 } },
  { name: 'read_file', input: { path: '../outside/secret.ts', start_line: 1, end_line: 10 } },
  { name: 'read_file', input: { path: 'linked-dir/secret.ts', start_line: 1, end_line: 10 } },
  { name: 'read_file', input: { path: 'scratch/notes.ts', start_line: 1, end_line: 10 } },
  { name: 'read_file', input: { path: 'src/me.local.ts', start_line: 1, end_line: 10 } },
  { name: 'read_file', input: { path: 'vendor/github.com/lib/pq/conn.go', start_line: 1, end_line: 10 } },
  {
    name: 'read_file',
    input: { path: '.venv/lib/python3.12/site-packages/requests/__init__.py', start_line: 1, end_line: 5 },
  },
  { name: 'read_file', input: { path: 'packages/core/generated/out.ts', start_line: 1, end_line: 10 } },
  { name: 'read_file', input: { path: 'node_modules/left-pad/index.js', start_line: 1, end_line: 10 } },
  { name: 'read_file', input: { path: 'dist/bundle.js', start_line: 1, end_line: 10 } },
  { name: 'read_file', input: { path: 'assets/logo.png', start_line: 1, end_line: 10 } },
  { name: 'read_file', input: { path: 'packages/core/src/index.ts', start_line: 7, end_line: 13 } },
];

describe('planning a real-shaped repository', function () {
  this.timeout(60_000);
  let repo: RealRepo;
  let fake: FakeAnthropic;
  const savedHome = process.env.HOME;

  before(async () => {
    repo = await makeRealRepo();
    process.env.HOME = repo.gitEnv.HOME; // the fixture's global git config stands for the user's own
  });
  after(async () => {
    process.env.HOME = savedHome;
    await repo.cleanup();
  });
  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('plans with tools on every shape, and nothing ignored, third-party or outside reaches a request', async () => {
    const rules = await WorkspaceRules.load(repo.root);
    const map = await buildRepoMap({ root: repo.root, task: TASK, rules });
    fake.enqueue(toolUseReply(PEEKS.slice(0, 9)), toolUseReply(PEEKS.slice(9)), jsonReply(PLAN));
    const events: PlannerToolEvent[] = [];
    const plan = await planTask({
      llm: new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 }),
      model: modelFor('opus'),
      task: TASK,
      repoMap: map.text,
      root: repo.root,
      rules,
      tools: { budget: { maxCalls: PEEKS.length, maxTokens: 40_000 }, onEvent: (e) => events.push(e) },
    });
    assert.deepEqual(
      plan.subtasks.flatMap((s) => s.files.map((f) => f.path)),
      ['packages/core/src/index.ts', 'src/naïve ünïcode.ts', 'docs/user guide.md'],
    );
    assert.equal(fake.requests.length, 3);
    for (const [i, r] of fake.requests.entries()) {
      assert.ok(!JSON.stringify(r.body).includes(CANARY), `request ${i + 1} carries text that must stay here`);
    }
    for (const name of ['conn.go', 'site-packages', 'notes.ts', 'me.local.ts', 'out.ts', 'bundle.js', 'left-pad']) {
      assert.ok(!map.text.includes(name), `the map names ${name}`);
    }
    // The one legitimate read came back with its lines; each peek was answered, the forbidden ones as errors.
    const last = JSON.stringify(fake.requests[2]?.body.messages);
    assert.match(last, /parseDocument\(text: string\)/);
    assert.equal(events.length, PEEKS.length);
    const refused = events.filter((e) => e.refused).map((e) => e.summary);
    assert.ok(refused.length >= 12, `only ${refused.length} refused: ${refused.join('; ')}`);
    assert.ok(events.every((e, i) => e.calls === i + 1 && e.maxCalls === PEEKS.length));
  });

  it('plans the same tree outside git, walking it with the same rules', async () => {
    const copy = `${repo.root}-nogit`;
    await fs.cp(repo.root, copy, { recursive: true, verbatimSymlinks: true });
    try {
      await fs.rm(path.join(copy, '.git'), { recursive: true, force: true });
      // Without git, info/exclude and the user's excludes file do not apply: those files are ordinary here.
      await fs.rm(path.join(copy, 'scratch'), { recursive: true, force: true });
      await fs.rm(path.join(copy, 'src', 'me.local.ts'));
      const rules = await WorkspaceRules.load(copy);
      const map = await buildRepoMap({ root: copy, task: TASK, rules });
      fake.enqueue(toolUseReply(PEEKS.filter((p) => !/scratch|me\.local/.test(JSON.stringify(p)))), jsonReply(PLAN));
      const plan = await planTask({
        llm: new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 }),
        model: modelFor('opus'),
        task: TASK,
        repoMap: map.text,
        root: copy,
        rules,
        tools: { budget: { maxCalls: PEEKS.length, maxTokens: 40_000 } },
      });
      assert.equal(plan.subtasks.length, 2);
      for (const r of fake.requests) {
        assert.ok(!JSON.stringify(r.body).includes(CANARY));
      }
    } finally {
      await fs.rm(copy, { recursive: true, force: true });
    }
  });
});
