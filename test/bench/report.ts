import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** PASS/MISS against the goal; PENDING for rows that need a harness not run here; ERROR when a row could not run. */
export type Verdict = 'PASS' | 'MISS' | 'PENDING' | 'ERROR';

export interface Row {
  id: string;
  metric: string;
  /** The headline figure, formatted. */
  value: string;
  goal: string;
  verdict: Verdict;
  /** How it was measured and the figures behind the headline (repeat count, spread, baselines). */
  detail: string;
  /** For a MISS or an ERROR: why, and what would close it. */
  reason?: string;
  /** Raw numbers for the JSON file. */
  data?: Record<string, unknown>;
  /** Markdown printed under the table in its own section (per-request breakdowns and the like). */
  appendix?: string;
}

export interface ReportHeader {
  date: string;
  machine: string;
  node: string;
  tokenEstimate: string;
  /** The product's own Opus-only estimate (ESTIMATE_FORMULA), which the plan-cost row divides by. */
  estimateFormula: string;
  /** The bench's turn-by-turn Opus replay, which the scoping row divides by. */
  baselineFormula: string[];
  repeats: number;
  prices: string;
  /** The 1-minute load average when the run started and ended: other work on the machine skews timed rows. */
  load: string;
  durationS?: number;
}

export function machineDescription(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const mem = Math.round(os.totalmem() / 1024 ** 3);
  return `${cpu}, ${os.cpus().length} cores, ${mem} GB RAM, ${os.platform()} ${os.release()}`;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The conditions of a run and the Opus-only baseline formula, as Markdown lines. */
export function headerLines(header: ReportHeader): string[] {
  const out: string[] = [];
  out.push(`# Opus Orchestrator benchmark — ${header.date}`, '');
  out.push(`- Machine: ${header.machine}; Node ${header.node}; load average ${header.load}`);
  out.push(`- Token counts: ${header.tokenEstimate}`);
  out.push(`- Prices: ${header.prices}`);
  out.push(
    `- Figures are medians over repeated runs (--repeats ${header.repeats}; each row names its count); every ratio ` +
      'is taken within one run.',
  );
  if (header.durationS !== undefined) {
    out.push(`- Bench wall time: ${header.durationS.toFixed(0)} s`);
  }
  out.push(
    `- Opus-only estimate (the product's, ESTIMATE_FORMULA in src/core/usage/estimate.ts): ${header.estimateFormula}`,
  );
  out.push('- Turn-by-turn Opus replay (the same task done by one Opus session, request for request):');
  out.push(...header.baselineFormula.map((line) => `  ${line}`));
  return out;
}

/** The Markdown report: a header naming the conditions and the baseline, the table, then notes for every miss. */
export function toMarkdown(header: ReportHeader, rows: Row[]): string {
  const out = [...headerLines(header), ''];
  out.push('| metric | result | goal | status | how / details |', '|---|---|---|---|---|');
  for (const r of rows) {
    out.push(`| ${cell(r.metric)} | ${cell(r.value)} | ${cell(r.goal)} | ${r.verdict} | ${cell(r.detail)} |`);
  }
  const misses = rows.filter((r) => r.reason);
  if (misses.length > 0) {
    out.push('', '## Rows that did not pass', '');
    for (const r of misses) {
      out.push(`- **${r.metric}** (${r.verdict}): ${r.reason}`);
    }
  }
  for (const r of rows.filter((x) => x.appendix)) {
    out.push('', `## ${r.metric}`, '', r.appendix as string);
  }
  return `${out.join('\n')}\n`;
}

/** A plain-text table for the terminal: one line per row, the goal and PASS/MISS beside the figure. */
export function toConsole(rows: Row[]): string {
  const width = (pick: (r: Row) => string, title: string): number =>
    Math.min(60, Math.max(title.length, ...rows.map((r) => pick(r).length)));
  const wm = width((r) => r.metric, 'metric');
  const wv = width((r) => r.value, 'result');
  const wg = width((r) => r.goal, 'goal');
  const w = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
  const lines = [`${w('metric', wm)}  ${w('result', wv)}  ${w('goal', wg)}  status`];
  lines.push('-'.repeat(wm + wv + wg + 12));
  for (const r of rows) {
    lines.push(`${w(r.metric, wm)}  ${w(r.value, wv)}  ${w(r.goal, wg)}  ${r.verdict}`);
  }
  return lines.join('\n');
}

/** Writes `bench-output/report.md` and `report.json` (the folder is git-ignored). */
export async function writeReport(
  dir: string,
  header: ReportHeader,
  rows: Row[],
): Promise<{ md: string; json: string }> {
  await fs.mkdir(dir, { recursive: true });
  const md = path.join(dir, 'report.md');
  const json = path.join(dir, 'report.json');
  await fs.writeFile(md, toMarkdown(header, rows));
  await fs.writeFile(json, `${JSON.stringify({ header, rows }, null, 2)}\n`);
  return { md, json };
}
