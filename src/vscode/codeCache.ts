import type { Script } from 'node:vm';

/**
 * How long after a bundle was loaded its code cache is written: the code that runs at start (a stored plan restored
 * in a few hundred milliseconds) has run by then, and a window closed soon after opening has still written it.
 */
const SAVE_AFTER_MS = 2_000;

/** Bytes of the bundle's SHA-256 at the head of its cache file. */
const HASH_BYTES = 32;

/**
 * Loads one of the extension's own CommonJS bundles as `require` does, with V8's code cache: what V8 compiled of the
 * bundle (its top level and each function that ran) is kept beside it in `<bundle>.cache` and handed back to V8 the
 * next time, so that a window's start skips parsing and compiling it. The cache is written a while after a load that
 * had none (once the start-up code has run), and again whenever V8 refuses it (another VS Code, another V8); it is
 * used only for the very text it was made from, whose hash heads the file. Where the extension's folder is read-only
 * nothing is written, and each load compiles the bundle as `require` would.
 */
export function requireCached<T>(file: string, saveAfterMs = SAVE_AFTER_MS): T {
  // Node's modules are taken when a bundle is loaded, not when the entry that imports this is evaluated: the host
  // sends its request for the extension's stored state only after that, and the entry's requires delay it.
  const { createHash } = process.getBuiltinModule('node:crypto');
  const { readFileSync } = process.getBuiltinModule('node:fs');
  const { createRequire } = process.getBuiltinModule('node:module');
  const path = process.getBuiltinModule('node:path');
  const { Script } = process.getBuiltinModule('node:vm');
  // Hashed as the bytes read, before they are decoded: hashing the decoded text would encode it all over again.
  const bytes = readFileSync(file);
  const hash = createHash('sha256').update(bytes).digest();
  const source = bytes.toString('utf8');
  const cacheFile = `${file}.cache`;
  const cached = readCache(cacheFile, hash);
  // The wrapper has a line of its own, which the line offset takes back out: positions in stack traces and source
  // maps are the bundle's own.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: file,
    lineOffset: -1,
    cachedData: cached,
  });
  const module = { exports: {} };
  const init = script.runInThisContext() as (...args: unknown[]) => void;
  init.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  if (!cached || script.cachedDataRejected) {
    setTimeout(() => writeCache(cacheFile, hash, script), saveAfterMs).unref();
  }
  return module.exports as T;
}

function readCache(cacheFile: string, hash: Buffer): Buffer | undefined {
  try {
    const data = process.getBuiltinModule('node:fs').readFileSync(cacheFile);
    return data.subarray(0, HASH_BYTES).equals(hash) ? data.subarray(HASH_BYTES) : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole under a name of its own and then renamed, so that a window starting meanwhile reads all or nothing. */
function writeCache(cacheFile: string, hash: Buffer, script: Script): void {
  const { renameSync, rmSync, writeFileSync } = process.getBuiltinModule('node:fs');
  const temp = `${cacheFile}.${process.pid}`;
  try {
    writeFileSync(temp, Buffer.concat([hash, script.createCachedData()]));
    renameSync(temp, cacheFile);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // A folder the extension may not write to: there is no cache, and nothing else to undo.
    }
  }
}
