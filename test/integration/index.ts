import Mocha from 'mocha';
import fs from 'node:fs';
import path from 'node:path';
import { mapStackToSource } from '../runner/stack';
import { RESULT_MARKER } from '../runner/suite';

// Frames are shown relative to the repository root: the nearest folder above the bundles with a package.json.
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return dir;
}

/**
 * Called by VS Code's extension host (`extensionTestsPath`): runs every bundled `*.test.js` beside this file.
 * Rejecting makes VS Code report a non-zero exit code to whoever launched it.
 */
export async function run(): Promise<void> {
  process.setSourceMapsEnabled(true);
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: process.env.OPUS_TEST_COLOR === '1',
    timeout: Number(process.env.OPUS_TEST_TIMEOUT_MS ?? 30_000),
    grep: process.env.OPUS_TEST_GREP || undefined,
  });
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js'));
  for (const file of files.sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  await mocha.loadFilesAsync();
  const { passes, failures, pending } = await new Promise<Mocha.Stats>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats ?? ({ passes: 0, failures: 1, pending: 0 } as Mocha.Stats)));
    // The reporter prints failures at the end, so rewriting the stack here is in time.
    runner.on('fail', (_test, err: Error) => {
      if (err.stack) {
        err.stack = mapStackToSource(err.stack, repoRoot());
      }
    });
  });
  console.log(`${RESULT_MARKER} ${JSON.stringify({ passed: passes, failed: failures, skipped: pending })}`);
  if (failures > 0) {
    throw new Error(`${failures} integration test(s) failed.`);
  }
  if (passes === 0) {
    throw new Error('No integration test ran: check OPUS_TEST_GREP and the *.test.ts files in test/integration.');
  }
}
