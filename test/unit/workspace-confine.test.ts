import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { PathError, resolveInWorkspace } from '../../src/core/workspace/confine';
import type { PathErrorCode } from '../../src/core/workspace/confine';
import { WorkspaceRules } from '../../src/core/workspace/rules';

interface Paths {
  base: string;
  ws: string;
}

interface Case {
  name: string;
  candidate: string | ((p: Paths) => string);
  write?: boolean;
  withRules?: boolean;
  /** The expected workspace-relative path, or the refusal code. */
  expect: { rel: string } | PathErrorCode;
  windowsOnlyDifference?: boolean;
}

const CASES: Case[] = [
  { name: 'a plain relative file', candidate: 'src/a.ts', expect: { rel: 'src/a.ts' } },
  { name: 'a leading ./', candidate: './src/a.ts', expect: { rel: 'src/a.ts' } },
  { name: 'backslashes', candidate: 'src\\a.ts', expect: { rel: 'src/a.ts' } },
  { name: 'an absolute path inside', candidate: (p) => path.join(p.ws, 'src', 'a.ts'), expect: { rel: 'src/a.ts' } },
  { name: 'a .. that stays inside', candidate: 'src/../src/a.ts', expect: { rel: 'src/a.ts' } },
  { name: 'a new file in a new folder', candidate: 'src/new/file.ts', write: true, expect: { rel: 'src/new/file.ts' } },
  { name: 'a .. escape', candidate: '../outside/x.txt', expect: 'outside' },
  { name: 'a .. escape after a folder', candidate: 'src/../../outside/x.txt', expect: 'outside' },
  { name: 'a backslash .. escape', candidate: '..\\outside\\x.txt', expect: 'outside' },
  {
    name: 'the sibling-prefix folder, absolute',
    candidate: (p) => path.join(`${p.ws}-evil`, 'x.ts'),
    expect: 'outside',
  },
  { name: 'the sibling-prefix folder, relative', candidate: '../ws-evil/x.ts', expect: 'outside' },
  { name: 'an absolute path elsewhere', candidate: '/etc/passwd', expect: 'outside' },
  { name: 'an empty path', candidate: '', expect: 'invalid' },
  { name: 'a blank path', candidate: '   ', expect: 'invalid' },
  { name: 'a NUL byte', candidate: 'src/a.ts\0.png', expect: 'invalid' },
  { name: 'a Windows drive path', candidate: 'C:\\Windows\\system.ini', expect: 'invalid' },
  { name: 'the root itself, for reading', candidate: '.', expect: { rel: '' } },
  { name: 'the root itself, absolute', candidate: (p) => p.ws, expect: { rel: '' } },
  { name: 'the root itself, for writing', candidate: './', write: true, expect: 'invalid' },
  { name: '.git/config', candidate: '.git/config', expect: 'git' },
  { name: '.git/config for writing', candidate: '.git/config', write: true, expect: 'git' },
  { name: 'a hook in a nested .git', candidate: 'vendor/lib/.git/hooks/pre-commit', write: true, expect: 'git' },
  { name: '.git in other letter case', candidate: '.GIT/config', expect: 'git' },
  { name: '.git reached through ..', candidate: 'src/../.git/HEAD', expect: 'git' },
  { name: '.env.local', candidate: '.env.local', expect: 'secret' },
  { name: 'a nested .env', candidate: 'a/.env', expect: 'secret' },
  { name: 'writing a new .env', candidate: 'config/.env', write: true, expect: 'secret' },
  { name: 'a .pem key', candidate: 'keys/server.pem', expect: 'secret' },
  { name: 'an ssh key', candidate: 'id_rsa', expect: 'secret' },
  { name: 'an ed25519 public key', candidate: 'home/id_ed25519.pub', expect: 'secret' },
  { name: 'credentials json', candidate: 'config/credentials.prod.json', expect: 'secret' },
  { name: '.npmrc', candidate: '.npmrc', write: true, expect: 'secret' },
  {
    name: '.vscode/settings.json may not be read either, so a plan cannot name it',
    candidate: '.vscode/settings.json',
    expect: 'protected',
  },
  {
    name: '.vscode/settings.json may not be written',
    candidate: '.vscode/settings.json',
    write: true,
    expect: 'protected',
  },
  { name: '.vscode/tasks.json may not be written', candidate: '.vscode/tasks.json', write: true, expect: 'protected' },
  {
    name: 'the ignore file may not be written',
    candidate: '.opus-orchestratorignore',
    write: true,
    expect: 'protected',
  },
  { name: '.gitignore may be written', candidate: '.gitignore', write: true, expect: { rel: '.gitignore' } },
  { name: 'the store folder', candidate: '.opus-orchestrator/plan.json', expect: 'protected' },
  { name: 'an ignored file', candidate: 'debug.log', withRules: true, expect: 'ignored' },
  { name: 'an ignored file without rules', candidate: 'debug.log', expect: { rel: 'debug.log' } },
  { name: 'a file in an ignored folder', candidate: 'dist/out.js', withRules: true, expect: 'ignored' },
  { name: 'an ignored folder itself', candidate: 'dist', withRules: true, expect: 'ignored' },
  { name: 'node_modules', candidate: 'node_modules/x/index.js', withRules: true, expect: 'ignored' },
  { name: 'a file through a link to outside', candidate: 'link-out/secret.txt', expect: 'outside' },
  { name: 'a new file through a link to outside', candidate: 'link-out/new/deep.ts', write: true, expect: 'outside' },
  { name: 'a link to a file outside', candidate: 'link-out-file', expect: 'outside' },
  { name: 'a dangling link to outside', candidate: 'dangling', write: true, expect: 'outside' },
  { name: 'a file through a link inside', candidate: 'link-in/a.ts', expect: { rel: 'src/a.ts' } },
  { name: 'a link to a file inside', candidate: 'link-in-file', expect: { rel: 'src/a.ts' } },
  { name: 'an innocent name linked to a secret', candidate: 'notes.txt', expect: 'secret' },
  { name: 'a secret name linked to a plain file', candidate: '.env', expect: 'secret' },
  { name: 'a link loop', candidate: 'loop', write: true, expect: 'invalid' },
];

