import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import type { WorkspaceListing } from '../workspace/listing';
import { LARGE_FILE_BYTES } from './fileKinds';
import type { ScanCache } from './mapCache';
import { contentHash } from './mapCache';
import type { FileScan } from './scan';
import { scanSource } from './scan';
import { hasSymbols } from './symbols';

/** Files read (synchronously: far cheaper than a promise per file) between two yields. */
const READ_CHUNK = 200;

function scanOne(root: string, rel: string, listing: WorkspaceListing, cache: ScanCache): FileScan | undefined {
  let bytes: Buffer;
  try {
    // The bytes, not a decoded text: the scan reads UTF-8 itself and decodes only the lines that declare something.
    bytes = readFileSync(path.join(root, rel));
  } catch {
    return undefined; // vanished since it was listed
  }
  if (bytes.includes(0)) {
    return undefined;
  }
  const size = listing.sizes.get(rel) ?? 0;
  const mtimeMs = listing.mtimes.get(rel) ?? 0;
  const hash = contentHash(bytes);
  const known = cache.byContent(rel, size, mtimeMs, hash);
  if (known) {
    return known;
  }
  const scan = scanSource(rel, bytes);
  cache.put(rel, { size, mtimeMs, hash, scan });
  return scan;
}

/**
 * The scans of the source files among `files`: from the cache when a file's size and time are unchanged, else read
 * once (and reused by content hash when only its time changed). Unreadable and binary files get no scan.
 */
export async function scanFiles(
  root: string,
  files: string[],
  listing: WorkspaceListing,
  cache: ScanCache,
): Promise<Map<string, FileScan>> {
  const out = new Map<string, FileScan>();
  const toRead: string[] = [];
  for (const rel of files) {
    if (!hasSymbols(rel)) {
      continue;
    }
    const size = listing.sizes.get(rel) ?? 0;
    const fresh = cache.fresh(rel, size, listing.mtimes.get(rel) ?? 0);
    if (fresh) {
      out.set(rel, fresh);
    } else if (size <= LARGE_FILE_BYTES) {
      toRead.push(rel);
    }
  }
  for (let i = 0; i < toRead.length; i++) {
    const rel = toRead[i] as string;
    const scan = scanOne(root, rel, listing, cache);
    if (scan) {
      out.set(rel, scan);
    }
    if (i % READ_CHUNK === READ_CHUNK - 1) {
      await setImmediate(); // yield between chunks, so the extension host stays responsive on a cold start
    }
  }
  return out;
}
