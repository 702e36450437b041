/**
 * The lines of a file as the line-based match passes see them: split once, each line folded (Unicode NFC,
 * typographic quotes as ASCII) and trimmed once, however many passes and hints ask. On a file at the size limit the
 * folding is most of the work of a match that fails, so it is never repeated.
 */

export interface Span {
  start: number;
  end: number;
}

export type Trim = 'trailing' | 'both';

export class LineIndex {
  readonly lines: string[];
  private readonly starts: number[] = [];
  private folded: string[] | undefined;
  private readonly keyed = new Map<Trim, string[]>();

  constructor(private readonly text: string) {
    this.lines = text.split('\n');
    let offset = 0;
    for (const line of this.lines) {
      this.starts.push(offset);
      offset += line.length + 1;
    }
  }

  /** Every line folded, then trimmed at the end only or at both ends. */
  keys(trim: Trim): string[] {
    let keys = this.keyed.get(trim);
    if (!keys) {
      this.folded ??= this.lines.map(fold);
      keys = this.folded.map((l) => (trim === 'both' ? l.trim() : l.trimEnd()));
      this.keyed.set(trim, keys);
    }
    return keys;
  }

  /**
   * Spans of whole file lines equal to `old` line by line once both are folded and trimmed; at most `limit`. With
   * `endsWithNewline` the span takes the newline after its last line, as the model's text did.
   */
  spans(old: string[], endsWithNewline: boolean, trim: Trim, limit: number): Span[] {
    const count = this.text.endsWith('\n') ? this.lines.length - 1 : this.lines.length;
    const fileKeys = this.keys(trim);
    const oldKeys = old.map((l) => (trim === 'both' ? fold(l).trim() : fold(l).trimEnd()));
    const spans: Span[] = [];
    for (let i = 0; i + old.length <= count && spans.length < limit; i++) {
      if (oldKeys.every((k, j) => fileKeys[i + j] === k)) {
        const last = i + old.length - 1;
        const lineEnd = (this.starts[last] ?? 0) + (this.lines[last] ?? '').length;
        const end = endsWithNewline && lineEnd < this.text.length ? lineEnd + 1 : lineEnd;
        spans.push({ start: this.starts[i] ?? 0, end });
      }
    }
    return spans;
  }
}

/**
 * Typographic quotes as their ASCII forms. Every replacement is one UTF-16 unit for one, so positions in the folded
 * text are positions in the original.
 */
export function foldQuotes(s: string): string {
  return s.replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'").replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"');
}

/** A line as the tolerant passes compare it; ASCII, most lines of most files, has nothing to fold. */
export function fold(line: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(line) ? line : foldQuotes(line.normalize('NFC'));
}

/**
 * What the model should look at when nothing matched: the first line of `oldStr` that occurs nowhere in the file
 * (even ignoring whitespace), with the most similar file line; or, when every line exists, that they are not
 * adjacent in that order.
 */
export function missingHint(index: LineIndex, oldStr: string): string {
  const keys = index.keys('both');
  const known = new Set(keys);
  const oldLines = oldStr.split('\n');
  for (const [i, line] of oldLines.entries()) {
    const key = fold(line).trim();
    if (key === '' || known.has(key)) {
      continue;
    }
    const near = closestLine(index, key);
    const shown = `Line ${i + 1} of old_str (${JSON.stringify(clip(line))}) is not in the file`;
    return near ? `${shown}; the closest line is ${near.line}: ${JSON.stringify(clip(near.text))}.` : `${shown}.`;
  }
  if (oldLines.length > 1) {
    return 'Each line of old_str is in the file, but not together in this order.';
  }
  return 'The text occurs only as part of a different line.';
}

/**
 * The file line most like `key` by shared character pairs (the Dice coefficient), if any reaches 0.5. Each distinct
 * line is scored once, and a line whose length alone rules out 0.5 (one pair count under a third of the other) is
 * not scored at all; the first of equally close lines wins.
 */
function closestLine(index: LineIndex, key: string): { line: number; text: string } | null {
  const want = bigrams(key);
  const wantSize = key.length - 1;
  const keys = index.keys('both');
  const scored = new Set<string>();
  let best: { line: number; score: number } | null = null;
  for (const [i, have] of keys.entries()) {
    const haveSize = have.length - 1;
    if (scored.has(have) || 3 * Math.min(haveSize, wantSize) < Math.max(haveSize, wantSize)) {
      continue;
    }
    scored.add(have);
    let shared = 0;
    for (const [gram, n] of bigrams(have)) {
      shared += Math.min(n, want.get(gram) ?? 0);
    }
    const size = Math.max(0, wantSize) + Math.max(0, haveSize);
    const score = size === 0 ? 0 : (2 * shared) / size;
    if (score >= 0.5 && (!best || score > best.score)) {
      best = { line: i + 1, score };
    }
  }
  return best ? { line: best.line, text: index.lines[best.line - 1] ?? '' } : null;
}

function bigrams(s: string): Map<string, number> {
  const grams = new Map<string, number>();
  for (let i = 0; i + 1 < s.length; i++) {
    const gram = s.slice(i, i + 2);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
