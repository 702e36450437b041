import { promises as fs } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

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
/** Files matched per run of the script: few enough that a cut-off run loses little. */
const BATCH = 200;

/**
 * Runs inside a separate context with a timeout: V8 interrupts a regular expression that backtracks for too long
 * there, which it cannot do on the main context, so no pattern a model writes can stall the planner. Per file: one
 * pass over the whole text (most files have no match), then the matching lines.
 */
const MATCH_SCRIPT = `
  (() => {
    const any = new RegExp(source, flags + 'm');
    const one = new RegExp(source, flags);
    return texts.map((text) => {
      if (!any.test(text)) return [];
      const hits = [];
      const lines = text.split(/\\r?\\n/);
      for (let n = 0; n < lines.length; n++) {
        if (one.test(lines[n])) hits.push([n + 1, lines[n].trim()]);
      }
      return hits;
    });
  })()
`;
const script = new vm.Script(MATCH_SCRIPT);

/**
 * Searches the given files for a JavaScript regular expression, line by line, within a time limit that holds even
 * for a pattern that backtracks without end. A pattern that does not compile is an error that says why.
 */
export async function searchFiles(
  root: string,
  files: string[],
  pattern: string,
  opts: SearchOptions = {},
): Promise<SearchResult> {
  const flags = opts.ignoreCase ? 'iu' : 'u';
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    throw new Error(
      `The pattern ${JSON.stringify(pattern)} is not a valid regular expression (${(err as Error).message}).`,
      {
        cause: err,
      },
    );
  }
  const maxMatches = opts.maxMatches ?? DEFAULT_MAX_MATCHES;
  const deadline = Date.now() + (opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
  const context = vm.createContext({ source: pattern, flags, texts: [] as string[] });
  const matches: SearchResult['matches'] = [];
  let total = 0;
  let matchedFiles = 0;
  let searched = 0;
  let stopped: string | undefined;
  for (let start = 0; start < files.length && !stopped; start += BATCH) {
    if (opts.signal?.aborted) {
      stopped = 'cancelled';
      break;
    }
    const batch = files.slice(start, start + BATCH);
    const texts = await Promise.all(
      batch.map((rel) =>
        fs.readFile(path.join(root, rel), 'utf8').then(
          (t) => (t.includes('\0') ? '' : t),
          () => '',
        ),
      ),
    );
    const left = deadline - Date.now();
    if (left <= 0) {
      stopped = 'time limit';
      break;
    }
    context.texts = texts;
    let hits: Array<Array<[number, string]>>;
    try {
      hits = script.runInContext(context, { timeout: left }) as Array<Array<[number, string]>>;
    } catch {
      stopped = 'time limit'; // the pattern backtracked past the limit on some file of this batch
      break;
    }
    searched += batch.length;
    hits.forEach((fileHits, i) => {
      if (fileHits.length > 0) {
        matchedFiles++;
        total += fileHits.length;
        for (const [line, text] of fileHits) {
          if (matches.length < maxMatches) {
            matches.push({ path: batch[i] as string, line, text });
          }
        }
      }
    });
  }
  return { matches, total, files: matchedFiles, searched, ...(stopped ? { stopped } : {}) };
}
