import type { Focus, LineRange, Plan, Subtask } from '../../../src/core/plan/schema';
import type { FakeBlock } from '../../fake-anthropic/replies';
import { LIB_PACKAGES, packageFiles } from './libRepo';
import type { LibPackage } from './libSource';

/**
 * The feature both sides carry out, with the same edits: a `requestTimeoutMs` option in k client packages, each
 * time declared in the types file, given a default, used twice in the client (the request and the error mapping),
 * tested and documented — 5 files and 6 edits per package.
 */
export interface JobEdit {
  pkg: LibPackage;
  path: string;
  oldStr: string;
  newStr: string;
  /** 1-based line where oldStr starts in the committed file. */
  line: number;
}

export interface Job {
  size: number;
  packages: LibPackage[];
  task: string;
  edits: JobEdit[];
  /** The plan as made after a search; a planner whose map names the places plans with the map's lines instead. */
  plan: Plan;
}

/**
 * Thinking per turn, in tokens (the text is written at 3.5 characters a token, like every other count here). The
 * same work gets the same thinking on both sides: locating the code (Claude Code's search turn and its read turn; the
 * planner does that locating from its map), each edit, and each closing answer.
 */
export const THINKING = {
  locatePerTurn: 200,
  perEdit: 100,
  closing: 50,
} as const;

export const THINKING_RULE =
  `thinking blocks on every turn, written to a token count: ${THINKING.locatePerTurn} per locating turn (Claude ` +
  `Code's search and read turns; the planner's search and plan calls, the same locating from its map and search; ` +
  'a worker that reads what its slices left out), ' +
  `${THINKING.perEdit} per edit on the turn that makes it (both sides) and ${THINKING.closing} per closing answer ` +
  '(Claude Code once, each worker once)';

const OPTION_DOC = [
  '',
  '  /**',
  '   * Milliseconds before an attempt is aborted with a TimeoutError; 0 turns the timeout off.',
  '   * @default 30000',
  '   */',
  '  requestTimeoutMs?: number;',
].join('\n');

function lineOf(text: string, needle: string, where: string): number {
  const at = text.indexOf(needle);
  if (at < 0 || text.indexOf(needle, at + 1) >= 0) {
    throw new Error(`the generated ${where} does not hold the edit's old text exactly once`);
  }
  return text.slice(0, at).split('\n').length;
}

function packageEdits(pkg: LibPackage, files: Map<string, string>): JobEdit[] {
  const at = packageFiles(pkg);
  // The new tests call the same list method as the retry test they go before.
  const list = /await client\.(list\w+)\(\);/.exec(files.get(at.test) ?? '')?.[1];
  if (!list) {
    throw new Error(`the generated ${at.test} has no list call for the new tests to use`);
  }
  const raw: Omit<JobEdit, 'line' | 'pkg'>[] = [
    {
      path: at.types,
      oldStr:
        '   * How many times a failed request is retried (429, 5xx and network errors).\n   * @default 2\n   */\n' +
        '  maxRetries?: number;',
      newStr:
        '   * How many times a failed request is retried (429, 5xx and network errors).\n   * @default 2\n   */\n' +
        `  maxRetries?: number;${OPTION_DOC}`,
    },
    { path: at.defaults, oldStr: '  maxRetries: 2,\n', newStr: '  maxRetries: 2,\n  requestTimeoutMs: 30_000,\n' },
    {
      path: at.client,
      oldStr: '      const signal = init.signal ?? undefined;\n',
      newStr: [
        '      const signal =',
        '        this.options.requestTimeoutMs > 0',
        '          ? anySignal(init.signal, AbortSignal.timeout(this.options.requestTimeoutMs))',
        '          : init.signal;',
        '',
      ].join('\n'),
    },
    {
      path: at.client,
      oldStr: "  if (err instanceof DOMException && err.name === 'AbortError') {\n",
      newStr: [
        "  if (err instanceof DOMException && err.name === 'TimeoutError') {",
        '    return new TimeoutError(`${method} ${url} timed out`);',
        '  }',
        "  if (err instanceof DOMException && err.name === 'AbortError') {",
        '',
      ].join('\n'),
    },
    {
      path: at.test,
      oldStr: "  it('retries a 503 up to maxRetries times', async () => {\n",
      newStr: [
        "  it('aborts an attempt after requestTimeoutMs with a TimeoutError', async () => {",
        `    const client = new ${pkg.clientClass}({ fetch: neverAnswers(), requestTimeoutMs: 20, maxRetries: 0 });`,
        `    await expect(client.${list}()).rejects.toBeInstanceOf(TimeoutError);`,
        '  });',
        '',
        "  it('never times out when requestTimeoutMs is 0', async () => {",
        `    const client = new ${pkg.clientClass}({ fetch: recordingFetch(), requestTimeoutMs: 0 });`,
        `    await expect(client.${list}()).resolves.toBeDefined();`,
        '  });',
        '',
        "  it('retries a 503 up to maxRetries times', async () => {",
        '',
      ].join('\n'),
    },
    {
      path: at.readme,
      oldStr:
        '| `maxRetries` | `number` | `2` | How many times a failed request is retried (429, 5xx and network errors). |\n',
      newStr:
        '| `maxRetries` | `number` | `2` | How many times a failed request is retried (429, 5xx and network errors). |\n' +
        '| `requestTimeoutMs` | `number` | `30000` | Milliseconds before an attempt is aborted with a `TimeoutError`; ' +
        '`0` turns the timeout off. Each retry gets the full time again. |\n',
    },
  ];
  return raw.map((e) => ({ ...e, pkg, line: lineOf(files.get(e.path) ?? '', e.oldStr, e.path) }));
}

