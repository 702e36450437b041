import { performance } from 'node:perf_hooks';
import { executeEditorCall } from '../../../src/core/edits/editorTool';
import { MAX_FILE_BYTES } from '../../../src/core/edits/limits';
import { findReplacement } from '../../../src/core/edits/match';
import { Overlay } from '../../../src/core/edits/overlay';
import type { Row } from '../report';
import { fmt, median } from '../stats';

/** The documented bound: no single editor-tool call on a file at the size limit takes longer than this. */
const BOUND_MS = 500;

/** A package-lock.json-like text with `"dev": true` on every fourth line. */
function lockfile(entries: number): string {
  const out = ['{', '  "packages": {'];
  for (let i = 0; i < entries; i++) {
    out.push(`    "node_modules/pkg-${i}": {`, `      "version": "1.0.${i}", "resolved": "${'r'.repeat(110)}",`);
    out.push('      "dev": true', '    },');
  }
  out.push('  }', '}', '');
  return out.join('\n');
}

/** Entries of `lockfile` that keep it just under the file-size limit. */
function entriesUnderLimit(): number {
  let n = 1_000;
  while (lockfile(n + 500).length < MAX_FILE_BYTES) {
    n += 500;
  }
  return n;
}

interface Scenario {
  name: string;
  /** What the call answered, checked against `expect` so that a bound is never met by refusing early. */
  run(): Promise<string>;
  expect: RegExp;
}

function toolCall(name: string, text: string, input: Record<string, unknown>, expect: RegExp): Scenario {
  const run = async (): Promise<string> => {
    const overlay = new Overlay((rel) => Promise.resolve(rel === 'f' ? text : null));
    return (await executeEditorCall(overlay, { path: 'f', ...input }, (p) => Promise.resolve(p))).content;
  };
  return { name, run, expect };
}

function edit(oldStr: string, newStr = 'x'): Record<string, unknown> {
  return { command: 'str_replace', old_str: oldStr, new_str: newStr };
}

function scenarios(): Scenario[] {
  const entries = entriesUnderLimit();
  const lock = lockfile(entries);
  const lines = lock.split('\n');
  const sameChar = 'a'.repeat(MAX_FILE_BYTES - 1);
  const tail = `"node_modules/pkg-${entries - 1}": {`;
  const curly = lock.replace(tail, tail.replace(/"/g, '”'));
  const huge = lockfile(100_000);
  const big = 'y'.repeat(50 * 1024 * 1024);
  return [
    toolCall('ambiguous old_str, 2 MB lockfile', lock, edit('"dev": true'), /found 1,000 or more matches/),
    toolCall('overlapping old_str, 2 MB of one character', sameChar, edit('a'.repeat(1000)), /or more matches/),
    toolCall('missing old_str (closest-line hint), 2 MB', lock, edit('"dev": maybe'), /does not appear/),
    toolCall('typographic quotes tolerance, 2 MB', curly, edit(tail), /^Edited f/),
    toolCall('indentation tolerance, 2 MB', lock, edit(`${lines[5]?.trim()}\n${lines[6]?.trim()}`), /^Edited f/),
    toolCall('unique edit near the end, 2 MB', lock, edit(tail), /^Edited f/),
    toolCall('view without a range, 2 MB', lock, { command: 'view' }, /shows the rest/),
    toolCall('50 MB new_str (refused)', lock, edit('x', big), /at most 512 KB/),
    {
      name: 'matcher alone, 20 MB lockfile, 100,000 matches',
      run: () => Promise.resolve(findReplacement(huge, '"dev": true', 'x').kind),
      expect: /^ambiguous$/,
    },
  ];
}

/** The slowest single call of each scenario (median over `repeats`), against BOUND_MS. */
export async function measureEditBounds(repeats: number): Promise<Row> {
  const results: Array<{ name: string; ms: number }> = [];
  for (const s of scenarios()) {
    const answer = await s.run();
    if (!s.expect.test(answer)) {
      throw new Error(`${s.name}: unexpected answer ${JSON.stringify(answer.slice(0, 200))}`);
    }
    const times: number[] = [];
    for (let r = 0; r < Math.max(3, repeats); r++) {
      const t0 = performance.now();
      await s.run();
      times.push(performance.now() - t0);
    }
    results.push({ name: s.name, ms: median(times) });
  }
  const worst = results.reduce((a, b) => (b.ms > a.ms ? b : a));
  const pass = worst.ms <= BOUND_MS;
  return {
    id: 'edit-bounds',
    metric: 'editor tool, worst single call at the 2 MB file limit',
    value: `${fmt(worst.ms)} ms (${worst.name})`,
    goal: `each ≤ ${BOUND_MS} ms`,
    verdict: pass ? 'PASS' : 'MISS',
    detail: results.map((r) => `${r.name}: ${fmt(r.ms)} ms`).join('; '),
    ...(pass ? {} : { reason: `${worst.name} took ${fmt(worst.ms)} ms, over the ${BOUND_MS} ms bound.` }),
    data: { results, boundMs: BOUND_MS },
  };
}
