import assert from 'node:assert/strict';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { executeEditorCall } from '../../src/core/edits/editorTool';
import { FileRefusedError, decodeText, encodeText } from '../../src/core/edits/encoding';
import { Overlay } from '../../src/core/edits/overlay';
import { acceptHunks, buildFileChange, rejectHunks } from '../../src/core/edits/proposal';
import { toModelText } from '../../src/core/edits/text';

/**
 * Property-based checks of matching, applying and encoding. The unit suite runs a fixed seed and a modest number of
 * cases; `FUZZ_RUNS=10000 npm run fuzz` (or FUZZ_SEED=… for another seed) runs as many as asked.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_126);
const settings = { numRuns: RUNS, seed: SEED, endOnFailure: true };

const PATH = 'src/file.ts';
const guard = (p: string): Promise<string> => Promise.resolve(p);

/** Characters source files are made of, the awkward ones included: tabs, quotes, accents, astral characters. */
const CHARS = [...'abcxyz019 ={}();,.+-_/*', '\t', '  ', '"', "'", '“', '”', 'é', 'e\u0301', 'ß', '→', '中', '𝄞', '😀'];
const lineText = fc.array(fc.constantFrom(...CHARS), { maxLength: 10 }).map((parts) => parts.join(''));
const eol = fc.constantFrom('\n', '\r\n');

/** A file as text: an optional byte-order mark, lines with their own endings (mixed), a final newline or not. */
const fileText = fc
  .record({
    bom: fc.boolean(),
    lines: fc.array(fc.tuple(lineText, eol), { minLength: 1, maxLength: 14 }),
    finalNewline: fc.boolean(),
  })
  .map(({ bom, lines, finalNewline }) => {
    const body = lines.map(([text, end], i) => (i < lines.length - 1 || finalNewline ? text + end : text)).join('');
    return (bom ? '\uFEFF' : '') + body;
  });

const newText = fc.array(fc.oneof(lineText, fc.constant('\n')), { maxLength: 6 }).map((parts) => parts.join(''));

/** Offsets in `file` of each offset of its model text (and one past the end), by walking it character by character. */
function offsetsOf(file: string): number[] {
  const out: number[] = [];
  let i = file.startsWith('\uFEFF') ? 1 : 0;
  for (; i < file.length; i++) {
    out.push(i);
    if (file[i] === '\r' && file[i + 1] === '\n') {
      i += 1; // one model newline for the CRLF pair, which starts at its CR
    }
  }
  out.push(file.length);
  return out;
}

function overlayOf(file: string): Overlay {
  return new Overlay((rel) => Promise.resolve(rel === PATH ? file : null));
}

/** A unique, non-empty span of the model text of `file`, from two random numbers; null when there is none. */
function uniqueSpan(model: string, a: number, b: number): { start: number; end: number } | null {
  const start = a % (model.length + 1);
  const end = start + (b % (model.length - start + 1));
  const old = model.slice(start, end);
  if (old === '' || model.indexOf(old) !== start || model.indexOf(old, start + 1) >= 0) {
    return null;
  }
  // The surrogate halves of one character are not places a model can name.
  const split = (i: number): boolean => /[\uDC00-\uDFFF]/.test(model[i] ?? '');
  return split(start) || split(end) ? null : { start, end };
}

async function applyEdit(file: string, oldStr: string, newStr: string): Promise<{ ok: boolean; target: string }> {
  const overlay = overlayOf(file);
  const result = await executeEditorCall(
    overlay,
    { command: 'str_replace', path: PATH, old_str: oldStr, new_str: newStr },
    guard,
  );
  return { ok: !result.isError, target: (await overlay.read(PATH)) ?? '' };
}

