import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OutlineCache } from '../../src/core/code/cache';
import { outlineOf } from '../../src/core/code/outline';
import type { CodeOutline, Definition } from '../../src/core/code/types';

const REPO = path.resolve(__dirname, '../..');
const inRepo = (rel: string): string => path.join(REPO, rel);
/** Python that ships with every npm: node-gyp's gyp library. */
const GYP = path.join(execSync('npm root -g', { encoding: 'utf8' }).trim(), 'npm/node_modules/node-gyp/gyp/pylib/gyp');

/** Parses a real file with a cache of its own, so that every test parses for real. */
async function outlineFile(file: string): Promise<{ text: string; lines: string[]; outline: CodeOutline }> {
  const text = readFileSync(file, 'utf8');
  const outline = await outlineOf(file, text, new OutlineCache());
  assert.ok(outline, `no outline for ${file}`);
  return { text, lines: text.split('\n'), outline };
}

function member(outline: CodeOutline, container: string, name: string, nth = 0): Definition {
  const found = outline.definitions.filter((d) => d.container === container && d.name === name)[nth];
  assert.ok(found, `${container}.${name} not in ${outline.definitions.map((d) => `${d.container}.${d.name}`)}`);
  return found;
}

/** 1-based line of the first line that starts with `head` (after indentation), from `after` on. */
function lineOf(lines: string[], head: string, after = 0): number {
  const index = lines.findIndex((l, i) => i >= after && l.trimStart().startsWith(head));
  assert.ok(index >= 0, `no line starts with ${head}`);
  return index + 1;
}

/** The last line of a block: the first later line that closes at the same indentation (`}`, `};`). */
function closingLine(lines: string[], start: number): number {
  const indent = /^\s*/.exec(lines[start - 1] ?? '')?.[0] ?? '';
  return lines.findIndex((l, i) => i >= start && (l === `${indent}}` || l === `${indent}};`)) + 1;
}

/** The last line of a Python block: the last non-blank line indented deeper than its `def` or `class`. */
function pythonEnd(lines: string[], start: number): number {
  const depth = (l: string): number => l.length - l.trimStart().length;
  const own = depth(lines[start - 1] ?? '');
  let end = start;
  for (let i = start; i < lines.length && (lines[i]?.trim() === '' || depth(lines[i] ?? '') > own); i++) {
    end = lines[i]?.trim() === '' ? end : i + 1;
  }
  return end;
}

