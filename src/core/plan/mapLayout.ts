import type { LowValueKind } from './fileKinds';

/** A definition as the map may show it under its file. */
export interface MapSymbol {
  /** `name`, or `Container.name` for a member: how a plan names it. */
  key: string;
  /** The key of its container when the container is a definition of the same file. */
  containerKey?: string;
  /** The declaration line and the lines it spans, e.g. `parseArgs(argv: string[]): Options L12-40`. */
  text: string;
  startLine: number;
  priority: number;
  /** The task points at it (names it, shares a word with its name or title), beyond its file's rank. */
  pointed?: boolean;
}

/** A file that may be named in the map: its priority, and its definitions best first. */
export interface MapFile {
  rel: string;
  priority: number;
  symbols: MapSymbol[];
}

export interface LayoutResult {
  text: string;
  shownFiles: string[];
  /** Keys of the definitions shown, per file. */
  shownSymbols: Map<string, string[]>;
}

interface Dir {
  rel: string;
  parent: Dir | undefined;
  dirs: Dir[];
  files: FileNode[];
  /** Every file below, counted ones included. */
  total: number;
  lowValue: Map<LowValueKind, number>;
  expanded: boolean;
  shown: number;
  /** The highest priority of a file below. */
  best: number;
  /** The subfolders named while this folder is open; the others are summed up in one line until opened. */
  listed: Set<Dir>;
  /** Characters opening it adds (see openCost): with its listed subfolders, and with all of them. */
  open: { listed: number; all: number };
}

interface FileNode {
  file: MapFile;
  name: string;
  dir: Dir;
  shown: boolean;
  symbols: MapSymbol[];
}

const KIND_NAMES: Record<LowValueKind, [string, string]> = {
  lockfile: ['lockfile', 'lockfiles'],
  binary: ['binary file', 'binary files'],
  minified: ['minified file', 'minified files'],
  large: ['large file', 'large files'],
};

const indentOf = (d: Dir): string => (d.rel === '' ? '' : '  ');
const collapsedLine = (d: Dir): string => `${d.rel}/ (${d.total} ${d.total === 1 ? 'file' : 'files'})`;
const moreLine = (d: Dir, n: number): string => `${indentOf(d)}… +${n} more ${n === 1 ? 'file' : 'files'}`;
const moreFoldersLine = (d: Dir, n: number, files: number): string =>
  `${d.rel === '' ? '' : `${d.rel}/ `}… +${n} more ${n === 1 ? 'folder' : 'folders'} (${files} ${files === 1 ? 'file' : 'files'})`;

/**
 * Subfolders named one per line in an open folder; the rest, least relevant first to go, are summed up in one line (a
 * monorepo's packages/ holds hundreds, and the planner can list them with its tools).
 */
const LISTED_FOLDERS = 12;

/** Past `freeChars`, a file is named only at this share of the top priority or more: what ranks lower is found by look. */
const NAME_FLOOR = 0.2;
const len = (line: string | undefined): number => (line === undefined ? 0 : line.length + 1);

function lowLine(d: Dir): string | undefined {
  if (d.lowValue.size === 0) {
    return undefined;
  }
  const parts = [...d.lowValue].map(([kind, n]) => `${n} ${KIND_NAMES[kind][n === 1 ? 0 : 1]}`);
  return `${indentOf(d)}(${parts.join(', ')})`;
}

/**
 * The file tree the map shows, filled by priority within a character budget. It starts with the top-level folders
 * collapsed (`dir/ (N files)`) and the root's files summed up; each item — a file's name, one definition under it —
 * is added in priority order when it still fits, opening the folders on its way. A folder stays collapsed unless
 * something in it is worth its text, so the text a folder takes is always paid for by what it shows.
 */
export class MapLayout {
  private readonly root: Dir;
  private readonly nodes = new Map<string, FileNode>();
  private used = 0;

