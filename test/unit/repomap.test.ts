import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { buildRepoMap } from '../../src/core/plan/repoMap';
import { estimateTokens } from '../../src/core/usage/usage';

const AREAS = ['billing', 'auth', 'orders', 'inventory', 'search', 'users', 'reports', 'shipping', 'catalog', 'audit'];
const PARTS = ['core', 'api', 'model', 'store', 'view', 'jobs', 'util', 'events', 'rules', 'cache'];
const VERBS = ['load', 'save', 'render', 'validate', 'compute', 'format', 'parse', 'merge', 'remove', 'list'];
const NOUNS = ['Record', 'Entry', 'Summary', 'Request', 'Result', 'Config', 'Session', 'Batch', 'Filter', 'Handle'];
const CANARY = 'CANARY_SECRET_7f3a9';

/** A TypeScript file with a handful of exported declarations, like a small module of a real code base. */
function moduleText(area: string, i: number): string {
  const lines = [`import { helper } from '../shared';`, ''];
  for (let k = 0; k < 5; k++) {
    const verb = VERBS[(i + k) % VERBS.length];
    const noun = NOUNS[(i * 3 + k) % NOUNS.length];
    lines.push(`export function ${verb}${noun}${i}(input: ${noun}Input, options: Options = {}): ${noun} {`);
    lines.push(`  return helper(input, options, '${area}');`, '}', '');
  }
  lines.push(`export interface ${area[0]?.toUpperCase()}${area.slice(1)}State${i} {`, '  id: string;', '}', '');
  return lines.join('\n');
}

/** `count` small TS files in folders of 20, a relevant module, a `.env` canary and ignored build output. */
async function makeRepo(count: number): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'repomap-'));
  const writes: Promise<void>[] = [];
  const dirs = new Set<string>();
  for (let i = 0; i < count - 1; i++) {
    const area = AREAS[i % AREAS.length] as string;
    const part = PARTS[Math.floor(i / AREAS.length) % PARTS.length] as string;
    const group = Math.floor(i / (AREAS.length * PARTS.length * 20));
    const dir = path.join(root, 'src', area, `${part}${group}`);
    if (!dirs.has(dir)) {
      dirs.add(dir);
      await fs.mkdir(dir, { recursive: true });
    }
    writes.push(fs.writeFile(path.join(dir, `${area}${part}${i}.ts`), moduleText(area, i)));
  }
  await Promise.all(writes);
  await fs.mkdir(path.join(root, 'src', 'payments'), { recursive: true });
  await fs.writeFile(
    path.join(root, 'src', 'payments', 'refundCalculator.ts'),
    'export function calculateRefund(order: Order): Money {\n  return order.total;\n}\nexport class RefundPolicy {}\n',
  );
  await fs.writeFile(path.join(root, '.env'), `API_TOKEN=${CANARY}\n`);
  await fs.writeFile(path.join(root, 'src', 'payments', '.env.local'), `TOKEN=${CANARY}\n`);
  await fs.mkdir(path.join(root, 'dist'));
  await fs.writeFile(path.join(root, 'dist', 'bundle.js'), `export const leaked = '${CANARY}';\n`);
  await fs.mkdir(path.join(root, 'node_modules', 'left-pad'), { recursive: true });
  await fs.writeFile(path.join(root, 'node_modules', 'left-pad', 'index.js'), `exports.pad = '${CANARY}';\n`);
  await fs.writeFile(path.join(root, '.gitignore'), 'dist/\n');
  await fs.writeFile(path.join(root, 'README.md'), '# Shop\n');
  return root;
}

const TASK = 'Support partial refunds in the refund calculator';

