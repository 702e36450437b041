import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diskIO } from '../../src/cli/diskIO';
import { executeEditorCall } from '../../src/core/edits/editorTool';
import type { PathGuard } from '../../src/core/edits/editorTool';
import { encodingOfFile } from '../../src/core/edits/encoding';
import { findReplacement } from '../../src/core/edits/match';
import { Overlay } from '../../src/core/edits/overlay';

/** A package-lock.json-like file: `"dev": true` on every third line, 20,000 times (about 3.4 MB of text). */
function lockfile(entries: number): string {
  const out = ['{', '  "packages": {'];
  for (let i = 0; i < entries; i++) {
    out.push(`    "node_modules/pkg-${i}": {`, `      "version": "1.0.${i}", "resolved": "${'r'.repeat(110)}",`);
    out.push('      "dev": true', '    },');
  }
  out.push('  }', '}', '');
  return out.join('\n');
}

describe('edits: bounded work and messages', () => {
  let root: string;
  let overlay: Overlay;
  const guard: PathGuard = (p) => Promise.resolve(p);
  const call = (input: Record<string, unknown>) => executeEditorCall(overlay, input, guard);

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'edits-bounds-'));
    const io = diskIO(root);
    overlay = new Overlay((rel) => io.read(rel), undefined, {
      encodingOf: (rel) => encodingOfFile(path.join(root, rel)),
    });
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const put = (rel: string, text: string | Buffer): Promise<void> => fs.writeFile(path.join(root, rel), text);

  it('refuses an old_str with thousands of matches in a short message: a few lines, then how many more', async () => {
    const text = lockfile(9_000);
    assert.ok(text.length < 2 * 1024 * 1024, 'under the file-size limit');
    overlay = new Overlay((rel) => Promise.resolve(rel === 'package-lock.json' ? text : null));
    const result = await call({
      command: 'str_replace',
      path: 'package-lock.json',
      old_str: '"dev": true',
      new_str: '"dev": false',
    });
    assert.equal(result.isError, true);
    assert.match(
      result.content,
      /found 1,000 or more matches of old_str in package-lock\.json \(lines 5, 9, 13, 17, 21 and more\)/,
    );
    assert.ok(result.content.length < 400, `${result.content.length} characters`);
    assert.deepEqual(await overlay.changes(), []);
  });

  it('stops counting matches early, even in a 20,000-match lockfile past the file-size limit', () => {
    const result = findReplacement(lockfile(20_000), '"dev": true', '"dev": false');
    assert.equal(result.kind, 'ambiguous');
    assert.deepEqual(result.kind === 'ambiguous' ? [result.lines, result.count, result.more] : [], [
      [5, 9, 13, 17, 21],
      1000,
      true,
    ]);
  });

  it('counts a few ambiguous matches exactly and lists at most five lines', async () => {
    overlay = new Overlay(() => Promise.resolve('x = 1;\n'.repeat(8)));
    const result = await call({ command: 'str_replace', path: 'a.ts', old_str: 'x = 1;', new_str: 'x = 2;' });
    assert.match(result.content, /found 8 matches of old_str in a\.ts \(lines 1, 2, 3, 4, 5 and 3 more\)/);
  });

  it('refuses a file over the size limit without reading it into a prompt', async () => {
    await put('huge.log', 'a line of a very large log file\n'.repeat(650_000));
    for (const input of [
      { command: 'view', path: 'huge.log' },
      { command: 'str_replace', path: 'huge.log', old_str: 'a line', new_str: 'b line' },
    ]) {
      const result = await call(input);
      assert.equal(result.isError, true);
      assert.match(result.content, /huge\.log is 19\.8 MB, over the 2 MB limit/);
    }
    assert.deepEqual(await overlay.changes(), []);
  });

  it('refuses a file_text, new_str or insert_text past the size limit before doing anything with it', async () => {
    await put('a.ts', 'export const a = 1;\n');
    const big = 'y'.repeat(50 * 1024 * 1024);
    const created = await call({ command: 'create', path: 'big.ts', file_text: big });
    assert.equal(created.isError, true);
    assert.match(created.content, /file_text is 50\.0 MB; at most 512 KB/);
    const replaced = await call({ command: 'str_replace', path: 'a.ts', old_str: '1', new_str: big });
    assert.match(replaced.content, /new_str is 50\.0 MB; at most 512 KB/);
    const inserted = await call({ command: 'insert', path: 'a.ts', insert_line: 1, insert_text: big });
    assert.match(inserted.content, /insert_text is 50\.0 MB; at most 512 KB/);
    assert.deepEqual(await overlay.changes(), []);
  });

  it('refuses an edit whose result would pass the file-size limit', async () => {
    await put('grow.txt', `${'z'.repeat(1_900_000)}\nEND\n`);
    const result = await call({
      command: 'str_replace',
      path: 'grow.txt',
      old_str: 'END',
      new_str: 'q'.repeat(400_000),
    });
    assert.equal(result.isError, true);
    assert.match(result.content, /grow\.txt would be 2\.2 MB, over the 2 MB limit/);
    assert.deepEqual(await overlay.changes(), []);
  });

  it('shows a long file in part and says how to see the rest', async () => {
    await put('long.ts', Array.from({ length: 5000 }, (_, i) => `line ${i + 1}`).join('\n'));
    const result = await call({ command: 'view', path: 'long.ts' });
    assert.equal(result.isError, false);
    const lines = result.content.split('\n');
    assert.ok(lines.length <= 2002, `${lines.length} lines`);
    assert.match(result.content, /Lines 1-2000 of 5000 shown; view_range \[2001, 5000\] shows the rest\./);
  });

  it('refuses new text that the file’s encoding cannot hold, naming the character and the encoding', async () => {
    const base = Buffer.from('const name = "na\xefve";\n', 'latin1');
    await put('latin.ts', base);
    const result = await call({
      command: 'str_replace',
      path: 'latin.ts',
      old_str: 'naïve',
      new_str: 'naïve → simple',
    });
    assert.equal(result.isError, true);
    assert.match(result.content, /latin\.ts is saved as (windows-1252|ISO-8859-1), which cannot hold "→"/);
    assert.deepEqual(await overlay.changes(), []);
  });

  it('caps the files one run may create', async () => {
    for (let i = 1; i <= 20; i++) {
      const r = await call({ command: 'create', path: `gen/f${i}.ts`, file_text: `export const f${i} = ${i};\n` });
      assert.equal(r.isError, false, r.content);
    }
    const again = await call({ command: 'create', path: 'gen/f1.ts', file_text: 'export const f1 = 0;\n' });
    assert.equal(again.isError, false, 'rewriting a file the run created is not a new file');
    const over = await call({ command: 'create', path: 'gen/f21.ts', file_text: 'x\n' });
    assert.equal(over.isError, true);
    assert.match(over.content, /already created 20 files, the most one run may create/);
    assert.equal((await overlay.changes()).length, 20);
  });
});
