import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { jsonReply, toolUseReply } from '../fake-anthropic/replies';
import type { SoakSubtask } from '../soak/harness';
import {
  KEY,
  buildCli,
  fileText,
  filePath,
  isPlanner,
  makeRepo,
  planOf,
  runCli,
  showJson,
  workerResponder,
} from '../soak/harness';

const TWO: SoakSubtask[] = [
  { id: 's1', files: [1] },
  { id: 's2', files: [2] },
];
/** Haiku at these prices makes each subtask's estimate about $3. */
const DEAR = (p: number): string => JSON.stringify({ haiku: { input: p, output: p, cacheWrite: p, cacheRead: p } });

describe('CLI cost caps', function () {
  this.timeout(120_000);
  let fake: FakeAnthropic;
  let repo: string;
  let env: Record<string, string>;
  let estimate: number;

  before(buildCli);

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    repo = await makeRepo({ [filePath(1)]: fileText(1), [filePath(2)]: fileText(2) });
    env = { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url };
    const workers = workerResponder(TWO);
    fake.setResponder((req) => (isPlanner(req) ? jsonReply(planOf(TWO)) : workers(req)));
    const r = await runCli(ws('plan', 'Change the constants', '--json'), env);
    assert.equal(r.code, 0, r.stderr);
    const at1000 = await runCli(ws('show', '--json', '--prices', DEAR(1000)), env);
    estimate = JSON.parse(at1000.stdout).subtasks[0].estimate.cost / 1000;
  });

  afterEach(async () => {
    await fake.close();
    await fs.rm(repo, { recursive: true, force: true });
  });

  const ws = (...args: string[]): string[] => [...args, '--workspace', repo];
  const workerCalls = (): number => fake.requests.filter((r) => !isPlanner(r)).length;
  /** A price per million tokens that makes one subtask's estimate about `dollars`. */
  const priceFor = (dollars: number): number => dollars / estimate;

  it('refuses by default a subtask estimated over $1, and runs it with --max-cost-per-subtask 0', async () => {
    const prices = DEAR(priceFor(3));
    const refused = await runCli(ws('dispatch', 's1', '--prices', prices), env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /over the per-subtask cap of \$1\.00\. Raise .*--max-cost-per-subtask/);
    assert.equal(workerCalls(), 0, 'no request was sent');
    const ok = await runCli(
      ws('dispatch', 's1', '--prices', prices, '--max-cost-per-subtask', '0', '--max-cost-per-plan', '0'),
      env,
    );
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('refuses by default what would take the plan over $5, and --max-cost-per-plan raises it', async () => {
    const prices = DEAR(priceFor(3));
    const flags = ['--prices', prices, '--max-cost-per-subtask', '0'];
    const refused = await runCli(ws('dispatch', 's1', 's2', ...flags), env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /over the per-plan cap of \$5\.00\. Raise .*--max-cost-per-plan/);
    assert.equal(workerCalls(), 0);
    const ok = await runCli(ws('dispatch', 's1', 's2', ...flags, '--max-cost-per-plan', '100'), env);
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('stops a run that spends past the cap although its estimate was under it', async () => {
    fake.setResponder(() =>
      toolUseReply([{ name: 'str_replace_based_edit_tool', input: { command: 'view', path: filePath(1) } }], {
        input: 3_200_000,
        output: 2_000,
      }),
    );
    const r = await runCli(ws('dispatch', 's1'), env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Stopped after spending \$\d+\.\d\d, over the per-subtask cap of \$1\.00/);
    assert.equal(workerCalls(), 1, 'no call after the one that passed the cap');
    const s1 = (await showJson(repo, env)).subtasks.find((s) => s.id === 's1');
    assert.equal(s1?.status, 'failed');
  });

  it('--max-output-tokens sets the workers’ max_tokens; a bad value or cap is refused', async () => {
    const r = await runCli(ws('dispatch', 's1', '--max-output-tokens', '4321'), env);
    assert.equal(r.code, 0, r.stderr);
    const worker = fake.requests.find((q) => !isPlanner(q));
    assert.equal(worker?.body.max_tokens, 4321);
    for (const bad of [
      ['--max-output-tokens', '0'],
      ['--max-cost-per-plan', 'lots'],
      ['--max-cost-per-subtask', '-1'],
    ]) {
      const refused = await runCli(ws('show', ...bad), env);
      assert.equal(refused.code, 2, bad.join(' '));
      assert.match(refused.stderr, new RegExp(bad[0] as string));
    }
  });
});
