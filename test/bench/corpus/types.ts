/** The kind of mistake (or plain request) a case reproduces. */
export type Fault =
  | 'exact'
  | 'crlf'
  | 'tabs-vs-spaces'
  | 'indent-width'
  | 'trailing-spaces'
  | 'bom'
  | 'no-final-newline'
  | 'unicode'
  | 'ambiguous'
  | 'missing'
  | 'insert'
  | 'create'
  | 'invalid';

/** One editor-tool call against one file, with the only acceptable outcome. */
export interface EditCase {
  name: string;
  fault: Fault;
  /** Defaults to `src/sample.ts`. */
  path?: string;
  /** The file before the call; undefined when it does not exist. */
  before?: string;
  /** The tool input without `path` (added from `path`). */
  input: Record<string, unknown>;
  /** The exact bytes the file must hold afterwards, or `'refuse'`: an is_error result and the file untouched. */
  expect: string | 'refuse';
}

export const SAMPLE_PATH = 'src/sample.ts';

/** A small module in the shape models edit most: imports, two functions, nested blocks. LF, final newline. */
export const BASE = [
  "import { readFile } from 'node:fs/promises';",
  '',
  'export function parse(text: string): string[] {',
  "  const lines = text.split('\\n');",
  '  return lines.filter((l) => l.length > 0);',
  '}',
  '',
  'export function total(items: number[]): number {',
  '  let sum = 0;',
  '  for (const n of items) {',
  '    sum += n;',
  '  }',
  '  return sum;',
  '}',
  '',
].join('\n');

export const crlf = (s: string): string => s.replace(/\n/g, '\r\n');
export const bom = (s: string): string => `\uFEFF${s}`;
export const noFinalNewline = (s: string): string => s.replace(/\n$/, '');
/** Two-space indentation units turned into tabs. */
export const tabs = (s: string): string => s.replace(/^((?: {2})+)/gm, (m) => '\t'.repeat(m.length / 2));
/** Two-space indentation units turned into four spaces. */
export const wide = (s: string): string => s.replace(/^((?: {2})+)/gm, (m) => ' '.repeat(m.length * 2));

/** `s` with the one occurrence of `from` replaced; throws when the corpus itself is wrong. */
export function swap(s: string, from: string, to: string): string {
  const at = s.indexOf(from);
  if (at < 0 || s.indexOf(from, at + 1) >= 0) {
    throw new Error(`corpus error: ${JSON.stringify(from)} is not unique in the sample`);
  }
  return s.slice(0, at) + to + s.slice(at + from.length);
}

/** `s` with `text` inserted as whole lines after line `line` (0 = top), line endings as in `s`. */
export function insertAfter(s: string, line: number, text: string): string {
  const eol = s.includes('\r\n') ? '\r\n' : '\n';
  const hasBom = s.startsWith('\uFEFF');
  const body = hasBom ? s.slice(1) : s;
  const final = body.endsWith(eol);
  const lines = (final ? body.slice(0, -eol.length) : body).split(eol);
  lines.splice(line, 0, ...text.split('\n'));
  return (hasBom ? '\uFEFF' : '') + lines.join(eol) + (final ? eol : '');
}