describe('edits fuzz (fast-check)', function () {
  this.timeout(Math.max(20_000, RUNS * 20));

  it('an applied edit changes exactly the matched span: the bytes before and after it stay, line endings included', async () => {
    await fc.assert(
      fc.asyncProperty(fileText, fc.nat(), fc.nat(), newText, async (file, a, b, replacement) => {
        const model = toModelText(file);
        const span = uniqueSpan(model, a, b);
        fc.pre(span !== null);
        const { start, end } = span as { start: number; end: number };
        const { ok, target } = await applyEdit(file, model.slice(start, end), replacement);
        assert.ok(ok, 'a unique exact old_str applies');
        const offsets = offsetsOf(file);
        const from = offsets[start] as number;
        const to = offsets[end] as number;
        // A file without a final newline keeps none: when the edit leaves the end blank, the line breaks before it go.
        const trimsEnd = end === model.length && !(model === '' || model.endsWith('\n'));
        const before = trimsEnd ? file.slice(0, from).replace(/(\r?\n)+$/, '') : file.slice(0, from);
        assert.equal(target.slice(0, before.length), before, 'everything before the span is byte-identical');
        if (to < file.length) {
          assert.equal(target.slice(target.length - (file.length - to)), file.slice(to), 'and everything after it');
        }
        let expected = model.slice(0, start) + replacement + model.slice(end);
        if (end === model.length) {
          const hadFinal = model === '' || model.endsWith('\n');
          expected = hadFinal
            ? expected === '' || expected.endsWith('\n')
              ? expected
              : `${expected}\n`
            : expected.replace(/\n+$/, '');
        }
        assert.equal(toModelText(target), expected, 'the model text is the replacement in place of the span');
      }),
      settings,
    );
  });

  it('a refused edit changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fileText, lineText, newText, async (file, oldStr, replacement) => {
        const overlay = overlayOf(file);
        const result = await executeEditorCall(
          overlay,
          { command: 'str_replace', path: PATH, old_str: oldStr, new_str: replacement },
          guard,
        );
        if (result.isError) {
          assert.deepEqual(await overlay.changes(), []);
          assert.equal(await overlay.read(PATH), file);
        }
      }),
      settings,
    );
  });

  it('rejecting every hunk is byte-identical; accepting some then the rest gives the target; reverting restores the base', async () => {
    await fc.assert(
      fc.asyncProperty(fileText, fc.nat(), fc.nat(), newText, fc.array(fc.boolean()), async (file, a, b, rep, pick) => {
        const model = toModelText(file);
        const span = uniqueSpan(model, a, b);
        fc.pre(span !== null);
        const { start, end } = span as { start: number; end: number };
        const { ok, target } = await applyEdit(file, model.slice(start, end), rep);
        fc.pre(ok && target !== file);
        const change = buildFileChange(PATH, file, target);
        const ids = change.hunks.map((h) => h.id);
        assert.equal(rejectHunks(change, ids).target, file, 'reject all leaves the base');
        const some = ids.filter((_, i) => pick[i] ?? false);
        const first = acceptHunks(change, some);
        const rest = acceptHunks(
          first.change,
          first.change.hunks.map((h) => h.id),
        );
        assert.equal(rest.text, target, 'accepting some hunks, then the others, gives the target');
        const back = buildFileChange(PATH, rest.text, file);
        assert.equal(
          acceptHunks(
            back,
            back.hunks.map((h) => h.id),
          ).text,
          file,
          'reverting gives the base back',
        );
      }),
      settings,
    );
  });

  it('encodes and decodes byte for byte: UTF-8 with and without BOM, UTF-16 with BOM, Windows-1252, Latin-1', async () => {
    const latin = fc.array(fc.constantFrom(...'abc xyz{};é€ßü“”ÿ\t'), { maxLength: 40 }).map((c) => c.join(''));
    const encoded = fc.oneof(
      fileText.map((t) => Buffer.from(t, 'utf8')),
      fileText.map((t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t.replace(/^\uFEFF/, ''), 'utf16le')])),
      fileText.map((t) =>
        Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(t.replace(/^\uFEFF/, ''), 'utf16le').swap16()]),
      ),
      fc.tuple(latin, fc.constantFrom('windows-1252', 'latin1')).map(([t, enc]) => iconv.encode(t, enc)),
    );
    await fc.assert(
      fc.asyncProperty(encoded, async (bytes) => {
        const { text, encoding } = decodeText(bytes, 'file.txt');
        assert.deepEqual(encodeText(text, encoding, 'file.txt'), bytes);
      }),
      settings,
    );
  });

  it('any bytes at all are either refused or kept byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom('a.txt', 'a.bin', 'README'),
        async (raw, name) => {
          const bytes = Buffer.from(raw);
          let decoded;
          try {
            decoded = decodeText(bytes, name);
          } catch (err) {
            assert.ok(err instanceof FileRefusedError, String(err));
            return;
          }
          assert.deepEqual(encodeText(decoded.text, decoded.encoding, name), bytes);
        },
      ),
      settings,
    );
  });
});
