import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import type { Row } from '../report';
import type { Step, StepContext } from '../steps';
import { errorRow } from '../steps';
import { runClaudeCode } from './claudeRun';
import type { Exchange } from './exchange';
import { CLAUDE_CODE_VERSION, ensureClaudeCode } from './install';
import type { Job } from './job';
import { expectedFiles, jobOf } from './job';
import { cloneRepo, generateLibRepo } from './libRepo';
import type { LibRepo } from './libRepo';
import type { SizeResult } from './measure';
import { measureSize } from './measure';
import { buildCli } from './productRun';
import { runProduct } from './productRun';
import { breakdownMarkdown, sideBySideRows } from './rows';

/** Job sizes: 1 = one package (5 files, 6 edits); 2 and 4 = the same feature in that many packages. */
export const JOB_SIZES = [1, 2, 4] as const;

const ROW_IDS: [string, string, string][] = [
  ['cc-prefix', `Claude Code ${CLAUDE_CODE_VERSION} fixed prefix per request`, 'the same on every request'],
  ['cc-same-result', 'both sides leave the same files', 'byte-identical'],
  ['cc-cost', 'cost ÷ lean Claude Code (Opus)', '≤ 0.5 at 1×; 2× and 4× no higher'],
  ['cc-context', 'worker context ÷ lean Claude Code context', '≤ 0.5'],
  ['cc-opus-alone-before', '"Opus alone" shown before dispatch ÷ Claude Code cost', '0.8–1.25'],
  ['cc-opus-alone-after', '"Opus alone" shown after the run ÷ Claude Code cost', '0.8–1.25'],
  ['cc-cache-later', 'worker turns after the first: prompt read from cache', '≥ 0.80 on every such turn'],
  ['cc-cache-single', 'cache writes in single-call runs', '0 tokens'],
];

/** Both copies must end with exactly the job's edits applied, and nothing else changed. */
async function assertSameResult(job: Job, repo: LibRepo, claudeCopy: string, productCopy: string): Promise<void> {
  const expected = expectedFiles(job, repo.files);
  const diffs: string[] = [];
  for (const [side, dir] of [
    ['Claude Code', claudeCopy],
    ['the product', productCopy],
  ] as const) {
    const status = await simpleGit(dir).status();
    const changed = status.files.map((f) => f.path).sort();
    const want = [...expected.keys()].sort();
    if (JSON.stringify(changed) !== JSON.stringify(want)) {
      throw new Error(`${side} changed ${changed.join(', ') || 'nothing'}; the job changes ${want.join(', ')}`);
    }
    for (const [rel, text] of expected) {
      if ((await fs.readFile(path.join(dir, rel), 'utf8')) !== text) {
        throw new Error(`${side} left ${rel} different from the job's expected text`);
      }
    }
    diffs.push(await simpleGit(dir).diff());
  }
  if (diffs[0] !== diffs[1]) {
    throw new Error('the two copies have different git diffs');
  }
}

/** Every request of both sides, with its scripted reply and how it was counted, for anyone checking a figure. */
async function record(root: string, size: number, sides: Record<string, Exchange[]>): Promise<void> {
  const dir = path.join(root, 'bench-output', 'claude-code');
  await fs.mkdir(dir, { recursive: true });
  for (const [side, exchanges] of Object.entries(sides)) {
    const rows = exchanges.map((e) => ({ label: e.label, call: e.call, request: e.body, reply: e.reply }));
    await fs.writeFile(path.join(dir, `${size}x-${side}.json`), `${JSON.stringify(rows, null, 1)}\n`);
  }
}

async function runSize(
  size: number,
  ctx: StepContext,
  deps: { repo: LibRepo; cli: string; bin: string; version: string },
) {
  const job = jobOf(size, deps.repo.files);
  // Same-length folder names, so both sides' prompts carry paths of the same size.
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `bench-side-${size}x-`));
  try {
    const claudeCopy = path.join(tmp, 'cc', 'repo');
    const productCopy = path.join(tmp, 'oo', 'repo');
    await cloneRepo(deps.repo, claudeCopy);
    await cloneRepo(deps.repo, productCopy);
    const cc = await runClaudeCode({ bin: deps.bin, version: deps.version }, job, claudeCopy);
    ctx.log(`  ${size}×: Claude Code ${cc.exchanges.length} requests in ${cc.wallMs} ms`);
    const product = await runProduct(deps.cli, job, productCopy);
    ctx.log(`  ${size}×: product ${product.exchanges.length} requests in ${product.wallMs} ms`);
    await assertSameResult(job, deps.repo, claudeCopy, productCopy);
    await record(ctx.root, size, { 'claude-code': cc.exchanges, product: product.exchanges });
    const files = new Set(job.edits.map((e) => e.path)).size;
    return await measureSize(size, job.task, cc, product, ctx.counter, { files, edits: job.edits.length });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Claude Code (Opus, the leanest realistic script) and the product on the same job, side by side, against the local
 * Messages API, at 1×, 2× and 4× the job size.
 */
export const CLAUDE_CODE_STEP: Step = {
  name: 'claude-code',
  async run(ctx): Promise<Row[]> {
    const started = Date.now();
    let repo: LibRepo | undefined;
    let cleanupCli: (() => Promise<void>) | undefined;
    try {
      const install = await ensureClaudeCode(ctx.log);
      repo = await generateLibRepo();
      const built = await buildCli(ctx.root);
      cleanupCli = built.cleanup;
      const results: SizeResult[] = [];
      for (const size of JOB_SIZES) {
        results.push(await runSize(size, ctx, { repo, cli: built.cli, bin: install.bin, version: install.version }));
      }
      for (const line of breakdownMarkdown(results).split('\n')) {
        ctx.log(`  ${line}`);
      }
      return sideBySideRows(results, (Date.now() - started) / 1000);
    } catch (err) {
      ctx.log(`  failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return ROW_IDS.map(([id, metric, goal]) => errorRow(id, metric, goal, err));
    } finally {
      await cleanupCli?.();
      await repo?.cleanup();
    }
  },
};
