import type { Language } from './symbols';
import { FoundSymbols, languageOf } from './symbols';

/**
 * The cheap look at every source file that ranking needs: which names it declares at top level, and which other
 * names it uses. A line scan and a token scan, no parse: ten thousand files take well under a second, where parsing
 * them all would not. Definitions the map shows come from the parser, for the files that can reach the map.
 */
export interface FileScan {
  /** Top-level declarations with their 1-based lines. */
  defs: Array<{ name: string; line: number }>;
  /**
   * Names the file uses and does not declare, three characters or longer, as `nameKey`s: sorted, each once. Keys
   * rather than the names: ranking only asks whether a name is one another file declares, the keys take a tenth of
   * the memory and the time, and a key kept on disk never holds a value (a token in a string may be a secret).
   */
  refs: Uint32Array;
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

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * The 32-bit FNV-1a hash of a name: what `FileScan.refs` holds. Two names share a key about once in four billion
 * pairs; a shared key only adds a weak link to the ranking's graph.
 */
export function nameKey(name: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < name.length; i++) {
    h = Math.imul(h ^ name.charCodeAt(i), FNV_PRIME);
  }
  return h >>> 0;
}

/** The keys of KEYWORDS, in a table of their own: looked up once per name a file uses. */
const KEYWORD_SLOTS = new Uint32Array(2048);
for (const k of [...KEYWORDS].map(nameKey)) {
  let i = k & (KEYWORD_SLOTS.length - 1);
  while (KEYWORD_SLOTS[i] !== 0) {
    i = (i + 1) & (KEYWORD_SLOTS.length - 1);
  }
  KEYWORD_SLOTS[i] = k;
}

function isKeywordKey(k: number): boolean {
  for (let i = k & (KEYWORD_SLOTS.length - 1); ; i = (i + 1) & (KEYWORD_SLOTS.length - 1)) {
    const at = KEYWORD_SLOTS[i] as number;
    if (at === k || at === 0) {
      return at === k;
    }
  }
}

/** Classes of bytes: 1 may start a name (`A-Za-z_$`), 2 may only continue one (a digit); 0 ends one. */
const CLASS = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  CLASS[c] = /[A-Za-z_$]/.test(ch) ? 1 : /\d/.test(ch) ? 2 : 0;
}

/**
 * An open-addressing set of the current file's keys, reused from file to file: 0 marks a free slot (a key of 0 is
 * taken as 1), and a slot marked in `leftOut` (a keyword, a name the file declares) is never reported.
 */
let slots = new Uint32Array(1 << 12);
let leftOut = new Uint8Array(1 << 12);
let used: number[] = [];

/** Adds a key to the set; returns its slot. */
function addKey(key: number): number {
  const k = key === 0 ? 1 : key;
  const mask = slots.length - 1;
  for (let i = (k ^ (k >>> 15)) & mask; ; i = (i + 1) & mask) {
    const at = slots[i] as number;
    if (at === k) {
      return i;
    }
    if (at === 0) {
      slots[i] = k;
      used.push(i);
      if (used.length * 2 <= slots.length) {
        return i;
      }
      grow();
      return addKey(k);
    }
  }
}

function grow(): void {
  const entries = used.map((i) => [slots[i] as number, leftOut[i] as number] as const);
  slots = new Uint32Array(slots.length * 2);
  leftOut = new Uint8Array(slots.length);
  used = [];
  for (const [k, out] of entries) {
    leftOut[addKey(k)] = out;
  }
}

/** Leaves `skip` out, then takes the other keys out of the set (emptying it for the next file), sorted. */
function takeKeys(skip: Iterable<number>): Uint32Array {
  for (const k of skip) {
    leftOut[addKey(k)] = 1;
  }
  const keys: number[] = [];
  for (const s of used) {
    const k = slots[s] as number;
    if (leftOut[s] === 0 && !isKeywordKey(k)) {
      keys.push(k);
    }
    slots[s] = 0;
    leftOut[s] = 0;
  }
  used = [];
  return Uint32Array.from(keys).sort();
}

/** Where the one pass over a file's bytes found names, and the lines worth a closer look. */
interface Pass {
  /** `[from, to, line]` of each line that may declare something at the top level. */
  tops: number[];
  /** The same for each indented line that may declare a member. */
  members: number[];
}

/**
 * One pass over the bytes (UTF-8) of a file: the keys of the names it uses go into the key set, and the lines that
 * may declare something are noted. A name is each run of ASCII name characters less its leading digits, when three
 * characters or longer remain: exactly what `/[A-Za-z_$][\w$]{2,}/g` matches in the decoded text (any other
 * character, every byte of a multi-byte one included, ends a run), without decoding the file or making a string of
 * any name. A line may declare something at the top level when it starts with a letter (after its indentation, in
 * Java and C#), and a member when it is indented and holds `def` (Python) or ends with `{` (TS/JS, Java, C#).
 */
