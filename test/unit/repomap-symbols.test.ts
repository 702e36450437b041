import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRepoMap } from '../../src/core/plan/repoMap';
import { extractSymbols } from '../../src/core/plan/symbols';
import { stemOf, supportTargets, wordsOf } from '../../src/core/plan/words';

const names = (rel: string, text: string): string[] => extractSymbols(rel, text).map((s) => s.name);

describe('repository map symbols', () => {
  it('lists the exports of a TypeScript module, not its helpers or members', () => {
    const text = [
      "import { x } from './x';",
      'export async function buildMap(opts: Options): Promise<Map> {',
      '  const inner = 1;',
      '}',
      'export class Store extends Base {',
      '  save(): void {}',
      '}',
      'export interface Options {}',
      "export type Kind = 'a' | 'b';",
      'export const DEFAULT = 1;',
      'export enum Color { Red }',
      'export default function main() {}',
      'function helper() {}',
      'export { helper as publicHelper, other };',
    ].join('\n');
    assert.deepEqual(names('src/map.ts', text), [
      'buildMap',
      'Store',
      'Options',
      'Kind',
      'DEFAULT',
      'Color',
      'main',
      'publicHelper',
      'other',
    ]);
    const [first] = extractSymbols('src/map.ts', text);
    assert.equal(first?.signature, 'async function buildMap(opts: Options): Promise<Map>');
  });

  it('falls back to top-level functions and classes in a script without exports', () => {
    const text =
      'const a = 1;\nfunction run() {\n  function inner() {}\n}\nclass Tool {}\nmodule.exports.start = run;\n';
    assert.deepEqual(names('scripts/tool.js', text), ['run', 'Tool', 'start']);
  });

  it('finds Python, Go, Rust, Java and C# declarations', () => {
    assert.deepEqual(
      names('app.py', 'class Server:\n    def handle(self):\n        pass\ndef main():\n    pass\ndef _private():\n'),
      ['Server', 'main'],
    );
    assert.deepEqual(
      names('main.go', 'package main\ntype Server struct {}\nfunc (s *Server) Start() error {\n}\nfunc main() {}\n'),
      ['Server', 'Server.Start', 'main'],
    );
    assert.deepEqual(
      names(
        'lib.rs',
        [
          'pub struct Parser;',
          'pub(crate) enum Token {}',
          'pub trait Visit {}',
          'pub async fn run() {}',
          'fn local() {}',
          'impl Parser {',
          '    pub fn new() {}',
          '}',
        ].join('\n'),
      ),
      ['Parser', 'Token', 'Visit', 'run', 'local'],
    );
    assert.deepEqual(
      names(
        'A.java',
        'package a;\npublic final class Account {\n  private static class Inner {}\n}\ninterface Repo {}\n',
      ),
      ['Account', 'Inner', 'Repo'],
    );
    assert.deepEqual(
      names('B.cs', 'namespace Shop {\n    public sealed partial class Cart {}\n    internal record Item;\n}\n'),
      ['Cart', 'Item'],
    );
    assert.deepEqual(names('notes.md', 'export function notCode() {}'), []);
  });

  it('splits identifiers and sentences into comparable words', () => {
    assert.deepEqual(wordsOf('parseHTTPHeaders'), ['pars', 'http', 'head']);
    assert.deepEqual(wordsOf('Add retries to the refund_calculator'), ['retri', 'refund', 'calcul']);
    const pairs: Array<[string, string]> = [
      ['messages', 'message'],
      ['printer', 'print'],
      ['printing', 'print'],
      ['parser', 'parse'],
      ['formatter', 'format'],
      ['retries', 'retry'],
    ];
    for (const [a, b] of pairs) {
      assert.equal(stemOf(a), stemOf(b), `${a} / ${b}`);
    }
    assert.notEqual(stemOf('order'), stemOf('ord'));
    // "add tests" says the task is about tests; the word itself matches no path.
    assert.deepEqual(wordsOf('add tests for the parser'), ['pars']);
    assert.deepEqual([...supportTargets('add tests for the parser')], ['test']);
  });

  describe('reading files', () => {
    let root: string;
    beforeEach(async () => {
      root = await fs.mkdtemp(path.join(os.tmpdir(), 'repomap-sym-'));
    });
    afterEach(async () => {
      await fs.rm(root, { recursive: true, force: true });
    });

    it('outlines the whole of a 100 KB file, with the lines of each definition', async () => {
      const filler = `// ${'x'.repeat(100)}\n`.repeat(1000);
      await fs.writeFile(path.join(root, 'big.ts'), `export function early() {}\n${filler}export function late() {}\n`);
      const map = await buildRepoMap({ root, task: 'early and late' });
      assert.match(map.text, /export function early\(\) L1-1/);
      assert.match(map.text, /export function late\(\) L1002-1002/);
    });

    it('maps an empty folder without failing', async () => {
      const map = await buildRepoMap({ root, task: 'anything' });
      assert.equal(map.fileCount, 0);
      assert.deepEqual(map.files, []);
      assert.match(map.text, /^# Repository map\n0 files/);
    });

    it('never reads a file the ignore files exclude, even for symbols', async () => {
      await fs.writeFile(path.join(root, '.opus-orchestratorignore'), 'private/\n');
      await fs.mkdir(path.join(root, 'private'));
      await fs.writeFile(path.join(root, 'private', 'plan.ts'), 'export function hiddenPlan() {}\n');
      await fs.writeFile(path.join(root, 'public.ts'), 'export function shown() {}\n');
      const map = await buildRepoMap({ root, task: 'hidden plan', extraIgnore: ['*.secret.ts'] });
      await fs.writeFile(path.join(root, 'x.secret.ts'), 'export function alsoHidden() {}\n');
      const again = await buildRepoMap({ root, task: 'hidden plan', extraIgnore: ['*.secret.ts'] });
      for (const m of [map, again]) {
        assert.doesNotMatch(m.text, /hiddenPlan|private\/|alsoHidden/);
        assert.match(m.text, /shown/);
      }
    });
  });
});
