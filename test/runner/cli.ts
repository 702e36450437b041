import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { launchBrowser } from './browser';
import { REPO_ROOT } from './build';
import { cleanupAll, isInterrupted, onCleanup, trackTempDir } from './cleanup';
import { runE2eSuite } from './e2e';
import { ensureTestEnvironment } from './install';
import { runIntegrationSuite } from './integration';
import { elapsed, run } from './proc';
import type { SuiteContext, SuiteResult } from './suite';

const USAGE = `Usage: node --import tsx test/runner/cli.ts <install|integration|e2e|all>

  install      install Chromium and a cached code-server (VS Code) if missing, then stop
  integration  mocha suites in test/integration/*.test.ts inside VS Code's extension host
  e2e          test/e2e/*.e2e.ts driving VS Code in Chromium as a person would
  all          both, one after the other

Environment:
  OPUS_TEST_GREP            run only tests whose title (e2e: function name) contains this
  OPUS_VERBOSE=1            show code-server's log, the browser console and the workbench's own log
  OPUS_SKIP_BUILD=1         skip \`npm run build\` (dist/ is already current)
  OPUS_KEEP_TEMP=1          keep the temporary workspaces and VS Code user data for inspection
  OPUS_HEADED=1             show the browser window (needs a display, e.g. xvfb-run)
  OPUS_EXTENSION_PATH       load another built copy of the extension instead of this repository
  OPUS_VSCODE_TIMEOUT_MS    integration suite limit (default 900000)
  OPUS_E2E_TIMEOUT_MS       limit per e2e test (default 120000); OPUS_E2E_STEP_TIMEOUT_MS per step (15000)
  OPUS_ORCHESTRATOR_CACHE   install cache (default ~/.cache/opus-orchestrator)
  CHROMIUM_PATH             Chromium binary (default /usr/bin/chromium)`;

type Suite = 'integration' | 'e2e';

function parseSuites(arg: string | undefined): Suite[] | 'install' {
  switch (arg) {
    case 'install':
      return 'install';
    case 'integration':
    case 'e2e':
      return [arg];
    case 'all':
      return ['integration', 'e2e'];
    default:
      console.error(USAGE);
      process.exit(2);
  }
}

async function main(): Promise<number> {
  const suites = parseSuites(process.argv[2]);
  const t0 = Date.now();
  const install = await ensureTestEnvironment();
  console.log(`[runner] ${install.version}; chromium ${install.chromium} (ready in ${elapsed(t0)})`);
  if (suites === 'install') {
    return 0;
  }
  if (process.env.OPUS_SKIP_BUILD !== '1') {
    const tb = Date.now();
    await run('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT });
    console.log(`[runner] extension built in ${elapsed(tb)}`);
  }
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'opus-vscode-'));
  if (process.env.OPUS_KEEP_TEMP === '1') {
    console.log(`[runner] keeping ${tmp}`);
  } else {
    trackTempDir(tmp);
  }
  const anthropic = await startFakeAnthropic();
  onCleanup(() => anthropic.close());
  const ctx: SuiteContext = {
    install,
    browser: await launchBrowser(install.chromium),
    anthropic,
    extensionPath: path.resolve(process.env.OPUS_EXTENSION_PATH || REPO_ROOT),
    tmp,
    // Never a real key: every model call in these suites goes to the local fake Messages API.
    env: { ANTHROPIC_BASE_URL: anthropic.url, ANTHROPIC_API_KEY: 'sk-ant-test-vscode-runner' },
    verbose: process.env.OPUS_VERBOSE === '1',
  };
  const results: SuiteResult[] = [];
  for (const suite of suites) {
    const started = Date.now();
    try {
      results.push(suite === 'integration' ? await runIntegrationSuite(ctx) : await runE2eSuite(ctx));
    } catch (e) {
      if (isInterrupted()) {
        // The signal handler is stopping everything and exits; errors from that are not test results.
        return new Promise<number>(() => undefined);
      }
      // A suite that cannot run counts as failed; the next suite still runs.
      console.error(`\n[${suite}] ${(e as Error).message}`);
      results.push({ name: suite, passed: 0, failed: 1, ms: Date.now() - started });
    }
  }
  console.log('');
  for (const r of results) {
    console.log(`[runner] ${r.name} took ${(r.ms / 1000).toFixed(1)}s`);
  }
  console.log(`[runner] total ${elapsed(t0)}`);
  for (const r of results) {
    console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed`);
  }
  if (results.length > 1) {
    const sum = (key: 'passed' | 'failed'): number => results.reduce((n, r) => n + r[key], 0);
    console.log(`vscode: ${sum('passed')} passed, ${sum('failed')} failed`);
  }
  return results.every((r) => r.failed === 0 && r.passed > 0) ? 0 : 1;
}

main()
  .catch((e: Error) => {
    console.error(`\n[runner] ${e.message}`);
    return 1;
  })
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  });
