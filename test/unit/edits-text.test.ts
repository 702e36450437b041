import assert from 'node:assert/strict';
import { Overlay } from '../../src/core/edits/overlay';
import { applyModelEdit, detectFormat, toModelText } from '../../src/core/edits/text';

describe('edits: file formats', () => {
  it('detects LF, CRLF, a byte-order mark and the final newline', () => {
    assert.deepEqual(detectFormat('a\nb\n'), { eol: '\n', bom: false, finalNewline: true });
    assert.deepEqual(detectFormat('\uFEFFa\r\nb'), { eol: '\r\n', bom: true, finalNewline: false });
    assert.deepEqual(detectFormat('a\r\nb\r\nc\n'), { eol: '\r\n', bom: false, finalNewline: true });
    assert.deepEqual(detectFormat('a\nb\nc\r\n'), { eol: '\n', bom: false, finalNewline: true });
  });

  it('an empty file takes a final newline once text is added', () => {
    assert.equal(applyModelEdit('', 0, 0, ''), '');
    assert.equal(applyModelEdit('', 0, 0, 'x'), 'x\n');
  });

  it('shows the model LF text without a byte-order mark', () => {
    assert.equal(toModelText('\uFEFFa\r\nb\r\n'), 'a\nb\n');
    assert.equal(toModelText('a\nb'), 'a\nb');
  });

  it('writes model text back in the file format, round-tripping every combination exactly', () => {
    for (const eol of ['\n', '\r\n']) {
      for (const bom of ['', '\uFEFF']) {
        for (const end of ['', eol]) {
          const file = `${bom}one${eol}two${eol}three${end}`;
          const model = toModelText(file);
          assert.equal(applyModelEdit(file, 0, model.length, model), file, JSON.stringify(file));
        }
      }
    }
  });

  it('keeps the final newline present or absent whatever the model did at the end', () => {
    assert.equal(applyModelEdit('x\r\n', 0, 2, 'a\nb'), 'a\r\nb\r\n');
    assert.equal(applyModelEdit('x', 0, 1, 'a\nb\n'), 'a\nb');
    assert.equal(applyModelEdit('\uFEFFx\r\n', 0, 2, 'a\nb\n'), '\uFEFFa\r\nb\r\n');
  });
});

describe('edits: overlay', () => {
  it('reads each base file once and keeps that snapshot', async () => {
    const disk = new Map<string, string>([['a.ts', 'one\n']]);
    let reads = 0;
    const overlay = new Overlay((rel) => {
      reads += 1;
      return Promise.resolve(disk.get(rel) ?? null);
    });
    assert.equal(await overlay.read('a.ts'), 'one\n');
    disk.set('a.ts', 'changed on disk\n');
    assert.equal(await overlay.read('a.ts'), 'one\n');
    assert.equal(await overlay.baseOf('a.ts'), 'one\n');
    assert.equal(await overlay.read('missing.ts'), null);
    assert.equal(reads, 2);
  });

  it('serves its own writes without touching the base, and reports only files that differ', async () => {
    const disk = new Map<string, string>([
      ['a.ts', 'a\n'],
      ['b.ts', 'b\n'],
    ]);
    const overlay = new Overlay((rel) => Promise.resolve(disk.get(rel) ?? null));
    overlay.write('b.ts', 'b2\n');
    overlay.write('a.ts', 'a\n');
    overlay.write('new/c.ts', '');
    assert.equal(await overlay.read('b.ts'), 'b2\n');
    assert.equal(disk.get('b.ts'), 'b\n');
    assert.equal(await overlay.baseOf('b.ts'), 'b\n');
    assert.deepEqual(await overlay.changes(), [
      { path: 'b.ts', base: 'b\n', target: 'b2\n' },
      { path: 'new/c.ts', base: null, target: '' },
    ]);
  });

  it('retries a base read that failed instead of caching the failure', async () => {
    let fail = true;
    const overlay = new Overlay(() => (fail ? Promise.reject(new Error('EIO')) : Promise.resolve('ok\n')));
    await assert.rejects(overlay.read('a.ts'), /EIO/);
    fail = false;
    assert.equal(await overlay.read('a.ts'), 'ok\n');
  });

  it('lists folders from the base plus files the run created', async () => {
    const overlay = new Overlay(
      () => Promise.resolve(null),
      (dir) => Promise.resolve(dir === 'src' ? ['a.ts', 'lib/'] : dir === '' ? ['src/'] : null),
    );
    overlay.write('src/new/b.ts', 'b\n');
    overlay.write('src/c.ts', 'c\n');
    assert.deepEqual(await overlay.list('src'), ['a.ts', 'c.ts', 'lib/', 'new/']);
    assert.deepEqual(await overlay.list('.'), ['src/']);
    assert.deepEqual(await overlay.list('src/new/'), ['b.ts']);
    assert.equal(await overlay.list('nowhere'), null);
  });
});
