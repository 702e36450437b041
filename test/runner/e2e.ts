import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { openWorkbench } from './browser';
import { REPO_ROOT } from './build';
import type { CodeServer } from './code-server';
import { startCodeServer, withTimeout } from './code-server';
import { createFixtureRepo } from './fixture';
import type { SuiteContext, SuiteResult } from './suite';
import { envNumber } from './suite';
import { waitForWorkbench } from './workbench';

export const E2E_SRC = path.join(REPO_ROOT, 'test', 'e2e');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-output', 'e2e');

/** What each exported function of a `test/e2e/*.e2e.ts` file receives. */
export interface E2eContext {
  /** The workbench, loaded, with the extension installed in development mode. */
  page: Page;
  /** Absolute path of the extension under test (its package.json tells what it contributes). */
  extensionPath: string;
  /** Absolute path of this file's fixture git repository (the open folder). */
  workspace: string;
  /** Saves `test-output/e2e/<file>-<name>.png` (of the page, or of `region` only) and returns its path. */
  screenshot(name: string, region?: Locator): Promise<string>;
  /** The local Messages API the extension talks to (ANTHROPIC_BASE_URL): enqueue replies, read requests. */
  anthropic: FakeAnthropic;
}

export type E2eTest = (ctx: E2eContext) => Promise<void>;

interface Counts {
  passed: number;
  failed: number;
}

/**
 * Runs every exported function of every `test/e2e/*.e2e.ts`, in alphabetical order of their names. Each file gets
 * its own fixture repository and a fresh browser context on one shared code-server; its tests share that page.
 */
export async function runE2eSuite(ctx: SuiteContext): Promise<SuiteResult> {
  const start = Date.now();
  const grep = process.env.OPUS_TEST_GREP;
  const files = (await fs.readdir(E2E_SRC)).filter((f) => f.endsWith('.e2e.ts')).sort();
  if (files.length === 0) {
    throw new Error(`No e2e test files in ${E2E_SRC} (expected *.e2e.ts).`);
  }
  console.log(`\n[e2e] ${files.length} test file(s): ${files.join(', ')}`);
  await fs.rm(SCREENSHOT_DIR, { recursive: true, force: true });
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  const server = await startCodeServer({
    install: ctx.install,
    tmp: path.join(ctx.tmp, 'e2e-server'),
    env: ctx.env,
    verbose: ctx.verbose,
  });
  const counts: Counts = { passed: 0, failed: 0 };
  try {
    for (const file of files) {
      const tests = (await loadTests(path.join(E2E_SRC, file))).filter(([name]) => !grep || name.includes(grep));
      if (tests.length > 0) {
        await runFile(ctx, server, file, tests, counts);
      }
    }
  } finally {
    await server.stop();
  }
  return { name: 'e2e', ...counts, ms: Date.now() - start };
}

async function loadTests(file: string): Promise<[string, E2eTest][]> {
  // The runner itself runs under tsx, which compiles the TypeScript test file on import.
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const tests = Object.entries(mod).filter(
    (e): e is [string, E2eTest] => e[0] !== 'default' && typeof e[1] === 'function',
  );
  if (tests.length === 0) {
    throw new Error(`${file} exports no test function (export async function name(ctx: E2eContext)).`);
  }
  return tests;
}

async function runFile(
  ctx: SuiteContext,
  server: CodeServer,
  file: string,
  tests: [string, E2eTest][],
  counts: Counts,
): Promise<void> {
  const base = file.replace(/\.e2e\.ts$/, '');
  const workspace = await createFixtureRepo(path.join(ctx.tmp, `e2e-workspace-${base}`));
  const url = server.workbenchUrl(workspace, [['extensionDevelopmentPath', server.remoteUri(ctx.extensionPath)]]);
  const onLog = (line: string): void => console.log(`  [extension host] ${line}`);
  const workbench = await openWorkbench(ctx.browser, url, { onLog, verbose: ctx.verbose });
  const screenshot = async (name: string, region?: Locator): Promise<string> => {
    const target = path.join(SCREENSHOT_DIR, `${base}-${name.replace(/[^\w.-]+/g, '_')}.png`);
    await (region ?? workbench.page).screenshot({ path: target });
    return target;
  };
  const timeoutMs = envNumber('OPUS_E2E_TIMEOUT_MS', 120_000);
  // One step (a click, a wait for a row) that takes this long has failed; the default 30 s only slows reports.
  workbench.page.setDefaultTimeout(envNumber('OPUS_E2E_STEP_TIMEOUT_MS', 15_000));
  try {
    console.log(`  ${file}`);
    try {
      await waitForWorkbench(workbench.page);
    } catch (e) {
      counts.failed += tests.length;
      const shot = await screenshot('workbench-failure').catch(() => 'none (the page is gone)');
      console.log(`    ✘ the workbench did not load: ${(e as Error).message}\n      screenshot: ${shot}`);
      return;
    }
    for (const [name, test] of tests) {
      const t0 = Date.now();
      try {
        const context: E2eContext = {
          page: workbench.page,
          extensionPath: ctx.extensionPath,
          workspace,
          screenshot,
          anthropic: ctx.anthropic,
        };
        await withTimeout(Promise.race([test(context), server.died]), timeoutMs, () => {
          return `${name} did not finish within ${timeoutMs / 1000} s (OPUS_E2E_TIMEOUT_MS).`;
        });
        counts.passed += 1;
        console.log(`    ✔ ${name} (${Date.now() - t0} ms)`);
      } catch (e) {
        counts.failed += 1;
        const shot = await screenshot(`${name}-failure`).catch(() => 'none (the page is gone)');
        console.log(`    ✘ ${name} (${Date.now() - t0} ms)\n      ${indent((e as Error).stack ?? String(e))}`);
        console.log(`      screenshot: ${shot}`);
      }
    }
  } finally {
    await workbench.close();
  }
}

const indent = (s: string): string => s.split('\n').join('\n      ');
