import type { Redactor } from '../secrets/redactor';
import { sharedRedactor } from '../secrets/redactor';
import { estimateTokens } from '../usage/usage';
import { PathError, resolveInWorkspace } from '../workspace/confine';
import { formatGitFacts, gitFacts } from '../workspace/git';
import { listFiles, WorkspaceRules } from '../workspace/rules';
import { pathScore, rankFiles, readSymbols, wordsOf } from './symbols';
import type { SymbolInfo } from './symbols';

export interface RepoMapOptions {
  root: string;
  task: string;
  selection?: { path: string; text: string };
  activeFile?: string;
  budgetTokens?: number;
  extraIgnore?: string[];
  /** Rules already loaded by the caller (then `extraIgnore` is not read again). */
  rules?: WorkspaceRules;
  /** Replaces secrets in declaration lines and the selection; default: the process's shared redactor. */
  redactor?: Redactor;
}

export interface RepoMap {
  text: string;
  tokens: number;
  /** Every readable file of the workspace. */
  fileCount: number;
  /** Files named one by one in `text` (the rest are inside collapsed folders or "+N more" lines). */
  listedFiles: number;
  /** Listed files shown with at least one symbol. */
  symbolFiles: number;
  /** True when something was left out or shortened to stay within the budget. */
  truncated: boolean;
  /** Every readable file path, for checking the paths a plan names. */
  files: string[];
}

export const DEFAULT_MAP_BUDGET_TOKENS = 20_000;

const MAX_SYMBOLS_SHOWN = 12;
const FEW_SYMBOLS = 3;
/** The most relevant files get their declaration lines before anyone else gets symbol names. */
const TOP_WITH_SIGNATURES = 10;
/** When folders must be collapsed, room is kept for the symbols of up to this many files relevant to the task... */
const RESERVE_FILES = 40;
/** ...but never more than this share of the budget. */
const RESERVE_SHARE = 0.25;
const SELECTION_SHARE = 0.2;
const SMALL_BUDGET = 5_000;
const MAX_FILES = 200_000;

/** 1: name only; 2: name and a few symbol names; 3: name and all symbol names; 4: name and declaration lines. */
type Level = 1 | 2 | 3 | 4;

interface FileNode {
  rel: string;
  name: string;
  dir: DirNode;
  score: number;
  symbols: SymbolInfo[];
  level: Level;
  hidden: boolean;
}

interface DirNode {
  rel: string;
  depth: number;
  parent: DirNode | undefined;
  files: FileNode[];
  dirs: DirNode[];
  fileCount: number;
  relevance: number;
  collapsed: boolean;
  hiddenFiles: number;
  /** Characters this folder takes when shown expanded, and what it takes as shown now. */
  expandedCost: number;
  cost: number;
}

/**
 * The compact picture of a repository the planner works from: git state, a tree of files with the top-level symbols
 * of source files, the active file and the selection. It never exceeds `budgetTokens`; when the full map does not
 * fit, files less relevant to the task lose symbols first, then folders least relevant to it are collapsed.
 */