function pass(bytes: Uint8Array, language: Language): Pass {
  const noted: Pass = { tops: [], members: [] };
  const n = bytes.length;
  // Plain locals, no closure over them: the loop runs once per byte of every file.
  let lineStart = 0;
  let line = 1;
  let lastVisible = -1;
  let i = 0;
  while (i < n) {
    let c = bytes[i] as number;
    let kind = CLASS[c] as number;
    if (kind === 0) {
      if (c === 10) {
        noteLine(bytes, language, noted, lineStart, i, line, lastVisible);
        lineStart = i + 1;
        line++;
        lastVisible = -1;
      } else if (c > 32) {
        lastVisible = c;
      }
      i++;
      continue;
    }
    while (kind === 2 && i < n) {
      c = bytes[++i] as number; // a name never starts with a digit: `9abc` holds `abc`
      kind = i < n ? (CLASS[c] as number) : 0;
    }
    if (kind === 1) {
      const start = i;
      let h = FNV_OFFSET;
      do {
        h = Math.imul(h ^ c, FNV_PRIME);
        c = bytes[++i] as number;
      } while (i < n && CLASS[c] !== 0);
      if (i - start >= 3) {
        addKey(h >>> 0);
      }
    }
    lastVisible = bytes[i - 1] as number;
  }
  if (lineStart < n) {
    noteLine(bytes, language, noted, lineStart, n, line, lastVisible);
  }
  return noted;
}

/** Notes the line `bytes[from, to)` when it may declare something (see `pass`). */
function noteLine(
  bytes: Uint8Array,
  language: Language,
  noted: Pass,
  from: number,
  to: number,
  line: number,
  lastVisible: number,
): void {
  let first = bytes[from] ?? 10;
  const indented = first === 32 || first === 9;
  const jvm = language === 'jvm';
  if (indented && jvm) {
    let i = from;
    while (i < to && (bytes[i] === 32 || bytes[i] === 9)) {
      i++;
    }
    first = i < to ? (bytes[i] as number) : 10;
  }
  if ((!indented || jvm) && (first | 32) >= 97 && (first | 32) <= 122) {
    noted.tops.push(from, to, line);
  }
  if (!indented) {
    return;
  }
  if (language === 'python' ? holds(bytes, from, to, 'def') : (language === 'ts' || jvm) && lastVisible === 123) {
    noted.members.push(from, to, line);
  }
}

/** Methods of Python classes: any indented `def`. */
const PY_MEMBER = /^[ \t]+(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)/;
/**
 * Methods of TS/JS, Java and C# classes: an indented `name(…) {` line, possibly after modifiers and a return type,
 * that is not a control statement. A call that opens a callback block can pass for one; it only adds a weak link.
 */
const BRACE_MEMBER =
  /^[ \t]+(?:(?:public|private|protected|static|async|readonly|abstract|override|get|set|final|virtual|internal)[ \t]+)*(?:[\w<>[\],.?]+[ \t]+)?([A-Za-z_$][\w$]*)[ \t]*(?:<[^>()\n]*>)?\([^;=\n]*\)[^;=\n]*\{[ \t]*$/;
const CONTROL = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'else', 'do', 'try', 'with']);

/** True when `bytes[from, to)` holds `word`. */
function holds(bytes: Uint8Array, from: number, to: number, word: string): boolean {
  const at = Buffer.prototype.indexOf.call(bytes, word, from, 'latin1');
  return at >= 0 && at + word.length <= to;
}

/** What BRACE_MEMBER needs of a line ending with `{`: from its first `(` on, a `)` and neither `;` nor `=`. */
function mayDeclareMember(line: string): boolean {
  const open = line.indexOf('(');
  return open > 0 && line.indexOf(')', open) > 0 && line.indexOf(';', open) < 0 && line.indexOf('=', open) < 0;
}

/** The declarations on the lines the pass noted, each line decoded only now. */
function lineDefs(language: Language, bytes: Uint8Array, noted: Pass): Array<{ name: string; line: number }> {
  const decode = (from: number, to: number): string => Buffer.prototype.toString.call(bytes, 'utf8', from, to);
  const found = new FoundSymbols(language, false);
  for (let i = 0; i < noted.tops.length; i += 3) {
    found.line(decode(noted.tops[i] as number, noted.tops[i + 1] as number), noted.tops[i + 2] as number);
  }
  // A Go method is declared as Receiver.Name; uses name it as Name.
  const defs = found.chosen(Number.POSITIVE_INFINITY).map((s) => ({
    name: s.name.slice(s.name.lastIndexOf('.') + 1),
    line: s.line,
  }));
  const python = language === 'python';
  for (let i = 0; i < noted.members.length; i += 3) {
    const line = decode(noted.members[i] as number, noted.members[i + 1] as number);
    const m = python ? PY_MEMBER.exec(line) : mayDeclareMember(line) ? BRACE_MEMBER.exec(line) : null;
    const name = m?.[1];
    if (name !== undefined && !CONTROL.has(name) && !KEYWORDS.has(name)) {
      defs.push({ name, line: noted.members[i + 2] as number });
    }
  }
  return defs;
}

const NOTHING: FileScan = Object.freeze({ defs: [], refs: new Uint32Array(0) }) as FileScan;

/** Scans a source file from its bytes (UTF-8); other files get no definitions and no references. */
export function scanSource(rel: string, bytes: Uint8Array): FileScan {
  const language = languageOf(rel);
  if (!language) {
    return NOTHING;
  }
  const noted = pass(bytes, language);
  const defs = lineDefs(language, bytes, noted).filter((d) => !KEYWORDS.has(d.name));
  const refs = takeKeys(defs.map((d) => nameKey(d.name)));
  return { defs, refs };
}

/** `scanSource` of a text. */
export function scanText(rel: string, text: string): FileScan {
  return scanSource(rel, Buffer.from(text, 'utf8'));
}

/** True when the file uses `name` (and does not declare it). */
export function usesName(scan: FileScan, name: string): boolean {
  const key = nameKey(name);
  const refs = scan.refs;
  let lo = 0;
  let hi = refs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = refs[mid] as number;
    if (at === key) {
      return true;
    }
    if (at < key) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return false;
}
