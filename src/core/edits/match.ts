/**
 * Where a `str_replace` call applies. Exact and unique first, as Anthropic's reference tool does; then, only when the
 * exact text is nowhere, tolerances for what models get wrong about text they cannot see byte for byte: typographic
 * quotes and Unicode normalisation, trailing whitespace, indentation. Every pass must find exactly one place; two
 * or more refuse the call, so a tolerance never edits the wrong place. Every pass stops once it has counted
 * MATCHES_COUNTED places, so a text that occurs all over a large file costs one bounded scan, not one per match.
 */
import { MATCHES_COUNTED, MATCH_LINES_SHOWN } from './limits';
import { LineIndex, foldQuotes, missingHint } from './lineIndex';

/** Which tolerance found the match; null for an exact match. */
export type Tolerance = 'unicode' | 'trailing-whitespace' | 'indentation';

export type MatchResult =
  | { kind: 'found'; start: number; end: number; replacement: string; tolerance: Tolerance | null }
  /** `lines`: the first few matches' line numbers; `count`: matches counted; `more`: counting stopped at the cap. */
  | { kind: 'ambiguous'; lines: number[]; count: number; more: boolean; tolerance: Tolerance | null }
  | { kind: 'missing'; hint: string };

interface Span {
  start: number;
  end: number;
}

/** Finds where `oldStr` sits in `text` (both LF model text) and what replaces it. */
export function findReplacement(text: string, oldStr: string, newStr: string): MatchResult {
  const exact = occurrences(text, [oldStr]);
  if (exact.length > 0) {
    return decide(text, exact, newStr, null);
  }
  const folded = foldQuotes(text);
  const variants = [oldStr.normalize('NFC'), oldStr.normalize('NFD'), oldStr].map(foldQuotes);
  const unicode = occurrences(folded, variants);
  if (unicode.length > 0) {
    return decide(text, unicode, newStr, 'unicode');
  }
  // Each line of the file is split, folded and trimmed once for all the line-based passes and the hint.
  const index = new LineIndex(text);
  const lines = byLines(text, oldStr);
  if (lines) {
    const trailing = index.spans(lines.old, lines.endsWithNewline, 'trailing', MATCHES_COUNTED + 1);
    if (trailing.length > 0) {
      return decide(text, trailing, newStr, 'trailing-whitespace');
    }
    const indented = index.spans(lines.old, lines.endsWithNewline, 'both', MATCHES_COUNTED + 1);
    if (indented.length > 1) {
      return decide(text, indented, newStr, 'indentation');
    }
    const only = indented[0];
    if (only) {
      const fileLines = text.slice(only.start, only.end).replace(/\n$/, '').split('\n');
      const replacement = reindent(newStr, lines.old, fileLines, index.lines);
      return { kind: 'found', start: only.start, end: only.end, replacement, tolerance: 'indentation' };
    }
  }
  return { kind: 'missing', hint: missingHint(index, oldStr) };
}

function decide(text: string, spans: Span[], newStr: string, tolerance: Tolerance | null): MatchResult {
  const [first] = spans;
  if (spans.length === 1 && first) {
    return { kind: 'found', start: first.start, end: first.end, replacement: newStr, tolerance };
  }
  const shown = spans.slice(0, MATCH_LINES_SHOWN).map((s) => s.start);
  const count = Math.min(spans.length, MATCHES_COUNTED);
  return { kind: 'ambiguous', lines: linesAt(text, shown), count, more: spans.length > MATCHES_COUNTED, tolerance };
}

/**
 * The places any of `needles` occurs, overlapping ones included ("aa" twice in "aaa" is ambiguous too), in order; at
 * most one more than MATCHES_COUNTED, which is enough to tell "that many or more". Each needle's places are a prefix
 * of all of them, so the first places of the union are the true first ones.
 */
function occurrences(hay: string, needles: string[]): Span[] {
  const seen = new Map<string, Span>();
  for (const needle of new Set(needles)) {
    if (needle === '') {
      continue;
    }
    let found = 0;
    for (let at = hay.indexOf(needle); at >= 0 && found <= MATCHES_COUNTED; at = hay.indexOf(needle, at + 1)) {
      seen.set(`${at}:${needle.length}`, { start: at, end: at + needle.length });
      found += 1;
    }
  }
  return [...seen.values()].sort((a, b) => a.start - b.start).slice(0, MATCHES_COUNTED + 1);
}

/** `oldStr` as whole lines, or null when it has no visible text (a blank line matches too much to be tolerated). */
function byLines(text: string, oldStr: string): { old: string[]; endsWithNewline: boolean } | null {
  if (oldStr.trim() === '' || text === '') {
    return null;
  }
  const endsWithNewline = oldStr.endsWith('\n');
  const old = (endsWithNewline ? oldStr.slice(0, -1) : oldStr).split('\n');
  return { old, endsWithNewline };
}

/** The 1-based lines of ascending `offsets`, in one scan of the text up to the last of them. */
function linesAt(text: string, offsets: number[]): number[] {
  let line = 1;
  let at = text.indexOf('\n');
  return offsets.map((offset) => {
    for (; at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) {
      line += 1;
    }
    return line;
  });
}

