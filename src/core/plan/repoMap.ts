import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { Redactor } from '../secrets/redactor';
import { estimateTokens } from '../usage/usage';
import { PathError, resolveInWorkspace } from '../workspace/confine';
import { formatGitFacts, gitFacts } from '../workspace/git';
import type { WorkspaceListing } from '../workspace/listing';
import { listWorkspace } from '../workspace/listing';
import { WorkspaceRules } from '../workspace/rules';
import type { LowValueKind } from './fileKinds';
import { lowValueKind } from './fileKinds';
import { outlineLanguageOf } from '../code/languages';
import { hasCachedOutline, sharedOutlineCache } from '../code/outline';
import { OUTLINE_CACHE_FILE, readCacheFile, scanCacheFor, writeCacheFile } from './mapCache';
import type { ScanCache } from './mapCache';
import { MapLayout } from './mapLayout';
import type { MapFile } from './mapLayout';
import { defaultOutline } from './outline';
import type { OutlineSource } from './outline';
import { packagesNamedIn } from './packages';
import { rankFiles } from './ranking';
import { scanFiles } from './scanFiles';
import { putFirst, seedFiles } from './seeds';
import { symbolsOf } from './symbolRank';
import { identifiersIn, namesAsCode } from './words';

export interface RepoMapOptions {
  root: string;
  task: string;
  selection?: { path: string; text: string };
  activeFile?: string;
  /** A ceiling: a repository whose whole map is smaller gets its whole map. */
  budgetTokens?: number;
  extraIgnore?: string[];
  /** Rules already loaded by the caller (then `extraIgnore` is not read again). */
  rules?: WorkspaceRules;
  /** Keep the file scans under `.opus-orchestrator/cache/` between runs (the CLI; the extension keeps them in memory). */
  persistCache?: boolean;
  /** Definitions of a source file; defaults to the parser. */
  outline?: OutlineSource;
  /**
   * Replaces secrets in declaration lines, the selection and git facts, counting them for 'plan': pass the model
   * client's (`llm.redactor`) so the counts are the ones the user is shown. Default: one of this map's own.
   */
  redactor?: Redactor;
}

export interface RepoMap {
  text: string;
  tokens: number;
  /** Every readable file of the workspace, third-party trees aside. */
  fileCount: number;
  /** Files named one by one in `text` (the rest are inside collapsed folders, "+N more" lines or counts). */
  listedFiles: number;
  /** Listed files shown with at least one definition. */
  symbolFiles: number;
  /** True when something was left out to stay within the budget. */
  truncated: boolean;
  /** Every readable file path, for checking the paths a plan names. */
  files: string[];
  /** The listing the map was made from: the planner's tools look at the same files. */
  listing: WorkspaceListing;
  /** Every rankable file, most relevant to the task first. */
  ranked: string[];
  /** The files named in `text`, and the definitions shown under each. */
  shownFiles: string[];
  shownSymbols: Map<string, string[]>;
  /** A file's definitions in one line with their lines, for the planner's list_folder. */
  describe(rel: string): string | undefined;
}

export const DEFAULT_MAP_BUDGET_TOKENS = 20_000;

const SELECTION_SHARE = 0.2;
/** Third-party trees and caches named in the header; a tree of `__pycache__` folders is summed up after these. */
const LEFT_OUT_NAMED = 8;
const SMALL_BUDGET = 5_000;
const MAX_FILES = 200_000;
/** Files parsed for their definitions per map, best ranked first; the rest show what the line scan found. */
const MAX_PARSED = 60;
/**
 * Past this many tokens, the map takes only files that rank well against the best one (see MapLayout.fill) and only
 * the definitions the task points at: the planner's input is paid on every plan, and it can look further with its tools.
 */
const FREE_MAP_TOKENS = 2_000;
const RELEVANCE_FLOOR = 0.05;
/** Weight of the task's direct pointers (named paths and identifiers, matching words) beside the graph's rank. */
const DIRECT_WEIGHT = 0.5;
/** Files past this rank are shown by name only: no budget reaches their definitions. */
const MAX_SYMBOL_FILES = 300;
/**
 * Parsing of files not in the outline cache stops past this many characters, so that the same workspace and task
 * give the same map however loaded the machine (a time limit gave a different map on each run); cached outlines are
 * free, so a re-plan parses on from where the last one stopped. About 300 ms of parsing on a 2-core machine.
 */
