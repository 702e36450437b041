import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EDITOR_TOOL, executeEditorCall } from '../../src/core/edits/editorTool';
import type { PathGuard } from '../../src/core/edits/editorTool';
import { Overlay } from '../../src/core/edits/overlay';
import { resolveInWorkspace } from '../../src/core/workspace/confine';

const MODULE = [
  'export function total(items: number[]): number {',
  '  let sum = 0;',
  '  for (const n of items) {',
  '    sum += n;',
  '  }',
  '  return sum;',
  '}',
  '',
].join('\n');

describe('edits: the text editor tool', () => {
  let root: string;
  let overlay: Overlay;
  let guard: PathGuard;

  async function put(rel: string, text: string): Promise<void> {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), text, 'utf8');
  }

  async function disk(rel: string): Promise<string> {
    return fs.readFile(path.join(root, rel), 'utf8');
  }

  const call = (input: Record<string, unknown>) => executeEditorCall(overlay, input, guard);

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'edits-tool-'));
    overlay = new Overlay(
      (rel) => fs.readFile(path.join(root, rel), 'utf8').catch(() => null),
      (rel) =>
        fs
          .readdir(path.join(root, rel), { withFileTypes: true })
          .then((entries) => entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)))
          .catch(() => null),
    );
    guard = async (p, access) => (await resolveInWorkspace(root, p, { forWrite: access === 'write' })).rel;
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('is declared as the text_editor_20250728 tool', () => {
    assert.deepEqual(EDITOR_TOOL, { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' });
  });

  describe('str_replace', () => {
    it('edits a CRLF file and keeps CRLF on every line, new ones included, without touching the disk', async () => {
      const crlf = MODULE.replace(/\n/g, '\r\n');
      await put('src/a.ts', crlf);
      const result = await call({
        command: 'str_replace',
        path: 'src/a.ts',
        old_str: '  let sum = 0;\n  for',
        new_str: '  let sum = 0;\n  let count = 0;\n  for',
      });
      assert.equal(result.isError, false, result.content);
      assert.equal(
        await overlay.read('src/a.ts'),
        crlf.replace('  let sum = 0;\r\n', '  let sum = 0;\r\n  let count = 0;\r\n'),
      );
      assert.equal(await disk('src/a.ts'), crlf);
    });

    it('keeps a byte-order mark and a missing final newline', async () => {
      const text = `\uFEFF${MODULE.slice(0, -1)}`;
      await put('src/a.ts', text);
      const result = await call({
        command: 'str_replace',
        path: 'src/a.ts',
        old_str: 'return sum;',
        new_str: 'return -sum;',
      });
      assert.equal(result.isError, false, result.content);
      assert.equal(await overlay.read('src/a.ts'), text.replace('return sum;', 'return -sum;'));
    });

    it('reports where the edit landed with the lines around it, without echoing the text the model wrote', async () => {
      await put('src/a.ts', `${'// filler\n'.repeat(60)}${MODULE}`);
      const result = await call({
        command: 'str_replace',
        path: 'src/a.ts',
        old_str: '  let sum = 0;',
        new_str: '  let sum = 0;\n  let count = 0;',
      });
      assert.match(result.content, /^Edited src\/a\.ts: replaced 1 line with 2\./);
      assert.match(result.content, /Lines 59-66 now read \(lines 62-63: your text as given\)/);
      assert.ok(result.content.includes('    61\texport function total'), result.content);
      assert.ok(result.content.includes('     …\t(lines 62-63)\n    64\t  for (const n of items) {'), result.content);
      assert.ok(!result.content.includes('let count = 0'), result.content);
      assert.ok(result.content.split('\n').length < 15, result.content);
    });

    it('echoes an insert without its inserted lines, and a re-indented edit in full', async () => {
      await put('src/a.ts', MODULE);
      const inserted = await call({ command: 'insert', path: 'src/a.ts', insert_line: 1, insert_text: '  // sums' });
      assert.match(inserted.content, /^Inserted 1 line into src\/a\.ts after line 1\./);
      assert.ok(inserted.content.includes('     …\t(line 2)\n     3\t  let sum = 0;'), inserted.content);
      assert.ok(!inserted.content.includes('// sums'), inserted.content);
      await put(
        'src/b.ts',
        MODULE.replace(/^( {2})+/gm, (m) => '\t'.repeat(m.length / 2)),
      );
      const reindented = await call({
        command: 'str_replace',
        path: 'src/b.ts',
        old_str: '  return sum;',
        new_str: '  return sum + 0;',
      });
      assert.ok(reindented.content.includes('     6\t\treturn sum + 0;'), reindented.content);
    });

    it('matches a tab-indented file when the model wrote spaces, and re-indents the new text with tabs', async () => {
      await put(
        'src/a.ts',
        MODULE.replace(/^( {2})+/gm, (m) => '\t'.repeat(m.length / 2)),
      );
      const result = await call({
        command: 'str_replace',
        path: 'src/a.ts',
        old_str: '  for (const n of items) {\n    sum += n;\n  }',
        new_str: '  for (const n of items) {\n    if (n > 0) {\n      sum += n;\n    }\n  }',
      });
      assert.equal(result.isError, false, result.content);
      assert.match(result.content, /indentation/);
      assert.equal(
        await overlay.read('src/a.ts'),
        'export function total(items: number[]): number {\n\tlet sum = 0;\n\tfor (const n of items) {\n' +
          '\t\tif (n > 0) {\n\t\t\tsum += n;\n\t\t}\n\t}\n\treturn sum;\n}\n',
      );
    });

    it('refuses an ambiguous old_str, names the lines, and leaves the file untouched', async () => {
      await put('src/a.ts', MODULE);
      const result = await call({ command: 'str_replace', path: 'src/a.ts', old_str: 'sum', new_str: 'total' });
      assert.equal(result.isError, true);
      assert.match(result.content, /found 3 matches.*lines 2, 4, 6.*surrounding lines/s);
      assert.equal(await overlay.read('src/a.ts'), MODULE);
      assert.deepEqual(await overlay.changes(), []);
    });

    it('refuses an old_str that is not there and points at the closest line', async () => {
      await put('src/a.ts', MODULE);
      const result = await call({ command: 'str_replace', path: 'src/a.ts', old_str: '  let summ = 0;', new_str: '' });
      assert.equal(result.isError, true);
      assert.match(result.content, /does not appear in src\/a\.ts/);
      assert.ok(result.content.includes('the closest line is 2: "  let sum = 0;"'), result.content);
      assert.equal(await overlay.read('src/a.ts'), MODULE);
    });

    it('refuses an empty old_str and a file that does not exist', async () => {
      await put('src/a.ts', MODULE);
      const empty = await call({ command: 'str_replace', path: 'src/a.ts', old_str: '', new_str: 'x' });
      assert.equal(empty.isError, true);
      assert.match(empty.content, /old_str is empty/);
      const missing = await call({ command: 'str_replace', path: 'src/b.ts', old_str: 'x', new_str: 'y' });
      assert.equal(missing.isError, true);
      assert.match(missing.content, /src\/b\.ts does not exist/);
    });
  });

  describe('insert', () => {
    it('inserts at the top and after the last line', async () => {
      await put('src/a.ts', MODULE);
      const top = await call({ command: 'insert', path: 'src/a.ts', insert_line: 0, insert_text: '// Totals.\n' });
      assert.equal(top.isError, false, top.content);
      const end = await call({ command: 'insert', path: 'src/a.ts', insert_line: 8, insert_text: 'export {};' });
      assert.equal(end.isError, false, end.content);
      assert.equal(await overlay.read('src/a.ts'), `// Totals.\n${MODULE}export {};\n`);
    });

    it('accepts new_str as the text and refuses a line past the end', async () => {
      await put('src/a.ts', 'a\nb\n');
      const alias = await call({ command: 'insert', path: 'src/a.ts', insert_line: 1, new_str: 'between' });
      assert.equal(alias.isError, false, alias.content);
      assert.equal(await overlay.read('src/a.ts'), 'a\nbetween\nb\n');
      const past = await call({ command: 'insert', path: 'src/a.ts', insert_line: 9, insert_text: 'x' });
      assert.equal(past.isError, true);
      assert.match(past.content, /insert_line 9 is outside src\/a\.ts, which has 3 lines/);
    });
  });

  describe('view', () => {
    it('shows numbered lines, a range of them, and -1 as the end', async () => {
      await put('src/a.ts', MODULE.replace(/\n/g, '\r\n'));
      const all = await call({ command: 'view', path: 'src/a.ts' });
      assert.equal(all.isError, false, all.content);
      assert.equal(all.content.split('\n').length, 7);
      assert.match(all.content, /^\s+1\texport function total/);
      assert.doesNotMatch(all.content, /\r/);
      const range = await call({ command: 'view', path: 'src/a.ts', view_range: [2, 3] });
      assert.equal(range.content, '     2\t  let sum = 0;\n     3\t  for (const n of items) {');
      const tail = await call({ command: 'view', path: 'src/a.ts', view_range: [6, -1] });
      assert.equal(tail.content, '     6\t  return sum;\n     7\t}');
      const outside = await call({ command: 'view', path: 'src/a.ts', view_range: [9, 12] });
      assert.equal(outside.isError, true);
      assert.match(outside.content, /has 7 lines/);
    });

    it('lists a folder two levels deep, files created in the run included, hidden entries left out', async () => {
      await put('src/a.ts', MODULE);
      await put('src/lib/b.ts', 'b\n');
      await put('src/.hidden', 'h\n');
      await call({ command: 'create', path: 'src/new.ts', file_text: 'n\n' });
      const result = await call({ command: 'view', path: 'src' });
      assert.equal(result.isError, false, result.content);
      assert.deepEqual(result.content.split('\n').slice(1), ['src/a.ts', 'src/lib/', 'src/lib/b.ts', 'src/new.ts']);
    });
  });

  describe('create', () => {
    it('creates a file in the overlay only, which str_replace can then edit', async () => {
      const created = await call({ command: 'create', path: 'src/deep/c.ts', file_text: 'export const C = 1;\n' });
      assert.equal(created.isError, false, created.content);
      assert.match(created.content, /Created src\/deep\/c\.ts \(1 line\)/);
      const edited = await call({ command: 'str_replace', path: 'src/deep/c.ts', old_str: '1', new_str: '2' });
      assert.equal(edited.isError, false, edited.content);
      assert.deepEqual(await overlay.changes(), [
        { path: 'src/deep/c.ts', base: null, target: 'export const C = 2;\n' },
      ]);
      await assert.rejects(fs.access(path.join(root, 'src/deep/c.ts')));
    });

    it('may rewrite a file it created, but refuses to overwrite an existing one', async () => {
      await put('src/a.ts', MODULE);
      await call({ command: 'create', path: 'src/c.ts', file_text: 'one\n' });
      const again = await call({ command: 'create', path: 'src/c.ts', file_text: 'two\n' });
      assert.equal(again.isError, false, again.content);
      assert.equal(await overlay.read('src/c.ts'), 'two\n');
      const over = await call({ command: 'create', path: 'src/a.ts', file_text: 'gone\n' });
      assert.equal(over.isError, true);
      assert.match(over.content, /already exists.*str_replace/);
      assert.equal(await overlay.read('src/a.ts'), MODULE);
    });
  });

  describe('refusals', () => {
    it('turns a guard refusal into an is_error result and writes nothing', async () => {
      const outside = await call({ command: 'create', path: '../escape.ts', file_text: 'x\n' });
      assert.equal(outside.isError, true);
      assert.match(outside.content, /outside the workspace/);
      const secret = await call({ command: 'view', path: '.env' });
      assert.equal(secret.isError, true);
      assert.match(secret.content, /credential/);
      assert.deepEqual(await overlay.changes(), []);
    });

    it('keys the overlay by the path the guard returns', async () => {
      await put('src/a.ts', MODULE);
      const result = await call({
        command: 'str_replace',
        path: './src//a.ts',
        old_str: 'sum += n',
        new_str: 'sum -= n',
      });
      assert.equal(result.isError, false, result.content);
      assert.deepEqual(
        (await overlay.changes()).map((c) => c.path),
        ['src/a.ts'],
      );
    });

    it('names what is wrong with a malformed call', async () => {
      await put('src/a.ts', MODULE);
      const cases: Array<[Record<string, unknown> | string, RegExp]> = [
        [{ command: 'undo_edit', path: 'src/a.ts' }, /undo_edit is not available/],
        [{ command: 'delete', path: 'src/a.ts' }, /Unknown command "delete"/],
        [{ path: 'src/a.ts' }, /Unknown command/],
        [{ command: 'view' }, /"path" parameter is missing/],
        [{ command: 'str_replace', path: 'src/a.ts', new_str: 'x' }, /"old_str" parameter is missing/],
        [
          { command: 'str_replace', path: 'src/a.ts', old_str: 'sum', new_str: 3 },
          /"new_str" parameter must be a string/,
        ],
        [{ command: 'create', path: 'src/z.ts' }, /"file_text" parameter is missing/],
        [{ command: 'insert', path: 'src/a.ts', insert_line: '2', insert_text: 'x' }, /"insert_line".*whole number/],
        [{ command: 'insert', path: 'src/a.ts', insert_line: 2 }, /"insert_text" parameter is missing/],
        [{ command: 'view', path: 'src/a.ts', view_range: [1] }, /"view_range".*two whole numbers/],
        ['view src/a.ts', /must be an object/],
      ];
      for (const [input, message] of cases) {
        const result = await executeEditorCall(overlay, input, guard);
        assert.equal(result.isError, true, JSON.stringify(input));
        assert.match(result.content, message);
      }
      assert.deepEqual(await overlay.changes(), []);
    });
  });
});
