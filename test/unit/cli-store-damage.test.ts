import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { jsonReply } from '../fake-anthropic/replies';
import type { SoakSubtask } from '../soak/harness';
import { KEY, buildCli, fileText, filePath, isPlanner, makeRepo, planOf, runCli, workerResponder } from '../soak/harness';

const TWO: SoakSubtask[] = [
  { id: 's1', files: [1] },
  { id: 's2', files: [2] },
];

/** A damaged store file, the advice its error gives, and how to follow that advice. */
interface Damage {
  name: string;
  file: string;
  damage: (file: string) => Promise<void>;
  advice: RegExp;
  follow: (file: string) => Promise<void>;
}

const garbage = (file: string): Promise<void> => fs.writeFile(file, '{"version": 2, "kind": "subt');
const remove = (file: string): Promise<void> => fs.rm(file, { force: true });

const DAMAGES: Damage[] = [
  { name: 'a damaged proposal', file: 'proposals/s1-1.json', damage: garbage, advice: /Delete the file/, follow: remove },
  { name: 'a damaged subtask record', file: 'subtasks/s1.json', damage: garbage, advice: /Delete the file/, follow: remove },
  {
    name: 'a subtask record of a newer version',
    file: 'subtasks/s1.json',
    damage: async (f) => fs.writeFile(f, JSON.stringify({ version: 99, kind: 'subtask', data: {} })),
    advice: /Update the extension or delete the file/,
    follow: remove,
  },
  {
    name: 'a damaged ledger line',
    file: 'ledger.jsonl',
    damage: async (f) => fs.writeFile(f, `${(await fs.readFile(f, 'utf8')).split('\n')[0]}\n{oops\n{"x":1}\n`),
    advice: /Delete the file/,
    follow: remove,
  },
  {
    name: 'a damaged accept journal',
    file: 'journal.json',
    damage: garbage,
    advice: /Delete the file/,
    follow: remove,
  },
  { name: 'a damaged plan', file: 'plan.json', damage: garbage, advice: /Delete the file/, follow: remove },
];

describe('CLI: every store error names a way forward, and that way works', function () {
  this.timeout(120_000);
  let fake: FakeAnthropic;
  let repo: string;
  let env: Record<string, string>;

  before(buildCli);

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    repo = await makeRepo({ [filePath(1)]: fileText(1), [filePath(2)]: fileText(2) });
    env = { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url };
    const workers = workerResponder(TWO);
    fake.setResponder((req) => (isPlanner(req) ? jsonReply(planOf(TWO)) : workers(req)));
    assert.equal((await runCli(ws('plan', 'Change the constants'), env)).code, 0);
    assert.equal((await runCli(ws('dispatch', 's1', 's2'), env)).code, 0);
  });

  afterEach(async () => {
    await fake.close();
    await fs.rm(repo, { recursive: true, force: true });
  });

  const ws = (...args: string[]): string[] => [...args, '--workspace', repo];

  for (const d of DAMAGES) {
    it(`${d.name}: the error says what to do; done, the work goes on`, async () => {
      const file = path.join(repo, '.opus-orchestrator', d.file);
      await d.damage(file);
      const refused = await runCli(ws('show'), env);
      assert.equal(refused.code, 1, refused.stdout);
      assert.ok(refused.stderr.includes(file), `the message names ${file}: ${refused.stderr}`);
      assert.match(refused.stderr, d.advice);
      await d.follow(file);
      if (d.file === 'plan.json') {
        const none = await runCli(ws('show'), env);
        assert.match(none.stderr, /run opus-orchestrator plan/);
        assert.equal((await runCli(ws('plan', 'Again'), env)).code, 0);
      }
      const shown = await runCli(ws('show', '--json'), env);
      assert.equal(shown.code, 0, shown.stderr);
      const s1 = JSON.parse(shown.stdout).subtasks.find((s: { id: string }) => s.id === 's1');
      if (s1.status !== 'review') {
        const again = await runCli(ws('dispatch', 's1'), env);
        assert.equal(again.code, 0, `${s1.status}: ${again.stderr}`);
      }
      const apply = await runCli(ws('apply', 's1'), env);
      assert.equal(apply.code, 0, apply.stderr);
    });
  }

  it('a store folder that is a file: the error says to move it away; done, the plan can be made', async () => {
    const dir = path.join(repo, '.opus-orchestrator');
    await fs.rm(dir, { recursive: true });
    await fs.writeFile(dir, 'not a folder');
    const refused = await runCli(ws('plan', 'Again'), env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is not a folder .*move it away/);
    await fs.rename(dir, `${dir}.old`);
    assert.equal((await runCli(ws('plan', 'Again'), env)).code, 0);
  });
});
