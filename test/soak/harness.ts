import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import type { RecordedRequest, Responder } from '../fake-anthropic/server';
import { textReply, toolUseReply } from '../fake-anthropic/replies';

/**
 * Drives the built CLI (dist/cli.js) as a user would, against a workspace of small files: one subtask per file or
 * per group of files, each worker replacing one line in each of its files. Shared by the concurrency tests and the
 * fault soak.
 */

export const REPO = path.resolve(__dirname, '../..');
/** The CLI under test: this checkout's build, or another build named by OPUS_TEST_CLI (to compare two versions). */
export const CLI = process.env.OPUS_TEST_CLI ?? path.join(REPO, 'dist', 'cli.js');
export const KEY = 'sk-ant-soak-test-key-000000';

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Builds dist/cli.js once (esbuild). */
export function buildCli(): Promise<void> {
  if (process.env.OPUS_TEST_CLI) {
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['esbuild.js', '--only=cli'], { cwd: REPO, stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`esbuild exited with ${code}`))));
  });
}

/**
 * Runs the CLI to its end (bounded by `timeoutMs`), or kills it with SIGKILL once `killWhen` resolves true (polled),
 * as a user's kill -9 or a crash would.
 */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  opts: { timeoutMs?: number; killWhen?: () => Promise<boolean>; killAfterMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    let done = false;
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH, ...env }, timeout: opts.timeoutMs ?? 60_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        done = true;
        const code = err ? (err as { code?: unknown }).code : 0;
        resolve({
          code: typeof code === 'number' ? code : child.exitCode,
          signal: child.signalCode,
          stdout,
          stderr,
        });
      },
    );
    if (opts.killAfterMs !== undefined) {
      setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs);
    }
    const poll = async (): Promise<void> => {
      while (!done && opts.killWhen) {
        if (await opts.killWhen()) {
          child.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setImmediate(r));
      }
    };
    void poll();
  });
}

/** A git repository in a temporary folder holding `files`. */
export async function makeRepo(files: Record<string, string>, prefix = 'opus-soak-'): Promise<string> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), text);
  }
  const git = simpleGit(dir);
  await git.init();
  await git.addConfig('user.name', 'Test');
  await git.addConfig('user.email', 'test@example.invalid');
  await git.add('.');
  await git.commit('init');
  return dir;
}

/** The text of file `n` before any change, and the one line a worker changes in it. */
export function fileText(n: number, lines = 12): string {
  return Array.from({ length: lines }, (_, i) => `export const v${n}_${i} = ${i};\n`).join('');
}

export const EDIT_OLD = (n: number): string => `export const v${n}_3 = 3;`;
export const EDIT_NEW = (n: number): string => `export const v${n}_3 = 3000; // changed`;
export const changedText = (n: number, lines = 12): string => fileText(n, lines).replace(EDIT_OLD(n), EDIT_NEW(n));

export interface SoakSubtask {
  id: string;
  files: number[];
  dependsOn?: string[];
}

/** A plan of the given subtasks; file n is src/f<n>.ts. */
export function planOf(subtasks: SoakSubtask[]): unknown {
  return {
    goal: 'Change one constant in each file.',
    subtasks: subtasks.map((s) => ({
      id: s.id,
      title: `Change ${s.files.length} file(s)`,
      instructions: `In each file in scope, set the constant on line 4 to 3000 (${s.id}).`,
      model: 'haiku',
      files: s.files.map((n) => ({ path: filePath(n), create: false })),
      acceptanceCriteria: ['line 4 of each file says 3000'],
      dependsOn: s.dependsOn ?? [],
    })),
  };
}

export const filePath = (n: number): string => `src/f${n}.ts`;

export const isPlanner = (req: RecordedRequest): boolean =>
  (req.body.output_config as { format?: unknown } | undefined)?.format !== undefined;

/** The subtask a worker request is for (its id is in the first user message), or undefined. */
export function subtaskOf(req: RecordedRequest, ids: readonly string[]): string | undefined {
  const first = JSON.stringify(req.body.messages?.[0] ?? '');
  return [...ids].sort((a, b) => b.length - a.length).find((id) => first.includes(`(${id})`));
}

/** A worker that edits every file of its subtask on its first turn, then finishes. */
export function workerResponder(subtasks: readonly SoakSubtask[]): Responder {
  const ids = subtasks.map((s) => s.id);
  return (req) => {
    const id = subtaskOf(req, ids);
    const s = subtasks.find((x) => x.id === id);
    if (!s) {
      return textReply('I do not know this subtask.');
    }
    if ((req.body.messages?.length ?? 0) === 1) {
      return toolUseReply(
        s.files.map((n) => ({
          name: 'str_replace_based_edit_tool',
          input: { command: 'str_replace', path: filePath(n), old_str: EDIT_OLD(n), new_str: EDIT_NEW(n) },
        })),
      );
    }
    return textReply(`Done: ${s.id}.`);
  };
}

/** `show --json` parsed, or the failure. */
export async function showJson(
  repo: string,
  env: Record<string, string>,
): Promise<{ subtasks: Array<{ id: string; status: string; proposal?: { id: string; status: string } | null }> }> {
  const r = await runCli(['show', '--json', '--workspace', repo], env);
  if (r.code !== 0) {
    throw new Error(`show failed (${r.code}): ${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}
