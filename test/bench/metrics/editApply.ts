import { performance } from 'node:perf_hooks';
import { executeEditorCall } from '../../../src/core/edits/editorTool';
import { Overlay } from '../../../src/core/edits/overlay';
import { computeHunks } from '../../../src/core/edits/proposal';
import { Rng } from '../random';
import type { Row } from '../report';
import { fmt, median, quantile } from '../stats';
import { generateModule } from '../tsSource';

const LINES = 10_000;
const EDITS = 50;
const PATH = 'src/big.ts';

/** A 10,000-line file of generated TypeScript and 50 lines in it, spread evenly, that occur exactly once. */
export function bigFile(): { text: string; anchors: string[] } {
  const rng = new Rng(42);
  const parts: string[] = [];
  let lines = 0;
  for (let i = 0; lines < LINES; i++) {
    const mod = generateModule(rng, { domain: `area${i}`, layer: 'service', name: `part${i}`, imports: [] });
    parts.push(mod.text);
    lines += mod.text.split('\n').length;
  }
  const text = `${parts.join('\n').split('\n').slice(0, LINES).join('\n')}\n`;
  const candidates = text.split('\n').filter((l) => /^\s*(export function|async )/.test(l) && isUnique(text, l));
  const step = candidates.length / EDITS;
  const anchors = Array.from({ length: EDITS }, (_, i) => candidates[Math.floor(i * step)] as string);
  return { text, anchors };
}

function isUnique(text: string, line: string): boolean {
  const first = text.indexOf(line);
  return first >= 0 && text.indexOf(line, first + 1) < 0;
}

interface PassTimes {
  total: number[];
  apply: number[];
  diff: number[];
}

/** One pass: 50 str_replace calls through the editor tool, each followed by a full re-diff of the file. */
async function onePass(text: string, anchors: string[]): Promise<PassTimes> {
  const overlay = new Overlay((rel) => Promise.resolve(rel === PATH ? text : null));
  const guard = (p: string): Promise<string> => Promise.resolve(p);
  const times: PassTimes = { total: [], apply: [], diff: [] };
  for (const [i, anchor] of anchors.entries()) {
    const t0 = performance.now();
    const res = await executeEditorCall(
      overlay,
      { command: 'str_replace', path: PATH, old_str: anchor, new_str: `${anchor}\n    // reviewed in pass ${i}` },
      guard,
    );
    const t1 = performance.now();
    const target = await overlay.read(PATH);
    const hunks = computeHunks(text, target ?? '');
    const t2 = performance.now();
    times.total.push(t2 - t0);
    times.apply.push(t1 - t0);
    times.diff.push(t2 - t1);
    if (res.isError || hunks.length === 0) {
      throw new Error(`edit ${i} was not applied (${hunks.length} hunks): ${res.content}`);
    }
  }
  return times;
}

/** p50/p95 per pass, medians over `repeats` passes (after one warm-up pass that is not counted). */
export async function measureEditApply(repeats: number): Promise<Row> {
  const { text, anchors } = bigFile();
  await onePass(text, anchors);
  const p50s: number[] = [];
  const p95s: number[] = [];
  const applyP95s: number[] = [];
  const diffP95s: number[] = [];
  const all: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const times = await onePass(text, anchors);
    p50s.push(quantile(times.total, 0.5));
    p95s.push(quantile(times.total, 0.95));
    applyP95s.push(quantile(times.apply, 0.95));
    diffP95s.push(quantile(times.diff, 0.95));
    all.push(...times.total);
  }
  const p50 = median(p50s);
  const p95 = median(p95s);
  const applyP95 = median(applyP95s);
  const diffP95 = median(diffP95s);
  const slower = diffP95 >= applyP95 ? 'the re-diff (computeHunks over the whole file)' : 'the str_replace itself';
  const pass = p95 <= 20;
  return {
    id: 'edit-apply',
    metric: 'edit apply + re-diff (10k lines)',
    value: `p50 ${fmt(p50)} ms / p95 ${fmt(p95)} ms`,
    goal: 'p95 ≤ 20 ms',
    verdict: pass ? 'PASS' : 'MISS',
    detail:
      `${EDITS} str_replace calls through executeEditorCall on a ${LINES.toLocaleString('en-US')}-line file, ` +
      'each followed ' +
      `by computeHunks(base, target); median of per-pass p50/p95 over ${repeats} passes; ` +
      `p95 of the apply alone ${fmt(applyP95)} ms, of the re-diff alone ${fmt(diffP95)} ms; ` +
      `pooled p95 ${fmt(quantile(all, 0.95))} ms, max ${fmt(Math.max(...all))} ms`,
    ...(pass
      ? {}
      : {
          reason:
            `the larger part is ${slower}: p95 ${fmt(applyP95)} ms for the apply, ${fmt(diffP95)} ms for the ` +
            're-diff, which grows as edits accumulate on the 10,000-line file. Diffing only the region an edit ' +
            'touched, or re-diffing once per turn instead of once per edit, would bring it down.',
        }),
    data: { p50s, p95s, applyP95s, diffP95s, samples: all.length },
  };
}
