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

/**
 * Model text written back in the file's own format: its line endings, its byte-order mark, and its final newline
 * present or absent whatever the model did at the end of the text.
 */
export function fromModelText(text: string, format: TextFormat): string {
  let body = text.replace(/\r\n/g, '\n');
  if (format.finalNewline) {
    if (body !== '' && !body.endsWith('\n')) {
      body += '\n';
    }
  } else {
    body = body.replace(/\n+$/, '');
  }
  if (format.eol === '\r\n') {
    body = body.replace(/\n/g, '\r\n');
  }
  return format.bom ? BOM + body : body;
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
    n += 1;
  }
  return n;
}