  constructor(files: MapFile[], counted: Array<{ rel: string; kind: LowValueKind }>) {
    this.root = newDir('', undefined);
    const dirs = new Map<string, Dir>([['', this.root]]);
    const dirOf = (rel: string): Dir => {
      const slash = rel.lastIndexOf('/');
      const key = slash < 0 ? '' : rel.slice(0, slash);
      let d = dirs.get(key);
      if (!d) {
        const parent = dirOf(key);
        d = newDir(key, parent);
        parent.dirs.push(d);
        dirs.set(key, d);
      }
      return d;
    };
    for (const file of files) {
      const dir = dirOf(file.rel);
      const node: FileNode = {
        file,
        name: file.rel.slice(file.rel.lastIndexOf('/') + 1),
        dir,
        shown: false,
        symbols: [],
      };
      dir.files.push(node);
      this.nodes.set(file.rel, node);
      for (let d: Dir | undefined = dir; d; d = d.parent) {
        d.total++;
        d.best = Math.max(d.best, file.priority);
      }
    }
    for (const { rel, kind } of counted) {
      const dir = dirOf(rel);
      dir.lowValue.set(kind, (dir.lowValue.get(kind) ?? 0) + 1);
      for (let d: Dir | undefined = dir; d; d = d.parent) {
        d.total++;
      }
    }
    for (const d of dirs.values()) {
      d.dirs.sort((a, b) => (a.rel < b.rel ? -1 : 1));
      d.files.sort((a, b) => (a.name < b.name ? -1 : 1));
      const byRelevance = [...d.dirs].sort((a, b) => b.best - a.best || b.total - a.total || (a.rel < b.rel ? -1 : 1));
      d.listed = new Set(byRelevance.slice(0, LISTED_FOLDERS));
      d.open = { listed: openCost(d, true), all: openCost(d, false) };
    }
    this.root.expanded = true;
    this.used = this.root.open.listed;
  }

  /** Characters the tree takes now. */
  get chars(): number {
    return this.used;
  }

  /**
   * Adds items in priority order while they fit in `budget` characters. Below `floor` (a share of the top priority)
   * only file names are added, and only while the map is under `freeChars`: a small repository is named whole, a
   * large one stops where relevance runs out rather than padding its map up to the budget. A definition the task
   * does not point at is added only while the map is under `freeChars` too, and past it a file is named only at
   * NAME_FLOOR of the top or more: the files and definitions shown are the ones the task needs, not every type of
   * every file it touches.
   */
  fill(budget: number, floor = 0, freeChars = budget): void {
    type Item = { priority: number; file: FileNode; symbol?: MapSymbol };
    const items: Item[] = [];
    for (const node of this.nodes.values()) {
      items.push({ priority: node.file.priority, file: node });
      for (const symbol of node.file.symbols) {
        items.push({ priority: symbol.priority, file: node, symbol });
      }
    }
    // Equal priorities in path order, so that the same workspace and task give the same map.
    items.sort((a, b) => b.priority - a.priority || (a.file.file.rel < b.file.file.rel ? -1 : 1));
    const top = items[0]?.priority ?? 0;
    for (const item of items) {
      // Below the floor only names are added, and only while the map is small: they tell what exists, cheaply.
      if (item.priority < floor * top && (item.symbol !== undefined || this.used >= freeChars)) {
        continue;
      }
      if (item.symbol === undefined && item.priority < NAME_FLOOR * top && this.used >= freeChars) {
        continue;
      }
      if (item.symbol !== undefined && !item.symbol.pointed && this.used >= freeChars) {
        continue;
      }
      if (item.symbol) {
        if (item.file.shown) {
          const cost = len(this.symbolLine(item.file, item.symbol));
          if (this.used + cost <= budget) {
            item.file.symbols.push(item.symbol);
            this.used += cost;
          }
        }
      } else {
        // A name below the floor pays for every subfolder it opens, summed up or not: filling a small map with
        // names must not open a folder of hundreds.
        const cost = this.showCost(item.file, item.priority >= floor * top);
        if (this.used + cost <= budget) {
          this.show(item.file);
          this.used += cost;
        }
      }
    }
  }

  /** The definitions chosen so far, per file (their text may still be replaced, e.g. redacted, before rendering). */
  shownSymbolItems(): Array<{ rel: string; symbols: MapSymbol[] }> {
    return [...this.nodes.values()]
      .filter((f) => f.shown && f.symbols.length > 0)
      .map((f) => ({ rel: f.file.rel, symbols: f.symbols }));
  }

