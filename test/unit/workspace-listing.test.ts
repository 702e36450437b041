import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { listWorkspace } from '../../src/core/workspace/listing';
import { listFiles, WorkspaceRules } from '../../src/core/workspace/rules';
import { configureSecrets } from '../../src/core/workspace/secrets';
import { makeRealRepo } from './realRepo';
import type { RealRepo } from './realRepo';

/** Runs `f` with the fixture's global git config in the environment, as a user's own config would be. */
async function withEnv<T>(env: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
  }
}

describe('workspace listing', function () {
  this.timeout(30_000);
  let repo: RealRepo;
  before(async () => {
    repo = await makeRealRepo();
  });
  after(async () => {
    await repo.cleanup();
  });

  it('lists what git would list, less credentials, third-party trees and links out of the workspace', async () => {
    const { listing, rules } = await withEnv(repo.gitEnv, async () => {
      const rules = await WorkspaceRules.load(repo.root);
      return { listing: await listWorkspace(repo.root, rules), rules };
    });
    assert.equal(listing.fromGit, true);
    assert.deepEqual(
      listing.files,
      [...repo.ownFiles, 'assets/logo.png', 'package-lock.json', 'packages/web/package-lock.json'].sort(),
    );
    assert.deepEqual(
      listing.leftOut.map((t) => [t.dir, t.reason, t.files]),
      [
        ['.venv', 'virtual environment', 2],
        ['vendor', 'third-party', 1],
      ],
    );
    assert.ok((listing.sizes.get('packages/core/src/generated-tables.ts') ?? 0) > 2_000_000);
    // What git leaves out is refused by the rules too, so a model cannot name it either.
    for (const rel of ['scratch/notes.ts', 'src/me.local.ts', 'packages/core/generated/out.ts', 'debug.log']) {
      assert.equal(rules.mayRead(rel), false, rel);
    }
    assert.equal(rules.mayRead('packages/web/src/deep/er/est/cache.tmp.ts'), false);
    // Third-party code stays readable when a plan names it.
    assert.equal(rules.mayRead('vendor/github.com/lib/pq/conn.go'), true);
  });

  it('reads nested .gitignore files through git however many folders the tree has', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'listing-wide-'));
    try {
      const git = simpleGit(root);
      await git.init();
      // 25,000 folders, past where a capped walk used to stop looking for .gitignore files.
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 25_000; i++) {
        writes.push(fs.mkdir(path.join(root, 'a', `d${String(i).padStart(5, '0')}`), { recursive: true }));
      }
      await Promise.all(writes);
      await fs.mkdir(path.join(root, 'z', 'late'), { recursive: true });
      await fs.writeFile(path.join(root, 'z', 'late', '.gitignore'), 'private.ts\n');
      await fs.writeFile(path.join(root, 'z', 'late', 'private.ts'), 'export const p = 1;\n');
      await fs.writeFile(path.join(root, 'z', 'late', 'public.ts'), 'export const q = 1;\n');
      const rules = await WorkspaceRules.load(root);
      assert.equal(rules.isIgnored('z/late/private.ts'), true);
      assert.deepEqual(await listFiles(root, rules), ['z/late/.gitignore', 'z/late/public.ts']);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });

  it('leaves out tracked files deleted from the work tree, and a nested repository', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'listing-deleted-'));
    try {
      const git = simpleGit(root);
      await git.init();
      await git.addConfig('user.email', 'dev@example.com').addConfig('user.name', 'Dev');
      await fs.writeFile(path.join(root, 'kept.ts'), 'export const k = 1;\n');
      await fs.writeFile(path.join(root, 'gone.ts'), 'export const g = 1;\n');
      await git.add('.');
      await git.commit('Two files');
      await fs.rm(path.join(root, 'gone.ts'));
      await fs.mkdir(path.join(root, 'nested'));
      await simpleGit(path.join(root, 'nested')).init();
      await fs.writeFile(path.join(root, 'nested', 'inner.ts'), 'export const i = 1;\n');
      const rules = await WorkspaceRules.load(root);
      assert.deepEqual(await listFiles(root, rules), ['kept.ts']);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });

  it('walks a folder that is not a repository, leaving out virtual environments and vendored trees', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'listing-walk-'));
    try {
      for (const [rel, text] of Object.entries({
        'app/main.py': 'def main():\n    pass\n',
        'env/pyvenv.cfg': 'home = /usr/bin\n',
        'env/lib/python3.12/site-packages/pkg/__init__.py': '',
        'vendor/lib.go': 'package lib\n',
        'third_party/x/y.c': '',
        '.gitignore': 'build/\n',
        'build/out.py': '',
      })) {
        await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
        await fs.writeFile(path.join(root, rel), text);
      }
      const rules = await WorkspaceRules.load(root);
      const listing = await listWorkspace(root, rules);
      assert.equal(listing.fromGit, false);
      assert.deepEqual(listing.files, ['.gitignore', 'app/main.py']);
      assert.deepEqual(
        listing.leftOut.map((t) => [t.dir, t.reason]),
        [
          ['env', 'virtual environment'],
          ['third_party', 'third-party'],
          ['vendor', 'third-party'],
        ],
      );
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });

  it('leaves out files with more than one hard link, in git and out of it, unless hard links are allowed', async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'listing-links-'));
    const root = path.join(base, 'repo');
    try {
      await fs.mkdir(path.join(root, 'docs'), { recursive: true });
      await fs.writeFile(path.join(root, 'kept.ts'), 'export const k = 1;\n');
      await fs.writeFile(path.join(base, 'outside.txt'), "not the workspace's\n");
      await fs.link(path.join(base, 'outside.txt'), path.join(root, 'docs', 'linked.txt'));
      // A symbolic link to a hard-linked file inside the workspace is that file.
      await fs.symlink('linked.txt', path.join(root, 'docs', 'alias.txt'));
      const walked = await listFiles(root, await WorkspaceRules.load(root));
      assert.deepEqual(walked, ['kept.ts'], 'a folder that is not a repository');
      const git = simpleGit(root);
      await git.init();
      await git.addConfig('user.email', 'dev@example.com').addConfig('user.name', 'Dev');
      await git.add('.');
      await git.commit('Files and links');
      assert.deepEqual(await listFiles(root, await WorkspaceRules.load(root)), ['kept.ts'], 'a repository');
      configureSecrets({ allowHardLinks: true });
      assert.deepEqual(await listFiles(root, await WorkspaceRules.load(root)), [
        'docs/alias.txt',
        'docs/linked.txt',
        'kept.ts',
      ]);
    } finally {
      configureSecrets({ allowHardLinks: false });
      await fs.rm(base, { recursive: true, force: true });
    }
  });
});
