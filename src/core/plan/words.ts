import { stemmer } from 'stemmer';

/**
 * Words of identifiers, paths and task text, reduced so that the forms a person writes meet the forms code uses:
 * camelCase, PascalCase, snake_case and kebab-case are split; words are stemmed (Porter: messages → messag =
 * message) and lose an agent suffix (printer → print, parser → pars = parse, formatter → format).
 */

const STOPWORDS = new Set(
  (
    'a an and are as at be by can do does each for from has have how i if in into is it its make makes me my new ' +
    'no not of on or our should so some than that the their them then there these this to up use used uses using ' +
    'was we were what when where which while will with would you your add adds added change changes fix fixes ' +
    'update updates file files code please also all any instead like same only just more less other via per get set ' +
    'src lib dist index main js ts tsx jsx py go rs java cs md json'
  ).split(' '),
);

/** Task words that say the task is about supporting code, so tests, fixtures or examples are not weighed down. */
const SUPPORT_WORDS: Record<string, string> = {
  test: 'test',
  tests: 'test',
  testing: 'test',
  spec: 'test',
  specs: 'test',
  unittest: 'test',
  fixture: 'fixture',
  fixtures: 'fixture',
  snapshot: 'snapshot',
  snapshots: 'snapshot',
  example: 'example',
  examples: 'example',
  demo: 'example',
  generated: 'generated',
  codegen: 'generated',
  sample: 'fixture',
  samples: 'fixture',
  benchmark: 'test',
  benchmarks: 'test',
  typings: 'types',
  declaration: 'types',
  declarations: 'types',
  dts: 'types',
};

const DOUBLED = /([b-df-hj-kmnp-rtv-y])\1$/;

/** Names repeat across a repository (every file's `render`, `options`): words are worked out once per name. */
const MEMO_LIMIT = 200_000;
const stems = new Map<string, string>();
const memo = new Map<string, string[]>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= MEMO_LIMIT) {
    cache.clear();
  }
  cache.set(key, value);
  return value;
}

/** The stem a word is compared by. */
export function stemOf(word: string): string {
  const w = word.toLowerCase();
  if (w.length < 4) {
    return w;
  }
  const known = stems.get(w);
  if (known !== undefined) {
    return known;
  }
  let s = stemmer(w);
  if (s.length >= 6 && s.endsWith('er')) {
    s = s.slice(0, -2);
  }
  return remember(stems, w, DOUBLED.test(s) ? s.slice(0, -1) : s);
}

/** The raw lower-case pieces of an identifier, path or sentence: `parseHTTPHeaders` → parse, http, headers. */
export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 2);
}

/** Stemmed words worth matching (stopwords and support words dropped): `parseHTTPHeaders` → pars, http, head. */
export function wordsOf(text: string): string[] {
  const known = memo.get(text);
  if (known) {
    return known;
  }
  const words = splitWords(text)
    .filter((w) => !STOPWORDS.has(w) && !Object.hasOwn(SUPPORT_WORDS, w) && !/^\d+$/.test(w))
    .map(stemOf);
  return remember(memo, text, words);
}

/** A name only code writes: an inner capital or an underscore between letters (`sourceType`, `max_age`). */
const COMPOUND = /[a-z0-9][A-Z]|[A-Za-z0-9]_[A-Za-z0-9]/;

/**
 * The words of a task's prose: its compound identifiers (`sourceType`, `allowYieldOutsideFunction`) are left out, not
 * split, since the task names those very names, not every definition with "type" or "function" in its name.
 */
export function proseWordsOf(text: string): string[] {
  return wordsOf(text.replace(/[A-Za-z_$][\w$]*/g, (id) => (isCompoundName(id) ? ' ' : id)));
}

/** True for a name only code writes (`sourceType`, `max_age`), never a plain word. */
export function isCompoundName(name: string): boolean {
  return COMPOUND.test(name);
}

/** The kinds of supporting code a task is about (`add tests for …` → test), so they keep their weight. */
export function supportTargets(task: string): Set<string> {
  const out = new Set<string>();
  for (const w of splitWords(task)) {
    const kind = SUPPORT_WORDS[w];
    if (kind) {
      out.add(kind);
    }
  }
  return out;
}

/**
 * Whether a text names `name` as code rather than using it as a plain word: a name that is also a common word
 * ("a test", "the spec", "for each") counts only when written as code there — in backticks, called (`test(`), or
 * joined by a dot (`it.test`, `test.each`). Any other identifier counts wherever it appears.
 */
export function namesAsCode(text: string, name: string): boolean {
  const lower = name.toLowerCase();
  if (!STOPWORDS.has(lower) && !Object.hasOwn(SUPPORT_WORDS, lower)) {
    return true;
  }
  const n = name.replace(/\$/g, '\\$');
  return new RegExp(
    `\`[^\`]*(?<![\\w$])${n}(?![\\w$])[^\`]*\`|(?<![\\w$])${n}\\(|\\.${n}(?![\\w$])|(?<![\\w$])${n}\\.\\w`,
  ).test(text);
}

/** Identifiers as written in a text (`Parser.parseDocument`, `MESSAGE_LIMIT`), at least three characters long. */
export function identifiersIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/[A-Za-z_$][\w$]{2,}/g)) {
    out.add(m[0]);
  }
  return out;
}
