import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fsModule, { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSecretPath, listFiles, WorkspaceRules } from '../../src/core/workspace/rules';

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), text);
  }
}

describe('workspace rules', () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'rules-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('honours the root .gitignore, including negation the way git does it', async () => {
    await writeTree(root, { '.gitignore': '*.log\n!keep.log\nbuild/\nlogs/\n!logs/a.txt\n/only-top.txt\n' });
    const rules = await WorkspaceRules.load(root);
    assert.equal(rules.isIgnored('debug.log'), true);
    assert.equal(rules.isIgnored('src/deep/trace.log'), true);
    assert.equal(rules.isIgnored('keep.log'), false);
    assert.equal(rules.isIgnored('build/'), true);
    assert.equal(rules.isIgnored('build/out/app.js'), true);
    assert.equal(rules.isIgnored('src/build.ts'), false);
    // A file cannot be re-included when its folder is excluded.
    assert.equal(rules.isIgnored('logs/a.txt'), true);
    assert.equal(rules.isIgnored('only-top.txt'), true);
    assert.equal(rules.isIgnored('sub/only-top.txt'), false);
    assert.equal(rules.isIgnored('src/app.ts'), false);
  });

  it('applies nested .gitignore files below their folder, deeper ones winning', async () => {
    await writeTree(root, {
      '.gitignore': '*.log\n',
      'pkg/.gitignore': 'generated/\n!important.log\n',
      'pkg/generated/x.ts': '',
      'generated/y.ts': '',
    });
    const rules = await WorkspaceRules.load(root);
    assert.equal(rules.isIgnored('pkg/generated/x.ts'), true);
    assert.equal(rules.isIgnored('generated/y.ts'), false);
    assert.equal(rules.isIgnored('pkg/important.log'), false);
    assert.equal(rules.isIgnored('important.log'), true);
    assert.equal(rules.isIgnored('pkg/other.log'), true);
  });

  it('adds .opus-orchestratorignore and extra globs, which may also re-include', async () => {
    await writeTree(root, {
      '.gitignore': '*.gen.ts\n',
      '.opus-orchestratorignore': 'fixtures/\n!api.gen.ts\n',
    });
    const rules = await WorkspaceRules.load(root, ['**/*.snap', 'docs/private/']);
    assert.equal(rules.isIgnored('test/fixtures/big.json'), true);
    assert.equal(rules.isIgnored('src/model.gen.ts'), true);
    assert.equal(rules.isIgnored('src/api.gen.ts'), false);
    assert.equal(rules.isIgnored('test/__snapshots__/a.test.ts.snap'), true);
    assert.equal(rules.isIgnored('docs/private/plan.md'), true);
    assert.equal(rules.isIgnored('docs/public/plan.md'), false);
  });

  it('always ignores .git, node_modules and the store folder, whatever the ignore files say', async () => {
    await writeTree(root, { '.gitignore': '!node_modules/\n!.git/\n!.opus-orchestrator/\n' });
    const rules = await WorkspaceRules.load(root);
    for (const rel of ['.git/config', 'node_modules/x/index.js', 'pkg/node_modules/', '.opus-orchestrator/plan.json']) {
      assert.equal(rules.isIgnored(rel), true, rel);
      assert.equal(rules.mayRead(rel), false, rel);
    }
    assert.equal(rules.isIgnored('vendor/lib/.git'), true, 'a nested repository or submodule link');
  });

  it('recognises credential files by name at any depth and refuses to read them', async () => {
    const rules = await WorkspaceRules.load(root);
    const secrets = [
      '.env',
      '.env.local',
      'app/.env.production',
      'certs/server.pem',
      'tls.key',
      'id_rsa',
      'id_rsa.pub',
    ];
    secrets.push('.ssh/id_ed25519', 'store.p12', 'cert.pfx', '.npmrc', 'credentials.json', 'gcp/credentials-prod.json');
    for (const rel of secrets) {
      assert.equal(isSecretPath(rel), true, rel);
      assert.equal(rules.mayRead(rel), false, rel);
    }
    for (const rel of ['environment.ts', 'src/env.ts', 'keys.ts', 'docs/credentials.md', 'monkey.ts', 'README.md']) {
      assert.equal(isSecretPath(rel), false, rel);
      assert.equal(rules.mayRead(rel), true, rel);
    }
    assert.equal(isSecretPath('CONFIG/.ENV'), true, 'letter case does not hide a secret');
  });

  describe('git exclude files', () => {
    const saved = { global: process.env.GIT_CONFIG_GLOBAL, xdg: process.env.XDG_CONFIG_HOME };
    let home: string;
    beforeEach(async () => {
      home = await fs.mkdtemp(path.join(os.tmpdir(), 'rules-home-'));
      process.env.GIT_CONFIG_GLOBAL = path.join(home, 'gitconfig');
      process.env.XDG_CONFIG_HOME = path.join(home, 'xdg');
      await fs.writeFile(path.join(home, 'gitconfig'), '');
      execFileSync('git', ['init', '-q'], { cwd: root });
    });
    afterEach(async () => {
      for (const [name, value] of [
        ['GIT_CONFIG_GLOBAL', saved.global],
        ['XDG_CONFIG_HOME', saved.xdg],
      ] as const) {
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
        }
      }
      await fs.rm(home, { recursive: true, force: true });
    });

    it('honours .git/info/exclude, below the .gitignore files as git ranks them', async () => {
      await writeTree(root, { '.git/info/exclude': 'scratch/\n*.local.ts\n', '.gitignore': '!keep.local.ts\n' });
      const rules = await WorkspaceRules.load(root);
      assert.equal(rules.isIgnored('scratch/notes.ts'), true);
      assert.equal(rules.mayRead('src/db.local.ts'), false);
      assert.equal(rules.isIgnored('keep.local.ts'), false, 'a .gitignore re-include wins over info/exclude');
      assert.equal(rules.isIgnored('src/app.ts'), false);
    });

    it('honours the user’s core.excludesFile, and $XDG_CONFIG_HOME/git/ignore when it is not set', async () => {
      await writeTree(home, { 'xdg/git/ignore': '*.xdg\n', 'my-ignore': '*.mine\n' });
      let rules = await WorkspaceRules.load(root);
      assert.equal(rules.isIgnored('a/b.xdg'), true);
      assert.equal(rules.isIgnored('a/b.mine'), false);
      await fs.writeFile(path.join(home, 'gitconfig'), `[core]\n\texcludesFile = ${path.join(home, 'my-ignore')}\n`);
      rules = await WorkspaceRules.load(root);
      assert.equal(rules.isIgnored('a/b.mine'), true);
      assert.equal(rules.isIgnored('a/b.xdg'), false, 'as in git, the default applies only when nothing is set');
    });
  });

  it('treats paths that are not workspace-relative as ignored', async () => {
    const rules = await WorkspaceRules.load(root);
    assert.equal(rules.isIgnored('../outside.ts'), true);
    assert.equal(rules.isIgnored('/etc/passwd'), true);
    assert.equal(rules.isIgnored('./src/a.ts'), false);
    assert.equal(rules.isIgnored('src\\a.ts'), false);
  });

  describe('listFiles', () => {
    it('lists readable files sorted with forward slashes, without secrets or ignored files', async () => {
      await writeTree(root, {
        '.gitignore': 'dist/\n*.log\n',
        'src/b.ts': '',
        'src/a.ts': '',
        'src/nested/deep/c.ts': '',
        'src-extra.ts': '',
        'README.md': '',
        '.env': 'SECRET=1',
        'src/.env.test': 'SECRET=1',
        'keys/deploy.pem': '',
        'dist/bundle.js': '',
        'app.log': '',
        'node_modules/pkg/index.js': '',
        '.opus-orchestrator/plan.json': '{}',
      });
      const rules = await WorkspaceRules.load(root);
      assert.deepEqual(await listFiles(root, rules), [
        '.gitignore',
        'README.md',
        'src-extra.ts',
        'src/a.ts',
        'src/b.ts',
        'src/nested/deep/c.ts',
      ]);
      assert.equal((await listFiles(root, rules, { limit: 2 })).length, 2);
    });

    it('lists a repository with nested .gitignore files at several depths, asking about each folder itself', async () => {
      await writeTree(root, {
        '.gitignore': '*.log\n',
        'sub/x.ts': '',
        'sub/.gitignore': 'tmp/\n',
        'sub/tmp/scratch.ts': '',
        'sub/deeper/.gitignore': '*.gen.ts\n!keep.gen.ts\n',
        'sub/deeper/a.ts': '',
        'sub/deeper/a.gen.ts': '',
        'sub/deeper/keep.gen.ts': '',
        'sub/deeper/deepest/.gitignore': '# only a comment\n',
        'sub/deeper/deepest/b.ts': '',
        'sub/deeper/deepest/b.log': '',
      });
      const rules = await WorkspaceRules.load(root);
      for (const folder of ['sub', 'sub/', 'sub/deeper/', 'sub/deeper/deepest', 'sub/deeper/deepest/']) {
        assert.equal(rules.isIgnored(folder), false, folder);
      }
      assert.equal(rules.isIgnored('sub/tmp/'), true);
      assert.deepEqual(await listFiles(root, rules), [
        '.gitignore',
        'sub/.gitignore',
        'sub/deeper/.gitignore',
        'sub/deeper/a.ts',
        'sub/deeper/deepest/.gitignore',
        'sub/deeper/deepest/b.ts',
        'sub/deeper/keep.gen.ts',
        'sub/x.ts',
      ]);
    });

    it('never enters node_modules or ignored folders', async () => {
      const files: Record<string, string> = { '.gitignore': 'coverage/\n', 'src/a.ts': '' };
      for (let i = 0; i < 50; i++) {
        files[`node_modules/pkg${i}/lib/index.js`] = '';
        files[`coverage/run${i}/report.html`] = '';
      }
      await writeTree(root, files);
      const rules = await WorkspaceRules.load(root);
      const entered: string[] = [];
      const original = fsModule.promises.readdir;
      // Record every folder the walk reads; restoring the real function keeps other tests untouched.
      fsModule.promises.readdir = ((dir: fsModule.PathLike, ...rest: never[]) => {
        entered.push(path.relative(root, String(dir)).split(path.sep).join('/'));
        return (original as (...args: unknown[]) => unknown)(dir, ...rest);
      }) as typeof original;
      try {
        assert.deepEqual(await listFiles(root, rules), ['.gitignore', 'src/a.ts']);
      } finally {
        fsModule.promises.readdir = original;
      }
      assert.deepEqual(entered.sort(), ['', 'src']);
    });

    it('does not follow links to folders, and lists links to files only when they stay inside', async () => {
      const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'rules-outside-'));
      try {
        await writeTree(outside, { 'secret.txt': 'x', 'lib/util.ts': '' });
        await writeTree(root, { 'src/a.ts': '', '.env': 'SECRET=1' });
        await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'outside-file.txt'));
        await fs.symlink(path.join(outside, 'lib'), path.join(root, 'outside-dir'));
        await fs.symlink('src/a.ts', path.join(root, 'alias.ts'));
        await fs.symlink('.env', path.join(root, 'harmless.txt'));
        await fs.symlink('.', path.join(root, 'src', 'self'));
        const rules = await WorkspaceRules.load(root);
        assert.deepEqual(await listFiles(root, rules), ['alias.ts', 'src/a.ts']);
      } finally {
        await fs.rm(outside, { recursive: true, force: true });
      }
    });
  });
});