  render(): LayoutResult {
    const lines: string[] = [];
    const shownFiles: string[] = [];
    const shownSymbols = new Map<string, string[]>();
    const walk = (d: Dir): void => {
      if (d.rel !== '' && ownLines(d)) {
        lines.push(`${d.rel}/`);
      }
      for (const f of d.files) {
        if (f.shown) {
          lines.push(`${indentOf(d)}${f.name}`);
          shownFiles.push(f.file.rel);
          const sorted = [...f.symbols].sort((a, b) => a.startLine - b.startLine);
          for (const s of sorted) {
            lines.push(this.symbolLine(f, s));
          }
          if (sorted.length > 0) {
            shownSymbols.set(
              f.file.rel,
              sorted.map((s) => s.key),
            );
          }
        }
      }
      const hidden = d.files.length - d.shown;
      if (hidden > 0) {
        lines.push(moreLine(d, hidden));
      }
      const low = lowLine(d);
      if (low !== undefined) {
        lines.push(low);
      }
      let unlisted = 0;
      let unlistedFiles = 0;
      for (const child of d.dirs) {
        if (child.expanded) {
          walk(child);
        } else if (d.listed.has(child)) {
          lines.push(collapsedLine(child));
        } else {
          unlisted++;
          unlistedFiles += child.total;
        }
      }
      if (unlisted > 0) {
        lines.push(moreFoldersLine(d, unlisted, unlistedFiles));
      }
    };
    walk(this.root);
    return { text: lines.join('\n'), shownFiles, shownSymbols };
  }

  /** A definition's line: under its container when that is shown, else followed by the container's name. */
  private symbolLine(f: FileNode, s: MapSymbol): string {
    let depth = 0;
    let key = s.containerKey;
    while (key !== undefined) {
      const outer = f.symbols.find((x) => x.key === key);
      if (!outer) {
        break;
      }
      depth++;
      key = outer.containerKey;
    }
    // A member shown without its container says where it belongs.
    const text = depth === 0 && s.containerKey !== undefined ? `${s.text} (in ${s.containerKey})` : s.text;
    return `${indentOf(f.dir)}  ${'  '.repeat(depth)}${text}`;
  }

  /** What showing `f` adds; `capped`: its folders open with their listed subfolders only (else all, as a bound). */
  private showCost(f: FileNode, capped: boolean): number {
    let cost = 0;
    for (let d: Dir | undefined = f.dir; d && !d.expanded; d = d.parent) {
      // A folder summed up in its parent's "more folders" line had no line of its own to replace.
      cost += (capped ? d.open.listed : d.open.all) - (d.parent?.listed.has(d) ? len(collapsedLine(d)) : 0);
    }
    const hidden = f.dir.files.length - f.dir.shown;
    const after = hidden - 1 > 0 ? len(moreLine(f.dir, hidden - 1)) : 0;
    return cost + len(`${indentOf(f.dir)}${f.name}`) + after - len(moreLine(f.dir, hidden));
  }

  private show(f: FileNode): void {
    for (let d: Dir | undefined = f.dir; d && !d.expanded; d = d.parent) {
      d.expanded = true;
    }
    f.shown = true;
    f.dir.shown++;
  }
}

/**
 * Characters an expanded folder adds beyond its own line: its "more" and counted lines, its listed subfolders and
 * the line summing up the others (`capped`), or all its subfolders.
 */
function openCost(d: Dir, capped: boolean): number {
  const header = d.rel === '' || !ownLines(d) ? 0 : len(`${d.rel}/`);
  const more = d.files.length > 0 ? len(moreLine(d, d.files.length)) : 0;
  const listed = capped ? [...d.listed] : d.dirs;
  const others = capped ? d.dirs.filter((c) => !d.listed.has(c)) : [];
  const rest =
    others.length > 0
      ? len(
          moreFoldersLine(
            d,
            others.length,
            others.reduce((n, c) => n + c.total, 0),
          ),
        )
      : 0;
  return header + more + len(lowLine(d)) + listed.reduce((n, c) => n + len(collapsedLine(c)), 0) + rest;
}

/** A folder that only holds folders needs no line of its own once open: its subfolders name their full paths. */
function ownLines(d: Dir): boolean {
  return d.files.length > 0 || d.lowValue.size > 0;
}

function newDir(rel: string, parent: Dir | undefined): Dir {
  return {
    rel,
    parent,
    dirs: [],
    files: [],
    total: 0,
    lowValue: new Map(),
    expanded: false,
    shown: 0,
    best: 0,
    listed: new Set(),
    open: { listed: 0, all: 0 },
  };
}
