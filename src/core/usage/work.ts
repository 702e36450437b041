/**
 * What one worker run read and wrote, recorded from its requests and replies: the material of the "Opus alone"
 * figure after a run, which asks what one Opus session would have paid to read the same text and write the same
 * edits. Token counts are the offline estimate (characters ÷ 3.5) of the text, except `thinking`, which is what the
 * API billed as output beyond the visible text and tool inputs.
 */
export interface RunWork {
  /** Every ranged read: each file or slice the first request showed, and each successful `view` of a file. */
  reads: WorkRead[];
  /** Each edit call that succeeded (str_replace, insert, create): its file and the tokens of its input. */
  edits: WorkEdit[];
  thinking: {
    /** Over the turns that made edits. */
    edit: number;
    /** Over the turns that only read (views). */
    read: number;
    /** On the closing answer. */
    answer: number;
  };
  /** The closing answer's text. */
  answer: number;
  /** Model calls the run made. */
  turns: number;
}

export interface WorkRead {
  path: string;
  /** 1-based inclusive line range of the file that was shown. */
  start: number;
  end: number;
  tokens: number;
  /** The whole file was shown (no focus, or a view without a range). */
  whole?: boolean;
  /** Tokens per line of the whole file as `view` numbers it, when known: what a wider read of it would cost. */
  lineTokens?: number;
}

export interface WorkEdit {
  path: string;
  tokens: number;
}

export const NO_WORK: Readonly<RunWork> = Object.freeze({
  reads: [],
  edits: [],
  thinking: { edit: 0, read: 0, answer: 0 },
  answer: 0,
  turns: 0,
});

/**
 * Reads of the same file merged: overlapping or touching ranges count once, at the tokens per line of the reads
 * that covered them. A session reading the same lines twice would not pay for them twice.
 */
export function mergeReads(reads: readonly WorkRead[]): WorkRead[] {
  const byPath = new Map<string, WorkRead[]>();
  for (const r of reads) {
    byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
  }
  const out: WorkRead[] = [];
  for (const [path, list] of byPath) {
    const sorted = [...list].sort((a, b) => a.start - b.start || b.end - a.end);
    let current: WorkRead | undefined;
    for (const r of sorted) {
      if (current && r.start <= current.end + 1) {
        const extra = Math.max(0, r.end - current.end);
        const perLine = r.tokens / Math.max(1, r.end - r.start + 1);
        current.tokens += Math.round(extra * perLine);
        current.end = Math.max(current.end, r.end);
        current.whole = current.whole || r.whole;
        current.lineTokens ??= r.lineTokens;
      } else {
        current = { ...r, path };
        out.push(current);
      }
    }
  }
  return out;
}
