import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { OutlineCache } from '../../src/core/code/cache';
import { outlineOf } from '../../src/core/code/outline';
import type { Definition } from '../../src/core/code/types';
import { buildRepoMap } from '../../src/core/plan/repoMap';
import { viewOfFile } from '../../src/core/worker/slices';

// Places a plan names in documentation and tests, on text nobody here wrote: READMEs and test files that npm
// packages ship (installed by `npm ci` at the versions the lockfile pins) and this repository's own mocha tests.

const REPO = path.resolve(__dirname, '../..');
const inRepo = (rel: string): string => path.join(REPO, rel);
/** A README with setext and ATX headings; one whose fenced shell block holds `# …` comment lines; a mocha spec. */
const FS_EXTRA_README = inRepo('node_modules/fs-extra/README.md');
const ICONV_README = inRepo('node_modules/iconv-lite/README.md');
const MOCHA_SPEC = inRepo('node_modules/json-schema-traverse/spec/index.spec.js');
/** Python unittest files that ship with every npm: node-gyp's gyp library. */
const GYP = path.join(execSync('npm root -g', { encoding: 'utf8' }).trim(), 'npm/node_modules/node-gyp/gyp/pylib/gyp');

async function definitionsOf(file: string, as = file): Promise<{ lines: string[]; definitions: Definition[] }> {
  const text = readFileSync(file, 'utf8');
  const outline = await outlineOf(as, text, new OutlineCache());
  assert.ok(outline, `no outline for ${as}`);
  return { lines: text.split('\n'), definitions: outline.definitions };
}

function find(definitions: Definition[], name: string, container?: string): Definition {
  const found = definitions.find((d) => d.name === name && (container === undefined || d.container === container));
  assert.ok(found, `${name} not in ${definitions.map((d) => `${d.container ?? ''}/${d.name}`).join(', ')}`);
  return found;
}

/** 1-based number of the first line equal to `line` after trimming, from `after` on. */
function lineOf(lines: string[], line: string, after = 0): number {
  const index = lines.findIndex((l, i) => i >= after && l.trim() === line);
  assert.ok(index >= 0, `no line ${line}`);
  return index + 1;
}

