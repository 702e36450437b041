import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';

/** Text that must never reach a model: every place that may not be read holds it. */
export const CANARY = 'CANARY_9b1f4e_DO_NOT_SEND';

/**
 * A real git repository shaped like the ones users plan in: a monorepo with packages/*, nested .gitignore files,
 * an untracked virtual environment (not in .gitignore), a committed vendor/ tree, committed lockfiles, a binary, a
 * multi-megabyte generated file, a link out of the workspace, paths with spaces and non-ASCII letters, and files
 * excluded only by `.git/info/exclude` or by the user's global excludes file. Every place a model must not see holds
 * CANARY; the project's own code does not.
 */
export interface RealRepo {
  root: string;
  /** Environment in which git sees the fixture's global config (its `core.excludesFile`) as the user's own. */
  gitEnv: Record<string, string>;
  /** The files a planner should be shown by name (the project's own text files). */
  ownFiles: string[];
  cleanup(): Promise<void>;
}

async function write(root: string, rel: string, text: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await fs.writeFile(path.join(root, rel), text);
}

const CORE_INDEX = [
  "import { formatMessage } from './messages';",
  '',
  'export interface ParseOptions {',
  '  strict: boolean;',
  '}',
  '',
  'export class Parser {',
  '  constructor(private readonly options: ParseOptions) {}',
  '',
  '  parseDocument(text: string): string[] {',
  "    return text.split('\\n').map((line) => formatMessage(line));",
  '  }',
  '}',
  '',
].join('\n');

const MESSAGES = [
  'export function formatMessage(line: string): string {',
  '  return line.trim();',
  '}',
  '',
  'export const MESSAGE_LIMIT = 120;',
  '',
].join('\n');

export async function makeRealRepo(): Promise<RealRepo> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'real-repo-'));
  const root = path.join(base, 'workspace');
  const outside = path.join(base, 'outside');
  const home = path.join(base, 'home');
  await fs.mkdir(root);
  await write(outside, 'secret.ts', `export const leaked = '${CANARY}';\n`);
  await write(home, 'global-ignore', '*.local.ts\n');
  await write(home, '.gitconfig', `[core]\n\texcludesFile = ${path.join(home, 'global-ignore')}\n`);
  // git reads the user's global config from HOME (simple-git drops GIT_* variables from the environment it passes on).
  const gitEnv = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };

  const own: Record<string, string> = {
    '.gitignore': 'dist/\n*.log\n',
    'package.json': '{ "name": "mono", "private": true, "workspaces": ["packages/*"] }\n',
    'README.md': '# mono\n\nA monorepo.\n',
    'packages/core/package.json': '{ "name": "@mono/core" }\n',
    'packages/core/.gitignore': 'generated/\n',
    'packages/core/src/index.ts': CORE_INDEX,
    'packages/core/src/messages.ts': MESSAGES,
    'packages/web/package.json': '{ "name": "@mono/web" }\n',
    'packages/web/src/app.tsx':
      "import { Parser } from '@mono/core';\n\nexport function App() {\n  return new Parser({ strict: true });\n}\n",
    'packages/web/src/deep/er/est/.gitignore': '*.tmp.ts\n',
    'packages/web/src/deep/er/est/leaf.ts': 'export const leaf = 1;\n',
    'docs/user guide.md': '# User guide\n',
    'src/naïve ünïcode.ts': 'export const café = 1;\n',
  };
  for (const [rel, text] of Object.entries(own)) {
    await write(root, rel, text);
  }
  // Committed files a planner gains nothing from reading by name.
  await write(root, 'package-lock.json', `{ "lockfileVersion": 3, "note": "${CANARY}" }\n`);
  await write(root, 'packages/web/package-lock.json', `{ "lockfileVersion": 3, "note": "${CANARY}" }\n`);
  await write(
    root,
    'assets/logo.png',
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), Buffer.from(CANARY)]),
  );
  const generated = [`// generated: ${CANARY}`];
  for (let i = 0, size = 0; size < 3_000_000; i++) {
    const line = `export const TOKEN_${i} = 'value_${i}_${'x'.repeat(40)}';`;
    generated.push(line);
    size += line.length + 1;
  }
  await write(root, 'packages/core/src/generated-tables.ts', `${generated.join('\n')}\n`);
  await write(root, 'vendor/github.com/lib/pq/conn.go', `package pq\n\n// ${CANARY}\nfunc Open() {}\n`);
  // Ignored, excluded or outside: none of it may be listed or read.
  await write(root, 'dist/bundle.js', `var x = '${CANARY}';\n`);
  await write(root, 'debug.log', CANARY);
  await write(root, 'packages/core/generated/out.ts', `export const x = '${CANARY}';\n`);
  await write(root, 'packages/web/src/deep/er/est/cache.tmp.ts', `export const x = '${CANARY}';\n`);
  await write(root, '.env', `API_TOKEN=${CANARY}\n`);
  await write(root, 'node_modules/left-pad/index.js', `module.exports = '${CANARY}';\n`);
  await write(root, 'scratch/notes.ts', `export const notes = '${CANARY}';\n`);
  await write(root, 'src/me.local.ts', `export const mine = '${CANARY}';\n`);
  await write(root, '.venv/pyvenv.cfg', 'home = /usr/bin\nversion = 3.12.0\n');
  await write(
    root,
    '.venv/lib/python3.12/site-packages/requests/__init__.py',
    `# ${CANARY}\ndef get(url):\n    pass\n`,
  );
  await fs.symlink(path.join(outside, 'secret.ts'), path.join(root, 'linked-secret.ts'));
  await fs.symlink(outside, path.join(root, 'linked-dir'));

  const git = simpleGit(root).env({ PATH: process.env.PATH ?? '', ...gitEnv });
  await git.init();
  await git.addConfig('user.email', 'dev@example.com').addConfig('user.name', 'Dev');
  await write(root, '.git/info/exclude', 'scratch/\n');
  await git.add(['.gitignore', 'package.json', 'README.md', 'packages', 'docs', 'src', 'assets', 'vendor']);
  await git.add(['package-lock.json', 'linked-secret.ts']);
  await git.commit('Initial monorepo');

  const ownFiles = [...Object.keys(own), 'packages/core/src/generated-tables.ts'].sort();
  return { root, gitEnv, ownFiles, cleanup: () => fs.rm(base, { recursive: true, force: true }) };
}
