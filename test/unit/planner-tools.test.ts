import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { buildRepoMap } from '../../src/core/plan/repoMap';
import { PlannerTools } from '../../src/core/plan/tools';
import { WorkspaceRules } from '../../src/core/workspace/rules';
import { makeRealRepo } from './realRepo';
import type { RealRepo } from './realRepo';

describe('planner tools', function () {
  this.timeout(30_000);
  let repo: RealRepo;
  let tools: PlannerTools;
  const savedHome = process.env.HOME;
  let n = 0;
  const call = async (name: string, input: unknown): Promise<{ text: string; error: boolean }> => {
    const r = await tools.run({ id: `t${n++}`, name, input });
    return { text: String(r.content), error: r.is_error === true };
  };

  before(async () => {
    repo = await makeRealRepo();
    process.env.HOME = repo.gitEnv.HOME;
    const lines = Array.from({ length: 900 }, (_, i) => `export const line${i} = ${i};`);
    await fs.writeFile(path.join(repo.root, 'src', 'long.ts'), `${lines.join('\n')}\n`);
    await fs.writeFile(path.join(repo.root, 'src', 'evil.txt'), `${'a'.repeat(5_000)}!\n`);
    const rules = await WorkspaceRules.load(repo.root);
    const map = await buildRepoMap({ root: repo.root, task: 'Parser', rules });
    tools = new PlannerTools({
      root: repo.root,
      rules,
      listing: map.listing,
      describe: map.describe,
      budget: { maxCalls: 50, maxTokens: 100_000 },
    });
  });
  after(async () => {
    process.env.HOME = savedHome;
    await repo.cleanup();
  });

  it('lists a folder: subfolders with counts, files with their definitions, low-value files counted', async () => {
    const core = await call('list_folder', { path: 'packages/core/src' });
    assert.match(core.text, /^index\.ts: ParseOptions L3-5, ParseOptions\.strict L4-4, Parser L7-13/m);
    assert.match(core.text, /Parser\.parseDocument L10-12/);
    assert.match(core.text, /\(1 large file\)/);
    const root = await call('list_folder', { path: '' });
    assert.match(root.text, /^vendor\/ \(third-party, left out of the map\)$/m);
    assert.match(root.text, /^\.venv\/ \(virtual environment, left out of the map\)$/m);
    assert.match(root.text, /^packages\/ \(\d+ files\)$/m);
    assert.match(root.text, /\(1 lockfile\)/);
    assert.doesNotMatch(
      root.text,
      /\.env|dist\/|node_modules|scratch|linked-/,
      'nothing ignored, secret or linked out',
    );
  });

  it('searches within a time limit even when a pattern backtracks without end; a bad pattern says why', async () => {
    // Five thousand a's and no b: this pattern backtracks for longer than the universe has left.
    const slow = await call('search', { pattern: '(a+)+b', path: 'src', ignore_case: false });
    assert.equal(slow.error, false);
    assert.match(slow.text, /^No match in \d+ files; stopped after \d+ of \d+ files \(time limit\)\.$/);
    const found = await call('search', { pattern: '(a+)+!$', path: 'src', ignore_case: false });
    assert.match(found.text, /src\/evil\.txt:1: a+…/);
    const bad = await call('search', { pattern: 'parse(', path: '', ignore_case: false });
    assert.equal(bad.error, true);
    assert.match(bad.text, /The pattern "parse\(" is not a valid regular expression \(.*\)\./);
    const third = await call('search', { pattern: 'Open', path: 'vendor', ignore_case: false });
    assert.equal(third.error, true);
    assert.match(third.text, /inside vendor\/ \(third-party\), which planning leaves out/);
  });

  it('reads at most 400 lines a call and says how many are left', async () => {
    const r = await call('read_file', { path: 'src/long.ts', start_line: 1, end_line: 900 });
    const [, to] = /^src\/long\.ts lines 1-(\d+):/.exec(r.text) ?? [];
    assert.ok(Number(to) >= 100 && Number(to) <= 400, `read ${to} lines`);
    assert.match(
      r.text,
      new RegExp(`\\(900 lines in all; ${900 - Number(to)} more below, from line ${Number(to) + 1}\\)$`),
    );
    const past = await call('read_file', { path: 'src/long.ts', start_line: 1000, end_line: 1001 });
    assert.equal(past.error, true);
    assert.match(past.text, /has 900 lines; start_line 1000 is past its end/);
  });
});
