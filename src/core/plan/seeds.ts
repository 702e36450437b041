import { supportKind } from './fileKinds';
import type { FileScan } from './scan';
import { usesName } from './scan';
import { identifiersIn, isCompoundName, namesAsCode, proseWordsOf, supportTargets, wordsOf } from './words';

/** What the task points at, as the ranking takes it. */
export interface Seeding {
  /** Restart weight per file. */
  seeds: Map<string, number>;
  /** Files the task names by their whole path, and the selection's: the ones to change, ranked first. */
  named: Set<string>;
  /** Identifiers the task or the selection names that some file declares. */
  mentioned: Set<string>;
  /** Stemmed words of the task. */
  taskWords: Set<string>;
  /** Stemmed words of the task's prose (its compound identifiers left out): a definition sharing one is pointed at. */
  proseWords: Set<string>;
  /** 1 for the project's code; 0.1 for tests, fixtures, snapshots, examples and generated code the task is not about. */
  kindWeight(rel: string): number;
}

export interface SeedContext {
  task: string;
  active?: string;
  selected?: string;
  selectionText?: string;
  changed: Set<string>;
  /** Folders of the packages the task names by package name (see packagesNamedIn), lower-cased. */
  packages?: readonly string[];
}

/** Files a task word may share its weight with in full (see `idf` in seedFiles). */
const SPREAD = 30;

/**
 * Weight of a task word in a file's name, per unit of its idf; twice that when every word of the name is the task's:
 * `cli.ts` is the thing "the vite CLI" names, where `cliShortcuts.ts` is only about it, and a word that a folder of
 * fixtures or a definition elsewhere also shares would otherwise outweigh the file named for it.
 */
const NAME_WEIGHT = 3;
const WHOLE_NAME_WEIGHT = 2 * NAME_WEIGHT;

/** Seed of each file in a folder the task names ("in packages/http"), for a folder of up to SPREAD such files. */
const FOLDER_WEIGHT = 6;

/** Supporting code the task is not about counts a tenth: its paths repeat the task's words without being the work. */
const SUPPORT_WEIGHT = 0.1;

/**
 * Scores how directly the task points at each file: its path named in the task, the active file and the
 * selection, a declaration of an identifier the task names, words of its path and declarations shared with the task
 * (split and stemmed: "printer" meets `print.ts`, "messages" meets `message.ts`), a change in git.
 */
