import type { Definition } from '../code/types';
import type { OutlineSource } from '../plan/outline';
import { defaultOutline, namesDefinition } from '../plan/outline';
import type { LineRange } from '../plan/schema';
import { isWholeFile } from '../plan/schema';
import { estimateTokens } from '../usage/usage';
import type { WorkRead } from '../usage/work';
import type { ScopedFile } from './context';

/**
 * How much of a file a worker is shown. A worker's cost follows what it is shown, so a large file is shown as the
 * parts its subtask needs (the symbols and line ranges the planner named, with a few lines around them) plus an
 * outline of the rest; it reads more on demand with `view` and `view_range`. The figures are README material.
 */
export const SLICE_RULES = {
  /** A file this small (estimated tokens) is shown whole whatever its focus: an outline would cost as much. */
  wholeFileMaxTokens: 1_000,
  /** A file is also shown whole when its slices would show this share of its lines anyway. */
  wholeFileShare: 0.6,
  /** Lines shown before and after each named symbol or range, so that an edit's old_str has its neighbours. */
  contextLines: 3,
  /** Slices this close (lines between them) are shown as one: a short gap costs less than a marker line. */
  mergeGap: 8,
  /** Tokens the outline of the rest of one file may take; past it, definitions are counted, not listed. */
  outlineTokens: 350,
} as const;

/** One file as it goes into a worker's first request. */
export interface FileView {
  path: string;
  create: boolean;
  /** Lines in the file (0 when it does not exist). */
  lineCount: number;
  /** True when every line is shown. */
  whole: boolean;
  /** The lines shown, 1-based and inclusive, merged and in order. */
  shown: LineRange[];
  /** Symbols of the focus the file does not define (any more). */
  missing: string[];
  /** The prompt text: the `<file>` block. */
  block: string;
  /** What the block shows of the file, as ranged reads (one per slice, or the whole file). */
  reads: WorkRead[];
}

