import assert from 'node:assert/strict';
import {
  acceptHunks,
  buildProposal,
  computeHunks,
  hashText,
  isStale,
  lineStats,
  rejectHunks,
} from '../../src/core/edits/proposal';
import type { FileChange } from '../../src/core/edits/types';

/** 30 numbered lines; the target changes lines 2, 15 and 28, far enough apart to be three hunks. */
const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
const BASE = `${lines.join('\n')}\n`;
const change = (text: string, n: number, to: string): string => text.replace(`line ${n}\n`, `${to}\n`);
const TARGET = change(change(change(BASE, 2, 'two\nand a half'), 15, 'fifteen'), 28, '');
const ONLY_15 = change(BASE, 15, 'fifteen');

function fileChange(base: string | null, target: string, path = 'src/a.ts'): FileChange {
  const proposal = buildProposal({ id: 'p1', subtaskId: 's1', attempt: 1, files: [{ path, base, target }] });
  const [file] = proposal.files;
  assert.ok(file);
  return file;
}

describe('edits: proposals and hunks', () => {
  it('hashes text with sha256 and a missing file with a marker no text can have', () => {
    assert.equal(hashText('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hashText(null), hashText(null));
    assert.notEqual(hashText(null), hashText(''));
    assert.doesNotMatch(hashText(null), /^[0-9a-f]{64}$/);
  });

  it('splits a change into hunks with three lines of context and content-derived ids', () => {
    const hunks = computeHunks(BASE, TARGET);
    assert.equal(hunks.length, 3);
    const [first, second] = hunks;
    assert.deepEqual(first?.lines, [' line 1', '-line 2', '+two', '+and a half', ' line 3', ' line 4', ' line 5']);
    assert.deepEqual([second?.oldStart, second?.oldLines, second?.newStart, second?.newLines], [12, 7, 13, 7]);
    for (const h of hunks) {
      assert.match(h.id, /^[0-9a-f]{12}$/);
    }
    assert.equal(new Set(hunks.map((h) => h.id)).size, 3);
    assert.deepEqual(
      computeHunks(BASE, TARGET).map((h) => h.id),
      hunks.map((h) => h.id),
    );
  });

  it('builds an open proposal of only the files that change, created files included', () => {
    const proposal = buildProposal({
      id: 'p1',
      subtaskId: 's1',
      attempt: 2,
      files: [
        { path: 'same.ts', base: 'x\n', target: 'x\n' },
        { path: 'a.ts', base: BASE, target: TARGET },
        { path: 'new.ts', base: null, target: 'n\n' },
        { path: 'empty.ts', base: null, target: '' },
      ],
    });
    assert.equal(proposal.status, 'open');
    assert.equal(proposal.attempt, 2);
    assert.match(proposal.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(
      proposal.files.map((f) => [f.path, f.hunks.length, f.baseHash === hashText(f.base)]),
      [
        ['a.ts', 3, true],
        ['new.ts', 1, true],
        ['empty.ts', 0, true],
      ],
    );
    assert.deepEqual(lineStats(proposal.files[0] as FileChange), { added: 4, removed: 3 });
  });

  it('accepting one hunk of three gives exactly the base with that change, and leaves the other two as they were', () => {
    const file = fileChange(BASE, TARGET);
    const [first, second, third] = file.hunks;
    const { text, change: rest } = acceptHunks(file, [second?.id ?? '']);
    assert.equal(text, ONLY_15);
    assert.equal(rest.base, ONLY_15);
    assert.equal(rest.baseHash, hashText(ONLY_15));
    assert.equal(rest.target, TARGET);
    assert.deepEqual(
      rest.hunks.map((h) => h.id),
      [first?.id, third?.id],
    );
    const all = acceptHunks(
      rest,
      rest.hunks.map((h) => h.id),
    );
    assert.equal(all.text, TARGET);
    assert.deepEqual(all.change.hunks, []);
  });

  it('rejecting a hunk keeps the base byte for byte and the other hunks with their ids', () => {
    const file = fileChange(BASE, TARGET);
    const [first, second, third] = file.hunks;
    const rest = rejectHunks(file, [first?.id ?? '']);
    assert.equal(rest.base, BASE);
    assert.equal(rest.baseHash, file.baseHash);
    assert.equal(rest.target, change(change(BASE, 15, 'fifteen'), 28, ''));
    assert.deepEqual(
      rest.hunks.map((h) => h.id),
      [second?.id, third?.id],
    );
    const none = rejectHunks(
      rest,
      rest.hunks.map((h) => h.id),
    );
    assert.equal(none.target, BASE);
    assert.deepEqual(none.hunks, []);
  });

  it('accepts and rejects hunks in turn until the file is decided', () => {
    const file = fileChange(BASE, TARGET);
    const [first, second, third] = file.hunks.map((h) => h.id);
    const afterReject = rejectHunks(file, [third ?? '']);
    const { text, change: rest } = acceptHunks(afterReject, [first ?? '']);
    assert.equal(text, change(BASE, 2, 'two\nand a half'));
    assert.deepEqual(
      rest.hunks.map((h) => h.id),
      [second],
    );
    const last = acceptHunks(rest, [second ?? '']);
    assert.equal(last.text, change(change(BASE, 2, 'two\nand a half'), 15, 'fifteen'));
    assert.deepEqual(last.change.hunks, []);
  });

  it('round-trips CRLF text exactly through accepting and rejecting hunks', () => {
    const crlf = (s: string): string => s.replace(/\n/g, '\r\n');
    const file = fileChange(crlf(BASE), crlf(TARGET));
    assert.equal(file.hunks.length, 3);
    const [, second] = file.hunks;
    const { text, change: rest } = acceptHunks(file, [second?.id ?? '']);
    assert.equal(text, crlf(ONLY_15));
    assert.equal(
      acceptHunks(
        rest,
        rest.hunks.map((h) => h.id),
      ).text,
      crlf(TARGET),
    );
    assert.equal(
      rejectHunks(file, [second?.id ?? '']).target,
      crlf(change(change(BASE, 2, 'two\nand a half'), 28, '')),
    );
    assert.equal(
      rejectHunks(
        file,
        file.hunks.map((h) => h.id),
      ).target,
      crlf(BASE),
    );
  });

  it('keeps a missing final newline, and a BOM, when hunks near the ends are accepted one by one', () => {
    const base = `\uFEFF${BASE.slice(0, -1)}`;
    const target = `\uFEFF${change(BASE, 1, 'first').replace('line 30\n', 'last')}`;
    const file = fileChange(base, target);
    assert.equal(file.hunks.length, 2);
    const [top, bottom] = file.hunks;
    assert.equal(acceptHunks(file, [bottom?.id ?? '']).text, base.replace('line 30', 'last'));
    assert.equal(acceptHunks(file, [top?.id ?? '']).text, base.replace('line 1\n', 'first\n'));
    assert.equal(acceptHunks(file, [top?.id ?? '', bottom?.id ?? '']).text, target);
    assert.equal(rejectHunks(file, [top?.id ?? '', bottom?.id ?? '']).target, base);
  });

  it('adding a final newline to a file that had none is a hunk of its own that round-trips', () => {
    const file = fileChange('a\nb', 'a\nb\n');
    assert.equal(file.hunks.length, 1);
    assert.equal(acceptHunks(file, [file.hunks[0]?.id ?? '']).text, 'a\nb\n');
    assert.equal(rejectHunks(file, [file.hunks[0]?.id ?? '']).target, 'a\nb');
  });

  it('writes a new file when its hunks are accepted, and rejecting them all leaves nothing to add', () => {
    const file = fileChange(null, 'export const A = 1;\nexport const B = 2;\n');
    assert.equal(file.baseHash, hashText(null));
    const [hunk] = file.hunks;
    const { text, change: rest } = acceptHunks(file, [hunk?.id ?? '']);
    assert.equal(text, 'export const A = 1;\nexport const B = 2;\n');
    assert.equal(rest.base, text);
    assert.deepEqual(rest.hunks, []);
    const partial = acceptHunks(file, []);
    assert.equal(partial.text, '');
    assert.equal(partial.change.base, '');
    assert.equal(partial.change.hunks.length, 1);
    const rejected = rejectHunks(file, [hunk?.id ?? '']);
    assert.equal(rejected.base, null);
    assert.equal(rejected.target, '');
    assert.deepEqual(rejected.hunks, []);
  });

  it('detects a stale change when the file on disk is no longer its base', () => {
    const file = fileChange(BASE, TARGET);
    assert.equal(isStale(file, BASE), false);
    assert.equal(isStale(file, `${BASE}edited meanwhile\n`), true);
    assert.equal(isStale(file, null), true);
    const created = fileChange(null, 'n\n', 'src/new.ts');
    assert.equal(isStale(created, null), false);
    assert.equal(isStale(created, 'someone else made it\n'), true);
    const { text, change: rest } = acceptHunks(file, [file.hunks[0]?.id ?? '']);
    assert.equal(isStale(rest, text), false);
    assert.equal(isStale(rest, BASE), true);
  });
});
