import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { jsonReply } from '../fake-anthropic/replies';
import type { Run, SoakSubtask } from '../soak/harness';
import {
  KEY,
  buildCli,
  changedText,
  fileText,
  filePath,
  makeRepo,
  planOf,
  runCli,
  showJson,
  workerResponder,
} from '../soak/harness';

const FILES = Array.from({ length: 40 }, (_, i) => i + 1);
const BIG: SoakSubtask[] = [{ id: 'wide', files: FILES }];
/** Longer files make each write take a little longer, so a kill lands between two of them. */
const LINES = 400;

describe('CLI: an apply killed mid-way', function () {
  this.timeout(180_000);
  let fake: FakeAnthropic;
  let repo: string;
  let env: Record<string, string>;

  before(buildCli);

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    repo = await makeRepo(Object.fromEntries(FILES.map((n) => [filePath(n), fileText(n, LINES)])));
    env = { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url };
    fake.enqueue(jsonReply(planOf(BIG)));
    assert.equal((await runCli(['plan', 'Change the constants', '--workspace', repo], env)).code, 0);
    fake.setResponder(workerResponder(BIG));
    const d = await runCli(['dispatch', 'wide', '--workspace', repo], env);
    assert.equal(d.code, 0, d.stderr);
  });

  afterEach(async () => {
    await fake.close();
    await fs.rm(repo, { recursive: true, force: true });
  });

  const read = (n: number): Promise<string> => fs.readFile(path.join(repo, filePath(n)), 'utf8');
  const changed = async (): Promise<number> => {
    const texts = await Promise.all(FILES.map(read));
    return texts.filter((t, i) => t === changedText(i + 1, LINES)).length;
  };

  /** Kills `apply` once its first file is written; retried until the kill lands between two files. */
  async function killedMidApply(): Promise<{ run: Run; written: number }> {
    for (let tries = 0; tries < 8; tries++) {
      const run = await runCli(['apply', 'wide', '--workspace', repo], env, {
        killWhen: async () => (await read(1).catch(() => '')) !== fileText(1, LINES),
      });
      const written = await changed();
      if (run.signal === 'SIGKILL' && written > 0 && written < FILES.length) {
        return { run, written };
      }
      if (written === FILES.length) {
        throw new Error('the apply finished before it could be killed');
      }
    }
    throw new Error('no kill landed between two files');
  }

  it('the next start finishes the accept, says so, and the subtask is accepted with every file written', async () => {
    const { written } = await killedMidApply();
    assert.ok(written < FILES.length, `killed after ${written} of ${FILES.length} files`);
    const show = await runCli(['show', '--json', '--workspace', repo], env);
    assert.equal(show.code, 0, show.stderr);
    const after = await runCli(['show', '--workspace', repo], env);
    assert.equal(after.code, 0);
    assert.equal(await changed(), FILES.length, 'every file holds the accepted change');
    const data = JSON.parse(show.stdout);
    assert.equal(data.subtasks[0].status, 'accepted');
    const stderr = (await runCli(['show', '--workspace', repo], env)).stderr;
    assert.doesNotMatch(stderr, /interrupted/, 'said once, then done');
  });

  it('says what it did on stderr', async () => {
    await killedMidApply();
    const show = await runCli(['show', '--workspace', repo], env);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stderr, /finished the accept of subtask "wide" that was interrupted: \d+ of 40 file\(s\)/);
  });

  it('rolls back when a file changed since the kill: every file as it was, the subtask still in review', async () => {
    const { written } = await killedMidApply();
    const untouched = FILES.find((n) => n > written) as number;
    await fs.writeFile(path.join(repo, filePath(untouched)), `${fileText(untouched, LINES)}// mine\n`);
    const show = await runCli(['show', '--workspace', repo], env);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stderr, /rolled back the interrupted accept of subtask "wide" \(\d+ file\(s\) restored\)/);
    for (const n of FILES) {
      assert.equal(await read(n), n === untouched ? `${fileText(n, LINES)}// mine\n` : fileText(n, LINES), `${n}`);
    }
    assert.equal((await showJson(repo, env)).subtasks[0]?.status, 'review');
  });
});
