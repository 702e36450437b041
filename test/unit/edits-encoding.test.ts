import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { diskIO } from '../../src/cli/diskIO';
import { executeEditorCall } from '../../src/core/edits/editorTool';
import type { PathGuard } from '../../src/core/edits/editorTool';
import { Overlay } from '../../src/core/edits/overlay';
import { acceptHunks, buildFileChange, rejectHunks } from '../../src/core/edits/proposal';
import type { WorkspaceIO } from '../../src/core/orchestrator';

/** A 1×1 PNG with a text chunk, so that a model could "find" text in it. */
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
  Buffer.from('0000001174455874436f6d6d656e740068656c6c6f20776f726c64', 'hex'),
  Buffer.from('0000000d4944415478da63f8cfc0f01f0005000201e5270ade0000000049454e44ae426082', 'hex'),
]);

const utf16be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();

describe('edits: encodings, binary files and line endings, byte for byte', () => {
  let root: string;
  let io: WorkspaceIO;
  let overlay: Overlay;
  const guard: PathGuard = (p) => Promise.resolve(p);

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'edits-encoding-'));
    io = diskIO(root);
    overlay = new Overlay((rel) => io.read(rel));
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const bytesOf = (rel: string): Promise<Buffer> => fs.readFile(path.join(root, rel));

  /**
   * One str_replace through the editor tool over the disk, as a worker makes it, then the proposal: rejecting every
   * hunk must leave the disk as it was, accepting every hunk writes the result. Returns the bytes on disk after accept.
   */
  async function replaceAndAccept(rel: string, bytes: Buffer, oldStr: string, newStr: string): Promise<Buffer> {
    await fs.writeFile(path.join(root, rel), bytes);
    const result = await executeEditorCall(
      overlay,
      { command: 'str_replace', path: rel, old_str: oldStr, new_str: newStr },
      guard,
    );
    assert.equal(result.isError, false, result.content);
    const [change] = await overlay.changes();
    assert.ok(change, 'the edit changed the file');
    const proposed = buildFileChange(rel, change.base, change.target);
    const rejected = rejectHunks(
      proposed,
      proposed.hunks.map((h) => h.id),
    );
    assert.equal(rejected.target, rejected.base, 'rejecting every hunk gives the base back');
    assert.deepEqual(await bytesOf(rel), bytes, 'nothing reaches the disk before accept');
    const { text } = acceptHunks(
      proposed,
      proposed.hunks.map((h) => h.id),
    );
    await io.write(rel, text);
    return bytesOf(rel);
  }

  it('keeps a Latin-1 file Latin-1: é stays one byte, the new text is encoded the same way', async () => {
    const base = Buffer.from('// Caf\xe9 cr\xe8me\nconst name = "na\xefve";\n', 'latin1');
    const after = await replaceAndAccept('notes.ts', base, 'const name = "naïve";', 'const name = "déjà vu";');
    assert.deepEqual(after, Buffer.from('// Caf\xe9 cr\xe8me\nconst name = "d\xe9j\xe0 vu";\n', 'latin1'));
  });

  it('shows the model the characters of a Windows-1252 file and writes back its exact bytes, CRLF kept', async () => {
    const base = Buffer.from('price = 5\x80;\r\nlabel = \x93quoted\x94;\r\n', 'latin1');
    await fs.writeFile(path.join(root, 'prices.ts'), base);
    const shown = await executeEditorCall(overlay, { command: 'view', path: 'prices.ts' }, guard);
    assert.match(shown.content, /price = 5€;/);
    assert.match(shown.content, /label = “quoted”;/);
    const after = await replaceAndAccept('prices2.ts', base, 'price = 5€;', 'price = 6€;');
    assert.deepEqual(after, Buffer.from('price = 6\x80;\r\nlabel = \x93quoted\x94;\r\n', 'latin1'));
  });

  it('keeps UTF-16LE with its byte-order mark and CRLF', async () => {
    const base = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('line one\r\nline two\r\n', 'utf16le')]);
    const after = await replaceAndAccept('wide.txt', base, 'line two', 'line zwei ü');
    assert.deepEqual(
      after,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('line one\r\nline zwei ü\r\n', 'utf16le')]),
    );
  });

  it('keeps UTF-16BE with its byte-order mark', async () => {
    const base = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be('alpha\nbeta\n')]);
    const after = await replaceAndAccept('wide-be.txt', base, 'beta', 'bêta');
    assert.deepEqual(after, Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be('alpha\nbêta\n')]));
  });

  it('keeps UTF-8 with a byte-order mark', async () => {
    const base = Buffer.from('\uFEFFconst a = "α";\nconst b = 2;\n', 'utf8');
    const after = await replaceAndAccept('bom.ts', base, 'const b = 2;', 'const b = "β";');
    assert.deepEqual(after, Buffer.from('\uFEFFconst a = "α";\nconst b = "β";\n', 'utf8'));
  });

  it('changes only the edited line of a file with mixed endings; each other line keeps its own', async () => {
    const base = Buffer.from('a\r\nb\nc\r\nd\n');
    assert.deepEqual(await replaceAndAccept('mixed.txt', base, 'b', 'B'), Buffer.from('a\r\nB\nc\r\nd\n'));
    overlay = new Overlay((rel) => io.read(rel));
    assert.deepEqual(
      await replaceAndAccept('mixed2.txt', base, 'c', 'c\nc2'),
      Buffer.from('a\r\nb\nc\r\nc2\r\nd\n'),
      'a new line takes the ending of the line it was added to',
    );
  });

  it('refuses to view or edit a binary file, and leaves it byte for byte', async () => {
    await fs.writeFile(path.join(root, 'logo.png'), PNG);
    for (const input of [
      { command: 'view', path: 'logo.png' },
      { command: 'str_replace', path: 'logo.png', old_str: 'hello', new_str: 'bye' },
      { command: 'insert', path: 'logo.png', insert_line: 0, insert_text: 'x' },
    ]) {
      const result = await executeEditorCall(overlay, input, guard);
      assert.equal(result.isError, true, `${input.command} is refused`);
      assert.match(result.content, /logo\.png is a binary file/);
    }
    assert.deepEqual(await overlay.changes(), []);
    assert.deepEqual(await bytesOf('logo.png'), PNG);
    await assert.rejects(io.write('logo.png', 'hello'), /logo\.png is a binary file/);
    assert.deepEqual(await bytesOf('logo.png'), PNG);
  });

  it('refuses a file in a double-byte legacy encoding with a message that says to convert it', async () => {
    const sjis = iconv.encode(
      '// 設定ファイルを読み込む関数です。\nfunction load() { return "こんにちは世界"; }\n',
      'Shift_JIS',
    );
    await fs.writeFile(path.join(root, 'load.js'), sjis);
    const result = await executeEditorCall(overlay, { command: 'view', path: 'load.js' }, guard);
    assert.equal(result.isError, true);
    assert.match(result.content, /load\.js looks like Shift_JIS text; .*Convert the file to UTF-8/);
    assert.deepEqual(await bytesOf('load.js'), sjis);
  });

  it('refuses to write a character the file’s encoding cannot hold, and writes nothing', async () => {
    const base = Buffer.from('const name = "na\xefve";\n', 'latin1');
    await fs.writeFile(path.join(root, 'latin.ts'), base);
    await assert.rejects(
      io.write('latin.ts', 'const name = "→";\n'),
      /latin\.ts is saved as .*cannot hold "→".*line 1/,
    );
    assert.deepEqual(await bytesOf('latin.ts'), base);
    const leftovers = (await fs.readdir(root)).filter((n) => n.endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'no temporary file is left behind');
  });
});
