import { runTests } from '@vscode/test-electron';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { REPO_ROOT, buildIntegrationTests } from './build';
import { cleanupAll, onCleanup, trackTempDir } from './cleanup';
import { createFixtureRepo } from './fixture';
import { run } from './proc';

/**
 * The integration suite in desktop VS Code (Electron), for machines with internet access: @vscode/test-electron
 * downloads VS Code (VSCODE_VERSION, default stable) unless VSCODE_EXECUTABLE_PATH names an installed one.
 * On Linux without a display run it under `xvfb-run -a`.
 */
async function main(): Promise<number> {
  await run('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT });
  const { index } = await buildIntegrationTests();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'opus-desktop-'));
  trackTempDir(tmp);
  const workspace = await createFixtureRepo(path.join(tmp, 'workspace'));
  const anthropic = await startFakeAnthropic();
  onCleanup(() => anthropic.close());
  await runTests({
    version: process.env.VSCODE_VERSION || 'stable',
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || undefined,
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: index,
    launchArgs: [
      workspace,
      '--disable-workspace-trust',
      '--disable-extensions',
      '--skip-welcome',
      '--skip-release-notes',
      ...['--user-data-dir', path.join(tmp, 'user-data'), '--extensions-dir', path.join(tmp, 'extensions')],
    ],
    extensionTestsEnv: {
      OPUS_TEST_WORKSPACE: workspace,
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: 'sk-ant-test-vscode-runner',
    },
  });
  return 0;
}

main()
  .catch((e: Error) => {
    const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(e.message);
    const hint = offline
      ? '\nVS Code could not be downloaded: set VSCODE_EXECUTABLE_PATH to an installed VS Code, or run ' +
        '`npm run test:vscode`, which needs no download.'
      : '';
    console.error(`[desktop] ${e.message}${hint}`);
    return 1;
  })
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  });