const PARSE_CHARS = 300_000;
/** And past this long in all, for a machine far slower than that. */
const PARSE_TIME_MS = 2_000;
/** Larger source files are shown with what the line scan found. */
const MAX_PARSE_BYTES = 200_000;

/**
 * The compact picture of a repository the planner works from: git state, and the files git lists ranked for the
 * task (a personalised PageRank over which file uses what another declares, seeded by the task, the active file and
 * the selection), named and shown with their definitions and line ranges by rank until the budget is spent. Folders
 * with nothing worth their text stay collapsed to one line; lockfiles, binaries and huge files are counted per
 * folder; third-party trees are named once. A repository whose whole map is small gets its whole map.
 */
export async function buildRepoMap(opts: RepoMapOptions): Promise<RepoMap> {
  const budget = opts.budgetTokens ?? DEFAULT_MAP_BUDGET_TOKENS;
  const redactor = opts.redactor ?? new Redactor();
  const budgetChars = Math.floor(budget * 3.5);
  const rules = opts.rules ?? (await WorkspaceRules.load(opts.root, opts.extraIgnore ?? []));
  const cache = scanCacheFor(opts.root);
  const [listing, active, selection] = await Promise.all([
    listWorkspace(opts.root, rules, { limit: MAX_FILES }),
    opts.activeFile ? confined(opts.root, opts.activeFile, rules) : undefined,
    opts.selection ? confined(opts.root, opts.selection.path, rules) : undefined,
    opts.persistCache && cache.size === 0 ? loadCaches(opts.root, cache) : undefined,
  ]);
  const listed = new Set(listing.files);
  const rankable: string[] = [];
  const counted: Array<{ rel: string; kind: LowValueKind }> = [];
  for (const rel of listing.files) {
    const kind = lowValueKind(rel, listing.sizes.get(rel));
    if (kind) {
      counted.push({ rel, kind });
    } else {
      rankable.push(rel);
    }
  }
  const [scans, facts, packages] = await Promise.all([
    scanFiles(opts.root, rankable, listing, cache),
    // Only what the map itself may show: no third-party trees, links out or ignored files; deletions stay.
    gitFacts(opts.root, {
      mayShow: (rel) => rules.mayRead(rel) && (listed.has(rel) || !existsSync(path.join(opts.root, rel))),
    }),
    packagesNamedIn(opts.root, listing.files, listing.sizes, opts.task),
  ]);
  cache.keepOnly(listed);

  const activeRel = active && 'rel' in active ? active.rel : undefined;
  const selectedRel = selection && 'rel' in selection ? selection.rel : undefined;
  const seeding = seedFiles(rankable, scans, {
    task: opts.task,
    active: activeRel,
    selected: selectedRel,
    selectionText: opts.selection?.text,
    changed: new Set(facts?.changedPaths ?? []),
    packages,
  });
  const ranking = rankFiles({
    files: rankable,
    scans,
    seeds: seeding.seeds,
    key: cache.fingerprint(rankable),
  });
  // What the task points at counts beside the graph: a file the task names stays near the top however few use it.
  const seedTotal = [...seeding.seeds.values()].reduce((n, x) => n + x, 0) || 1;
  const score = new Map(
    rankable.map((rel) => {
      const direct = (DIRECT_WEIGHT * (seeding.seeds.get(rel) ?? 0)) / seedTotal;
      return [rel, ((ranking.rank.get(rel) ?? 0) + direct) * seeding.kindWeight(rel)];
    }),
  );
  putFirst(score, seeding.named);
  const top = Math.max(...score.values(), Number.MIN_VALUE);
  const ordered = [...rankable].sort((a, b) => (score.get(b) ?? 0) - (score.get(a) ?? 0) || (a < b ? -1 : 1));
  const outlines = await parseTop(opts.root, ordered, listing.sizes, opts.outline ?? defaultOutline, {
    task: opts.task,
    scans,
    relevant: (rel) => (score.get(rel) ?? 0) >= RELEVANCE_FLOOR * top,
  });
  if (opts.persistCache) {
    await saveCaches(opts.root, cache);
  }

  const usage = new Map<string, number>();
  const taskIdents = new Set([...identifiersIn(opts.task)].filter((n) => namesAsCode(opts.task, n)));
  const withSymbols = new Set(ordered.slice(0, MAX_SYMBOL_FILES));
  const mapFiles: MapFile[] = rankable.map((rel) => {
    const priority = (score.get(rel) ?? 0) / top;
    if (!withSymbols.has(rel)) {
      return { rel, priority, symbols: [] };
    }
    const symbols = symbolsOf(priority, {
      parsed: outlines.get(rel),
      scanned: scans.get(rel),
      taskWords: seeding.taskWords,
      proseWords: seeding.proseWords,
      mentioned: seeding.mentioned,
      task: opts.task,
      taskIdents,
      users: ranking.users,
      score,
      top,
      usage,
    });
    return { rel, priority, symbols };
  });

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
    let text = await redactor.redact(opts.selection.text, { owner: 'plan', file: from });
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
  const head = header(listing, true);
  const fixed = sections.reduce((n, s) => n + s.length + 2, 0) + '## Files\n'.length + head.length + 2;
  const layout = new MapLayout(mapFiles, counted);
  layout.fill(budgetChars - fixed, RELEVANCE_FLOOR, Math.min(budgetChars - fixed, FREE_MAP_TOKENS * 3.5));
  await redactSymbols(layout, redactor);
  const shown = layout.render();
  const symbolCount = mapFiles.reduce((n, f) => n + f.symbols.length, 0);
  const shownSymbolCount = [...shown.shownSymbols.values()].reduce((n, s) => n + s.length, 0);
  truncated ||= shown.shownFiles.length < rankable.length || shownSymbolCount < symbolCount;
  let text = [header(listing, truncated), `## Files\n${shown.text}`, ...sections].join('\n\n');
  if (estimateTokens(text) > budget) {
    text = cutToBudget(text, budget);
    truncated = true;
  }
  // Git facts (commit subjects, branch names) are text from the repository too.
  text = await redactor.redact(text, { owner: 'plan', file: 'repository map' });
  return {
    text,
    tokens: estimateTokens(text),
    fileCount: listing.files.length,
    listedFiles: shown.shownFiles.length,
    symbolFiles: shown.shownSymbols.size,
    truncated,
    files: listing.files,
    listing,
    ranked: ordered,
    shownFiles: shown.shownFiles,
    shownSymbols: shown.shownSymbols,
    describe: (rel) => describe(rel, outlines.get(rel), scans.get(rel)),
  };
}