export async function buildRepoMap(opts: RepoMapOptions): Promise<RepoMap> {
  const budget = opts.budgetTokens ?? DEFAULT_MAP_BUDGET_TOKENS;
  const budgetChars = Math.floor(budget * 3.5);
  const rules = opts.rules ?? (await WorkspaceRules.load(opts.root, opts.extraIgnore ?? []));
  const [files, facts, active, selection] = await Promise.all([
    listFiles(opts.root, rules, { limit: MAX_FILES }),
    // A changed file's name is no secret's content, but the planner has no use for names it may not open either.
    gitFacts(opts.root, { mayShow: (rel) => rules.mayRead(rel) }),
    opts.activeFile ? confined(opts.root, opts.activeFile, rules) : undefined,
    opts.selection ? confined(opts.root, opts.selection.path, rules) : undefined,
  ]);

  const { root, dirs, nodes } = buildTree(files);
  const taskWords = new Set(wordsOf(opts.task));
  const context = {
    taskWords,
    task: opts.task.toLowerCase(),
    active: active && 'rel' in active ? active.rel : undefined,
    selected: selection && 'rel' in selection ? selection.rel : undefined,
    changed: new Set(facts?.changedPaths ?? []),
  };
  for (const f of nodes) {
    f.score = pathScore(f.rel, context);
  }
  await readSymbols(opts.root, nodes, taskWords);

  let truncated = false;
  const sections: string[] = [];
  if (facts) {
    // Git facts are a few lines; only a very small budget needs them shorter still.
    sections.push(`## Git\n${formatGitFacts(facts, budget < SMALL_BUDGET ? 5 : 20)}`);
  }
  if (active) {
    sections.push(`## Active file\n${'rel' in active ? active.rel : `(left out: ${active.error})`}`);
  }
  if (opts.selection && selection) {
    const cap = Math.floor(budgetChars * SELECTION_SHARE);
    const from = 'rel' in selection ? selection.rel : opts.selection.path;
    let text = await (opts.redactor ?? sharedRedactor()).redact(opts.selection.text, { owner: 'plan', file: from });
    if (text.length > cap) {
      text = `${text.slice(0, cap)}\n… (selection cut to fit the map)`;
      truncated = true;
    }
    const fence = text.includes('```') ? '````' : '```';
    sections.push(
      'rel' in selection
        ? `## Selection in ${selection.rel}\n${fence}\n${text}\n${fence}`
        : `## Selection\n(left out: ${selection.error})`,
    );
  }
  const headerReserve = header(files.length, files.length, files.length, true).length;
  const fixed = sections.reduce((n, s) => n + s.length + 2, 0) + '## Files\n'.length + headerReserve + 2;
  const layout = new Layout(root);
  layout.fit(budgetChars - fixed, dirs, rankFiles(nodes));

  const visible = nodes.filter((f) => layout.visible(f));
  await redactSignatures(visible, opts.redactor ?? sharedRedactor());
  const [fileCount, listedFiles] = [files.length, visible.length];
  const symbolFiles = visible.filter((f) => f.level > 1 && f.symbols.length > 0).length;
  truncated ||= listedFiles < fileCount || visible.some((f) => f.level < 3 && f.symbols.length > 0);
  const parts = [header(fileCount, listedFiles, symbolFiles, listedFiles < fileCount), `## Files\n${render(root)}`];
  let text = [...parts, ...sections].join('\n\n');
  if (estimateTokens(text) > budget) {
    text = cutToBudget(text, budget);
    truncated = true;
  }
  // Git facts (commit subjects, branch names) are text from the repository too.
  text = await (opts.redactor ?? sharedRedactor()).redact(text, { owner: 'plan', file: 'repository map' });
  return { text, tokens: estimateTokens(text), fileCount, listedFiles, symbolFiles, truncated, files };
}

/**
 * Declaration lines print values (`export const AWS_SECRET = "…"`): the shown ones are scanned in one pass and secrets
 * replaced before the map is stored or sent, so the log can name the file.
 */
async function redactSignatures(visible: FileNode[], redactor: Redactor): Promise<void> {
  const shown = visible.filter((f) => f.level === 4 && f.symbols.length > 0);
  const texts = await redactor.redactMany(
    shown.map((f) => ({ text: f.symbols.map((s) => s.signature).join('\n'), file: f.rel })),
    'plan',
  );
  shown.forEach((f, i) => {
    const lines = texts[i]?.split('\n') ?? [];
    if (lines.length === f.symbols.length) {
      f.symbols = f.symbols.map((s, j) => ({ ...s, signature: lines[j] ?? s.signature }));
    } else {
      f.level = 3; // a secret spanning lines: show the names alone
    }
  });
}

type Confined = { rel: string } | { error: string };

async function confined(root: string, p: string, rules: WorkspaceRules): Promise<Confined> {
  try {
    return { rel: (await resolveInWorkspace(root, p, { rules })).rel };
  } catch (err) {
    if (err instanceof PathError) {
      return { error: err.message };
    }
    throw err;
  }
}

function header(fileCount: number, listed: number, symbolFiles: number, collapsed: boolean): string {
  const note = collapsed
    ? ' Lines "dir/ (N files)" and "… +N more files" stand for files left out to keep the map short.'
    : '';
  return `# Repository map\n${fileCount} files; ${listed} listed, ${symbolFiles} with their top-level symbols.${note}`;
}

