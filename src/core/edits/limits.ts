/**
 * Bounds on what one edit, one tool call and one worker run may cost, so that bad input or a model gone wrong is
 * refused with a message instead of taking minutes, gigabytes or a context window. The README lists them.
 */

const KB = 1024;
const MB = 1024 * KB;

/**
 * The largest file a model reads or edits: 2 MB, about 600K tokens at 3.5 characters a token, which leaves room in a
 * 1M-token window for the rest of the request. Bytes on disk; characters for text already in memory.
 */
export const MAX_FILE_BYTES = 2 * MB;

/**
 * The largest `file_text`, `new_str` or `insert_text` one call may carry: 512 KB, past the ~450 KB a model can write
 * in its 128K-token output limit, so only a runaway or malformed call meets it.
 */
export const MAX_TOOL_TEXT = 512 * KB;

/** Files one worker run may create. */
export const MAX_CREATED_FILES = 20;

/** A `view` without a range shows at most this many lines and characters; the rest is one `view_range` away. */
export const MAX_VIEW_LINES = 2_000;
export const MAX_VIEW_CHARS = 200_000;

/**
 * Matches of an ambiguous `old_str` counted before the search stops: enough to say "1,000 or more", few enough that a
 * text occurring everywhere in a large file costs one bounded scan. Lines named in the message: the first five.
 */
export const MATCHES_COUNTED = 1_000;
export const MATCH_LINES_SHOWN = 5;

/** A size as people read it: "19.8 MB", "700 KB". */
export function describeSize(bytes: number): string {
  if (bytes >= MB) {
    return `${(bytes / MB).toFixed(1)} MB`;
  }
  return bytes >= KB ? `${Math.round(bytes / KB)} KB` : `${bytes} bytes`;
}

/** A limit as documented: "2 MB", "512 KB". */
export function describeLimit(bytes: number): string {
  return bytes >= MB ? `${bytes / MB} MB` : `${bytes / KB} KB`;
}