/** Lines of model text, without the empty piece after a final newline. */
export function linesOf(text: string): string[] {
  if (text === '') {
    return [];
  }
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

/** Lines numbered as the editor tool's `view` shows them: the number right-aligned in six columns, then a tab. */
export function numberedLines(lines: readonly string[], first: number): string {
  return lines.map((l, i) => `${String(first + i).padStart(6)}\t${l}`).join('\n');
}

/** Ranges clamped to the file, widened by `context` lines, sorted, and merged where they touch or nearly do. */
export function mergeRanges(ranges: readonly LineRange[], lineCount: number, context = 0, gap = 0): LineRange[] {
  const clamped = ranges
    .map((r) => ({
      start: Math.max(1, Math.min(r.start, r.end) - context),
      end: Math.min(lineCount, Math.max(r.start, r.end) + context),
    }))
    .filter((r) => r.start <= r.end)
    .sort((a, b) => a.start - b.start);
  const out: LineRange[] = [];
  for (const r of clamped) {
    const last = out.at(-1);
    if (last && r.start <= last.end + 1 + gap) {
      last.end = Math.max(last.end, r.end);
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

function shownCount(ranges: readonly LineRange[]): number {
  return ranges.reduce((n, r) => n + r.end - r.start + 1, 0);
}

/** `L12`, `L12-40`. */
function span(start: number, end: number): string {
  return start === end ? `L${start}` : `L${start}-${end}`;
}

/**
 * The file as a worker's first request shows it. A file that does not exist is marked new; a file with no focus, a
 * small file, or one whose slices would cover most of it is shown whole, as it is; any other file is shown as its
 * slices with line numbers (the format `view` uses), with markers for the lines left out, and an outline of those.
 */
export async function viewOfFile(file: ScopedFile, outline: OutlineSource = defaultOutline): Promise<FileView> {
  const base = { path: file.path, create: file.create, missing: [] as string[] };
  if (file.text === null) {
    const why = file.create ? 'It does not exist yet: create it.' : 'It does not exist in the workspace.';
    return {
      ...base,
      lineCount: 0,
      whole: true,
      shown: [],
      block: `<file path="${file.path}" new="true">\n(${why})\n</file>`,
      reads: [],
    };
  }
  const lines = linesOf(file.text);
  const whole = (): FileView => {
    const body = file.text === '' || file.text?.endsWith('\n') ? file.text : `${file.text}\n`;
    return {
      ...base,
      lineCount: lines.length,
      whole: true,
      shown: lines.length > 0 ? [{ start: 1, end: lines.length }] : [],
      block: `<file path="${file.path}">\n${body}</file>`,
      reads:
        lines.length > 0
          ? [{ path: file.path, start: 1, end: lines.length, tokens: estimateTokens(body ?? ''), whole: true }]
          : [],
    };
  };
  const focus = file.focus;
  if (!focus || isWholeFile(focus) || estimateTokens(file.text) <= SLICE_RULES.wholeFileMaxTokens) {
    return whole();
  }
  const definitions = focus.symbols.length > 0 || lines.length > 0 ? await outline(file.path, file.text) : undefined;
  const wanted: LineRange[] = [...focus.lines];
  const missing: string[] = [];
  for (const symbol of focus.symbols) {
    const found = (definitions ?? []).filter((d) => namesDefinition(symbol, d));
    if (found.length === 0) {
      missing.push(symbol);
    }
    wanted.push(...found.map((d) => ({ start: d.startLine, end: d.endLine })));
  }
  const shown = mergeRanges(wanted, lines.length, SLICE_RULES.contextLines, SLICE_RULES.mergeGap);
  if (shown.length === 0 && missing.length === 0) {
    return whole();
  }
  if (shownCount(shown) >= SLICE_RULES.wholeFileShare * lines.length) {
    return whole();
  }
  const block = renderSlices(file.path, lines, shown, missing, definitions);
  // A line as `view` numbers it: six columns and a tab before the text.
  const lineTokens = (file.text.length + lines.length * 7) / 3.5 / lines.length;
  const reads = shown.map((r) => ({
    path: file.path,
    ...r,
    tokens: estimateTokens(numberedLines(lines.slice(r.start - 1, r.end), r.start)),
    lineTokens,
  }));
  return { ...base, lineCount: lines.length, whole: false, shown, missing, block, reads };
}

function renderSlices(
  path: string,
  lines: readonly string[],
  shown: readonly LineRange[],
  missing: readonly string[],
  definitions: Definition[] | undefined,
): string {
  const list = shown.map((r) => span(r.start, r.end)).join(', ');
  const out = [`<file path="${path}" lines="${lines.length}" shown="${list || 'none'}">`];
  let next = 1;
  for (const r of shown) {
    if (r.start > next) {
      out.push(`[${span(next, r.start - 1)} not shown]`);
    }
    out.push(numberedLines(lines.slice(r.start - 1, r.end), r.start));
    next = r.end + 1;
  }
  if (next <= lines.length) {
    out.push(`[${span(next, lines.length)} not shown]`);
  }
  if (missing.length > 0) {
    out.push(`Not found in the file as it is now: ${missing.join(', ')}.`);
  }
  const rest = outlineOfRest(definitions, shown);
  if (rest.length > 0) {
    out.push('Outline of the lines not shown (read them with view and view_range):', ...rest);
  }
  out.push('</file>');
  return out.join('\n');
}

function inside(d: Definition, r: LineRange): boolean {
  return d.startLine >= r.start && d.endLine <= r.end;
}

function distance(d: Definition, shown: readonly LineRange[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (const r of shown) {
    best = Math.min(best, d.endLine < r.start ? r.start - d.endLine : d.startLine > r.end ? d.startLine - r.end : 0);
  }
  return best;
}

/**
 * The definitions not wholly shown, within SLICE_RULES.outlineTokens: first the ones that enclose a slice (a
 * method's class), then top-level definitions, then members, each nearest the slices first. The outline keeps
 * document order with members under their container; each run of definitions that did not fit becomes one line
 * that counts them and gives the lines they span.
 */
export function outlineOfRest(definitions: readonly Definition[] | undefined, shown: readonly LineRange[]): string[] {
  const rest = (definitions ?? []).filter((d) => !shown.some((r) => inside(d, r)));
  const encloses = (d: Definition): boolean => shown.some((r) => d.startLine <= r.start && d.endLine >= r.end);
  const rank = (d: Definition): number =>
    encloses(d) ? -1 : (d.container ? 1_000_000 : 0) + Math.min(distance(d, shown), 999_999);
  const picked = new Set<Definition>();
  let budget = SLICE_RULES.outlineTokens;
  for (const d of [...rest].sort((a, b) => rank(a) - rank(b) || a.startLine - b.startLine)) {
    const cost = estimateTokens(entryText(d)) + 1;
    if (cost > budget) {
      break;
    }
    budget -= cost;
    picked.add(d);
  }
  const listsMembers = new Set<Definition>();
  for (const d of picked) {
    const parent = d.container === undefined ? undefined : containerOf(d, rest);
    if (parent) {
      listsMembers.add(parent);
    }
  }
  const out: string[] = [];
  let run: Definition[] = [];
  let runIndent = '';
  const flush = (): void => {
    if (run.length > 0) {
      const first = Math.min(...run.map((d) => d.startLine));
      const last = Math.max(...run.map((d) => d.endLine));
      const what = run.length === 1 ? 'definition' : 'definitions';
      out.push(`${runIndent}… ${run.length} more ${what} in ${span(first, last)}`);
      run = [];
    }
  };
  for (const d of rest) {
    const parent = d.container === undefined ? undefined : containerOf(d, rest);
    const indent = parent && picked.has(parent) ? '  ' : '';
    if (picked.has(d)) {
      flush();
      out.push(`${indent}${entryText(d)}`);
    } else if (!parent || (picked.has(parent) && listsMembers.has(parent))) {
      // Members of a container left out, or of one none of whose members is listed, are within its line range.
      if (indent !== runIndent) {
        flush();
        runIndent = indent;
      }
      run.push(d);
    }
  }
  flush();
  return out;
}

function containerOf(member: Definition, all: readonly Definition[]): Definition | undefined {
  return all.find(
    (c) =>
      c !== member && c.name === member.container && c.startLine <= member.startLine && c.endLine >= member.endLine,
  );
}

function entryText(d: Definition): string {
  return `${span(d.startLine, d.endLine)} ${d.signature}`;
}