/** An indentation step: a tab, or a number of spaces. */
interface Unit {
  tab: boolean;
  width: number;
}

interface Indent {
  level: number;
  rest: string;
}

/**
 * `newStr` with the model's indentation turned into the file's. The matched pairs (old_str line, file line) fix the
 * relation: the model's indent step and the file's, and how many levels the model's text is shifted. New lines whose
 * indentation equals an old line's get that file line's indentation verbatim; others are converted level by level.
 */
function reindent(newStr: string, oldLines: string[], fileLines: string[], wholeFile: string[]): string {
  const pairs = oldLines
    .map((o, i) => ({ model: prefixOf(o), file: prefixOf(fileLines[i] ?? ''), blank: o.trim() === '' }))
    .filter((p) => !p.blank);
  if (pairs.every((p) => p.model === p.file)) {
    return newStr;
  }
  const newLines = newStr.split('\n');
  const same = new Map<string, string>();
  for (const p of pairs) {
    if (!same.has(p.model)) {
      same.set(p.model, p.file);
    }
  }
  const relation = relate(
    pairs,
    [unitOf([...oldLines, ...newLines]), unitOf(oldLines)],
    [unitOf(wholeFile), unitOf(fileLines)],
  );
  return newLines
    .map((line) => {
      if (line.trim() === '') {
        return '';
      }
      const prefix = prefixOf(line);
      const known = same.get(prefix);
      if (known !== undefined) {
        return known + line.slice(prefix.length);
      }
      const at = levelOf(prefix, relation.model);
      return render(Math.max(0, at.level + relation.shift), at.rest, relation.file) + line.slice(prefix.length);
    })
    .join('\n');
}

/**
 * The model unit, file unit and level shift that explain every matched pair: same levels first, then a constant
 * shift, trying smaller model steps (a model step guessed from few lines can be a multiple of the real one).
 */
function relate(
  pairs: Array<{ model: string; file: string }>,
  modelGuesses: Array<Unit | null>,
  fileGuesses: Array<Unit | null>,
): { model: Unit; file: Unit; shift: number } {
  const fallback: Unit = { tab: false, width: 2 };
  const files = unique(fileGuesses.filter((u): u is Unit => u !== null));
  const models = unique(
    modelGuesses
      .filter((u): u is Unit => u !== null)
      .flatMap((u) => (u.tab ? [u] : divisors(u.width).map((width) => ({ tab: false, width })))),
  );
  const fileUnits = files.length > 0 ? files : models.length > 0 ? models : [fallback];
  const modelUnits = models.length > 0 ? models : fileUnits;
  const tries: Array<{ model: Unit; file: Unit; shift: number | null }> = [];
  for (const file of fileUnits) {
    for (const model of modelUnits) {
      const shifts = new Set(pairs.map((p) => levelOf(p.file, file).level - levelOf(p.model, model).level));
      tries.push({ model, file, shift: shifts.size === 1 ? ([...shifts][0] ?? 0) : null });
    }
  }
  const best = tries.find((t) => t.shift === 0) ?? tries.find((t) => t.shift !== null);
  if (best) {
    return { model: best.model, file: best.file, shift: best.shift ?? 0 };
  }
  const model = modelUnits[0] ?? fallback;
  const file = fileUnits[0] ?? fallback;
  const first = pairs[0];
  const shift = first ? levelOf(first.file, file).level - levelOf(first.model, model).level : 0;
  return { model, file, shift };
}

function prefixOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

/**
 * The indent step of `lines`: tabs when most indented lines start with one, else the greatest common divisor of the
 * space widths. Block-comment continuation lines (` * text`) are left out: their odd space is alignment, not a step.
 */
function unitOf(lines: string[]): Unit | null {
  let tabbed = 0;
  let width = 0;
  let spaced = 0;
  for (const line of lines) {
    const prefix = prefixOf(line);
    const body = line.slice(prefix.length);
    if (prefix === '' || body === '' || body.startsWith('*')) {
      continue;
    }
    if (prefix.startsWith('\t')) {
      tabbed += 1;
    } else {
      spaced += 1;
      width = gcd(width, prefix.length);
    }
  }
  if (tabbed === 0 && spaced === 0) {
    return null;
  }
  return tabbed >= spaced ? { tab: true, width: 1 } : { tab: false, width };
}

function levelOf(prefix: string, unit: Unit): Indent {
  const tabs = /^\t*/.exec(prefix)?.[0].length ?? 0;
  const spaces = prefix.slice(tabs);
  if (unit.tab) {
    return { level: tabs, rest: spaces };
  }
  const width = spaces.length;
  return { level: tabs + Math.floor(width / unit.width), rest: ' '.repeat(width % unit.width) };
}

function render(level: number, rest: string, unit: Unit): string {
  return (unit.tab ? '\t'.repeat(level) : ' '.repeat(level * unit.width)) + rest;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** `n` and its divisors, largest first. */
function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = n; d >= 1; d--) {
    if (n % d === 0) {
      out.push(d);
    }
  }
  return out;
}

function unique(units: Unit[]): Unit[] {
  const seen = new Set<string>();
  return units.filter((u) => {
    const key = `${u.tab}:${u.width}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}
