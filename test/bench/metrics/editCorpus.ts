import { executeEditorCall } from '../../../src/core/edits/editorTool';
import { Overlay } from '../../../src/core/edits/overlay';
import {
  AMBIGUOUS_CASES,
  INSERT_CREATE_CASES,
  INVALID_CASES,
  MISSING_CASES,
  UNICODE_CASES,
} from '../corpus/otherCases';
import { REPLACE_CASES } from '../corpus/replaceCases';
import type { EditCase } from '../corpus/types';
import { SAMPLE_PATH } from '../corpus/types';
import type { Row } from '../report';

export const EDIT_CORPUS: EditCase[] = [
  ...REPLACE_CASES,
  ...UNICODE_CASES,
  ...INSERT_CREATE_CASES,
  ...AMBIGUOUS_CASES,
  ...MISSING_CASES,
  ...INVALID_CASES,
];

/** right: the file holds exactly the expected text (or, for a refusal, an is_error and the file untouched). */
export type Outcome = 'right' | 'refused' | 'wrong' | 'crash';

export interface CaseResult {
  name: string;
  fault: string;
  expected: 'apply' | 'refuse';
  outcome: Outcome;
  message: string;
}

async function runCase(c: EditCase): Promise<CaseResult> {
  const rel = c.path ?? SAMPLE_PATH;
  const before = c.before ?? null;
  const expected = c.expect === 'refuse' ? 'refuse' : 'apply';
  const base = (p: string): Promise<string | null> => Promise.resolve(p === rel ? before : null);
  const overlay = new Overlay(base);
  // The guard accepts every path of the corpus: confinement has its own tests; here only edit semantics count.
  const guard = (p: string): Promise<string> => Promise.resolve(p.replace(/^\.?\//, ''));
  try {
    const result = await executeEditorCall(overlay, { ...c.input, path: rel }, guard);
    const after = await overlay.read(rel);
    const untouched = after === before;
    const message = result.content.slice(0, 160);
    if (expected === 'refuse') {
      return {
        name: c.name,
        fault: c.fault,
        expected,
        outcome: result.isError && untouched ? 'right' : 'wrong',
        message,
      };
    }
    if (!result.isError && after === c.expect) {
      return { name: c.name, fault: c.fault, expected, outcome: 'right', message };
    }
    return {
      name: c.name,
      fault: c.fault,
      expected,
      outcome: result.isError && untouched ? 'refused' : 'wrong',
      message,
    };
  } catch (err) {
    return { name: c.name, fault: c.fault, expected, outcome: 'crash', message: String(err).slice(0, 160) };
  }
}

export async function runEditCorpus(cases: EditCase[] = EDIT_CORPUS): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    results.push(await runCase(c));
  }
  return results;
}

/** Applied right / refused / applied in the wrong place over the corpus; goal 100% / every refusal / 0. */
export async function measureEditCorpus(): Promise<Row> {
  const results = await runEditCorpus();
  const applies = results.filter((r) => r.expected === 'apply');
  const refusals = results.filter((r) => r.expected === 'refuse');
  const mustRefuse = refusals.filter((r) => r.fault === 'ambiguous' || r.fault === 'missing');
  const appliedRight = applies.filter((r) => r.outcome === 'right').length;
  const refusedRight = mustRefuse.filter((r) => r.outcome === 'right').length;
  const otherRefusals = refusals.filter((r) => !mustRefuse.includes(r));
  const wrong = results.filter((r) => r.outcome === 'wrong').length;
  const crashes = results.filter((r) => r.outcome === 'crash').length;
  const notApplied = applies.filter((r) => r.outcome === 'refused').length;
  const pass = appliedRight === applies.length && refusedRight === mustRefuse.length && wrong === 0 && crashes === 0;
  const failing = results.filter((r) => r.outcome !== 'right');
  const pct = ((100 * appliedRight) / applies.length).toFixed(1);
  const byFault = new Map<string, { n: number; ok: number }>();
  for (const r of results) {
    const f = byFault.get(r.fault) ?? { n: 0, ok: 0 };
    f.n += 1;
    f.ok += r.outcome === 'right' ? 1 : 0;
    byFault.set(r.fault, f);
  }
  const faults = [...byFault.entries()].map(([k, v]) => `${k} ${v.ok}/${v.n}`).join(', ');
  return {
    id: 'edit-corpus',
    metric: 'edit corpus',
    value: `${pct}% / ${refusedRight}/${mustRefuse.length} refused / ${wrong} wrong`,
    goal: '100% / all ambiguous+missing refused / 0',
    verdict: pass ? 'PASS' : 'MISS',
    detail:
      `${results.length} cases (${applies.length} must apply, ${mustRefuse.length} ambiguous or missing, ` +
      `${otherRefusals.length} malformed/out of range); refused instead of applied: ${notApplied}; ` +
      `crashes: ${crashes}. ` +
      `By fault: ${faults}`,
    ...(pass
      ? {}
      : {
          reason:
            `failing cases: ${failing.map((r) => `${r.fault}/${r.name} → ${r.outcome} (${r.message})`).join('; ')}` +
            '. ' +
            'Each names the tolerance (or refusal) src/core/edits/editorTool.ts is missing.',
        }),
    data: { results },
  };
}
