import { promises as fs } from 'node:fs';
import path from 'node:path';

/** A top-level declaration found in a source file: its name and its declaration line, shortened. */
export interface SymbolInfo {
  name: string;
  signature: string;
  /** 1-based line of the declaration. */
  line: number;
}

type Language = 'ts' | 'python' | 'go' | 'rust' | 'jvm';

const LANGUAGE_BY_EXTENSION: Record<string, Language> = {
  ts: 'ts',
  tsx: 'ts',
  mts: 'ts',
  cts: 'ts',
  js: 'ts',
  jsx: 'ts',
  mjs: 'ts',
  cjs: 'ts',
  py: 'python',
  go: 'go',
  rs: 'rust',
  java: 'jvm',
  cs: 'jvm',
};

const SIGNATURE_LIMIT = 110;
const READ_BYTES = 64 * 1024;
const MAX_SYMBOL_READS = 8_000;
const READ_CONCURRENCY = 32;

/** True for files whose top-level symbols can be extracted (TS/JS, Python, Go, Rust, Java, C#). */
export function hasSymbols(rel: string): boolean {
  return languageOf(rel) !== undefined;
}

function languageOf(rel: string): Language | undefined {
  const dot = rel.lastIndexOf('.');
  return dot < 0 ? undefined : LANGUAGE_BY_EXTENSION[rel.slice(dot + 1).toLowerCase()];
}

/** Long patterns are built from parts so that each part can be read on its own. */
const pattern = (...parts: string[]): RegExp => new RegExp(parts.join(''));

const TS_DECL = pattern(
  String.raw`^(export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?`,
  String.raw`(?:function\*?|class|interface|type|const|let|var|enum|namespace)\s+([A-Za-z_$][\w$]*)`,
);
const TS_EXPORT_LIST = /^export\s+(?:type\s+)?\{([^}]*)\}/;
const TS_EXPORT_DEFAULT = /^export\s+default\s/;
const TS_LOCAL_KINDS = /^(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function|class|interface|type|enum)\b/;
const CJS_EXPORT = /^(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=/;
const PY_DECL = /^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)/;
const GO_FUNC = /^func\s+(?:\(\s*\w*\s*\*?\s*([A-Za-z_]\w*)[^)]*\)\s*)?([A-Za-z_]\w*)/;
const GO_TYPE = /^type\s+([A-Za-z_]\w*)/;
const RUST_DECL = pattern(
  String.raw`^(?:pub(?:\([^)]*\))?\s+)?(?:(?:async|unsafe|const|extern\s+"[^"]*")\s+)*`,
  String.raw`(?:fn|struct|enum|trait|type|mod|union)\s+([A-Za-z_]\w*)`,
);
const JVM_DECL = pattern(
  String.raw`^\s*(?:(?:public|private|protected|internal|static|abstract|sealed|final|partial|readonly`,
  String.raw`|unsafe|new)\s+)*`,
  String.raw`(?:class|interface|enum|record|struct)\s+([A-Za-z_]\w*)`,
);

/**
 * The top-level symbols of a source file, by regular expressions (no parser: fast, and good enough for a map).
 * TS/JS lists exported declarations when the file has any, otherwise its top-level functions, classes and types.
 */
export function extractSymbols(rel: string, text: string, max = 24): SymbolInfo[] {
  const language = languageOf(rel);
  if (!language) {
    return [];
  }
  const exported: SymbolInfo[] = [];
  const local: SymbolInfo[] = [];
  // Java and C# nest classes in packages and namespaces, so only there does an indented line count.
  const topLevelOnly = language !== 'jvm';
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line.trim() === '' || (topLevelOnly && (line.startsWith(' ') || line.startsWith('\t')))) {
      continue;
    }
    const [e, l] = [exported.length, local.length];
    collect(language, line, exported, local);
    for (const s of [...exported.slice(e), ...local.slice(l)]) {
      s.line = n + 1;
    }
  }
  const chosen = language === 'ts' && exported.length > 0 ? exported : [...exported, ...local];
  const seen = new Set<string>();
  const out: SymbolInfo[] = [];
  for (const s of chosen) {
    if (!seen.has(s.name)) {
      seen.add(s.name);
      out.push(s);
      if (out.length >= max) {
        break;
      }
    }
  }
  return out;
}

function collect(language: Language, line: string, exported: SymbolInfo[], local: SymbolInfo[]): void {
  let m: RegExpExecArray | null;
  switch (language) {
    case 'ts':
      if ((m = TS_DECL.exec(line)) && m[2]) {
        if (m[1]) {
          exported.push(symbol(m[2], line));
        } else if (TS_LOCAL_KINDS.test(line)) {
          local.push(symbol(m[2], line)); // a file without exports (a script) is still worth naming
        }
      } else if ((m = TS_EXPORT_LIST.exec(line)) && m[1] !== undefined) {
        for (const part of m[1].split(',')) {
          const name = part
            .trim()
            .split(/\s+as\s+/)
            .pop()
            ?.trim();
          if (name && name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name)) {
            exported.push({ name, signature: `export { ${name} }`, line: 0 });
          }
        }
      } else if (TS_EXPORT_DEFAULT.test(line)) {
        exported.push(symbol('default', line));
      } else if ((m = CJS_EXPORT.exec(line)) && m[1]) {
        local.push(symbol(m[1], line));
      }
      return;
    case 'python':
      if ((m = PY_DECL.exec(line)) && m[1] && !m[1].startsWith('_')) {
        exported.push(symbol(m[1], line));
      }
      return;
    case 'go':
      if ((m = GO_FUNC.exec(line)) && m[2]) {
        exported.push(symbol(m[1] ? `${m[1]}.${m[2]}` : m[2], line));
      } else if ((m = GO_TYPE.exec(line)) && m[1]) {
        exported.push(symbol(m[1], line));
      }
      return;
    case 'rust':
      if ((m = RUST_DECL.exec(line)) && m[1]) {
        exported.push(symbol(m[1], line));
      }
      return;
    case 'jvm':
      if ((m = JVM_DECL.exec(line)) && m[1]) {
        exported.push(symbol(m[1], line));
      }
      return;
  }
}

