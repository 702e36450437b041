import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { stopProcessGroup, trackProcessGroup } from './cleanup';
import type { CodeServerInstall } from './install';

export interface CodeServerOptions {
  install: CodeServerInstall;
  /** A private temporary folder: user data, extensions, config and the server log go there. */
  tmp: string;
  /** Added to the server's environment, which its extension host inherits. */
  env: Record<string, string>;
  /** Workspace Trust stays off unless a test is about it. */
  workspaceTrust?: boolean;
  /** Streams the server log to stdout as well. */
  verbose?: boolean;
}

export interface CodeServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly logFile: string;
  /** `vscode-remote://127.0.0.1:PORT/abs/path`: how the workbench names a path on the server. */
  remoteUri(absPath: string): string;
  /** The workbench URL for a folder; `payload` carries extension-development options (smoke-test driver only). */
  workbenchUrl(folder: string, payload?: [string, string][]): string;
  /** The last lines the server printed, for error messages. */
  tail(lines?: number): string;
  /** Rejects if the server exits before stop(). */
  readonly died: Promise<never>;
  stop(): Promise<void>;
}

// Quiet defaults so screenshots show the workbench, not welcome pages, tips or update prompts.
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const userDataDir = path.join(opts.tmp, 'user-data');
  const extensionsDir = path.join(opts.tmp, 'extensions');
  const config = path.join(opts.tmp, 'code-server.yaml');
  const logFile = path.join(opts.tmp, 'code-server.log');
  await fs.mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await fs.mkdir(extensionsDir, { recursive: true });
  await fs.writeFile(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  // An explicit config keeps code-server from writing one (with a password) into the user's home.
  await fs.writeFile(config, 'auth: none\n');
  const args = [
    opts.install.entry,
    ...['--config', config, '--auth', 'none', '--bind-addr', '127.0.0.1:0'],
    ...['--disable-telemetry', '--disable-update-check', '--disable-getting-started-override'],
    ...['--vscode-option', 'enable-smoke-test-driver'],
    ...['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--ignore-last-opened'],
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
  ];
  // VS Code leaves its IPC sockets (vscode-git-*.sock, vscode-ipc-*.sock) in the temp folder when it is killed;
  // a private one is removed with the rest of the run.
  const tmpDir = path.join(opts.tmp, 'tmp');
  await fs.mkdir(tmpDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmpDir, TMP: tmpDir, TEMP: tmpDir, ...opts.env };
  // The runner's own loader flags must not leak into VS Code's processes.
  delete env.NODE_OPTIONS;
  const child = spawn(opts.install.node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) {
    throw new Error(`Could not start code-server with ${opts.install.node}.`);
  }
  const pid = child.pid;
  trackProcessGroup(pid);
  const log = createWriteStream(logFile);
  let recent = '';
  let partial = '';
  let stopping = false;
  let resolveOrigin: (origin: string) => void = () => undefined;
  const originFound = new Promise<string>((resolve) => (resolveOrigin = resolve));
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString();
    log.write(text);
    recent = (recent + text).slice(-16000);
    if (opts.verbose) {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        console.log(`[code-server] ${line}`);
      }
    }
    const m = /HTTP server listening on (http:\/\/[^\s/]+)/.exec(recent);
    if (m?.[1]) {
      resolveOrigin(m[1]);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const tail = (lines = 30): string => recent.split('\n').slice(-lines).join('\n');
  const died = new Promise<never>((_, reject) => {
    child.on('exit', (code, signal) => {
      if (!stopping) {
        reject(new Error(`code-server exited unexpectedly (${signal ?? code}). Its last output:\n${tail()}`));
      }
    });
  });
  died.catch(() => undefined);
  const origin = await withTimeout(Promise.race([originFound, died]), 60_000, () => {
    return `code-server did not start listening within 60 s. Its last output:\n${tail()}`;
  });
  await waitForHealth(origin, died);
  const host = new URL(origin).host;
  return {
    origin,
    logFile,
    remoteUri: (absPath) => `vscode-remote://${host}${absPath}`,
    workbenchUrl: (folder, payload) => {
      const params = new URLSearchParams({ folder });
      if (payload) {
        params.set('payload', JSON.stringify(payload));
      }
      return `${origin}/?${params.toString()}`;
    },
    tail,
    died,
    stop: async () => {
      stopping = true;
      await stopProcessGroup(pid);
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}

async function waitForHealth(origin: string, died: Promise<never>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await Promise.race([
      fetch(`${origin}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
      died,
    ]);
    if (ok) {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server at ${origin} did not answer /healthz within 30 s.`);
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