/** Shown declaration lines are the repository's text: scanned per file for secrets before the map is stored or sent. */
async function redactSymbols(layout: MapLayout, redactor: Redactor): Promise<void> {
  const shown = layout.shownSymbolItems();
  const texts = await redactor.redactMany(
    shown.map(({ rel, symbols }) => ({ text: symbols.map((s) => s.text).join('\n'), file: rel })),
    'plan',
  );
  shown.forEach(({ symbols }, i) => {
    const lines = texts[i]?.split('\n') ?? [];
    symbols.forEach((s, j) => {
      // A secret spanning lines leaves the counts unequal: then only the names stay.
      s.text = lines.length === symbols.length ? (lines[j] ?? s.text) : `${s.key} L${s.startLine}`;
    });
  });
}

async function loadCaches(root: string, cache: ScanCache): Promise<void> {
  const [, outlines] = await Promise.all([cache.load(root), readCacheFile(root, OUTLINE_CACHE_FILE)]);
  sharedOutlineCache().restore(outlines);
}

/** A cache that cannot be written costs time on the next run, never the plan. */
async function saveCaches(root: string, cache: ScanCache): Promise<void> {
  await Promise.all([
    cache.save(root).catch(() => undefined),
    writeCacheFile(root, OUTLINE_CACHE_FILE, sharedOutlineCache().serialise()).catch(() => undefined),
  ]);
}

