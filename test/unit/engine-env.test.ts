import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { diskIO } from '../../src/cli/diskIO';
import { LlmClient } from '../../src/core/llm/client';
import { EngineEnv } from '../../src/core/session/env';
import { RulesCache } from '../../src/core/session/rulesCache';
import { WorkspaceRules } from '../../src/core/workspace/rules';

describe('EngineEnv: the ignore rules a run starts with', () => {
  let root: string;
  let env: EngineEnv;

  beforeEach(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'opus-env-')));
    await simpleGit(root).init();
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, '.gitignore'), 'a.log\n');
    await fs.writeFile(path.join(root, 'src', '.gitignore'), 'a.tmp\n');
    env = new EngineEnv(root, new LlmClient({ apiKey: 'sk-ant-unit' }), diskIO(root), () => undefined);
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('are the same rules from one run to the next while no ignore file changed', async () => {
    const first = await env.rules();
    assert.ok(first.isIgnored('a.log') && first.isIgnored('src/a.tmp'));
    assert.equal(await env.rules(), first);
  });

  it('honour an ignore file edited, or created, a moment after the last run started', async () => {
    assert.equal((await env.rules()).isIgnored('b.log'), false);
    await fs.writeFile(path.join(root, '.gitignore'), 'a.log\nb.log\n');
    assert.equal((await env.rules()).isIgnored('b.log'), true, 'the root .gitignore');
    await fs.writeFile(path.join(root, 'src', '.gitignore'), 'a.tmp\nb.tmp\n');
    assert.equal((await env.rules()).isIgnored('src/b.tmp'), true, 'a nested .gitignore');
    await fs.writeFile(path.join(root, '.opus-orchestratorignore'), 'notes/\n');
    assert.equal((await env.rules()).isIgnored('notes/todo.md'), true, 'the workspace ignore file, new');
  });
});

describe('RulesCache: how old the ignore rules a run starts with may be', () => {
  let root: string;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'opus-rules-'));
    await simpleGit(root).init();
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('reads them again before a run once they are older than its limit, so a new nested .gitignore counts', async () => {
    let loads = 0;
    const cache = new RulesCache(async () => {
      loads += 1;
      return WorkspaceRules.load(root);
    }, 1_000);
    const first = await cache.get();
    assert.equal(await cache.get(), first, 'fresh rules are kept');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const later = await cache.get();
    assert.notEqual(later, first, 'rules past the limit are not used for the run');
    assert.equal(loads, 2);
  });
});