describe('repository map', function () {
  this.timeout(60_000);
  const roots: string[] = [];
  after(async () => {
    await Promise.all(roots.map((r) => fs.rm(r, { recursive: true, force: true })));
  });
  async function repo(count: number): Promise<string> {
    const root = await makeRepo(count);
    roots.push(root);
    return root;
  }

  it('maps a small repository completely: every file, its symbols, nothing secret or ignored', async () => {
    const root = await repo(50);
    const map = await buildRepoMap({ root, task: TASK });
    assert.equal(map.fileCount, 52); // 49 modules, the refund module, .gitignore, README.md
    assert.equal(map.listedFiles, map.fileCount, 'every file is named');
    assert.match(map.text, /refundCalculator\.ts/);
    assert.match(map.text, /function calculateRefund\(order: Order\): Money/);
    assert.match(map.text, /class RefundPolicy/);
    assert.ok(!map.text.includes(CANARY), 'secret or ignored content reached the map');
    assert.ok(!/(^|\s|\/)\.env/m.test(map.text), '.env files must not be listed');
    assert.ok(!map.text.includes('bundle.js') && !map.text.includes('node_modules'));
    assert.ok(!map.files.some((f) => f.includes('.env') || f.startsWith('dist/') || f.includes('node_modules')));
    assert.equal(map.tokens, estimateTokens(map.text));
  });

  it('keeps a 5,000-file map within budget, with the relevant file and its symbols', async () => {
    const root = await repo(5000);
    // How fast is measured by `npm run bench` (map step), not here: a shared machine makes timed tests flaky.
    const map = await buildRepoMap({ root, task: TASK, budgetTokens: 20_000 });
    assert.equal(map.fileCount, 5002);
    assert.equal(map.files.length, 5002);
    assert.ok(map.tokens <= 20_000, `map of ${map.tokens} tokens`);
    assert.equal(map.truncated, true);
    assert.ok(map.listedFiles < map.fileCount);
    assert.match(map.text, /src\/payments\/\n {2}refundCalculator\.ts/);
    assert.match(map.text, /calculateRefund/);
    assert.match(map.text, /\(\d+ files\)/, 'some folders are collapsed');
    assert.ok(!map.text.includes(CANARY));
  });

  it('grows at most 1.2x in tokens from a 500-file to a 5,000-file repository', async () => {
    const small = await buildRepoMap({ root: await repo(500), task: TASK });
    const large = await buildRepoMap({ root: await repo(5000), task: TASK });
    assert.ok(small.tokens <= 20_000 && large.tokens <= 20_000);
    assert.ok(large.tokens / small.tokens <= 1.2, `500 files: ${small.tokens} tokens, 5,000 files: ${large.tokens}`);
    for (const map of [small, large]) {
      assert.match(map.text, /refundCalculator\.ts\n {4}export function calculateRefund\(order: Order\): Money L1-3/);
    }
  });

  it('respects a small budget by degrading: fewer symbols, then names, then collapsed folders', async () => {
    const root = await repo(500);
    const roomy = await buildRepoMap({ root, task: TASK, budgetTokens: 150_000 });
    const tight = await buildRepoMap({ root, task: TASK, budgetTokens: 6_000 });
    const tiny = await buildRepoMap({ root, task: TASK, budgetTokens: 1_500 });
    assert.ok(roomy.tokens < 150_000 * 0.5, 'a roomy budget is a ceiling, not a size to pad up to');
    assert.ok(tight.tokens <= 6_000 && tight.truncated);
    assert.ok(tight.symbolFiles <= roomy.symbolFiles);
    assert.ok(tiny.tokens <= 1_500);
    assert.ok(tiny.listedFiles < tight.listedFiles);
    assert.match(tiny.text, /refundCalculator\.ts/, 'the relevant file survives the tightest budget');
  });

  it('puts the active file and its folder first and includes the selection', async () => {
    const root = await repo(500);
    const active = 'src/orders/api0/ordersapi12.ts';
    const map = await buildRepoMap({
      root,
      task: 'Tidy things up',
      activeFile: path.join(root, active),
      selection: { path: active, text: 'export function selectedCode() {}' },
      budgetTokens: 3_000,
    });
    assert.ok(map.tokens <= 3_000);
    assert.match(map.text, /## Active file\nsrc\/orders\/api0\/ordersapi12\.ts/);
    assert.match(map.text, /## Selection in src\/orders\/api0\/ordersapi12\.ts\n```\nexport function selectedCode/);
    assert.match(map.text, /src\/orders\/api0\/\n(?: {2}.*\n)* {2}ordersapi12\.ts/, 'its folder is listed');
  });

  it('leaves out a selection taken from a secret file', async () => {
    const root = await repo(50);
    const map = await buildRepoMap({ root, task: TASK, selection: { path: '.env', text: `API_TOKEN=${CANARY}` } });
    assert.ok(!map.text.includes(CANARY));
    assert.match(map.text, /## Selection\n\(left out: .*credential/);
  });

  it('states the git facts of the repository', async () => {
    const root = await repo(50);
    const git = simpleGit(root);
    await git.init();
    await git.addConfig('user.email', 'dev@example.com').addConfig('user.name', 'Dev');
    await git.add('.');
    await git.commit('Initial shop');
    await fs.writeFile(path.join(root, 'README.md'), '# Shop\nchanged\n');
    const map = await buildRepoMap({ root, task: TASK });
    assert.match(map.text, /## Git\nbranch \S+/);
    assert.match(map.text, / M README\.md/);
    assert.match(map.text, /[0-9a-f]{7} Initial shop/);
  });
});