/**
 * Outlines of the best-ranked files, within a count and (for uncached files) a size limit. Past the limit, two
 * kinds of file whose line scan names nothing are still outlined, as a plan must give lines in them and the map would
 * otherwise show their names only: Markdown (its headings; no grammar to load, a few milliseconds) and a file the task
 * names by its file name (a test file, whose `describe`/`it` blocks are its only places).
 */
async function parseTop(
  root: string,
  ordered: string[],
  sizes: Map<string, number>,
  outline: OutlineSource,
  pointers: { task: string; scans: Map<string, { defs: unknown[] }>; relevant(rel: string): boolean },
): Promise<Map<string, Awaited<ReturnType<OutlineSource>>>> {
  const out = new Map<string, Awaited<ReturnType<OutlineSource>>>();
  const started = Date.now();
  const taskLower = pointers.task.toLowerCase();
  const mustName = (rel: string, language: string): boolean => {
    const base = rel.slice(rel.lastIndexOf('/') + 1).toLowerCase();
    const unnamed = (pointers.scans.get(rel)?.defs.length ?? 0) === 0;
    return unnamed && (language === 'markdown' || (base.includes('.') && taskLower.includes(base)));
  };
  let parsed = 0;
  let lookedPast = 0;
  for (const rel of ordered) {
    if (out.size >= MAX_PARSED) {
      break;
    }
    const language = outlineLanguageOf(rel);
    if (!language || (sizes.get(rel) ?? 0) > MAX_PARSE_BYTES) {
      continue; // a bundle or generated table would take the whole parse budget for one file
    }
    // A document below the relevance floor could not show a heading: its outline would only be left out.
    if (language === 'markdown' && !pointers.relevant(rel)) {
      continue;
    }
    const spent = parsed >= PARSE_CHARS || Date.now() - started > PARSE_TIME_MS;
    // Past the budget, a file is still read to see whether its outline is cached, for a bounded number of files.
    if (spent && !mustName(rel, language) && ++lookedPast > MAX_PARSED) {
      continue;
    }
    const text = await fs.readFile(path.join(root, rel), 'utf8').catch(() => undefined);
    if (text === undefined || text.includes('\0')) {
      continue;
    }
    const cached = hasCachedOutline(rel, text);
    if (spent && !cached && !mustName(rel, language)) {
      continue;
    }
    out.set(rel, await outline(rel, text));
    parsed += cached ? 0 : text.length;
  }
  return out;
}

function describe(
  rel: string,
  parsed: Awaited<ReturnType<OutlineSource>>,
  scanned: { defs: Array<{ name: string; line: number }> } | undefined,
): string | undefined {
  const parts = parsed
    ? parsed.map((d) => `${d.container ? `${d.container}.` : ''}${d.name} L${d.startLine}-${d.endLine}`)
    : (scanned?.defs ?? []).map((d) => `${d.name} L${d.line}`);
  if (parts.length === 0) {
    return undefined;
  }
  return parts.length > 12 ? `${parts.slice(0, 12).join(', ')} (+${parts.length - 12})` : parts.join(', ');
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

function header(listing: WorkspaceListing, truncated: boolean): string {
  const lines = [
    '# Repository map',
    `${listing.files.length} files, ranked for this task. Definitions show the lines they span (L12-40).` +
      (truncated
        ? ' "dir/ (N files)" is a folder left collapsed, "… +N more files" and "… +N more folders" what was left' +
          ' out: open them with list_folder.'
        : ''),
  ];
  if (listing.leftOut.length > 0) {
    const trees = listing.leftOut
      .slice(0, LEFT_OUT_NAMED)
      .map(
        (t) =>
          `${t.dir}/ (${t.reason}${t.files === undefined ? '' : `, ${t.files} ${t.files === 1 ? 'file' : 'files'}`})`,
      );
    const more = listing.leftOut.length - trees.length;
    lines.push(`Left out of the map: ${trees.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`);
  }
  return lines.join('\n');
}

function cutToBudget(text: string, budget: number): string {
  const marker = '\n… (map cut to fit its token budget)';
  let keep = Math.floor(budget * 3.5) - marker.length;
  while (keep > 0 && estimateTokens(text.slice(0, keep) + marker) > budget) {
    keep -= 8;
  }
  return keep > 0 ? text.slice(0, keep) + marker : '';
}
