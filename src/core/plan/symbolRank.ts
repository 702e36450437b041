import type { MapSymbol } from './mapLayout';
import type { Definition } from './outline';
import { qualifiedName } from './outline';
import type { FileScan } from './scan';
import { nameKey } from './scan';
import { identifiersIn, wordsOf } from './words';

/** What ranking a file's definitions looks at. */
export interface SymbolContext {
  /** The parsed definitions, when the file was parsed (undefined: not parsed or no parser for it). */
  parsed: Definition[] | undefined;
  scanned: FileScan | undefined;
  taskWords: Set<string>;
  /** The words of the task's prose (see `proseWordsOf`): sharing one points at a definition. */
  proseWords: Set<string>;
  mentioned: Set<string>;
  /** The task as written, and the identifiers in it (declared anywhere or not: `set` in `AxiosHeaders.set`). */
  task: string;
  taskIdents: Set<string>;
  /** Files using each name, by `nameKey`. */
  users: Map<number, string[]>;
  score: Map<string, number>;
  top: number;
  /** Memo of how much the ranked files use each name (summed scores over the top score). */
  usage: Map<string, number>;
}

/** A definition's priority is its file's, scaled between these by how much the task and the other files need it. */
const FLOOR = 0.2;
const SPAN = 0.75;
/** The line scan's definitions (no line ranges, no members) are worth less than parsed ones. */
const SCANNED_SCALE = 0.6;
/** Definitions of one file past which each further one halves again in weight, roughly. */
const DECAY_SPAN = 15;

/**
 * The definitions of a file as map items, best first: those the task names or whose words it shares, then those
 * the best-ranked files use, exported and top-level before private and members. Each item's text is its declaration
 * with the lines it spans.
 */
export function symbolsOf(filePriority: number, ctx: SymbolContext): MapSymbol[] {
  if (ctx.parsed) {
    const keys = new Set(ctx.parsed.map(qualifiedName));
    const titles = titleWords(ctx.parsed);
    const scored = ctx.parsed.map((d) => {
      if (PROSE_KINDS.has(d.kind)) {
        const prose = proseNeed(d.name, ctx, titles);
        return { d, s: prose.s * (d.container ? 0.8 : 1), floor: 0, pointed: prose.pointed };
      }
      let s = need(d.name, ctx);
      let pointed = pointsAt(d.name, ctx);
      if (d.container && ctx.task.includes(qualifiedName(d))) {
        s += 8; // the task names this very member
        pointed = true;
      } else if (!ctx.mentioned.has(d.name) && ctx.taskIdents.has(d.name)) {
        s += 3;
        pointed = true;
      }
      s *= d.exported ? 1 : 0.5;
      s *= d.container ? 0.8 : 1;
      return { d, s, floor: FLOOR, pointed };
    });
    const best = Math.max(...scored.map((x) => x.s), Number.MIN_VALUE);
    return scored
      .map(({ d, s, floor, pointed }) => ({
        key: qualifiedName(d),
        ...(d.container && keys.has(d.container) ? { containerKey: d.container } : {}),
        text: `${d.signature} L${d.startLine}-${d.endLine}`,
        startLine: d.startLine,
        priority: filePriority * (floor + (SPAN * s) / best),
        pointed,
      }))
      .sort((a, b) => b.priority - a.priority || a.startLine - b.startLine)
      .map(decay);
  }
  const defs = ctx.scanned?.defs ?? [];
  const scored = defs.map((d) => ({ d, s: need(d.name, ctx) }));
  const best = Math.max(...scored.map((x) => x.s), Number.MIN_VALUE);
  return scored
    .map(({ d, s }) => ({
      key: d.name,
      text: `${d.name} L${d.line}`,
      startLine: d.line,
      priority: filePriority * SCANNED_SCALE * (FLOOR + (SPAN * s) / best),
      pointed: pointsAt(d.name, ctx),
    }))
    .sort((a, b) => b.priority - a.priority || a.startLine - b.startLine)
    .map(decay);
}

/** Places named by a title in prose (a heading, a test's description) rather than by an identifier. */
const PROSE_KINDS: ReadonlySet<string> = new Set(['section', 'suite', 'test']);
/** What a heading or test the task says nothing about is worth. */
const PROSE_BASE = 0.25;
/** A camelCase, snake_case or `$` name in a title: code the task may name too (`maxRetries`, `TimeoutError`). */
const CODE_LIKE = /[a-z][A-Z]|_|\$/;

/** In how many of the file's prose titles each word occurs. */
function titleWords(definitions: readonly Definition[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const d of definitions) {
    if (PROSE_KINDS.has(d.kind)) {
      for (const w of new Set(wordsOf(d.name))) {
        df.set(w, (df.get(w) ?? 0) + 1);
      }
    }
  }
  return df;
}

/**
 * How much the task needs a heading or a test: the task's words in its title, each worth less the more of the file's
 * titles share it (fourteen tests "with the default page size" are not fourteen places a task about a default names),
 * and the identifiers the task names, written in the title. A title that shares nothing stays out of a full map: a
 * long test file or README would otherwise list every entry ahead of other files' code. `pointed`: it shares a word of
 * the task's prose, or carries an identifier the task names.
 */
function proseNeed(title: string, ctx: SymbolContext, df: Map<string, number>): { s: number; pointed: boolean } {
  let s = PROSE_BASE;
  let pointed = false;
  for (const w of new Set(wordsOf(title))) {
    if (ctx.taskWords.has(w)) {
      s += 2 / (df.get(w) ?? 1);
      pointed ||= ctx.proseWords.has(w);
    }
  }
  for (const id of identifiersIn(title)) {
    if (CODE_LIKE.test(id) && ctx.taskIdents.has(id)) {
      s += 3;
      pointed = true;
    }
  }
  return { s, pointed };
}

/**
 * The n-th best definition of a file counts less the further down it is: a file with five hundred definitions gets
 * its best ones into the map, not all of them ahead of every other file.
 */
function decay(symbol: MapSymbol, index: number): MapSymbol {
  return { ...symbol, priority: symbol.priority / (1 + index / DECAY_SPAN) };
}

/**
 * Whether the task points at a name itself: names it, or shares a word of its prose with it (use by other files
 * aside). A word only inside an identifier the task writes (`type` of `sourceType`) points at that identifier alone.
 */
function pointsAt(name: string, ctx: SymbolContext): boolean {
  return ctx.mentioned.has(name) || wordsOf(name).some((w) => ctx.proseWords.has(w));
}

/** How much the task and the rest of the code need a name: named by the task, sharing its words, used by others. */
function need(name: string, ctx: SymbolContext): number {
  let s = 1;
  if (ctx.mentioned.has(name)) {
    s += 6;
  }
  for (const w of new Set(wordsOf(name))) {
    if (ctx.taskWords.has(w)) {
      s += 2;
    }
  }
  let total = ctx.usage.get(name);
  if (total === undefined) {
    total = 0;
    for (const user of ctx.users.get(nameKey(name)) ?? []) {
      total += (ctx.score.get(user) ?? 0) / ctx.top;
    }
    ctx.usage.set(name, total);
  }
  // A file's scan leaves out the names it declares, so its own uses do not count here.
  return s + Math.min(3, total);
}