function names(pkgs: LibPackage[]): string {
  const list = pkgs.map((p) => `${p.clientClass} (packages/${p.name})`);
  return list.length === 1 ? (list[0] as string) : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}

export function taskOf(pkgs: LibPackage[]): string {
  const each = pkgs.length > 1 ? '. In each package:' : ':';
  return (
    `Add a \`requestTimeoutMs\` option to ${names(pkgs)}${each} declare it in ClientOptions in src/types.ts next ` +
    'to maxRetries (default 30000), set the default in DEFAULT_OPTIONS in src/defaults.ts, make the client’s request ' +
    'method abort each attempt after that many milliseconds (0 turns it off) and have normalizeError turn the ' +
    'timeout into a TimeoutError, add tests to test/client.test.ts, and document the option in the package README.'
  );
}

/**
 * The planner's search before it plans, when its map does not name the places the task points at in the tests and
 * the README (the retry test the new tests go before, the Options table with the maxRetries row): it looks for them
 * to give their line ranges.
 */
export const PLANNER_SEARCH = {
  pattern: "it\\('retries a 503 up to maxRetries times'|^\\| `maxRetries` \\|",
  ignore_case: false,
} as const;

export function plannerSearchPath(pkgs: readonly LibPackage[]): string {
  return pkgs.length === 1 ? `packages/${pkgs[0]?.name}` : 'packages';
}

/**
 * The map entries that name those places, as the map writes them: the retry test (a test block, with its title) and
 * the Options section of the README (a heading). A planner shown both for every package plans without searching.
 */
export const MAP_PLACES = {
  test: "it('retries a 503 up to maxRetries times')",
  readme: '## Options',
} as const;

/** Where the tests and the README of a package are to be worked on: line ranges the map or the search gave. */
export type PlacesOf = (pkg: LibPackage, path: string) => LineRange | undefined;

/** A few lines before the line the search found, and that line. */
const searchedPlaces =
  (edits: readonly JobEdit[]): PlacesOf =>
  (_pkg, path) => {
    const found = edits.find((e) => e.path === path)?.line ?? 1;
    return { start: Math.max(1, found - 8), end: found };
  };

/**
 * What the planner names per file, from its map, the task and (when the map does not name them) its search: the
 * definitions the task names (maxRetries in ClientOptions, the client's request method, normalizeError); nothing for
 * a file under its whole-file threshold (defaults); for the tests and the README, the lines of the place.
 */
function focusOf(pkg: LibPackage, path: string, places: PlacesOf): Focus {
  const at = packageFiles(pkg);
  if (path === at.test || path === at.readme) {
    const range = places(pkg, path);
    return { symbols: [], lines: range ? [range] : [] };
  }
  const symbols =
    path === at.types
      ? ['ClientOptions.maxRetries']
      : path === at.client
        ? [`${pkg.clientClass}.request`, 'normalizeError']
        : [];
  return { symbols, lines: [] };
}

/**
 * The plan, with the tests' and READMEs' places from `places`. Each subtask's focus holds every line it changes and
 * its instructions say what to write, so the planner expects each worker to edit and finish in one reply.
 */
