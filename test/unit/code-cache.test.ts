import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OUTLINE_FORMAT, OutlineCache, outlineKey } from '../../src/core/code/cache';
import { MAX_OUTLINE_CHARS, outlineOf } from '../../src/core/code/outline';
import type { CodeOutline } from '../../src/core/code/types';

const REPO = path.resolve(__dirname, '../..');
const GREET =
  'import { hello } from "./hello";\nexport function greet(name: string): string {\n  return hello(name);\n}\n';

describe('code outline: limits and failures', () => {
  it('skips files over the size limit and minified code (simple-git ships a minified bundle)', async () => {
    const big = `export const a = 1;\n${'// padding line of a generated file\n'.repeat(MAX_OUTLINE_CHARS / 36 + 1)}`;
    assert.ok(big.length > MAX_OUTLINE_CHARS);
    assert.equal(await outlineOf('big.ts', big, new OutlineCache()), undefined);
    assert.ok(await outlineOf('small.ts', big.slice(0, 20_000), new OutlineCache()));

    const minified = readFileSync(path.join(REPO, 'node_modules/simple-git/dist/index.cjs'), 'utf8');
    assert.equal(await outlineOf('index.cjs', minified, new OutlineCache()), undefined);
  });

  it('still outlines what parses around a syntax error', async () => {
    const text = [
      'export function before(a: number): number { return a; }',
      'export function broken(a: number { return a +; }',
      'export class After {',
      '  run(): void {}',
      '}',
    ].join('\n');
    const outline = await outlineOf('broken.ts', text, new OutlineCache());
    assert.ok(outline);
    const names = outline.definitions.map((d) => `${d.container ?? ''}.${d.name}`);
    assert.ok(names.includes('.before') && names.includes('.After') && names.includes('After.run'), `${names}`);
  });

  it('never throws on text that is not code', async () => {
    const junk = ['\0\0\u0001binary\uFFFD', '}}}}{{{{', '"unterminated', 'def (:\n\tclass', ''];
    for (const text of junk) {
      for (const file of ['a.ts', 'a.py', 'a.go', 'a.rs', 'a.java', 'a.cs', 'a.jsx']) {
        const outline = await outlineOf(file, text, new OutlineCache());
        assert.ok(outline === undefined || Array.isArray(outline.definitions), file);
      }
    }
  });
});

describe('code outline: cache', () => {
  it('parses a text once: equal content under another path of the same language is a hit', async () => {
    const cache = new OutlineCache();
    const first = await outlineOf('src/greet.ts', GREET, cache);
    assert.ok(first);
    assert.deepEqual(first.references, ['hello']);
    assert.equal(await outlineOf('lib/copy.ts', GREET, cache), first);
    assert.equal(cache.size, 1);
    // The same text read as JavaScript is another parse (another grammar, maybe another outline).
    await outlineOf('src/greet.js', GREET, cache);
    assert.equal(cache.size, 2);
  });

  it('drops the least recently used outline past its bound', () => {
    const cache = new OutlineCache(2);
    const o = (name: string): CodeOutline => ({ definitions: [], references: [name] });
    cache.set('a', o('a'));
    cache.set('b', o('b'));
    assert.ok(cache.get('a')); // a is now the most recently used
    cache.set('c', o('c'));
    assert.deepEqual(
      [cache.get('a')?.references, cache.get('b'), cache.get('c')?.references],
      [['a'], undefined, ['c']],
    );
  });

  it('serialises to plain JSON and restores into another process-sized cache, which outlineOf then uses', async () => {
    const cache = new OutlineCache();
    const parsed = await outlineOf('src/greet.ts', GREET, cache);
    const json = JSON.stringify(cache.serialise());

    const restored = new OutlineCache();
    assert.equal(restored.restore(JSON.parse(json)), 1);
    assert.deepEqual(await outlineOf('src/greet.ts', GREET, restored), parsed);

    // outlineOf answers from the cache: a restored entry under the text's key is what it returns.
    const planted: CodeOutline = { definitions: [], references: ['fromCache'] };
    restored.restore({ format: OUTLINE_FORMAT, outlines: { [outlineKey('typescript', GREET)]: planted } });
    assert.deepEqual(await outlineOf('src/greet.ts', GREET, restored), planted);
  });

  it('restores nothing from another format or from junk, and skips malformed entries', () => {
    const cache = new OutlineCache();
    const good: CodeOutline = {
      definitions: [{ name: 'f', kind: 'function', startLine: 1, endLine: 2, signature: 'f()', exported: true }],
      references: [],
    };
    assert.equal(cache.restore({ format: OUTLINE_FORMAT + 1, outlines: { k: good } }), 0);
    assert.equal(cache.restore('not a cache'), 0);
    assert.equal(cache.restore(null), 0);
    const bad = { definitions: [{ name: 'f', kind: 'spaceship', startLine: 0 }], references: [] };
    assert.equal(cache.restore({ format: OUTLINE_FORMAT, outlines: { k: good, j: bad, i: 42 } }), 1);
    assert.deepEqual(cache.get('k'), good);
    assert.equal(cache.get('j'), undefined);
  });
});
