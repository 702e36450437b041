import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { cacheRoot } from '../../runner/install';
import { run } from '../../runner/proc';

/** The Claude Code release the side-by-side rows are measured against; its prompt and tools are part of the figure. */
export const CLAUDE_CODE_VERSION = '2.1.328';
const PACKAGE = '@anthropic-ai/claude-code';

export interface ClaudeCodeInstall {
  /** The native binary (the package's bin/claude.exe, filled in from its platform package). */
  bin: string;
  /** What `claude --version` printed. */
  version: string;
}

interface Stamp extends ClaudeCodeInstall {
  installedAt: string;
}

export function claudeCodeDir(version = CLAUDE_CODE_VERSION): string {
  return path.join(cacheRoot(), `claude-code-${version}`);
}

function binIn(dir: string): string {
  return path.join(dir, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
}

/** An outer `npm run` exports its config as npm_* variables, which a nested npm would take as its own. */
function withoutNpmVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key)));
}

/** `claude --version` with nothing from this process's environment that could point it elsewhere. */
async function versionOf(bin: string, scratchHome: string, logFile?: string): Promise<string> {
  await fs.mkdir(scratchHome, { recursive: true });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratchHome, DISABLE_AUTOUPDATER: '1' };
  return (await run(bin, ['--version'], { env, logFile })).trim();
}

async function readStamp(dir: string, version: string): Promise<Stamp | undefined> {
  try {
    const stamp = JSON.parse(await fs.readFile(path.join(dir, 'installed.json'), 'utf8')) as Stamp;
    return existsSync(stamp.bin) && stamp.version.startsWith(version) ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Installs the pinned Claude Code into the cache on first use: npm installs it (and the native binary of this
 * platform, an optional dependency its postinstall links into bin/claude.exe) in a staging folder, which is renamed
 * into place only once `claude --version` answers with the pinned version, so a broken install is never reused.
 */
export async function ensureClaudeCode(
  log: (m: string) => void,
  version = CLAUDE_CODE_VERSION,
): Promise<ClaudeCodeInstall> {
  const dir = claudeCodeDir(version);
  const cached = await readStamp(dir, version);
  if (cached) {
    return cached;
  }
  const stage = `${dir}.partial-${process.pid}`;
  const logFile = path.join(cacheRoot(), `install-claude-code-${version}.log`);
  await fs.mkdir(cacheRoot(), { recursive: true });
  await fs.rm(stage, { recursive: true, force: true });
  await fs.rm(logFile, { force: true });
  log(`installing ${PACKAGE}@${version} into ${dir} (first run only; log: ${logFile})`);
  const started = Date.now();
  try {
    await fs.mkdir(stage, { recursive: true });
    // npm 11 runs a dependency's install script only when allowScripts approves it; this one links the binary.
    const manifest = { private: true, allowScripts: { [PACKAGE]: true } };
    await fs.writeFile(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--save-exact', `${PACKAGE}@${version}`],
      { cwd: stage, env: withoutNpmVariables(process.env), logFile },
    );
    const printed = await versionOf(binIn(stage), path.join(stage, 'home'), logFile);
    if (!printed.startsWith(version)) {
      throw new Error(`the installed claude --version printed ${JSON.stringify(printed)}, not ${version}`);
    }
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(stage, dir).catch((e: NodeJS.ErrnoException) => {
      // Another run finished first: keep its copy.
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') {
        throw e;
      }
    });
  } catch (err) {
    throw new Error(
      `Claude Code ${version} could not be installed from the npm registry (${(err as Error).message.split('\n')[0]}). ` +
        `See ${logFile}; the staging folder was removed, so the next run starts clean.`,
      { cause: err },
    );
  } finally {
    await fs.rm(stage, { recursive: true, force: true });
  }
  const bin = binIn(dir);
  const stamp: Stamp = {
    bin,
    version: await versionOf(bin, path.join(dir, 'home')),
    installedAt: new Date().toISOString(),
  };
  await fs.writeFile(path.join(dir, 'installed.json'), JSON.stringify(stamp, null, 2));
  log(`${PACKAGE} ${stamp.version} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return stamp;
}