function symbol(name: string, line: string): SymbolInfo {
  let signature = line.trim();
  if (name !== 'default') {
    signature = signature.replace(/^export\s+(default\s+)?/, '').replace(/^declare\s+/, '');
  }
  // The body is not part of a declaration line worth showing: `{`, `{}`, a Python `:`.
  signature = signature.replace(/\s*(\{\s*\}?|:)\s*$/, '').replace(/\s+/g, ' ');
  if (signature.length > SIGNATURE_LIMIT) {
    signature = `${signature.slice(0, SIGNATURE_LIMIT - 1)}…`;
  }
  // The line is filled in by the caller, which knows where it is in the file.
  return { name: name.length > 60 ? `${name.slice(0, 59)}…` : name, signature, line: 0 };
}

const STOPWORDS = new Set(
  (
    'a an and are as at be by can do does each for from has have how i if in into is it its make makes me my new ' +
    'no not of on or our should so some than that the their them then there these this to up use used uses using ' +
    'was we were what when where which while will with would you your add adds change changes fix fixes update ' +
    'file files code please also all any'
  ).split(' '),
);

function stem(word: string): string {
  if (word.length <= 4) {
    return word;
  }
  if (word.endsWith('ies')) {
    return `${word.slice(0, -3)}y`;
  }
  for (const suffix of ['ing', 'ed', 'es', 's']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      return word.slice(0, -suffix.length);
    }
  }
  return word;
}

/** Lower-case, stemmed words of an identifier, path or sentence: `parseHTTPHeaders` → parse, http, header. */
export function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 2 && !STOPWORDS.has(w))
    .map(stem);
}

/** What a file's relevance to the task is judged against. */
export interface RankContext {
  taskWords: Set<string>;
  task: string;
  active: string | undefined;
  selected: string | undefined;
  changed: Set<string>;
}

/** How much a file's path says it matters to the task: shared words, a mention, nearness to the active file. */
export function pathScore(rel: string, ctx: RankContext): number {
  const words = new Set(wordsOf(rel.replace(/\.[^./]+$/, '')));
  let score = 0;
  for (const w of words) {
    if (ctx.taskWords.has(w)) {
      score += 3;
    }
  }
  const base = rel.slice(rel.lastIndexOf('/') + 1).toLowerCase();
  if (ctx.task.includes(rel.toLowerCase()) || (base.length >= 4 && ctx.task.includes(base))) {
    score += 8;
  }
  const dir = dirOf(rel);
  for (const near of [ctx.active, ctx.selected]) {
    if (near === rel) {
      score += 10;
    } else if (near !== undefined && dirOf(near) === dir) {
      score += 4; // the user is working next to it
    } else if (near !== undefined && dir !== '' && dirOf(near).startsWith(`${dir}/`)) {
      score += 1;
    }
  }
  return score + (ctx.changed.has(rel) ? 2 : 0);
}

function dirOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

/** A file as ranking sees it; `score` starts as the path score and gains the symbol-word overlap. */
export interface ScoredFile {
  rel: string;
  score: number;
  symbols: SymbolInfo[];
}

/**
 * Fills in the symbols of source files, reading each once (its first 64 KB) with a few reads in flight, most
 * path-relevant first so that a cap on reads drops the least relevant; adds each file's symbol-word overlap.
 */
export async function readSymbols(root: string, files: ScoredFile[], taskWords: Set<string>): Promise<void> {
  const queue = rankFiles(files.filter((f) => hasSymbols(f.rel))).slice(0, MAX_SYMBOL_READS);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let f = queue[next++]; f !== undefined; f = queue[next++]) {
      const text = await readHead(path.join(root, f.rel));
      f.symbols = extractSymbols(f.rel, text);
      const words = new Set(f.symbols.flatMap((s) => wordsOf(s.name)));
      f.score += Math.min(4, [...words].filter((w) => taskWords.has(w)).length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, queue.length) }, worker));
}

async function readHead(file: string): Promise<string> {
  try {
    const handle = await fs.open(file, 'r');
    try {
      const buffer = Buffer.alloc(READ_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, 0);
      const text = buffer.toString('utf8', 0, bytesRead);
      return text.includes('\0') ? '' : text; // binary: no symbols
    } finally {
      await handle.close();
    }
  } catch {
    return ''; // vanished or unreadable since it was listed: list it without symbols
  }
}

/** Most relevant first; equal scores in path order, so the map is the same from run to run. */
export function rankFiles<T extends { rel: string; score: number }>(files: T[]): T[] {
  return [...files].sort((a, b) => b.score - a.score || (a.rel < b.rel ? -1 : 1));
}
