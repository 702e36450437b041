/**
 * How a file spells its lines. Models read and write LF text without a byte-order mark; the file keeps its own
 * conventions, so an edit never turns into a whole-file diff of line endings.
 */
export interface TextFormat {
  eol: '\n' | '\r\n';
  bom: boolean;
  finalNewline: boolean;
}

const BOM = '\uFEFF';

/**
 * The conventions of `text`. A file with both endings takes the more frequent one (CRLF on a tie, since a file that
 * has any CRLF was most likely written on Windows). An empty file has no last line to end, so it counts as ending
 * with a newline: text added to it gets the usual final newline.
 */
export function detectFormat(text: string): TextFormat {
  const bom = text.startsWith(BOM);
  const body = bom ? text.slice(1) : text;
  const crlf = countOf(body, '\r\n');
  const lf = countOf(body, '\n') - crlf;
  const eol = crlf > 0 && crlf >= lf ? '\r\n' : '\n';
  const finalNewline = body === '' || body.endsWith('\n');
  return { eol, bom, finalNewline };
}

/** The text a model sees and edits: no byte-order mark, LF line endings. */
export function toModelText(text: string): string {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  return body.replace(/\r\n/g, '\n');
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
    n += 1;
  }
  return n;
}

/**
 * `file` with the span [start, end) of its model text (offsets into `toModelText(file)`) replaced by `replacement`,
 * LF text. Everything outside the span stays byte for byte, so each untouched line keeps its own ending and a file
 * with mixed endings stays mixed. The line breaks of the new text follow one rule: the n-th takes the ending of the
 * n-th line break the replaced text had; past those, the ending of the replaced text's last line break; when the
 * replaced text had none, the ending of the line the edit is in, else (the last line of a file without a final
 * newline) the ending of the line before it, else LF. The file's final newline stays present or absent whatever the
 * edit did at its end.
 */
export function applyModelEdit(file: string, start: number, end: number, replacement: string): string {
  const from = fileOffset(file, start);
  const to = fileOffset(file, end);
  const replaced = endingsIn(file, from, to);
  const fallback = replaced.at(-1) ?? endingNear(file, from, to);
  let n = 0;
  const body = replacement.replace(/\n/g, () => replaced[n++] ?? fallback);
  const out = file.slice(0, from) + body + file.slice(to);
  return to === file.length ? keepFinalNewline(file, out, fallback) : out;
}

/** The offset in `file` of the model-text offset `offset`: past the byte-order mark and every CR of a CRLF before it. */
function fileOffset(file: string, offset: number): number {
  let at = file.startsWith(BOM) ? 1 : 0;
  let left = offset;
  for (let crlf = file.indexOf('\r\n', at); crlf >= 0; crlf = file.indexOf('\r\n', at)) {
    if (left <= crlf - at) {
      break;
    }
    left -= crlf - at;
    at = crlf + 1;
  }
  return at + left;
}

type Eol = TextFormat['eol'];

function endingsIn(file: string, from: number, to: number): Eol[] {
  const out: Eol[] = [];
  for (let nl = file.indexOf('\n', from); nl >= 0 && nl < to; nl = file.indexOf('\n', nl + 1)) {
    out.push(file[nl - 1] === '\r' && nl - 1 >= from ? '\r\n' : '\n');
  }
  return out;
}

function endingNear(file: string, from: number, to: number): Eol {
  const next = file.indexOf('\n', to);
  if (next >= 0) {
    return file[next - 1] === '\r' ? '\r\n' : '\n';
  }
  const previous = from > 0 ? file.lastIndexOf('\n', from - 1) : -1;
  return previous > 0 && file[previous - 1] === '\r' ? '\r\n' : '\n';
}

function keepFinalNewline(file: string, out: string, eol: Eol): string {
  if (!detectFormat(file).finalNewline) {
    return out.replace(/(\r?\n)+$/, '');
  }
  const body = out.startsWith(BOM) ? out.slice(1) : out;
  return body === '' || body.endsWith('\n') ? out : out + eol;
}
