import { MAX_VIEW_CHARS, MAX_VIEW_LINES } from './limits';
import type { Overlay } from './overlay';
import { toModelText } from './text';

/**
 * What the editor tool shows the model: the view command (a folder listing, a file's numbered lines within the view
 * limits) and the snippets after an edit. Kept apart from the editing commands in ./editorTool.
 */

/** A call the model can correct: its message goes back as the tool result, marked as an error. */
export class ToolError extends Error {}

/** Lines shown around an edit so the model can check it without viewing the file again. */
const SNIPPET_CONTEXT = 3;
const SNIPPET_MAX_LINES = 40;

/** The view command: a folder's listing two levels deep, or a file's lines (a range of them) numbered. */
export async function view(
  overlay: Overlay,
  rel: string,
  args: Record<string, unknown>,
  readExisting: (rel: string) => Promise<string>,
): Promise<string> {
  const range = optionalRange(args);
  const listing = await overlay.list(rel);
  if (listing) {
    if (range) {
      throw new ToolError(`${shown(rel)} is a folder; view_range only applies to files.`);
    }
    return listFolder(overlay, rel, listing);
  }
  const text = await readExisting(rel);
  const lines = linesOf(toModelText(text));
  if (lines.length === 0) {
    return `${rel} is empty.`;
  }
  const [start, asked] = range ?? [1, lines.length];
  const end = asked === -1 || asked > lines.length ? lines.length : asked;
  if (start < 1 || start > lines.length || end < start) {
    throw new ToolError(
      `view_range [${range?.join(', ')}] is outside ${rel}, which has ${lines.length} lines. ` +
        `Use [start, end] with 1 <= start <= end <= ${lines.length}, or -1 as end for the last line.`,
    );
  }
  return boundedView(lines, start, end);
}

/** Lines start..end numbered, cut at MAX_VIEW_LINES lines or MAX_VIEW_CHARS characters with a note on the rest. */
function boundedView(lines: string[], start: number, end: number): string {
  const shown: string[] = [];
  let chars = 0;
  for (let i = start; i <= end && shown.length < MAX_VIEW_LINES && chars < MAX_VIEW_CHARS; i++) {
    const line = lines[i - 1] ?? '';
    const room = MAX_VIEW_CHARS - chars;
    shown.push(
      line.length > room ? `${line.slice(0, room)} … (line cut at ${room.toLocaleString('en-US')} characters)` : line,
    );
    chars += line.length + 1;
  }
  const last = start + shown.length - 1;
  const body = numbered(shown, start);
  return last >= end
    ? body
    : `${body}\nLines ${start}-${last} of ${lines.length} shown; view_range [${last + 1}, ${end}] shows the rest.`;
}

async function listFolder(overlay: Overlay, rel: string, entries: string[]): Promise<string> {
  const dir = rel === '' || rel === '.' ? '' : `${rel.replace(/\/+$/, '')}/`;
  const out: string[] = [];
  for (const entry of entries.filter((e) => !e.startsWith('.'))) {
    out.push(dir + entry);
    if (entry.endsWith('/')) {
      const inner = (await overlay.list(dir + entry)) ?? [];
      out.push(...inner.filter((e) => !e.startsWith('.')).map((e) => dir + entry + e));
    }
  }
  const where = dir === '' ? 'the workspace root' : dir;
  return out.length === 0
    ? `${where} is empty.`
    : `Files and folders up to 2 levels deep in ${where}, hidden items left out:\n${out.join('\n')}`;
}

function optionalRange(args: Record<string, unknown>): [number, number] | null {
  const range = args.view_range;
  if (range === undefined || range === null) {
    return null;
  }
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((n) => typeof n === 'number' && Number.isInteger(n))
  ) {
    throw new ToolError('The "view_range" parameter must be two whole numbers [start, end]; -1 as end means the end.');
  }
  return [range[0] as number, range[1] as number];
}

/** The lines of LF text; a final newline ends the last line rather than starting an empty one. */
export function linesOf(text: string): string[] {
  if (text === '') {
    return [];
  }
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

export function countLines(text: string): number {
  return linesOf(text).length;
}

export function lf(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

/** `cat -n` style, as Anthropic's reference implementation prints files. */
function numbered(lines: string[], first: number): string {
  return lines.map((l, i) => `${String(first + i).padStart(6)}\t${l}`).join('\n');
}

/**
 * The edited lines with a little context, capped so a large edit never echoes the whole file. With `elide`, the
 * lines the model wrote itself (its new_str or insert_text, applied exactly as given) are not echoed back: they
 * would come back on every later request of the run, and the line numbers and the context around them say all the
 * model does not know yet.
 */
export function snippet(text: string, firstLine: number, count: number, elide = false): string {
  const lines = linesOf(text);
  const lastLine = firstLine + count - 1;
  const from = Math.max(1, firstLine - SNIPPET_CONTEXT);
  const to = Math.min(lines.length, lastLine + SNIPPET_CONTEXT, from + SNIPPET_MAX_LINES - 1);
  if (to < from) {
    return `The file is now empty.`;
  }
  if (!elide || count < 1 || lastLine > lines.length) {
    return `Lines ${from}-${to} now read:\n${numbered(lines.slice(from - 1, to), from)}`;
  }
  const after = Math.min(lines.length, lastLine + SNIPPET_CONTEXT);
  const span = count === 1 ? `line ${firstLine}` : `lines ${firstLine}-${lastLine}`;
  return [
    `Lines ${from}-${after} now read (${span}: your text as given):`,
    ...(firstLine > from ? [numbered(lines.slice(from - 1, firstLine - 1), from)] : []),
    `${'…'.padStart(6)}\t(${span})`,
    ...(after > lastLine ? [numbered(lines.slice(lastLine, after), lastLine + 1)] : []),
  ].join('\n');
}

export function shown(rel: string): string {
  return rel === '' ? 'The workspace root' : rel;
}
