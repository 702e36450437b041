import { bundleRow } from './metrics/bundle';
import type { ContextRun } from './metrics/context';
import { contextRows, contextRun } from './metrics/context';
import { measureEditApply } from './metrics/editApply';
import { measureEditBounds } from './metrics/editBounds';
import { measureEditCorpus } from './metrics/editCorpus';
import type { SchedulingRun } from './metrics/scheduling';
import { schedulingRow, schedulingRun } from './metrics/scheduling';
import { secretScanRow } from './metrics/secretScan';
import { ACTIVATION_GOAL, GAUGE_GOAL, SCALE_GOAL, activationRow, gaugeRow, scaleRow } from './metrics/vscode';
import { generateRepo } from './repoGen';
import type { GeneratedRepo } from './repoGen';
import type { Row } from './report';
import type { StagedExtension } from './stage';
import type { TokenCounter } from './tokens';
import { runVscodeBench } from './vscode/harness';

export interface StepContext {
  root: string;
  repeats: number;
  counter: TokenCounter;
  log(message: string): void;
  /** The extension built with --production and packaged, once per bench run (the bundle row and VS Code rows). */
  extension(): Promise<StagedExtension>;
}

/** A group of rows measured together; a new harness (e.g. the real VS Code) is one more step. */
export interface Step {
  name: string;
  run(ctx: StepContext): Promise<Row[]>;
}

/** A row that could not be measured: the error is the reason. */
export function errorRow(id: string, metric: string, goal: string, err: unknown): Row {
  const message = err instanceof Error ? err.message : String(err);
  return { id, metric, value: 'error', goal, verdict: 'ERROR', detail: 'the measurement failed', reason: message };
}

async function guarded(ids: [string, string, string][], f: () => Promise<Row[]>, ctx: StepContext): Promise<Row[]> {
  try {
    return await f();
  } catch (err) {
    ctx.log(`  failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return ids.map(([id, metric, goal]) => errorRow(id, metric, goal, err));
  }
}

async function repeat<T>(n: number, label: string, ctx: StepContext, f: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = Date.now();
    out.push(await f());
    ctx.log(`  ${label} run ${i + 1}/${n}: ${Date.now() - t0} ms`);
  }
  return out;
}

/** Everything that runs in plain Node against the local Messages API: context, cost, scheduling, edits, bundle. */
export const CORE_STEP: Step = {
  name: 'core',
  async run(ctx) {
    const repos: Record<number, GeneratedRepo> = {};
    try {
      for (const size of [50, 500, 5000]) {
        const t0 = Date.now();
        repos[size] = await generateRepo(size);
        ctx.log(`generated a ${size}-file repository in ${Date.now() - t0} ms`);
      }
      const rows: Row[] = [];
      const contextRuns = Math.max(3, Math.ceil(ctx.repeats / 2));
      ctx.log('context and cost (feature session on ~500 files, planner on ~50/~5,000)');
      rows.push(
        ...(await guarded(
          [
            ['scoping', 'scoping ratio (worst worker request)', '≤ 0.15'],
            ['planner-growth', 'planner growth (5,000 ÷ 500 files)', '≤ 1.2'],
            ['plan-cost', 'plan cost ÷ Opus-only', '≤ 0.30'],
            ['cache-share', 'cache share (worker calls after the 1st)', '≥ 0.80'],
          ],
          async () =>
            contextRows(await repeat<ContextRun>(contextRuns, 'context', ctx, () => contextRun(repos, ctx.counter))),
          ctx,
        )),
      );
      ctx.log('scheduling (12-subtask DAG, 300 ms per call)');
      rows.push(
        ...(await guarded(
          [['scheduling', 'scheduling (wall ÷ critical path)', '≤ 1.05']],
          async () => [
            schedulingRow(
              await repeat<SchedulingRun>(ctx.repeats, 'scheduling', ctx, () =>
                schedulingRun(repos[500] as GeneratedRepo),
              ),
            ),
          ],
          ctx,
        )),
      );
      ctx.log('edit apply + re-diff on a 10,000-line file');
      rows.push(
        ...(await guarded(
          [['edit-apply', 'edit apply + re-diff (10k lines)', 'p95 ≤ 20 ms']],
          async () => [await measureEditApply(ctx.repeats)],
          ctx,
        )),
      );
      ctx.log('edit corpus');
      rows.push(
        ...(await guarded(
          [['edit-corpus', 'edit corpus', '100% / all ambiguous+missing refused / 0']],
          async () => [await measureEditCorpus()],
          ctx,
        )),
      );
      ctx.log('secret scanning on planning (~10,000 files)');
      rows.push(
        ...(await guarded(
          [['secret-scan', 'secret scanning overhead on planning', '≤ 10%']],
          async () => {
            const big = await generateRepo(10_000);
            try {
              return [await secretScanRow(big, ctx.repeats)];
            } finally {
              await big.cleanup();
            }
          },
          ctx,
        )),
      );
      ctx.log('edit bounds: the slowest editor-tool calls on a file at the 2 MB limit');
      rows.push(
        ...(await guarded(
          [['edit-bounds', 'editor tool, worst single call at the 2 MB file limit', 'each ≤ 500 ms']],
          async () => [await measureEditBounds(ctx.repeats)],
          ctx,
        )),
      );
      ctx.log('extension bundle (node esbuild.js --production, vsce package)');
      rows.push(
        ...(await guarded(
          [['bundle', 'extension bundle', '≤ 1.5 MB bundle']],
          async () => [bundleRow(await ctx.extension())],
          ctx,
        )),
      );
      return rows;
    } finally {
      await Promise.all(Object.values(repos).map((r) => r.cleanup()));
    }
  },
};

/** Windows of the real VS Code the activation row takes its median over (each is a fresh extension host). */
function activationWindows(repeats: number): number {
  return Math.max(3, repeats);
}

/**
 * Rows measured inside the real VS Code: code-server's workbench in Chromium, with the production bundle loaded in
 * its extension host (see vscode/harness.ts).
 */
export const VSCODE_STEP: Step = {
  name: 'vscode',
  async run(ctx) {
    const ids: [string, string, string][] = [
      ['activation', 'activation vs empty extension', ACTIVATION_GOAL],
      ['gauge-latency', 'gauge latency', GAUGE_GOAL],
      ['tree-scale', 'tree at scale (300 subtasks)', SCALE_GOAL],
    ];
    return guarded(
      ids,
      async () => {
        const windows = activationWindows(ctx.repeats);
        ctx.log(`VS Code: ${windows} window(s) for activation, one more for the gauge and 300-subtask rows`);
        const result = await runVscodeBench(await ctx.extension(), {
          windows,
          gaugeSamples: 10,
          scaleSubtasks: 300,
          log: ctx.log,
        });
        return [activationRow(result), gaugeRow(result), scaleRow(result)];
      },
      ctx,
    );
  },
};