describe('outlines that name places in documentation and tests', () => {
  describe('Markdown: headings and the sections they span', () => {
    it('reads setext and ATX headings of a real README, each spanning its section, subsections inside', async () => {
      const { lines, definitions } = await definitionsOf(FS_EXTRA_README);
      const title = find(definitions, 'Node.js: fs-extra');
      assert.deepEqual([title.kind, title.signature, title.startLine], ['section', '# Node.js: fs-extra', 1]);
      const install = find(definitions, 'Installation');
      // A setext heading starts at its text, not its underline, and ends before the next heading of its level.
      assert.equal(install.startLine, lineOf(lines, 'Installation'));
      assert.equal(install.signature, '## Installation');
      assert.equal(install.container, 'Node.js: fs-extra');
      assert.equal(install.endLine, lineOf(lines, 'npm install fs-extra'), 'trailing blank lines are left out');
      const usage = find(definitions, 'Usage');
      const esm = find(definitions, 'ESM', 'Usage');
      assert.equal(find(definitions, 'CommonJS', 'Usage').endLine < esm.startLine, true);
      assert.ok(
        esm.endLine <= usage.endLine && usage.endLine < find(definitions, 'Sync vs Async vs Async/Await').startLine,
      );
      assert.equal(title.endLine, lines.length - (lines.at(-1) === '' ? 1 : 0));
    });

    it('leaves out `#` lines inside fenced code', async () => {
      const { lines, definitions } = await definitionsOf(ICONV_README);
      const testing = find(definitions, 'Testing');
      assert.equal(testing.startLine, lineOf(lines, '## Testing'));
      assert.ok(
        lines.some((l) => l.startsWith('# To view performance')),
        'the README still has the fenced comment',
      );
      assert.equal(
        definitions.some((d) => d.name.startsWith('To view')),
        false,
      );
      assert.ok(testing.endLine > lineOf(lines, 'npm run test:cov'), 'the section runs past its code block');
    });

    it('keeps a front matter block out of the headings, and line numbers as the file has them', async () => {
      const text = '---\ntitle: Guide\n---\n\n# Guide\n\nIntro.\n\n## Setup\n\nRun it.\n';
      const outline = await outlineOf('docs/guide.md', text, new OutlineCache());
      assert.deepEqual(
        outline?.definitions.map((d) => `${d.signature} L${d.startLine}-${d.endLine}`),
        ['# Guide L5-11', '## Setup L9-11'],
      );
    });
  });

  describe('test blocks: describe / it with their titles', () => {
    it('names the suites and tests of a real mocha spec, nested as written, with their line ranges', async () => {
      const { lines, definitions } = await definitionsOf(MOCHA_SPEC);
      const top = find(definitions, 'json-schema-traverse');
      assert.deepEqual([top.kind, top.signature], ['suite', "describe('json-schema-traverse')"]);
      assert.equal(top.startLine, lineOf(lines, "describe('json-schema-traverse', function() {"));
      const legacy = find(definitions, 'Legacy v0.3.1 API', 'json-schema-traverse');
      const works = find(definitions, 'should work when an options object is provided', 'Legacy v0.3.1 API');
      assert.equal(works.kind, 'test');
      assert.equal(works.signature, "it('should work when an options object is provided')");
      const start = lineOf(lines, "it('should work when an options object is provided', function() {");
      assert.deepEqual([works.startLine, works.endLine], [start, lineOf(lines, '});', start)]);
      assert.ok(legacy.startLine < works.startLine && works.endLine < legacy.endLine);
      // `beforeEach` and the locals of a suite's callback are not places.
      assert.equal(
        definitions.some((d) => d.name === 'calls' || d.name === 'schema'),
        false,
      );
      assert.equal(definitions.filter((d) => d.kind === 'test').length, 10);
    });

    it('names the blocks of a TypeScript mocha file the same way', async () => {
      const file = inRepo('test/unit/worker-cache.test.ts');
      const { lines, definitions } = await definitionsOf(file);
      const suite = definitions.find((d) => d.kind === 'suite' && d.container === undefined);
      assert.ok(suite, 'the top-level describe');
      assert.equal(suite.startLine, lines.findIndex((l) => l.startsWith('describe(')) + 1);
      const tests = definitions.filter((d) => d.kind === 'test');
      assert.ok(tests.length > 0 && tests.every((t) => t.signature.startsWith("it('")));
      assert.ok(tests.every((t) => lines[t.startLine - 1]?.trimStart().startsWith('it(')));
    });

    it('Python test classes and their test methods are definitions already', async () => {
      const { definitions } = await definitionsOf(path.join(GYP, 'common_test.py'));
      assert.equal(find(definitions, 'TestTopologicallySorted').kind, 'class');
      assert.equal(find(definitions, 'test_Cycle', 'TestTopologicallySorted').kind, 'method');
    });
  });

  describe('where a plan sees them', () => {
    let root: string;

    before(async () => {
      root = await fs.mkdtemp(path.join(os.tmpdir(), 'places-'));
      await fs.mkdir(path.join(root, 'spec'));
      await fs.mkdir(path.join(root, 'lib'));
      await fs.copyFile(FS_EXTRA_README, path.join(root, 'README.md'));
      await fs.copyFile(MOCHA_SPEC, path.join(root, 'spec', 'index.spec.js'));
      await fs.copyFile(inRepo('node_modules/json-schema-traverse/index.js'), path.join(root, 'index.js'));
      const git = simpleGit(root);
      await git.init();
      await git.add('.');
    });

    after(() => fs.rm(root, { recursive: true, force: true }));

    it('the repository map shows headings and test blocks with the lines they span', async () => {
      const map = await buildRepoMap({
        root,
        task: 'Add an allKeys test for arrays to index.spec.js, and document the Installation of fs-extra in the README.',
      });
      const readme = readFileSync(FS_EXTRA_README, 'utf8').split('\n');
      const spec = readFileSync(MOCHA_SPEC, 'utf8').split('\n');
      const install = lineOf(readme, 'Installation');
      assert.match(map.text, new RegExp(`## Installation L${install}-\\d+`));
      const allKeys = lineOf(spec, "describe('allKeys option', function() {");
      assert.match(map.text, new RegExp(`describe\\('allKeys option'\\) L${allKeys}-\\d+`));
    });

    it("a worker's outline of the rest names the headings and test blocks its slices leave out", async () => {
      const readmeText = readFileSync(FS_EXTRA_README, 'utf8');
      const readme = await viewOfFile({
        path: 'README.md',
        create: false,
        text: readmeText,
        focus: { symbols: [], lines: [{ start: 20, end: 23 }] },
      });
      assert.equal(readme.whole, false);
      assert.match(readme.block, /Outline of the lines not shown/);
      const methods = find(
        (await outlineOf('README.md', readmeText, new OutlineCache()))?.definitions ?? [],
        'Methods',
      );
      assert.ok(readme.block.includes(`L${methods.startLine}-${methods.endLine} ## Methods`), readme.block.slice(-800));

      const specText = readFileSync(MOCHA_SPEC, 'utf8');
      const spec = await viewOfFile({
        path: 'spec/index.spec.js',
        create: false,
        text: specText,
        focus: { symbols: [], lines: [{ start: 126, end: 134 }] },
      });
      assert.equal(spec.whole, false);
      assert.match(spec.block, /L\d+-\d+ describe\('allKeys option'\)/);
      assert.match(spec.block, /L\d+-\d+ it\('should traverse schema in post-order'\)/);
    });
  });
});
