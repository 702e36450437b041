import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Output goes to this file instead of the terminal; a failure prints its tail. */
  logFile?: string;
}

/** Runs a command to completion; rejects with the command line and the output tail when it exits non-zero. */
export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  log?.write(`\n$ ${cmd} ${args.join(' ')}\n`);
  let output = '';
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString();
    // Keep only the tail: npm installs print megabytes.
    output = (output + text).slice(-20000);
    if (log) {
      log.write(text);
    } else {
      process.stdout.write(text);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
  if (code !== 0) {
    const tail = output.split('\n').slice(-40).join('\n');
    const where = opts.logFile ? ` (full log: ${opts.logFile})` : '';
    throw new Error(`\`${cmd} ${args.join(' ')}\` exited with ${code}${where}:\n${tail}`);
  }
  return output;
}

/** The absolute path of an executable on PATH, or undefined. */
export function which(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

export function elapsed(startMs: number): string {
  return `${((Date.now() - startMs) / 1000).toFixed(1)}s`;
}
