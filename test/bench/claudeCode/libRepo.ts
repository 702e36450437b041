import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { Rng } from '../random';
import type { LibPackage } from './libSource';
import { helperFiles, readmeFile, testFile } from './libExtras';
import { clientFile, defaultsFile, resourcesOf, typesFile } from './libSource';

/** The four client packages of the generated library; a job of size k changes the first k. */
export const LIB_PACKAGES: readonly LibPackage[] = [
  { name: 'http', clientClass: 'HttpClient' },
  { name: 'stream', clientClass: 'StreamClient' },
  { name: 'upload', clientClass: 'UploadClient' },
  { name: 'socket', clientClass: 'SocketClient' },
];

/** Where a package's files are, workspace-relative. */
export function packageFiles(pkg: LibPackage): {
  types: string;
  defaults: string;
  client: string;
  test: string;
  readme: string;
} {
  const dir = `packages/${pkg.name}`;
  return {
    types: `${dir}/src/types.ts`,
    defaults: `${dir}/src/defaults.ts`,
    client: `${dir}/src/client.ts`,
    test: `${dir}/test/client.test.ts`,
    readme: `${dir}/README.md`,
  };
}

export interface LibRepo {
  root: string;
  /** Workspace-relative path → text, as committed. */
  files: Map<string, string>;
  cleanup(): Promise<void>;
}

function rootFiles(): Record<string, string> {
  const pkg = {
    name: 'example-sdk',
    private: true,
    workspaces: ['packages/*'],
    scripts: { build: 'npm run build --workspaces', test: 'vitest run' },
    devDependencies: { typescript: '^5.9.0', vitest: '^3.2.0' },
  };
  const readme = [
    '# Example SDK',
    '',
    'TypeScript clients of the Example API, one package per transport:',
    '',
    ...LIB_PACKAGES.map((p) => `- \`@example/${p.name}\` (packages/${p.name}): \`${p.clientClass}\``),
    '',
    'Each package has the same options (see its README) and the same typed errors.',
    '',
    '## Development',
    '',
    '```sh',
    'npm install',
    'npm test',
    '```',
    '',
  ];
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'tsconfig.base.json': `${JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext' } }, null, 2)}\n`,
    '.gitignore': 'node_modules/\ndist/\ncoverage/\n',
    'README.md': readme.join('\n'),
    'CONTRIBUTING.md': '# Contributing\n\nRun `npm test` before sending a change. Keep the four packages in step.\n',
  };
}

/** Every file of the library, deterministic for a seed. */
export function libFiles(seed = 31): Map<string, string> {
  const files = new Map<string, string>(Object.entries(rootFiles()));
  LIB_PACKAGES.forEach((pkg, i) => {
    const rng = new Rng(seed * 7_919 + i);
    const resources = resourcesOf(rng, 26 + i * 2);
    const at = packageFiles(pkg);
    files.set(at.types, typesFile(rng, pkg, resources));
    files.set(at.defaults, defaultsFile(pkg));
    files.set(at.client, clientFile(rng, pkg, resources));
    files.set(at.test, testFile(rng, pkg, resources));
    files.set(at.readme, readmeFile(pkg, resources));
    for (const [rel, text] of Object.entries(helperFiles(rng, pkg))) {
      files.set(`packages/${pkg.name}/${rel}`, text);
    }
  });
  return files;
}

/** The library written to a new temporary folder and committed once, as a user's clone would be. */
export async function generateLibRepo(seed = 31): Promise<LibRepo> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-lib-'));
  const files = libFiles(seed);
  for (const [rel, text] of files) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), text);
  }
  const git = simpleGit(root);
  await git.init(['-b', 'main']);
  await git.addConfig('user.email', 'bench@example.com');
  await git.addConfig('user.name', 'Bench');
  await git.addConfig('commit.gpgsign', 'false');
  await git.add('.');
  await git.commit('Initial import');
  return { root, files, cleanup: () => fs.rm(root, { recursive: true, force: true }) };
}

/** A working copy of the library at `dest` (a fresh clone: same commit, its own work tree). */
export async function cloneRepo(repo: LibRepo, dest: string): Promise<void> {
  await simpleGit().clone(repo.root, dest, ['-q']);
  const git = simpleGit(dest);
  await git.addConfig('user.email', 'bench@example.com');
  await git.addConfig('user.name', 'Bench');
}