export function seedFiles(files: string[], scans: Map<string, FileScan>, ctx: SeedContext): Seeding {
  const taskWords = new Set(wordsOf(ctx.task));
  const targets = supportTargets(ctx.task);
  const kindWeight = (rel: string): number => {
    const kind = supportKind(rel);
    return kind === undefined || targets.has(kind) || (kind === 'snapshot' && targets.has('test')) ? 1 : SUPPORT_WEIGHT;
  };
  const declared = new Set<string>();
  for (const scan of scans.values()) {
    for (const d of scan.defs) {
      declared.add(d.name);
    }
  }
  const inTask = [...identifiersIn(ctx.task)].filter((n) => declared.has(n) && namesAsCode(ctx.task, n));
  const inSelection = [...identifiersIn(ctx.selectionText ?? '')].filter((n) => declared.has(n));
  const mentioned = new Set([...inTask, ...inSelection]);
  const taskLower = ctx.task.toLowerCase();
  const prefixes = [...taskWords].map((w) => w.slice(0, 4));
  const activeDir = ctx.active === undefined ? undefined : dirOf(ctx.active);
  const namedPaths = [...new Set([...pathsIn(taskLower), ...(ctx.packages ?? [])])];
  // Which task words each file's name, folders and declarations share, and in how many files each word appears:
  // a word every rule file shares ("rule") says less than one only two files share ("placeholder").
  const matches = new Map<string, { whole: boolean; base: string[]; dirs: string[]; defs: string[] }>();
  const df = new Map<string, number>();
  for (const rel of files) {
    if (!mayShare(rel, prefixes) && !scans.get(rel)?.defs.some((d) => mayShare(d.name, prefixes))) {
      continue;
    }
    const base = rel.slice(rel.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
    const baseWords = wordsOf(base);
    const m = {
      // Named for the task's words alone (see WHOLE_NAME_WEIGHT).
      whole: baseWords.length > 0 && baseWords.every((w) => taskWords.has(w)),
      base: shared(baseWords, taskWords),
      dirs: shared(dirOf(rel).split('/').flatMap(wordsOf), taskWords),
      defs: shared(
        (scans.get(rel)?.defs ?? []).filter((d) => mayShare(d.name, prefixes)).flatMap((d) => wordsOf(d.name)),
        taskWords,
      ),
    };
    matches.set(rel, m);
    for (const w of new Set([...m.base, ...m.dirs, ...m.defs])) {
      df.set(w, (df.get(w) ?? 0) + 1);
    }
  }
  // A word's weight per file falls with the files sharing it, and past SPREAD files its weight in all is held at
  // SPREAD files' worth: "vite" in the folders of half of Vite's files would otherwise hold most of the restart
  // weight, and the ranking would follow it to the package's hubs rather than to `cli.ts` for "the vite CLI".
  const idf = (words: string[]): number =>
    words.reduce((n, w) => {
      const count = df.get(w) ?? 1;
      return n + (Math.log1p(files.length / count) / Math.log1p(files.length)) * Math.min(1, SPREAD / count);
    }, 0);
  const inNamedFolder = folderShares(files, namedPaths, kindWeight);
  const usedNames = usersOfUndeclared(ctx.task, declared, files, scans);
  const byName = namedByName(files, ctx.task, namedPaths, taskWords);
  const seeds = new Map<string, number>();
  const named = new Set<string>();
  for (const rel of files) {
    let s = 0;
    const relLower = rel.toLowerCase();
    if (rel.includes('/') && mentionsPath(taskLower, relLower)) {
      named.add(rel);
    }
    if (taskLower.includes(relLower)) {
      s += 20;
    } else {
      s += byName.get(rel) ?? 0;
    }
    // A folder the task names ("in packages/http"), or a path it names by its last parts ("src/types.ts" there),
    // sets those files apart from their namesakes in sibling folders.
    s += inNamedFolder.get(rel) ?? 0;
    if (namedPaths.some((p) => relLower.endsWith(`/${p}`))) {
      s += 2;
    }
    if (rel === ctx.selected) {
      named.add(rel);
    }
    if (rel === ctx.active || rel === ctx.selected) {
      s += 20;
    } else if (activeDir !== undefined && dirOf(rel) === activeDir) {
      s += 1;
    }
    const scan = scans.get(rel);
    if (scan) {
      for (const name of mentioned) {
        const declares = scan.defs.some((d) => d.name === name);
        if (inTask.includes(name)) {
          s += declares ? 10 : usesName(scan, name) ? 1 : 0;
        } else if (declares) {
          s += 4;
        }
      }
    }
    s += usedNames.get(rel) ?? 0;
    const m = matches.get(rel);
    if (m) {
      // A file named by its name has its weight from that already (its namesakes' share of it).
      const nameWeight = m.whole ? WHOLE_NAME_WEIGHT : NAME_WEIGHT;
      s += (byName.has(rel) ? 0 : nameWeight * idf(m.base)) + idf(m.dirs) + Math.min(3, 2 * idf(m.defs));
    }
    if (ctx.changed.has(rel)) {
      s += 0.5;
    }
    if (s > 0) {
      seeds.set(rel, s * kindWeight(rel));
    }
  }
  return { seeds, named, mentioned, taskWords, proseWords: new Set(proseWordsOf(ctx.task)), kindWeight };
}

/**
 * What a folder the task names lends each of its code and docs files: FOLDER_WEIGHT each, up to SPREAD files' worth in
 * all, since a package of thousands of files would otherwise hold most of the restart weight; a file in several named
 * folders takes the best share. Tests and fixtures get none of it.
 */
function folderShares(
  files: readonly string[],
  namedPaths: readonly string[],
  kindWeight: (rel: string) => number,
): Map<string, number> {
  const members = new Map<string, string[]>(namedPaths.map((p) => [p, []]));
  for (const rel of namedPaths.length > 0 ? files : []) {
    const relLower = rel.toLowerCase();
    const folders = namedPaths.filter((p) => relLower.startsWith(`${p}/`));
    if (folders.length > 0 && kindWeight(rel) === 1) {
      folders.forEach((p) => members.get(p)?.push(rel));
    }
  }
  const shares = new Map<string, number>();
  for (const list of members.values()) {
    const share = FOLDER_WEIGHT * Math.min(1, SPREAD / list.length);
    list.forEach((rel) => shares.set(rel, Math.max(shares.get(rel) ?? 0, share)));
  }
  return shares;
}

/** A file name the task writes this many times over or fewer (README.md in each of two packages) points at each. */
const FEW_NAMESAKES = 3;

/**
 * Files the task names by their name alone ("options.ts", "the README", "no-unused-vars"), with how strongly. In a
 * monorepo a name has a namesake in every package: then the one at the top, or in a folder on a path the task writes
 * (`packages/parser/README.md` for "packages/parser/src/options.ts … its README"), keeps the full weight; failing
 * that, one whose folder shares a task word that few of the others share ("the parser README"), half; the rest next
 * to nothing.
 */
function namedByName(files: string[], task: string, namedPaths: string[], taskWords: Set<string>): Map<string, number> {
  const taskLower = task.toLowerCase();
  const groups = new Map<string, string[]>();
  for (const rel of files) {
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    const lower = base.toLowerCase();
    if (
      (base.length >= 5 && base.includes('.') && mentionsWord(taskLower, lower)) ||
      namesDocument(task, base) ||
      namesStem(taskLower, lower)
    ) {
      const group = groups.get(lower);
      if (group) {
        group.push(rel);
      } else {
        groups.set(lower, [rel]);
      }
    }
  }
  const out = new Map<string, number>();
  for (const group of groups.values()) {
    if (group.length <= FEW_NAMESAKES) {
      group.forEach((rel) => out.set(rel, 12));
      continue;
    }
    const wordsOfDir = new Map(group.map((rel) => [rel, shared(dirOf(rel).split('/').flatMap(wordsOf), taskWords)]));
    const df = new Map<string, number>();
    for (const words of wordsOfDir.values()) {
      new Set(words).forEach((w) => df.set(w, (df.get(w) ?? 0) + 1));
    }
    const onPath = (rel: string): boolean => {
      const dir = dirOf(rel).toLowerCase();
      return namedPaths.some((p) => p === dir || p.startsWith(`${dir}/`));
    };
    const anyOnPath = group.some(onPath);
    for (const rel of group) {
      const distinct = (wordsOfDir.get(rel) ?? []).some((w) => (df.get(w) ?? 0) * 3 <= group.length);
      out.set(rel, onPath(rel) || dirOf(rel) === '' ? 12 : !anyOnPath && distinct ? 6 : 0.5);
    }
  }
  return out;
}

/** Files that use fewer than this share of the workspace's files say where a name the task writes is handled. */
const USERS_SHARE = 0.02;

/**
 * The files using a name the task writes as code (`strictPort`, `max_age`) that no file declares, such as an option
 * read off an object: they are where it is handled. Worth more the fewer files use it; a name most files use says
 * nothing.
 */
function usersOfUndeclared(
  task: string,
  declared: Set<string>,
  files: string[],
  scans: Map<string, FileScan>,
): Map<string, number> {
  const out = new Map<string, number>();
  const limit = Math.max(5, files.length * USERS_SHARE);
  for (const name of identifiersIn(task)) {
    if (!isCompoundName(name) || declared.has(name)) {
      continue;
    }
    const users = files.filter((rel) => {
      const scan = scans.get(rel);
      return scan !== undefined && usesName(scan, name);
    });
    if (users.length === 0 || users.length > limit) {
      continue;
    }
    const weight = (10 * Math.log1p(files.length / users.length)) / Math.log1p(files.length);
    for (const rel of users) {
      out.set(rel, (out.get(rel) ?? 0) + weight);
    }
  }
  return out;
}

/** A file the task names by its path, or the one the selection is in, is the one to change: it comes first. */
export function putFirst(score: Map<string, number>, named: ReadonlySet<string>): void {
  const best = Math.max(...score.values(), Number.MIN_VALUE);
  for (const rel of named) {
    score.set(rel, best * 1.01 + (score.get(rel) ?? 0) * 0.01);
  }
}

/**
 * A quick test before splitting and stemming a name: it can share a word with the task only if it contains the
 * first letters of one (a stem's first four letters survive in every form: retri/retry, messag/message).
 */
function mayShare(name: string, prefixes: string[]): boolean {
  const lower = name.toLowerCase();
  return prefixes.some((p) => lower.includes(p));
}

/**
 * The distinct words of `words` that meet a task word: the same stem, or one stem starting the other when the shorter
 * has five letters or more (config / configur, render / renderer, valid / validat).
 */
function shared(words: string[], taskWords: Set<string>): string[] {
  return [...new Set(words)].filter((w) => {
    if (taskWords.has(w)) {
      return true;
    }
    for (const t of taskWords) {
      const [short, long] = t.length <= w.length ? [t, w] : [w, t];
      if (short.length >= 5 && long.startsWith(short)) {
        return true;
      }
    }
    return false;
  });
}

function dirOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

/**
 * A task names a conventional document by its capitalised stem alone ("document it in the README", "add a
 * CHANGELOG entry"): README.md, CHANGELOG.md. Only all-capital stems count, written so: lower-case words like
 * "client" name too many files.
 */
function namesDocument(task: string, base: string): boolean {
  const stem = base.slice(0, base.indexOf('.') < 0 ? base.length : base.indexOf('.'));
  return /^[A-Z]{5,}$/.test(stem) && new RegExp(`(?<![A-Za-z0-9])${stem}(?![A-Za-z0-9])`).test(task);
}

/**
 * A task names a file by a stem of several words joined by `-` or `_` ("no-unused-vars", "send_file") written whole:
 * lib/rules/no-unused-vars.js. A one-word stem ("index", "utils") names nothing in particular.
 */
function namesStem(taskLower: string, baseLower: string): boolean {
  const dot = baseLower.indexOf('.');
  const stem = dot < 0 ? baseLower : baseLower.slice(0, dot);
  return stem.length >= 6 && /[a-z0-9][-_][a-z0-9]/.test(stem) && mentionsWord(taskLower, stem);
}

/** Paths of two parts or more written in the task ("packages/http", "src/types.ts"), lower-cased, without ./ */
function pathsIn(taskLower: string): string[] {
  const found = taskLower.match(/[\w@.-]+(?:\/[\w@.-]+)+/g) ?? [];
  return [...new Set(found.map((p) => p.replace(/^(\.\/)+/, '').replace(/[.]+$/, '')))].filter((p) => p.includes('/'));
}

/** True when `rel` occurs in `text` as a whole path: not the tail of a longer one (`src/a.ts` in `lib/src/a.ts`). */
function mentionsPath(text: string, rel: string): boolean {
  for (let i = text.indexOf(rel); i >= 0; i = text.indexOf(rel, i + 1)) {
    if (!/[\w./@-]/.test(text.charAt(i - 1)) && !/[\w-]/.test(text.charAt(i + rel.length))) {
      return true;
    }
  }
  return false;
}

/** True when `word` occurs in `text` with no letter or digit right before or after it. */
function mentionsWord(text: string, word: string): boolean {
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
    const before = text.charAt(i - 1);
    const after = text.charAt(i + word.length);
    if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) {
      return true;
    }
  }
  return false;
}
