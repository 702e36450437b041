import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import type { SimpleGit } from 'simple-git';
import { formatGitFacts, gitFacts } from '../../src/core/workspace/git';

async function initRepo(dir: string): Promise<SimpleGit> {
  const git = simpleGit(dir);
  await git.init();
  await git.addConfig('user.email', 'dev@example.com').addConfig('user.name', 'Dev');
  return git;
}

async function commitFile(git: SimpleGit, dir: string, name: string, text: string, message: string): Promise<void> {
  await fs.writeFile(path.join(dir, name), text);
  await git.add(name);
  await git.commit(message);
}

describe('git facts', () => {
  let base: string;
  let dir: string;
  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'gitfacts-'));
    dir = path.join(base, 'repo');
    await fs.mkdir(dir);
  });
  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it('is undefined for a folder that is not a repository', async () => {
    assert.equal(await gitFacts(dir), undefined);
  });

  it('describes a repository without commits without failing', async () => {
    await initRepo(dir);
    await fs.writeFile(path.join(dir, 'a.txt'), 'a\n');
    const facts = await gitFacts(dir);
    assert.ok(facts);
    assert.ok(facts.branch, 'the unborn branch has a name');
    assert.equal(facts.detached, false);
    assert.deepEqual(facts.commits, []);
    assert.deepEqual(facts.changed, ['?? a.txt']);
    assert.match(formatGitFacts(facts), /no commits yet/);
  });

  it('lists recent commits newest first and the changed files, capped', async () => {
    const git = await initRepo(dir);
    for (let i = 1; i <= 7; i++) {
      await commitFile(git, dir, `f${i}.txt`, `${i}\n`, `Add file ${i}`);
    }
    await fs.writeFile(path.join(dir, 'f1.txt'), 'changed\n');
    await fs.rm(path.join(dir, 'f2.txt'));
    for (const name of ['n1.txt', 'n2.txt', 'n3.txt']) {
      await fs.writeFile(path.join(dir, name), 'new\n');
    }
    await git.mv('f3.txt', 'renamed.txt');
    const facts = await gitFacts(dir, { maxChanged: 3 });
    assert.ok(facts);
    assert.deepEqual(
      facts.commits.map((c) => c.subject),
      ['Add file 7', 'Add file 6', 'Add file 5', 'Add file 4', 'Add file 3'],
    );
    assert.ok(facts.commits.every((c) => /^[0-9a-f]{7,}$/.test(c.hash)));
    assert.equal(facts.changedTotal, 6);
    assert.equal(facts.changed.length, 3);
    const all = (await gitFacts(dir))?.changed ?? [];
    assert.ok(all.includes(' M f1.txt'), all.join('|'));
    assert.ok(all.includes(' D f2.txt'), all.join('|'));
    assert.ok(all.includes('R  f3.txt -> renamed.txt'), all.join('|'));
    const text = formatGitFacts(facts);
    assert.match(text, /changed files \(6\):/);
    assert.match(text, /… and 3 more/);
    assert.match(text, /recent commits:\n {2}[0-9a-f]+ Add file 7/);
  });

  it('leaves out changed files the caller may not show', async () => {
    await initRepo(dir);
    await fs.writeFile(path.join(dir, '.env'), 'TOKEN=x\n');
    await fs.writeFile(path.join(dir, 'app.ts'), 'export {};\n');
    const facts = await gitFacts(dir, { mayShow: (rel) => !rel.startsWith('.env') });
    assert.deepEqual(facts?.changed, ['?? app.ts']);
    assert.deepEqual(facts?.changedPaths, ['app.ts']);
    assert.equal(facts?.changedTotal, 1);
  });

  it('reports a detached HEAD', async () => {
    const git = await initRepo(dir);
    await commitFile(git, dir, 'a.txt', 'a\n', 'First');
    await commitFile(git, dir, 'a.txt', 'b\n', 'Second');
    await git.raw(['checkout', '--detach', 'HEAD~1']);
    const facts = await gitFacts(dir);
    assert.equal(facts?.detached, true);
    assert.equal(facts?.branch, undefined);
    assert.match(formatGitFacts(facts!), /^detached HEAD/);
  });

  it('counts commits ahead of and behind the upstream branch', async () => {
    const originDir = path.join(base, 'origin');
    await fs.mkdir(originDir);
    const origin = await initRepo(originDir);
    await commitFile(origin, originDir, 'a.txt', 'a\n', 'Base');
    await simpleGit(base).clone(originDir, dir);
    const clone = simpleGit(dir);
    await clone.addConfig('user.email', 'dev@example.com').addConfig('user.name', 'Dev');
    await commitFile(clone, dir, 'mine.txt', 'm\n', 'Mine');
    await commitFile(origin, originDir, 'theirs.txt', 't\n', 'Theirs');
    await clone.fetch();
    const facts = await gitFacts(dir);
    assert.ok(facts?.tracking?.startsWith('origin/'));
    assert.equal(facts?.ahead, 1);
    assert.equal(facts?.behind, 1);
    assert.match(formatGitFacts(facts!), /\(tracking origin\/\S+, ahead 1, behind 1\)/);
  });

  it('never runs an fsmonitor program named by the repository config', async () => {
    await initRepo(dir);
    const marker = path.join(base, 'fsmonitor-ran');
    // A hostile repository would ship this in .git/config; plain `git status` runs it.
    await simpleGit({ baseDir: dir, unsafe: { allowUnsafeFsMonitor: true } }).addConfig(
      'core.fsmonitor',
      `touch "${marker}"; false`,
    );
    await fs.writeFile(path.join(dir, 'a.txt'), 'a\n');
    const facts = await gitFacts(dir);
    assert.deepEqual(facts?.changed, ['?? a.txt']);
    await assert.rejects(fs.access(marker), 'the fsmonitor command ran');
  });
});
