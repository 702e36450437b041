import { promises as fs } from 'node:fs';
import path from 'node:path';
import { RE2JS } from 're2js';

/** What a text search found, and why it stopped early if it did. */
export interface SearchResult {
  matches: Array<{ path: string; line: number; text: string }>;
  /** Matching lines in all, including those not returned. */
  total: number;
  /** Files with at least one match. */
  files: number;
  /** Files searched. */
  searched: number;
  /** Set when the search ended before every file was searched: the time limit, or the caller cancelled. */
  stopped?: string;
}

export interface SearchOptions {
  ignoreCase?: boolean;
  /** Matching lines returned; the rest are only counted. */
  maxMatches?: number;
  /** Wall-clock limit for the whole search. */
  timeLimitMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_MAX_MATCHES = 60;
const DEFAULT_TIME_LIMIT_MS = 2_000;
const READ_CONCURRENCY = 16;

/**
 * Searches the given files for a regular expression, line by line. RE2 semantics (linear-time matching, no
 * backtracking), so no pattern a model writes can stall the planner; the whole search also stops at a time limit.
 * A pattern RE2 cannot compile is an error whose message says what is wrong with it.
 */
export async function searchFiles(
  root: string,
  files: string[],
  pattern: string,
  opts: SearchOptions = {},
): Promise<SearchResult> {
  let re: RE2JS;
  let anyLine: RE2JS;
  try {
    re = RE2JS.compile(pattern, opts.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    anyLine = RE2JS.compile(pattern, RE2JS.MULTILINE | (opts.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0));
  } catch (err) {
    throw new Error(
      `The pattern ${JSON.stringify(pattern)} is not a valid RE2 regular expression (${(err as Error).message}); ` +
        'lookaround and backreferences are not supported.',
      { cause: err },
    );
  }
  const maxMatches = opts.maxMatches ?? DEFAULT_MAX_MATCHES;
  const deadline = Date.now() + (opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
  const perFile: Array<Array<{ line: number; text: string }> | undefined> = new Array(files.length);
  let next = 0;
  let searched = 0;
  let stopped: string | undefined;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      if (opts.signal?.aborted) {
        stopped = 'cancelled';
        return;
      }
      if (Date.now() > deadline) {
        stopped = 'time limit';
        return;
      }
      const text = await fs.readFile(path.join(root, files[i] as string), 'utf8').catch(() => '');
      searched++;
      // One pass over the whole text first: most files have no match, and RE2 skips ahead on a literal prefix.
      if (text.includes('\0') || !anyLine.matcher(text).find()) {
        continue;
      }
      const hits: Array<{ line: number; text: string }> = [];
      const lines = text.split(/\r?\n/);
      for (let n = 0; n < lines.length; n++) {
        if (re.matcher(lines[n] as string).find()) {
          hits.push({ line: n + 1, text: (lines[n] as string).trim() });
        }
      }
      perFile[i] = hits;
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  const matches: SearchResult['matches'] = [];
  let total = 0;
  let matchedFiles = 0;
  // Reported in path order whatever order the reads finished in, so the same search gives the same answer.
  files.forEach((rel, i) => {
    const hits = perFile[i];
    if (hits && hits.length > 0) {
      matchedFiles++;
      total += hits.length;
      for (const h of hits) {
        if (matches.length < maxMatches) {
          matches.push({ path: rel, ...h });
        }
      }
    }
  });
  return { matches, total, files: matchedFiles, searched, ...(stopped ? { stopped } : {}) };
}