function cutToBudget(text: string, budget: number): string {
  const marker = '\n… (map cut to fit its token budget)';
  let keep = Math.floor(budget * 3.5) - marker.length;
  while (keep > 0 && estimateTokens(text.slice(0, keep) + marker) > budget) {
    keep -= 8;
  }
  return keep > 0 ? text.slice(0, keep) + marker : '';
}

function buildTree(files: string[]): { root: DirNode; dirs: DirNode[]; nodes: FileNode[] } {
  const newDir = (rel: string, parent: DirNode | undefined): DirNode => ({
    rel,
    depth: parent ? parent.depth + 1 : 0,
    parent,
    files: [],
    dirs: [],
    fileCount: 0,
    relevance: 0,
    collapsed: false,
    hiddenFiles: 0,
    expandedCost: 0,
    cost: 0,
  });
  const root = newDir('', undefined);
  const byRel = new Map<string, DirNode>([['', root]]);
  const dirOf = (rel: string): DirNode => {
    const found = byRel.get(rel);
    if (found) {
      return found;
    }
    const slash = rel.lastIndexOf('/');
    const parent = dirOf(slash < 0 ? '' : rel.slice(0, slash));
    const dir = newDir(rel, parent);
    parent.dirs.push(dir);
    byRel.set(rel, dir);
    return dir;
  };
  const nodes = files.map((rel): FileNode => {
    const slash = rel.lastIndexOf('/');
    const dir = dirOf(slash < 0 ? '' : rel.slice(0, slash));
    const node: FileNode = { rel, name: rel.slice(slash + 1), dir, score: 0, symbols: [], level: 1, hidden: false };
    dir.files.push(node);
    return node;
  });
  return { root, dirs: [...byRel.values()], nodes };
}

function fileLine(f: FileNode, level: Level): string {
  const indent = f.dir.rel === '' ? '' : '  ';
  const syms = f.symbols;
  if (level === 1 || syms.length === 0) {
    return `${indent}${f.name}`;
  }
  const shown = syms.slice(0, level === 2 ? FEW_SYMBOLS : MAX_SYMBOLS_SHOWN);
  const more = syms.length - shown.length > 0 ? ` (+${syms.length - shown.length})` : '';
  if (level === 4) {
    return [`${indent}${f.name}${more}`, ...shown.map((s) => `${indent}  ${s.signature}`)].join('\n');
  }
  return `${indent}${f.name}: ${shown.map((s) => s.name).join(', ')}${more}`;
}

const fileCost = (f: FileNode, level: Level = f.level): number => fileLine(f, level).length + 1;
const headerCost = (d: DirNode): number => (d.rel !== '' && d.files.length > 0 ? d.rel.length + 2 : 0);
const moreLine = (d: DirNode, n: number): string => `${d.rel === '' ? '' : '  '}… +${n} more files`;
const moreCost = (d: DirNode, n: number): number => (n > 0 ? moreLine(d, n).length + 1 : 0);
const collapsedLine = (d: DirNode): string => `${d.rel}/ (${d.fileCount} ${d.fileCount === 1 ? 'file' : 'files'})`;

/** The tree's text size, kept up to date incrementally so that fitting a 5,000-file tree stays linear. */
class Layout {
  constructor(private readonly root: DirNode) {
    this.measure(root);
  }

  private measure(d: DirNode): void {
    d.fileCount = d.files.length;
    d.relevance = d.files.reduce((m, f) => Math.max(m, f.score), 0);
    d.expandedCost = headerCost(d) + d.files.reduce((n, f) => n + fileCost(f), 0);
    for (const child of d.dirs) {
      this.measure(child);
      d.fileCount += child.fileCount;
      d.relevance = Math.max(d.relevance, child.relevance);
      d.expandedCost += child.cost;
    }
    d.cost = d.expandedCost;
  }

  visible(f: FileNode): boolean {
    return !f.hidden && !this.collapsedAbove(f.dir);
  }

