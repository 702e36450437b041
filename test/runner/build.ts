import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { onCleanup } from './cleanup';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const INTEGRATION_SRC = path.join(REPO_ROOT, 'test', 'integration');

export interface IntegrationBuild {
  /** `*.test.ts` names found. */
  tests: string[];
  /** What VS Code's `extensionTestsPath` points at (the module exporting `run()`). */
  index: string;
  /** Test-only extensions loaded beside the one under test (folders with a package.json and extension.js). */
  extensions: string[];
}

/**
 * Builds test/integration/lm-extension, a test-only extension that offers chat models through VS Code's Language
 * Model API (a provider must be contributed by an extension's manifest, so it cannot live in the tests themselves).
 */
async function buildTestExtension(outDir: string): Promise<string> {
  const src = path.join(INTEGRATION_SRC, 'lm-extension');
  const dir = path.join(outDir, 'lm-extension');
  await fs.mkdir(dir, { recursive: true });
  await fs.copyFile(path.join(src, 'package.json'), path.join(dir, 'package.json'));
  await build({
    entryPoints: [path.join(src, 'extension.ts')],
    outfile: path.join(dir, 'extension.js'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  return dir;
}

/**
 * Bundles `test/integration/index.ts` and every `test/integration/*.test.ts` on its own, with `vscode` left to
 * the extension host and mocha loaded from node_modules, so a new test file needs no registration anywhere.
 * Each run writes its own folder under out/ (inside the repository, so `mocha` resolves), which lets two runs
 * share a checkout; the folder is removed when the run ends.
 */
export async function buildIntegrationTests(): Promise<IntegrationBuild> {
  const outDir = path.join(REPO_ROOT, 'out', 'test', `integration-${process.pid}`);
  const tests = (await fs.readdir(INTEGRATION_SRC)).filter((f) => f.endsWith('.test.ts')).sort();
  if (!existsSync(path.join(INTEGRATION_SRC, 'index.ts'))) {
    throw new Error(`${INTEGRATION_SRC}/index.ts is missing: it is the entry VS Code calls to run the tests.`);
  }
  if (tests.length === 0) {
    throw new Error(`No test files in ${INTEGRATION_SRC} (expected *.test.ts).`);
  }
  // A test file deleted from the source must not keep running from a stale bundle.
  await fs.rm(outDir, { recursive: true, force: true });
  onCleanup(() => fs.rm(outDir, { recursive: true, force: true }));
  await build({
    entryPoints: ['index.ts', ...tests].map((f) => path.join(INTEGRATION_SRC, f)),
    outdir: outDir,
    outbase: INTEGRATION_SRC,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    sourcesContent: false,
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  // Outside the repository: an extension folder nested in the one under test would be taken for part of it.
  const extensionsDir = path.join(os.tmpdir(), `opus-test-extensions-${process.pid}`);
  onCleanup(() => fs.rm(extensionsDir, { recursive: true, force: true }));
  const extension = await buildTestExtension(extensionsDir);
  return { tests, index: path.join(outDir, 'index'), extensions: [extension] };
}
