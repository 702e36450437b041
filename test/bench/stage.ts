import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The extension as a release ships it, built and packaged in a private folder. */
export interface StagedExtension {
  /** A complete extension folder (package.json, dist/*.js, media): what the .vsix unpacks to. */
  dir: string;
  /** Every bundle the extension ships (dist/*.js), together. */
  extensionBytes: number;
  /** Each bundle's size: dist/extension.js is evaluated at activation, dist/engine.js on first use. */
  bundleBytes: Record<string, number>;
  vsixBytes: number;
  buildMs: number;
  packageMs: number;
  cleanup(): Promise<void>;
}

/** What `vsce package` reads besides the build output; anything missing is simply not staged. */
const MANIFEST_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore'];

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/** Runs a command to completion; rejects with its output tail when it fails. */
export async function runCommand(cmd: string, args: string[], cwd: string): Promise<string> {
  const child = spawn(cmd, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    throw new Error(`\`${cmd} ${args.join(' ')}\` exited with ${code}:\n${output.split('\n').slice(-20).join('\n')}`);
  }
  return output;
}

/**
 * Builds the extension with `node esbuild.js --production` and packages it with `vsce package --no-dependencies`,
 * in a temporary folder that links to the repository's sources. The repository's own dist/ is left alone, so a
 * build running at the same time (a test run, a watch) cannot change what is measured, and the VS Code rows load
 * exactly the bundle that was sized.
 */
export async function stageExtension(root: string): Promise<StagedExtension> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-extension-'));
  const cleanup = (): Promise<void> => fs.rm(dir, { recursive: true, force: true });
  try {
    for (const name of MANIFEST_FILES) {
      if (await exists(path.join(root, name))) {
        await fs.copyFile(path.join(root, name), path.join(dir, name));
      }
    }
    for (const name of ['src', 'node_modules', 'media']) {
      if (await exists(path.join(root, name))) {
        await fs.symlink(path.join(root, name), path.join(dir, name));
      }
    }
    const t0 = Date.now();
    await runCommand(process.execPath, [path.join(root, 'esbuild.js'), '--production', '--only=extension'], dir);
    const buildMs = Date.now() - t0;
    const bundleBytes: Record<string, number> = {};
    for (const name of (await fs.readdir(path.join(dir, 'dist'))).filter((f) => f.endsWith('.js'))) {
      bundleBytes[name] = (await fs.stat(path.join(dir, 'dist', name))).size;
    }
    const extensionBytes = Object.values(bundleBytes).reduce((a, b) => a + b, 0);
    // media/ is copied for the package: vsce does not follow a linked folder.
    await fs.rm(path.join(dir, 'media'), { force: true });
    if (await exists(path.join(root, 'media'))) {
      await fs.cp(path.join(root, 'media'), path.join(dir, 'media'), { recursive: true });
    }
    const vsix = path.join(dir, 'package.vsix');
    const t1 = Date.now();
    const vsce = path.join(root, 'node_modules', '.bin', 'vsce');
    await runCommand(vsce, ['package', '--no-dependencies', '--out', vsix], dir);
    const packageMs = Date.now() - t1;
    const vsixBytes = (await fs.stat(vsix)).size;
    await fs.rm(vsix);
    return { dir, extensionBytes, bundleBytes, vsixBytes, buildMs, packageMs, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