describe('path confinement', () => {
  const p: Paths = { base: '', ws: '' };
  let rules: WorkspaceRules;

  before(async () => {
    p.base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'confine-')));
    p.ws = path.join(p.base, 'ws');
    const files: Record<string, string> = {
      'ws/src/a.ts': 'export const a = 1;\n',
      'ws/.env.local': 'TOKEN=x\n',
      'ws/a/.env': 'TOKEN=x\n',
      'ws/plain.txt': 'plain\n',
      'ws/.vscode/settings.json': '{}\n',
      'ws/.gitignore': 'dist/\n*.log\n',
      'ws/dist/out.js': '\n',
      'ws/debug.log': '\n',
      'ws/.opus-orchestrator/plan.json': '{}\n',
      'ws-evil/x.ts': '\n',
      'outside/secret.txt': 'secret\n',
      'outside/x.txt': 'x\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(p.base, rel)), { recursive: true });
      await fs.writeFile(path.join(p.base, rel), text);
    }
    await simpleGit(p.ws).init();
    await fs.symlink(path.join(p.base, 'outside'), path.join(p.ws, 'link-out'));
    await fs.symlink(path.join(p.base, 'outside', 'secret.txt'), path.join(p.ws, 'link-out-file'));
    await fs.symlink(path.join(p.base, 'outside', 'not-yet.txt'), path.join(p.ws, 'dangling'));
    await fs.symlink('src', path.join(p.ws, 'link-in'));
    await fs.symlink('src/a.ts', path.join(p.ws, 'link-in-file'));
    await fs.symlink('.env.local', path.join(p.ws, 'notes.txt'));
    await fs.symlink('plain.txt', path.join(p.ws, '.env'));
    await fs.symlink('loop', path.join(p.ws, 'loop'));
    rules = await WorkspaceRules.load(p.ws);
  });

  after(async () => {
    await fs.rm(p.base, { recursive: true, force: true });
  });

  for (const c of CASES) {
    const outcome =
      typeof c.expect === 'string' ? `refuses (${c.expect})` : `allows as ${JSON.stringify(c.expect.rel)}`;
    it(`${outcome}: ${c.name}${c.write ? ' (write)' : ''}`, async () => {
      const candidate = typeof c.candidate === 'string' ? c.candidate : c.candidate(p);
      const run = resolveInWorkspace(p.ws, candidate, { forWrite: c.write, rules: c.withRules ? rules : undefined });
      if (typeof c.expect === 'string') {
        const code = c.expect;
        await assert.rejects(run, (err: unknown) => {
          assert.ok(err instanceof PathError, `expected a PathError, got ${String(err)}`);
          assert.equal(err.code, code, err.message);
          if (candidate.trim() !== '') {
            assert.ok(err.message.includes(JSON.stringify(candidate)), `message names the path: ${err.message}`);
          }
          return true;
        });
      } else {
        const { abs, rel } = await run;
        assert.equal(rel, c.expect.rel);
        assert.equal(abs, path.join(p.ws, ...rel.split('/').filter(Boolean)));
      }
    });
  }

  it('resolves against a workspace opened through a link, returning real paths', async () => {
    const viaLink = path.join(p.base, 'ws-link');
    await fs.symlink(p.ws, viaLink);
    assert.deepEqual(await resolveInWorkspace(viaLink, 'src/a.ts'), {
      abs: path.join(p.ws, 'src', 'a.ts'),
      rel: 'src/a.ts',
    });
    assert.equal((await resolveInWorkspace(viaLink, path.join(viaLink, 'src', 'a.ts'))).rel, 'src/a.ts');
    await assert.rejects(resolveInWorkspace(viaLink, '../outside/x.txt'), { code: 'outside' });
  });

  it('explains a refusal in words a user can act on', async () => {
    await assert.rejects(resolveInWorkspace(p.ws, 'debug.log', { rules }), {
      message: /"debug\.log" is excluded by \.gitignore, \.git\/info\/exclude, the global git excludes or \.opus-orch/,
    });
    await assert.rejects(resolveInWorkspace(p.ws, '../ws-evil/x.ts'), {
      message: /"\.\.\/ws-evil\/x\.ts" resolves to .*ws-evil.*outside the workspace/,
    });
  });
});