  private collapsedAbove(d: DirNode | undefined): boolean {
    for (let x = d; x; x = x.parent) {
      if (x.collapsed) {
        return true;
      }
    }
    return false;
  }

  private bubble(start: DirNode | undefined, delta: number): void {
    for (let d = start; d && delta !== 0; d = d.parent) {
      d.expandedCost += delta;
      if (d.collapsed) {
        return;
      }
      d.cost += delta;
    }
  }

  private collapse(d: DirNode): void {
    const collapsedCost = collapsedLine(d).length + 1;
    if (collapsedCost < d.cost) {
      const delta = collapsedCost - d.cost;
      d.collapsed = true;
      d.cost = collapsedCost;
      this.bubble(d.parent, delta);
    }
  }

  private hide(f: FileNode): void {
    const d = f.dir;
    const delta = moreCost(d, d.hiddenFiles + 1) - moreCost(d, d.hiddenFiles) - fileCost(f);
    f.hidden = true;
    d.hiddenFiles++;
    this.bubble(d, delta);
  }

  /** Raises the file to the first of `levels` (best first) that still fits; never lowers it. */
  private upgradeToFirst(f: FileNode, levels: Level[], avail: number): void {
    if (f.symbols.length === 0 || !this.visible(f)) {
      return;
    }
    for (const level of levels) {
      if (f.level >= level) {
        return;
      }
      const delta = fileCost(f, level) - fileCost(f);
      if (this.root.cost + delta <= avail) {
        f.level = level;
        this.bubble(f.dir, delta);
        return;
      }
    }
  }

  /** Collapses and hides until names fit, keeping room for the most relevant symbols; then adds symbols by rank. */
  fit(avail: number, dirs: DirNode[], ranked: FileNode[]): void {
    if (this.root.cost > avail) {
      // Symbols of files unrelated to the task are worth less than the names of more files, so room is kept only for
      // relevant ones.
      const relevant = ranked.filter((f) => f.score > 0).slice(0, RESERVE_FILES);
      const wanted = relevant.reduce((n, f) => n + fileCost(f, 3) - fileCost(f, 1), 0);
      const target = avail - Math.min(avail * RESERVE_SHARE, wanted);
      const order = [...dirs].sort(
        (a, b) =>
          a.relevance - b.relevance || b.depth - a.depth || b.fileCount - a.fileCount || (a.rel < b.rel ? -1 : 1),
      );
      for (const d of order) {
        if (this.root.cost <= target) {
          break;
        }
        if (this.collapsedAbove(d)) {
          continue;
        }
        if (d.relevance === 0 && d !== this.root) {
          this.collapse(d);
        } else {
          // A folder with something relevant keeps its relevant files and sums up the rest.
          d.files.filter((f) => f.score === 0).forEach((f) => this.hide(f));
        }
      }
      for (const d of order) {
        if (this.root.cost <= target) {
          break;
        }
        if (d !== this.root && !this.collapsedAbove(d)) {
          this.collapse(d);
        }
      }
      for (const f of rankFiles(this.root.files).reverse()) {
        if (this.root.cost <= target) {
          break;
        }
        if (!f.hidden) {
          this.hide(f);
        }
      }
    }
    for (const f of ranked.filter((x) => x.score > 0).slice(0, TOP_WITH_SIGNATURES)) {
      this.upgradeToFirst(f, [4, 3, 2], avail);
    }
    for (const f of ranked) {
      this.upgradeToFirst(f, [3, 2], avail);
    }
    for (const f of ranked) {
      this.upgradeToFirst(f, [4], avail);
    }
  }
}

function render(d: DirNode): string {
  const lines: string[] = [];
  const walk = (dir: DirNode): void => {
    if (dir.collapsed) {
      lines.push(collapsedLine(dir));
      return;
    }
    if (headerCost(dir) > 0) {
      lines.push(`${dir.rel}/`);
    }
    for (const f of dir.files) {
      if (!f.hidden) {
        lines.push(fileLine(f, f.level));
      }
    }
    if (dir.hiddenFiles > 0) {
      lines.push(moreLine(dir, dir.hiddenFiles));
    }
    for (const child of dir.dirs) {
      walk(child);
    }
  };
  walk(d);
  return lines.join('\n');
}
