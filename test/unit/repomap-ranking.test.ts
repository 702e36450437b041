import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { CACHE_FILE } from '../../src/core/plan/mapCache';
import { buildRepoMap } from '../../src/core/plan/repoMap';
import { scanText } from '../../src/core/plan/scan';
import { seedFiles } from '../../src/core/plan/seeds';

async function makeRepo(files: Record<string, string>): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'repomap-rank-'));
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), text);
  }
  await simpleGit(root).init();
  return root;
}

/** Lines of the map's file tree that fall under `prefix` (a folder line, a file or a definition under it). */
function linesUnder(text: string, prefix: string): number {
  const files = text.slice(text.indexOf('## Files'), text.indexOf('## Git') < 0 ? undefined : text.indexOf('## Git'));
  let inside = false;
  let n = 0;
  for (const line of files.split('\n')) {
    if (!line.startsWith(' ')) {
      inside = line.startsWith(prefix);
    }
    n += inside ? 1 : 0;
  }
  return n;
}

describe('repository map ranking', function () {
  this.timeout(60_000);
  const roots: string[] = [];
  after(async () => {
    await Promise.all(roots.map((r) => fs.rm(r, { recursive: true, force: true })));
  });
  async function repo(files: Record<string, string>): Promise<string> {
    const root = await makeRepo(files);
    roots.push(root);
    return root;
  }

  it('puts the printer code above hundreds of fixture folders whose paths repeat the task words', async () => {
    const files: Record<string, string> = {
      'src/printer/printer.ts': [
        "import { hasComment } from '../comments/attach';",
        '',
        'export function printDocument(doc: Doc): string {',
        '  return doc.parts.map((p) => printNode(p)).join("");',
        '}',
        '',
        'export function printComments(node: Node): string {',
        '  return hasComment(node) ? "/* */" : "";',
        '}',
        '',
        'export function printArray(node: Node): string {',
        '  return printComments(node);',
        '}',
        '',
      ].join('\n'),
      'src/comments/attach.ts': 'export function hasComment(node: Node): boolean {\n  return !!node;\n}\n',
      'src/main/core.ts':
        "import { printDocument } from '../printer/printer';\nexport function format(text: string) {\n  return printDocument(parse(text));\n}\n",
      'src/language-js/parse.ts': 'export function parse(text: string): Doc {\n  return { parts: [] };\n}\n',
    };
    for (let i = 0; i < 40; i++) {
      files[`src/language-js/utils/util${i}.ts`] = `export function helper${i}(x: number): number {\n  return x;\n}\n`;
    }
    for (let i = 0; i < 300; i++) {
      const dir = `tests/format/js/comments-printer/array-comments-${i}`;
      files[`${dir}/jsfmt.spec.js`] = `runFormatTest(import.meta, ["babel"]);\n`;
      files[`${dir}/format.test.js`] = `// printer comments arrays ${i}\nconst a = [1, /* c */ 2];\n`;
    }
    const root = await repo(files);
    const map = await buildRepoMap({
      root,
      task: 'Fix how the printer prints comments inside arrays',
      budgetTokens: 4_000,
    });
    assert.match(
      map.text,
      /src\/printer\/\n {2}printer\.ts\n(?: {4}.*\n)* {4}export function printComments\(node: Node\): string L7-9/,
    );
    const fixtureLines = linesUnder(map.text, 'tests/');
    assert.ok(fixtureLines <= 10, `${fixtureLines} lines of fixtures:\n${map.text}`);
    assert.ok(map.shownFiles.indexOf('src/printer/printer.ts') >= 0);
  });

  it('opens the implementation, the message sources and the generator script, not 700 sample folders', async () => {
    const files: Record<string, string> = {
      'packages/compiler/src/diagnostics/messages.ts': [
        'export const UNUSED_VARIABLE = "\'{0}\' is declared but its value is never read.";',
        'export const UNREACHABLE_CODE = "Unreachable code detected.";',
        '',
      ].join('\n'),
      'packages/compiler/src/diagnostics/report.ts':
        "import { UNUSED_VARIABLE } from './messages';\nexport function reportUnusedVariable(name: string): string {\n  return UNUSED_VARIABLE.replace('{0}', name);\n}\n",
      'packages/compiler/src/checker.ts':
        "import { reportUnusedVariable } from './diagnostics/report';\nexport function checkVariables(names: string[]) {\n  names.forEach(reportUnusedVariable);\n}\n",
      'packages/compiler/scripts/generate-messages.ts':
        "import { writeFileSync } from 'node:fs';\nexport function generateMessages(source: string) {\n  writeFileSync('src/diagnostics/messages.ts', source);\n}\n",
    };
    for (let i = 0; i < 30; i++) {
      files[`packages/compiler/src/emit/emitter${i}.ts`] =
        `export function emitNode${i}(n: number) {\n  return n;\n}\n`;
    }
    for (let i = 0; i < 700; i++) {
      const dir = `packages/compiler/tests/samples/unused-variable-message-${i}`;
      files[`${dir}/input.ts`] = `let unused${i} = 1;\n`;
      files[`${dir}/expected.txt`] = `'unused${i}' is declared but its value is never read.\n`;
    }
    const root = await repo(files);
    const map = await buildRepoMap({
      root,
      task: 'Reword the diagnostic message for unused variables',
      budgetTokens: 4_000,
    });
    for (const rel of [
      'packages/compiler/src/diagnostics/messages.ts',
      'packages/compiler/src/diagnostics/report.ts',
      'packages/compiler/scripts/generate-messages.ts',
    ]) {
      assert.ok(map.shownFiles.includes(rel), `${rel} is not in the map:\n${map.text}`);
    }
    assert.match(map.text, /export const UNUSED_VARIABLE L1-1/);
    const sampleLines = linesUnder(map.text, 'packages/compiler/tests/');
    assert.ok(sampleLines <= 10, `${sampleLines} lines of samples`);
  });

  it('lifts the tests of what the task names when it asks for tests, not every test', async () => {
    const files: Record<string, string> = {
      'src/args.ts': 'export function parseArgs(argv: string[]): string[] {\n  return argv;\n}\n',
      'test/args.test.ts': "import { parseArgs } from '../src/args';\nit('parses', () => parseArgs([]));\n",
    };
    for (let i = 0; i < 120; i++) {
      files[`src/feature${i}.ts`] = `export function feature${i}() {\n  return ${i};\n}\n`;
      files[`test/feature${i}.test.ts`] =
        `import { feature${i} } from '../src/feature${i}';\nit('works', () => feature${i}());\n`;
    }
    const root = await repo(files);
    const map = await buildRepoMap({ root, task: 'Add tests for parseArgs', budgetTokens: 2_000 });
    assert.deepEqual(new Set(map.ranked.slice(0, 2)), new Set(['src/args.ts', 'test/args.test.ts']), map.text);
    assert.match(map.text, /export function parseArgs\(argv: string\[\]\): string\[\] L1-3/);
    const otherTestsWithDefinitions = [...map.shownSymbols.keys()].filter((f) => f.startsWith('test/feature'));
    assert.ok(otherTestsWithDefinitions.length < 10, `${otherTestsWithDefinitions.length} unrelated tests detailed`);
  });

  it('sets the files of a folder the task names apart from their namesakes in sibling folders', () => {
    const files = ['packages/http/src/types.ts', 'packages/socket/src/types.ts', 'packages/http/README.md'];
    const text = 'export interface ClientOptions {}\nexport class HttpClient {}\n';
    const scans = new Map(files.map((rel) => [rel, scanText(rel, text)]));
    const task = 'Add a timeout option to ClientOptions in packages/http (src/types.ts) and its README';
    const { seeds } = seedFiles(files, scans, { task, changed: new Set() });
    const http = seeds.get('packages/http/src/types.ts') ?? 0;
    const socket = seeds.get('packages/socket/src/types.ts') ?? 0;
    assert.ok(http >= socket + 6, `http ${http}, socket ${socket}`);
    assert.ok((seeds.get('packages/http/README.md') ?? 0) > 0);
  });

  it('holds a word that hundreds of folders share (the package’s name) to a few files’ worth of the restarts', () => {
    const handlers = Array.from({ length: 300 }, (_, i) => `packages/vite/src/node/feature${i}/handler.ts`);
    const files = ['packages/vite/src/node/cli.ts', ...handlers];
    const scans = new Map(files.map((rel) => [rel, scanText(rel, 'export function run(): void {}\n')]));
    const { seeds } = seedFiles(files, scans, { task: 'Add a --verbose flag to the vite CLI', changed: new Set() });
    const cli = seeds.get('packages/vite/src/node/cli.ts') ?? 0;
    const spread = handlers.reduce((n, rel) => n + (seeds.get(rel) ?? 0), 0);
    // Unbounded, the 300 folders' shares of "vite" outweighed the file "CLI" names more than ten times over.
    assert.ok(spread < 1.5 * cli, `cli.ts ${cli.toFixed(2)}, all the folders sharing "vite" ${spread.toFixed(2)}`);
  });

  it('weighs a file named for a word of the task above one that only declares a rarer word of it', () => {
    // As in Vite: "the vite CLI" is cli.ts, though a folder of CLI fixtures makes "cli" common and one definition
    // elsewhere happens to share "shows".
    const fixtures = Array.from({ length: 20 }, (_, i) => `playground/cli/case${i}.ts`);
    const filler = Array.from({ length: 200 }, (_, i) => `src/node/feature${i}/handler.ts`);
    const files = ['src/node/cli.ts', 'src/client/client.ts', 'src/node/cliShortcuts.ts', ...fixtures, ...filler];
    const sources: Record<string, string> = {
      'src/client/client.ts': 'export function showErrorOverlay(): void {}\n',
    };
    const scans = new Map(files.map((rel) => [rel, scanText(rel, sources[rel] ?? 'export function run(): void {}\n')]));
    const { seeds } = seedFiles(files, scans, {
      task: 'Add a --verbose flag to the vite CLI that shows verbose logs',
      changed: new Set(),
    });
    const cli = seeds.get('src/node/cli.ts') ?? 0;
    const client = seeds.get('src/client/client.ts') ?? 0;
    const partly = seeds.get('src/node/cliShortcuts.ts') ?? 0;
    assert.ok(cli > client, `cli.ts ${cli.toFixed(2)}, client.ts ${client.toFixed(2)}`);
    assert.ok(cli > 1.5 * partly, `cli.ts ${cli.toFixed(2)}, cliShortcuts.ts ${partly.toFixed(2)}`);
  });

  it('holds a folder the task names to a few files’ worth of the restarts however many files it has', () => {
    const big = Array.from({ length: 2000 }, (_, i) => `packages/big/src/module${i}.ts`);
    const files = [...big, 'packages/small/src/options.ts'];
    const scans = new Map(files.map((rel) => [rel, scanText(rel, 'export function run(): void {}\n')]));
    const { seeds } = seedFiles(files, scans, { task: 'Add a retry option in packages/big', changed: new Set() });
    const folder = big.reduce((n, rel) => n + (seeds.get(rel) ?? 0), 0);
    // At 6 a file, the 2,000 files would have held 12,000 of it; now 30 files' worth, plus what their folders'
    // words share with the task.
    assert.ok(folder < 300, `the folder's files hold ${folder.toFixed(1)}`);
    assert.ok((seeds.get('packages/big/src/module1.ts') ?? 0) > 0);
  });

  it('takes a package named by its package name (`@acme/tokenizer`) as naming its folder', async () => {
    // The folders' names say nothing of the packages', as in monorepos whose folders predate a rename.
    const options =
      'export interface Options {\n  strictMode?: boolean;\n}\nexport function getOptions(): Options {\n  return {};\n}\n';
    const files: Record<string, string> = {
      'package.json': '{ "name": "acme-monorepo", "private": true }\n',
      'packages/p1/package.json': '{ "name": "@acme/printer" }\n',
      'packages/p2/package.json': '{ "name": "@acme/tokenizer" }\n',
      'packages/p1/src/options.ts': options,
      'packages/p2/src/options.ts': options,
    };
    const root = await repo(files);
    const map = await buildRepoMap({ root, task: 'Add a maxNestingDepth option to @acme/tokenizer' });
    assert.deepEqual(
      map.ranked.filter((rel) => rel.endsWith('options.ts')),
      ['packages/p2/src/options.ts', 'packages/p1/src/options.ts'],
    );
  });

  it('takes "a test" in a task as a word, not as the name of every `test` function', () => {
    const files = ['src/helpers.py', 'tests/test_cli.py'];
    const scans = new Map([
      ['src/helpers.py', scanText('src/helpers.py', 'def send_file(path):\n    pass\n')],
      ['tests/test_cli.py', scanText('tests/test_cli.py', 'def test():\n    pass\ndef check():\n    test()\n')],
    ]);
    const plain = seedFiles(files, scans, {
      task: 'Let send_file take max_age=0, with docs and a test',
      changed: new Set(),
    });
    assert.deepEqual([...plain.mentioned], ['send_file']);
    assert.ok((plain.seeds.get('src/helpers.py') ?? 0) > (plain.seeds.get('tests/test_cli.py') ?? 0) * 2);
    const asCode = seedFiles(files, scans, { task: 'Make `test` in the CLI tests async', changed: new Set() });
    assert.deepEqual([...asCode.mentioned], ['test']);
  });

  it('puts the package the task names first and shows what the task points at, not every type of its files', async () => {
    // Four packages alike, each with a types file of many interfaces the task says nothing about.
    const files: Record<string, string> = {};
    for (const pkg of ['alpha', 'beta', 'gamma', 'http']) {
      const types = ['export interface ClientOptions {', '  maxRetries?: number;', '  baseUrl?: string;', '}'];
      types.push('export class HttpError extends Error {}');
      for (let i = 0; i < 60; i++) {
        types.push(`export interface Record${i}Body {`, `  id: string;`, `  version${i}: number;`, '}');
      }
      files[`packages/${pkg}/src/types.ts`] = `${types.join('\n')}\n`;
      files[`packages/${pkg}/src/client.ts`] = [
        "import type { ClientOptions } from './types';",
        ...Array.from({ length: 60 }, (_, i) => `import type { Record${i}Body } from './types';`),
        'export class Client {',
        '  constructor(readonly options: ClientOptions) {}',
        ...Array.from(
          { length: 60 },
          (_, i) => `  get${i}(): Record${i}Body | undefined {\n    return undefined;\n  }`,
        ),
        '}',
        '',
      ].join('\n');
    }
    const root = await repo(files);
    const map = await buildRepoMap({
      root,
      task: 'Add a requestTimeoutMs option to ClientOptions in packages/http (src/types.ts), next to maxRetries',
    });
    assert.equal(map.ranked[0], 'packages/http/src/types.ts', map.ranked.slice(0, 4).join(', '));
    const shown = map.shownSymbols.get('packages/http/src/types.ts') ?? [];
    assert.ok(shown.includes('ClientOptions') && shown.includes('ClientOptions.maxRetries'), shown.join(', '));
    // Past its first 2,000 tokens the map adds only what the task points at: every package's ClientOptions.
    for (const pkg of ['alpha', 'beta', 'gamma']) {
      const keys = map.shownSymbols.get(`packages/${pkg}/src/types.ts`) ?? [];
      assert.ok(keys.includes('ClientOptions.maxRetries'), `${pkg}: ${keys.join(', ')}\n${map.text}`);
    }
    assert.ok(map.tokens < 2_400, `${map.tokens} tokens:\n${map.text}`);
  });

  it('keeps a small repository map small: no padding up to the budget', async () => {
    const root = await repo({
      'src/a.ts': 'export function alpha(): number {\n  return 1;\n}\n',
      'src/b.ts': "import { alpha } from './a';\nexport class Beta {\n  run(): number {\n    return alpha();\n  }\n}\n",
      'README.md': '# tiny\n',
    });
    const map = await buildRepoMap({ root, task: 'Make Beta.run return two', budgetTokens: 20_000 });
    assert.equal(map.truncated, false);
    assert.ok(map.tokens < 200, `${map.tokens} tokens for three files`);
    assert.match(map.text, /export class Beta L2-6\n {6}run\(\): number L3-5/);
  });

  it('names a dozen of the packages of a large monorepo and sums up the rest in one line', async () => {
    const files: Record<string, string> = {
      'packages/parser/src/options.ts':
        'export interface Options {\n  strictMode: boolean;\n}\nexport function getOptions(o: Options): Options {\n  return o;\n}\n',
    };
    for (let i = 0; i < 150; i++) {
      files[`packages/plugin-${i}/src/index.ts`] = `export function plugin${i}(): number {\n  return ${i};\n}\n`;
      files[`packages/plugin-${i}/package.json`] = `{ "name": "plugin-${i}" }\n`;
    }
    const root = await repo(files);
    const map = await buildRepoMap({
      root,
      task: 'getOptions should reject strictMode in scripts',
      budgetTokens: 20_000,
    });
    assert.ok(map.shownFiles.includes('packages/parser/src/options.ts'), map.text);
    const collapsed = map.text.split('\n').filter((l) => /^packages\/plugin-\d+\/ \(\d+ files?\)$/.test(l));
    assert.ok(collapsed.length <= 12, `${collapsed.length} collapsed packages:\n${map.text}`);
    const hidden = /^packages\/ … \+(\d+) more folders \((\d+) files\)$/m.exec(map.text);
    assert.ok(hidden, map.text);
    // Every package is named or counted: the ones left out are in the line's figures.
    const named = new Set([...map.text.matchAll(/^packages\/(plugin-\d+)\//gm)].map((m) => m[1]));
    assert.equal(Number(hidden[1]) + named.size, 150);
    assert.equal(Number(hidden[2]), (150 - named.size) * 2);
  });

  it('ranks first the file the task names by its path, above a namesake the whole repository uses', async () => {
    const files: Record<string, string> = {
      'packages/core/src/options.ts': 'export function loadOptions(): object {\n  return {};\n}\n',
      'packages/parser/src/options.ts': 'export function getOptions(o: object): object {\n  return o;\n}\n',
    };
    for (let i = 0; i < 40; i++) {
      files[`packages/core/src/step${i}.ts`] =
        `import { loadOptions } from './options';\nexport function step${i}() {\n  return loadOptions();\n}\n`;
    }
    const root = await repo(files);
    const map = await buildRepoMap({
      root,
      task: 'In packages/parser/src/options.ts, make the options check reject unknown keys',
    });
    assert.equal(map.ranked[0], 'packages/parser/src/options.ts');
    // A path written in the task is not the tail of a longer one.
    const other = await buildRepoMap({ root, task: 'In vendor/packages/parser/src/options.ts, check the options' });
    assert.notEqual(other.ranked[0], 'packages/parser/src/options.ts');
  });

  it('finds the files that read an option the task names, though no file declares it', async () => {
    const files: Record<string, string> = {
      'src/http.ts': [
        'export async function startServer(server: Server, options: ServerOptions): Promise<number> {',
        '  const port = options.port;',
        '  if (options.strictPort && (await taken(port))) {',
        "    throw new Error('port taken');",
        '  }',
        '  return port;',
        '}',
        '',
      ].join('\n'),
      'src/config.ts':
        'export function resolveConfig(c: Config) {\n  return { strictPort: c.strictPort ?? false };\n}\n',
    };
    // Many files share the task's plain words (server, port, error, dev) without handling the option.
    for (let i = 0; i < 60; i++) {
      files[`src/server/devServer${i}.ts`] =
        `export function devServerError${i}(port: number): Error {\n  return new Error('dev server port ' + port);\n}\n`;
    }
    const root = await repo(files);
    const map = await buildRepoMap({
      root,
      task: 'Make the dev server fail with a clear error when strictPort is set and the port is taken',
    });
    const rank = map.ranked.indexOf('src/http.ts');
    assert.ok(rank >= 0 && rank < 3, `src/http.ts ranked ${rank + 1}: ${map.ranked.slice(0, 8).join(', ')}`);
  });

  it('points at the identifiers a task writes, not at every definition sharing a word of them', async () => {
    const files: Record<string, string> = {
      'src/options.ts': [
        'export interface Options {',
        '  sourceType: string;',
        '}',
        'export function getOptions(opts: Options): Options {',
        '  return opts;',
        '}',
        '',
      ].join('\n'),
    };
    const kinds = ['Any', 'Array', 'Boolean', 'Null', 'Number', 'String', 'Tuple', 'Union', 'Object', 'Function'];
    for (let i = 0; i < 30; i++) {
      files[`src/generators/gen${i}.ts`] = kinds
        .map((k) => `export function ${k}TypeAnnotation${i}(node: Node): string {\n  return '${k}';\n}\n`)
        .join('');
    }
    for (let i = 0; i < 120; i++) {
      files[`src/util/u${i}.ts`] = `export function util${i}(): number {\n  return ${i};\n}\n`;
    }
    const root = await repo(files);
    const map = await buildRepoMap({ root, task: 'getOptions should reject a sourceType of "module" in scripts' });
    assert.match(map.text, /getOptions\(opts: Options\): Options L4-6/);
    const annotations = map.text.split('\n').filter((l) => /TypeAnnotation\d+\(/.test(l));
    assert.ok(annotations.length <= 10, `${annotations.length} type annotation definitions:\n${map.text}`);
  });

  it('names the README on the path the task writes, not the README of every package', async () => {
    const files: Record<string, string> = {
      'README.md': '# monorepo\n\n## Packages\n\nSee packages/.\n',
      'packages/parser/README.md': '# @scope/parser\n\n## Options\n\nThe parser options.\n',
      'packages/parser/src/options.ts':
        'export interface Options {\n  strictMode?: boolean;\n}\nexport function getOptions(o: Options): Options {\n  return o;\n}\n',
    };
    for (const part of ['tokenizer', 'statement', 'expression', 'scope', 'errors', 'index']) {
      files[`packages/parser/src/${part}.ts`] =
        `import { getOptions, Options } from './options';\nexport function ${part}(o: Options) {\n  return getOptions(o);\n}\n`;
    }
    for (let i = 0; i < 150; i++) {
      files[`packages/plugin-${i}/README.md`] = `# @scope/plugin-${i}\n\nA plugin.\n`;
      files[`packages/plugin-${i}/src/index.ts`] =
        `import { getOptions } from '../../parser/src/options';\nexport function plugin${i}() {\n  return getOptions({});\n}\n`;
    }
    const root = await repo(files);
    const map = await buildRepoMap({
      root,
      task: 'Add a maxDepth option to packages/parser/src/options.ts (default 100) and document it in the parser README',
    });
    assert.ok(map.shownFiles.includes('packages/parser/README.md'), map.text);
    assert.equal(map.ranked[0], 'packages/parser/src/options.ts');
    const top = map.ranked.slice(0, 9);
    assert.ok(top.includes('packages/parser/README.md'), top.join(', '));
    const plugins = top.filter((f) => f.startsWith('packages/plugin-') && f.endsWith('README.md'));
    assert.deepEqual(plugins, [], 'no other package’s README ranks with the one the task means');
  });

  it('takes a file name written without its extension ("no-unused-vars") as naming that file', () => {
    const files = ['lib/rules/no-unused-vars.js', 'lib/rules/no-unused-labels.js', 'lib/index.js'];
    const scans = new Map(files.map((rel) => [rel, scanText(rel, 'function create(context) {}\n')]));
    const task = 'no-unused-vars should report an unused catch clause parameter; see index for the rule list';
    const { seeds } = seedFiles(files, scans, { task, changed: new Set() });
    const named = seeds.get('lib/rules/no-unused-vars.js') ?? 0;
    assert.ok(named >= 12, `no-unused-vars.js ${named}`);
    assert.ok(named >= (seeds.get('lib/rules/no-unused-labels.js') ?? 0) + 10);
    assert.ok((seeds.get('lib/index.js') ?? 0) < 12, 'a one-word name ("index") names nothing in particular');
  });

  it('keeps its scans between runs when asked, and never shows a definition a file no longer has', async () => {
    const root = await repo({ 'src/a.ts': 'export function before(): void {}\n' });
    const first = await buildRepoMap({ root, task: 'rename before', persistCache: true });
    assert.match(first.text, /before\(\)/);
    const saved = JSON.parse(await fs.readFile(path.join(root, CACHE_FILE), 'utf8')) as { entries: object };
    assert.deepEqual(Object.keys(saved.entries), ['src/a.ts']);
    assert.equal(await fs.readFile(path.join(root, '.opus-orchestrator', '.gitignore'), 'utf8'), '*\n');
    await fs.writeFile(path.join(root, 'src/a.ts'), 'export function after(): void {}\n');
    const second = await buildRepoMap({ root, task: 'rename after', persistCache: true });
    assert.match(second.text, /after\(\)/);
    assert.doesNotMatch(second.text, /before/);
  });
});
