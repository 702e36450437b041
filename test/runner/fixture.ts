import fs from 'node:fs/promises';
import path from 'node:path';
import { simpleGit } from 'simple-git';

/** The canary's value: a test that finds it in a prompt, a log or a request knows a secret leaked. */
export const ENV_CANARY = 'OPUS_FIXTURE_CANARY_7f3a9c';

const FILES: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'opus-fixture', version: '1.0.0', private: true }, null, 2)}\n`,
  'README.md': '# Fixture\n\nA tiny repository that the Opus Orchestrator tests open as their workspace.\n',
  '.gitignore': '.env\nnode_modules/\n',
  'src/greet.ts': ['export function greet(name: string): string {', '  return `Hello, ${name}!`;', '}', ''].join('\n'),
  'src/main.ts': [
    "import { greet } from './greet';",
    '',
    'export function main(argv: string[]): void {',
    "  console.log(greet(argv[0] ?? 'world'));",
    '}',
    '',
  ].join('\n'),
};

/**
 * Writes the fixture repository into `dir` (created if needed): two TypeScript files, a git-ignored `.env`
 * canary, and one commit. Returns the real path, which is what VS Code reports for the folder.
 */
export async function createFixtureRepo(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (const [rel, content] of Object.entries(FILES)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), content);
  }
  await fs.writeFile(path.join(dir, '.env'), `ANTHROPIC_API_KEY=${ENV_CANARY}\n`);
  const git = simpleGit(dir);
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'Fixture');
  await git.addConfig('user.email', 'fixture@example.invalid');
  await git.addConfig('commit.gpgsign', 'false');
  await git.add('.');
  await git.commit('Initial fixture');
  return fs.realpath(dir);
}
