import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireCached } from '../../src/vscode/codeCache';

interface Bundle {
  value: number;
  dir: string;
  dep: string;
}

/** Waits until `check` holds, for at most two seconds. */
async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check() && waited < 2_000; waited += 10) {
    await sleep(10);
  }
}

describe("Bundles loaded with V8's code cache", () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
    file = path.join(dir, 'bundle.js');
    fs.writeFileSync(path.join(dir, 'dep.js'), "module.exports = 'beside';\n");
    fs.writeFileSync(file, "exports.value = 41 + 1;\nexports.dir = __dirname;\nexports.dep = require('./dep.js');\n");
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives the bundle its exports, its folder and a require of the files beside it', () => {
    const bundle = requireCached<Bundle>(file, 0);
    assert.deepEqual({ ...bundle }, { value: 42, dir, dep: 'beside' });
  });

  it('writes the cache beside the bundle, headed by its hash, and uses it on the next load without writing again', async () => {
    requireCached<Bundle>(file, 0);
    const cache = `${file}.cache`;
    await until(() => fs.existsSync(cache));
    const data = fs.readFileSync(cache);
    const hash = createHash('sha256').update(fs.readFileSync(file, 'utf8')).digest();
    assert.ok(data.subarray(0, 32).equals(hash), 'the cache names the text it was made from');
    assert.ok(data.length > 32, 'V8 data follows the hash');
    const written = fs.statSync(cache);
    assert.equal(requireCached<Bundle>(file, 0).value, 42);
    await sleep(50);
    const after = fs.statSync(cache);
    assert.deepEqual(
      [after.ino, after.mtimeMs],
      [written.ino, written.mtimeMs],
      'V8 took the cache: nothing rewritten',
    );
  });

  it('runs a changed bundle, not the cache of its old text, even when both are the same length', async () => {
    requireCached<Bundle>(file, 0);
    await until(() => fs.existsSync(`${file}.cache`));
    const source = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, source.replace('41 + 1', '11 + 1'));
    assert.equal(requireCached<Bundle>(file, 0).value, 12);
  });

  it('loads the bundle when the cache cannot be written, and leaves nothing half-written behind', async () => {
    // A directory where the cache file would go: reading it fails, and so does renaming a file onto it.
    fs.mkdirSync(`${file}.cache`);
    fs.writeFileSync(path.join(`${file}.cache`, 'keep'), '');
    assert.equal(requireCached<Bundle>(file, 0).value, 42);
    await sleep(100);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['bundle.js', 'bundle.js.cache', 'dep.js']);
  });
});
