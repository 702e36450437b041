/** A top-level declaration found in a source file: its name and its declaration line, shortened. */
export interface SymbolInfo {
  name: string;
  signature: string;
  /** 1-based line of the declaration. */
  line: number;
}

export type Language = 'ts' | 'python' | 'go' | 'rust' | 'jvm';

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

/** True for files whose top-level symbols can be extracted (TS/JS, Python, Go, Rust, Java, C#). */
export function hasSymbols(rel: string): boolean {
  return languageOf(rel) !== undefined;
}

export function languageOf(rel: string): Language | undefined {
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
  return language ? symbolsOfLines(language, text.split('\n'), max) : [];
}

/** `extractSymbols` over a file already split into lines. */
function symbolsOfLines(language: Language, lines: readonly string[], max: number): SymbolInfo[] {
  const found = new FoundSymbols(language);
  // Java and C# nest classes in packages and namespaces, so only there does an indented line count.
  const topLevelOnly = language !== 'jvm';
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    const first = line.charCodeAt(0);
    // Checked without trimming: a line is skipped when it is blank, or indented where only top-level lines count.
    if (topLevelOnly ? first === 32 || first === 9 || !/\S/.test(line) : !/\S/.test(line)) {
      continue;
    }
    found.line(line, n + 1);
  }
  return found.chosen(max);
}

/**
 * The declarations found line by line in one file. Without `signatures`, each symbol's signature is left empty:
 * all the line scan needs, at a third of the time.
 */
export class FoundSymbols {
  private readonly exported: SymbolInfo[] = [];
  private readonly local: SymbolInfo[] = [];
  private readonly make: (name: string, line: string) => SymbolInfo;

  constructor(
    readonly language: Language,
    signatures = true,
  ) {
    this.make = signatures ? symbol : bare;
  }

  /** Looks at one line (1-based `n`) for declarations. */
  line(line: string, n: number): void {
    const [e, l] = [this.exported.length, this.local.length];
    collect(this.language, line, this.exported, this.local, this.make);
    for (let i = e; i < this.exported.length; i++) {
      (this.exported[i] as SymbolInfo).line = n;
    }
    for (let i = l; i < this.local.length; i++) {
      (this.local[i] as SymbolInfo).line = n;
    }
  }

  /** TS/JS: the exported declarations when there are any, else every one; the first of each name, at most `max`. */
  chosen(max: number): SymbolInfo[] {
    const chosen =
      this.language === 'ts' && this.exported.length > 0 ? this.exported : [...this.exported, ...this.local];
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
}

function collect(
  language: Language,
  line: string,
  exported: SymbolInfo[],
  local: SymbolInfo[],
  symbol: (name: string, line: string) => SymbolInfo,
): void {
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

function bare(name: string): SymbolInfo {
  return { name: name.length > 60 ? `${name.slice(0, 59)}…` : name, signature: '', line: 0 };
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
