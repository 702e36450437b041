import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { STORE_DIR } from '../workspace/rules';
import type { FileScan } from './scan';

/** Bumped whenever a scan would come out differently for the same text: an older cache is then ignored. */
export const SCAN_FORMAT = 2;
/** Where the CLI keeps scans between runs (inside the store folder, which ignores itself in git). */
export const CACHE_FILE = path.join(STORE_DIR, 'cache', 'map-scans.json');
/** And the parser's outlines of the files the map showed, by content hash. */
export const OUTLINE_CACHE_FILE = path.join(STORE_DIR, 'cache', 'map-outlines.json');

interface Entry {
  size: number;
  mtimeMs: number;
  hash: string;
  scan: FileScan;
}

const EntrySchema = z.object({
  size: z.number(),
  mtimeMs: z.number(),
  hash: z.string(),
  defs: z.array(z.tuple([z.string(), z.number()])),
  /** The keys of the names used, as little-endian 32-bit words in base64: a key never tells a value. */
  refs: z.string(),
});

function keysToText(keys: Uint32Array): string {
  const bytes = Buffer.alloc(keys.length * 4);
  keys.forEach((k, i) => bytes.writeUInt32LE(k, i * 4));
  return bytes.toString('base64');
}

function keysFromText(text: string): Uint32Array {
  const bytes = Buffer.from(text, 'base64');
  const keys = new Uint32Array(Math.floor(bytes.length / 4));
  for (let i = 0; i < keys.length; i++) {
    keys[i] = bytes.readUInt32LE(i * 4);
  }
  return keys;
}

const FileSchema = z.object({ format: z.literal(SCAN_FORMAT), entries: z.record(z.string(), EntrySchema) });

/** The hash a scan is keyed by: the same text gives the same scan whatever its path or time (a text as UTF-8). */
export function contentHash(text: string | Uint8Array): string {
  return createHash('sha1').update(text).digest('base64url');
}

/**
 * Scans of one workspace's files, by path: trusted while the file's size and time are unchanged, and reused by
 * content hash when a file was touched but not changed (a checkout, a save without edits). Kept in memory for the
 * life of the process; `save` and `load` keep it between runs.
 */
export class ScanCache {
  private readonly byPath = new Map<string, Entry>();
  private readonly byHash = new Map<string, FileScan>();
  private changed = false;

  get size(): number {
    return this.byPath.size;
  }

  /** The scan of a file whose size and time are as given, without reading it; undefined when unknown or stale. */
  fresh(rel: string, size: number, mtimeMs: number): FileScan | undefined {
    const e = this.byPath.get(rel);
    return e && e.size === size && e.mtimeMs === mtimeMs ? e.scan : undefined;
  }

  /** The scan of a text seen before (under any path), recorded for `rel` so that the next look needs no read. */
  byContent(rel: string, size: number, mtimeMs: number, hash: string): FileScan | undefined {
    const scan = this.byHash.get(hash);
    if (scan) {
      this.put(rel, { size, mtimeMs, hash, scan });
    }
    return scan;
  }

  put(rel: string, entry: Entry): void {
    this.byPath.set(rel, entry);
    this.byHash.set(entry.hash, entry.scan);
    this.changed = true;
  }

  /** A key that changes whenever these files or what is known of them change: what the link graph is kept by. */
  fingerprint(files: string[]): string {
    const h = createHash('sha1');
    for (const rel of files) {
      h.update(rel)
        .update('\0')
        .update(this.byPath.get(rel)?.hash ?? '-')
        .update('\0');
    }
    return h.digest('base64url');
  }

  /** Forgets files no longer listed, so the cache does not grow with every file that ever existed. */
  keepOnly(paths: Set<string>): void {
    for (const rel of this.byPath.keys()) {
      if (!paths.has(rel)) {
        this.byPath.delete(rel);
        this.changed = true;
      }
    }
    this.byHash.clear();
    for (const e of this.byPath.values()) {
      this.byHash.set(e.hash, e.scan);
    }
  }

  /** Reads a cache saved by `save`; a missing, damaged or older cache leaves this one as it is. Never throws. */
  async load(root: string): Promise<number> {
    const data = await readCacheFile(root, CACHE_FILE);
    const parsed = FileSchema.safeParse(data);
    if (!parsed.success) {
      return 0;
    }
    for (const [rel, e] of Object.entries(parsed.data.entries)) {
      const scan = {
        defs: e.defs.map(([name, line]) => ({ name, line })),
        refs: keysFromText(e.refs),
      };
      this.byPath.set(rel, { size: e.size, mtimeMs: e.mtimeMs, hash: e.hash, scan });
      this.byHash.set(e.hash, scan);
    }
    return this.byPath.size;
  }

  /** Writes the cache when it changed, through a temporary file and a rename: never half a file. */
  async save(root: string): Promise<void> {
    if (!this.changed) {
      return;
    }
    const entries: Record<string, z.infer<typeof EntrySchema>> = {};
    for (const [rel, e] of this.byPath) {
      const defs = e.scan.defs.map((d): [string, number] => [d.name, d.line]);
      entries[rel] = { size: e.size, mtimeMs: e.mtimeMs, hash: e.hash, defs, refs: keysToText(e.scan.refs) };
    }
    await writeCacheFile(root, CACHE_FILE, { format: SCAN_FORMAT, entries });
    this.changed = false;
  }
}

const caches = new Map<string, ScanCache>();

/** The in-memory cache of a workspace, shared by every map built in this process. */
export function scanCacheFor(root: string): ScanCache {
  let cache = caches.get(root);
  if (!cache) {
    cache = new ScanCache();
    caches.set(root, cache);
  }
  return cache;
}

/** Writes one cache file through a temporary file and a rename: never half a file. */
export async function writeCacheFile(root: string, rel: string, data: unknown): Promise<void> {
  const file = path.join(root, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  // As the store does: `*` keeps the folder out of git without touching the workspace's own .gitignore.
  await fs.writeFile(path.join(root, STORE_DIR, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, JSON.stringify(data));
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Reads a cache file as JSON; undefined when it is missing or damaged. */
export async function readCacheFile(root: string, rel: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(path.join(root, rel), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