export function planOf(pkgs: LibPackage[], task: string, places: PlacesOf): Plan {
  const files = (pick: (f: ReturnType<typeof packageFiles>) => string[]) =>
    pkgs.flatMap((p) =>
      pick(packageFiles(p)).map((path) => ({ path, create: false, focus: focusOf(p, path, places) })),
    );
  const where = pkgs.map((p) => `packages/${p.name}`).join(', ');
  const code: Subtask = {
    id: 'timeout-option',
    title: 'Add requestTimeoutMs to the client options and use it in the request path',
    model: 'sonnet',
    effort: 'medium',
    oneReply: true,
    files: files((f) => [f.types, f.defaults, f.client]),
    dependsOn: [],
    instructions:
      `In each of ${where}: (1) in src/types.ts add \`requestTimeoutMs?: number;\` to ClientOptions right after ` +
      '`maxRetries?: number;`, with a JSDoc comment in the same style ("Milliseconds before an attempt is aborted ' +
      'with a TimeoutError; 0 turns the timeout off." and `@default 30000`). (2) In src/defaults.ts add ' +
      '`requestTimeoutMs: 30_000,` to DEFAULT_OPTIONS after `maxRetries: 2,`. (3) In src/client.ts, in the ' +
      'client’s private request method, replace `const signal = init.signal ?? undefined;` with a signal that ' +
      'combines init.signal and AbortSignal.timeout(this.options.requestTimeoutMs) through anySignal (already ' +
      'imported from ./internal) when the option is above 0, else init.signal. (4) In normalizeError at the end of ' +
      "src/client.ts, before the AbortError case, return a TimeoutError (already imported) for a DOMException named 'TimeoutError', with the message `${method} ${url} timed out`.",
    acceptanceCriteria: [
      'ClientOptions declares requestTimeoutMs with a JSDoc comment and @default 30000.',
      'DEFAULT_OPTIONS sets requestTimeoutMs to 30_000.',
      'Every attempt of request() aborts after requestTimeoutMs milliseconds; 0 disables the timeout.',
      'normalizeError maps a timeout to TimeoutError and still maps a caller abort to AbortedError.',
    ],
  };
  const test: Subtask = {
    id: 'timeout-tests',
    title: 'Test requestTimeoutMs',
    model: 'sonnet',
    effort: 'medium',
    oneReply: true,
    files: files((f) => [f.test]),
    dependsOn: [],
    instructions:
      `In each test/client.test.ts of ${where}, inside describe('options'), add two tests before ` +
      "`it('retries a 503 up to maxRetries times'`: one that builds the client with fetch: neverAnswers(), " +
      'requestTimeoutMs: 20 and maxRetries: 0 and expects the list call of the retry test to reject with ' +
      'TimeoutError, and one with requestTimeoutMs: 0 and recordingFetch() that expects it to resolve. TimeoutError, neverAnswers and ' +
      'recordingFetch are already imported.',
    acceptanceCriteria: [
      'A test shows a request that never answers rejects with TimeoutError after requestTimeoutMs.',
      'A test shows requestTimeoutMs: 0 never times out.',
    ],
  };
  const docs: Subtask = {
    id: 'timeout-docs',
    title: 'Document requestTimeoutMs in the READMEs',
    model: 'haiku',
    effort: 'low',
    oneReply: true,
    files: files((f) => [f.readme]),
    dependsOn: [],
    instructions:
      `In the Options table of each README.md of ${where}, add a row after the \`maxRetries\` row: ` +
      '| `requestTimeoutMs` | `number` | `30000` | Milliseconds before an attempt is aborted with a `TimeoutError`; ' +
      '`0` turns the timeout off. Each retry gets the full time again. |',
    acceptanceCriteria: ['Each README’s Options table documents requestTimeoutMs, its type and its default.'],
  };
  const clients = pkgs.map((p) => `packages/${p.name}`).join(', ');
  return { goal: `Add a requestTimeoutMs option to the clients of ${clients}`, subtasks: [code, test, docs] };
}

/** The job of size k (1, 2 or 4 packages) on the generated library's files. */
export function jobOf(size: number, files: Map<string, string>): Job {
  const packages = LIB_PACKAGES.slice(0, size);
  if (packages.length !== size) {
    throw new Error(`a job of size ${size} needs ${size} packages; the library has ${LIB_PACKAGES.length}`);
  }
  const task = taskOf(packages);
  const edits = packages.flatMap((p) => packageEdits(p, files));
  return { size, packages, task, edits, plan: planOf(packages, task, searchedPlaces(edits)) };
}

/** The edits of a subtask: those on the files in its scope. */
export function editsOf(job: Job, subtask: Subtask): JobEdit[] {
  const scope = new Set(subtask.files.map((f) => f.path));
  return job.edits.filter((e) => scope.has(e.path));
}

/** The committed files with every edit of the job applied: what both sides must leave behind. */
export function expectedFiles(job: Job, files: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of job.edits) {
    const text = out.get(e.path) ?? (files.get(e.path) as string);
    out.set(
      e.path,
      text.replace(e.oldStr, () => e.newStr),
    );
  }
  return out;
}

const THOUGHTS = [
  'The option belongs next to maxRetries so the transport settings stay together.',
  'DEFAULT_OPTIONS is typed as ResolvedOptions, so the new default keeps the object complete.',
  'Each attempt needs its own timeout: the signal is built inside the retry loop, not once per call.',
  'A caller abort must still surface as AbortedError, so the TimeoutError case goes before it.',
  'anySignal and TimeoutError are already imported, so no import lines change.',
  'The tests can use neverAnswers, which rejects with the signal reason once the timeout fires.',
  'The README table keeps one row per option in the order of ClientOptions.',
  'Zero has to mean no timeout at all, which the ternary keeps explicit.',
];

/** A thinking block of about `tokens` tokens (3.5 characters each), deterministic. */
export function thinkingOf(tokens: number, topic: string): FakeBlock {
  const target = Math.round(tokens * 3.5);
  let text = `${topic} `;
  for (let i = 0; text.length < target; i++) {
    text += `${THOUGHTS[i % THOUGHTS.length]} `;
  }
  // A short fixed signature: a real one is opaque and is not counted as prompt text by the API.
  return { type: 'thinking', thinking: text.slice(0, target).trimEnd(), signature: 'YmVuY2g=' };
}
