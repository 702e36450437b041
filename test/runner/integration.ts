import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openWorkbench } from './browser';
import { REPO_ROOT, buildIntegrationTests } from './build';
import { startCodeServer, withTimeout } from './code-server';
import { createFixtureRepo } from './fixture';
import type { SuiteContext, SuiteResult } from './suite';
import { RESULT_MARKER, envNumber } from './suite';

/** Runs test/integration/*.test.ts inside VS Code's extension host, fed to a browser by code-server. */
export async function runIntegrationSuite(ctx: SuiteContext): Promise<SuiteResult> {
  const start = Date.now();
  const { tests, index, extensions } = await buildIntegrationTests();
  console.log(`\n[integration] ${tests.length} test file(s): ${tests.join(', ')}`);
  const workspace = await createFixtureRepo(path.join(ctx.tmp, 'integration-workspace'));
  // The remote extension host takes one development folder (the last one given), so test-only extensions are
  // installed into the server's extensions folder instead, as a user's extensions are.
  const extensionsDir = path.join(ctx.tmp, 'integration-server', 'extensions');
  for (const dir of extensions) {
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')) as Record<string, string>;
    const target = path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
    await fs.cp(dir, target, { recursive: true });
  }
  const server = await startCodeServer({
    install: ctx.install,
    tmp: path.join(ctx.tmp, 'integration-server'),
    env: { ...ctx.env, OPUS_TEST_WORKSPACE: workspace, OPUS_TEST_COLOR: process.stdout.isTTY ? '1' : '0' },
    verbose: ctx.verbose,
  });
  let counts: { passed: number; failed: number } | undefined;
  const recent: string[] = [];
  const onLog = (line: string): void => {
    if (line.startsWith(RESULT_MARKER)) {
      counts = JSON.parse(line.slice(RESULT_MARKER.length)) as { passed: number; failed: number };
      return;
    }
    recent.push(line);
    recent.splice(0, recent.length - 40);
    console.log(`  ${line}`);
  };
  const timeoutMs = envNumber('OPUS_VSCODE_TIMEOUT_MS', 900_000);
  const url = server.workbenchUrl(workspace, [
    ['extensionDevelopmentPath', server.remoteUri(ctx.extensionPath)],
    ['extensionTestsPath', server.remoteUri(index)],
  ]);
  const workbench = await openWorkbench(ctx.browser, url, { onLog, verbose: ctx.verbose });
  try {
    const crashed = new Promise<never>((_, reject) => {
      workbench.page.on('crash', () => reject(new Error('The browser tab running VS Code crashed.')));
    });
    const code = await withTimeout(Promise.race([workbench.exitCode, server.died, crashed]), timeoutMs, () => {
      return (
        `Integration tests did not report an exit code within ${timeoutMs / 1000} s ` +
        '(raise OPUS_VSCODE_TIMEOUT_MS if they are just slow). Last extension-host output:\n' +
        `${recent.join('\n') || '(none)'}\ncode-server's last output:\n${server.tail(15)}`
      );
    }).catch(async (e: Error) => {
      await saveScreenshot(workbench.page, 'integration-failure.png');
      throw e;
    });
    if (code !== 0 && (!counts || counts.failed === 0)) {
      // run() never got to report (the tests module failed to load, or activation threw first).
      console.log(`[integration] the extension host reported exit code ${code}; see its output above`);
      return { name: 'integration', passed: counts?.passed ?? 0, failed: 1, ms: Date.now() - start };
    }
    return { name: 'integration', passed: counts?.passed ?? 0, failed: counts?.failed ?? 0, ms: Date.now() - start };
  } finally {
    await workbench.close();
    await server.stop();
  }
}

async function saveScreenshot(page: Page, name: string): Promise<void> {
  const file = path.join(REPO_ROOT, 'test-output', name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, timeout: 5000 }).then(
    () => console.log(`[integration] screenshot of the workbench: ${file}`),
    () => undefined,
  );
}
