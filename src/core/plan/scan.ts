import { extractSymbols, hasSymbols } from './symbols';

/**
 * The cheap look at every source file that ranking needs: which names it declares at top level, and which other
 * names it uses. A line scan and a token scan, no parse: ten thousand files take well under a second, where parsing
 * them all would not. Definitions the map shows come from the parser, for the files that can reach the map.
 */
export interface FileScan {
  /** Top-level declarations with their 1-based lines. */
  defs: Array<{ name: string; line: number }>;
  /** Names the file uses and does not declare, three characters or longer, each once. */
  refs: string[];
}

/** Words of the languages themselves and of everyday code: they name nothing a file defines. */
const KEYWORDS = new Set(
  (
    'abstract any async await boolean break case catch class const constructor continue debugger declare default ' +
    'delete else enum export extends false finally for from function get implements import instanceof interface let ' +
    'new null number object package private protected public readonly require return set static string super switch ' +
    'symbol this throw true try type typeof undefined unknown var void while with yield ' +
    'def elif except lambda nonlocal pass raise self cls None True False and not the ' +
    'func chan defer fallthrough goto map range select struct var nil ' +
    'impl trait pub mut crate mod fn use where loop match ref move ' +
    'final native synchronized throws transient volatile namespace using internal sealed override virtual ' +
    'console log length push prototype exports module'
  ).split(' '),
);

const IDENT = /[A-Za-z_$][\w$]{2,}/g;

/** Methods of Python classes: any indented `def`. */
const PY_MEMBER = /^[ \t]+(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)/;
/**
 * Methods of TS/JS, Java and C# classes: an indented `name(…) {` line, possibly after modifiers and a return type,
 * that is not a control statement. A call that opens a callback block can pass for one; it only adds a weak link.
 */
const BRACE_MEMBER =
  /^[ \t]+(?:(?:public|private|protected|static|async|readonly|abstract|override|get|set|final|virtual|internal)[ \t]+)*(?:[\w<>[\],.?]+[ \t]+)?([A-Za-z_$][\w$]*)[ \t]*(?:<[^>()\n]*>)?\([^;=\n]*\)[^;=\n]*\{[ \t]*$/;
const CONTROL = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'else', 'do', 'try', 'with']);

function memberDefs(rel: string, text: string): Array<{ name: string; line: number }> {
  const python = rel.endsWith('.py') || rel.endsWith('.pyi');
  if (!python && /\.(go|rs)$/.test(rel)) {
    return [];
  }
  const out: Array<{ name: string; line: number }> = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    // Cheap tests first: an indented line that declares something ends with `{` (or holds `def` in Python).
    const first = line.charCodeAt(0);
    if ((first !== 32 && first !== 9) || (python ? !line.includes('def') : !line.trimEnd().endsWith('{'))) {
      continue;
    }
    const m = (python ? PY_MEMBER : BRACE_MEMBER).exec(line);
    const name = m?.[1];
    if (name !== undefined && !CONTROL.has(name) && !KEYWORDS.has(name)) {
      out.push({ name, line: n + 1 });
    }
  }
  return out;
}

function detach(names: string[]): string[] {
  return names.length === 0 ? [] : names.join('\n').split('\n');
}

/** Scans a source file; other files get no definitions and no references. */
export function scanText(rel: string, text: string): FileScan {
  if (!hasSymbols(rel)) {
    return { defs: [], refs: [] };
  }
  // A Go method is declared as Receiver.Name; uses name it as Name.
  const top = extractSymbols(rel, text, Number.POSITIVE_INFINITY).map((s) => ({
    name: s.name.slice(s.name.lastIndexOf('.') + 1),
    line: s.line,
  }));
  const defs = [...top, ...memberDefs(rel, text)].filter((d) => !KEYWORDS.has(d.name));
  const own = new Set(defs.map((d) => d.name));
  // One match call and one Set: far cheaper than a match object per token on ten thousand files.
  const refs = [...new Set(text.match(IDENT))].filter((name) => !own.has(name) && !KEYWORDS.has(name));
  // Matched names are slices that keep the whole file text alive; copied through one joined string, they do not.
  const names = defs
    .map((d) => d.name)
    .join('\n')
    .split('\n');
  return { defs: defs.map((d, i) => ({ name: names[i] as string, line: d.line })), refs: detach(refs) };
}