describe('code outline: real TypeScript, JavaScript and Python', () => {
  it("lists the methods of zod's ZodError class with the line ranges of their bodies", async () => {
    const { lines, outline } = await outlineFile(inRepo('node_modules/zod/src/v3/ZodError.ts'));
    const cls = outline.definitions.find((d) => d.name === 'ZodError' && d.kind === 'class');
    assert.ok(cls);
    assert.equal(cls.startLine, lineOf(lines, 'export class ZodError'));
    assert.equal(cls.endLine, closingLine(lines, cls.startLine));
    assert.equal(cls.signature, 'export class ZodError<T = any> extends Error');
    assert.equal(cls.exported, true);

    const addIssue = member(outline, 'ZodError', 'addIssue');
    assert.equal(addIssue.kind, 'method');
    assert.equal(addIssue.startLine, lineOf(lines, 'addIssue = (sub: ZodIssue) =>'));
    assert.equal(addIssue.endLine, closingLine(lines, addIssue.startLine));
    assert.equal(addIssue.signature, 'addIssue = (sub: ZodIssue) =>');

    // Two overload signatures, then the implementation with its body.
    const formats = outline.definitions.filter((d) => d.container === 'ZodError' && d.name === 'format');
    assert.deepEqual(
      formats.map((d) => d.signature),
      [
        'format(): ZodFormattedError<T>',
        'format<U>(mapper: (issue: ZodIssue) => U): ZodFormattedError<T, U>',
        'format(_mapper?: any)',
      ],
    );
    const impl = formats[2] as Definition;
    assert.equal(impl.startLine, lineOf(lines, 'format(_mapper?: any) {'));
    assert.equal(impl.endLine, closingLine(lines, impl.startLine));
    assert.equal(member(outline, 'ZodError', 'errors').signature, 'get errors()');
    assert.equal(member(outline, 'ZodError', 'issues').kind, 'property');
    // Locals of method bodies are not definitions.
    assert.ok(!outline.definitions.some((d) => d.name === 'actualProto' || d.name === 'processError'));
  });

  it('names what a TypeScript file uses from other files among its references, and not what it defines', async () => {
    const { outline } = await outlineFile(inRepo('node_modules/zod/src/v3/ZodError.ts'));
    // import type { Primitive } …; import { util, type ZodParsedType } …; import type { TypeOf, ZodType } …
    for (const name of ['Primitive', 'util', 'ZodParsedType', 'TypeOf', 'ZodType']) {
      assert.ok(outline.references.includes(name), `${name} missing from ${outline.references}`);
    }
    for (const name of ['ZodError', 'ZodIssue', 'issue', 'mapper', 'fieldErrors']) {
      assert.ok(!outline.references.includes(name), `${name} is defined or bound in the file`);
    }
    assert.deepEqual(outline.references, [...new Set(outline.references)].sort());
  });

  it('reads interface members of a .d.ts (simple-git) as methods of the interface', async () => {
    const file = inRepo('node_modules/simple-git/dist/src/typings/simple-git.d.ts');
    const { lines, outline } = await outlineFile(file);
    const simpleGit = outline.definitions.find((d) => d.name === 'SimpleGit' && d.kind === 'interface');
    assert.ok(simpleGit?.exported);
    const commits = outline.definitions.filter((d) => d.container === 'SimpleGit' && d.name === 'commit');
    assert.equal(commits.length, lines.filter((l) => l.trimStart().startsWith('commit(')).length);
    assert.ok(commits.every((d) => d.kind === 'method' && d.exported && d.signature.startsWith('commit(message: ')));
  });

  it("lists the methods of the diff package's Diff class (plain JavaScript)", async () => {
    const { lines, outline } = await outlineFile(inRepo('node_modules/diff/libesm/diff/base.js'));
    const diff = outline.definitions.find((d) => d.name === 'Diff' && d.kind === 'class');
    assert.equal(diff?.signature, 'export default class Diff');
    assert.equal(diff?.exported, true);
    for (const name of ['diff', 'tokenize', 'join', 'postProcess', 'buildValues']) {
      const m = member(outline, 'Diff', name);
      assert.equal(m.kind, 'method');
      assert.equal(m.startLine, lineOf(lines, `${name}(`));
      assert.equal(m.endLine, closingLine(lines, m.startLine));
    }
    assert.equal(member(outline, 'Diff', 'useLongestToken').signature, 'get useLongestToken()');
  });

  it("reads CommonJS: ignore's top-level functions and classes, and module.exports.name as exported", async () => {
    const { outline } = await outlineFile(inRepo('node_modules/ignore/index.js'));
    const ignore = outline.definitions.find((d) => d.name === 'Ignore' && d.kind === 'class');
    assert.ok(ignore);
    assert.equal(member(outline, 'Ignore', 'ignores').kind, 'method');
    assert.equal(outline.definitions.find((d) => d.name === 'makeArray')?.kind, 'function');
    assert.ok(outline.definitions.some((d) => d.name === 'isPathValid' && d.exported));
  });

  it("lists a Python class's methods (node-gyp's OrderedSet) and leaves out classes local to a function", async () => {
    const { lines, outline } = await outlineFile(path.join(GYP, 'common.py'));
    const cls = outline.definitions.find((d) => d.name === 'OrderedSet');
    assert.equal(cls?.kind, 'class');
    assert.equal(cls?.signature, 'class OrderedSet(MutableSet)');
    const classLine = lineOf(lines, 'class OrderedSet(');
    for (const name of ['__init__', '__len__', 'add', 'discard', 'pop', 'update']) {
      const m = member(outline, 'OrderedSet', name);
      assert.equal(m.kind, 'method');
      assert.equal(m.startLine, lineOf(lines, `def ${name}(`, classLine));
      assert.equal(m.endLine, pythonEnd(lines, m.startLine));
    }
    assert.equal(member(outline, 'OrderedSet', 'pop').signature, 'def pop(self, last=True)');
    assert.equal(member(outline, 'OrderedSet', 'add').exported, true);
    // WriteOnDiff defines a class Writer in its body: a local, not part of the map.
    assert.ok(outline.definitions.some((d) => d.name === 'WriteOnDiff' && d.kind === 'function'));
    assert.ok(!outline.definitions.some((d) => d.name === 'Writer' || d.container === 'Writer'));
    assert.ok(outline.references.includes('MutableSet'), 'imported from collections.abc');
  });

  it('never shows a string initialiser in any signature of real files', async () => {
    const files = [
      inRepo('node_modules/zod/src/v3/ZodError.ts'),
      inRepo('node_modules/zod/src/v4/core/errors.ts'),
      inRepo('node_modules/ignore/index.js'),
      path.join(GYP, 'common.py'),
      path.join(GYP, 'input.py'),
    ];
    for (const file of files) {
      const { outline } = await outlineFile(file);
      assert.ok(outline.definitions.length > 10, file);
      for (const d of outline.definitions) {
        assert.doesNotMatch(d.signature, /=\s*["'`]/, `${path.basename(file)}: ${d.signature}`);
        assert.ok(d.signature.length <= 110 && !d.signature.includes('\n'), d.signature);
        assert.ok(d.startLine >= 1 && d.endLine >= d.startLine, `${d.name} ${d.startLine}-${d.endLine}`);
      }
    }
  });
});
