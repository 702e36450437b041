/** One contiguous change inside a file, in the shape of a unified-diff hunk. */
export interface Hunk {
  /** Derived from the hunk's content, so it stays the same when other hunks of the file are accepted or rejected. */
  id: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /**
   * Unified-diff body lines, each starting with ' ', '-' or '+', or '\' for "No newline at end of file". Lines of a
   * CRLF file keep their '\r', so applying hunks gives back the exact bytes.
   */
  lines: string[];
}

/**
 * What a subtask wants to do to one file. `base` is the file as the worker saw it (null: the file did not exist),
 * `target` is what the worker left. Accepting a hunk moves `base` toward `target`; rejecting one moves `target`
 * back toward `base`. `hunks` always equals the diff of `base` and `target`.
 */
export interface FileChange {
  path: string;
  base: string | null;
  target: string;
  /** sha256 of the file on disk when `base` was read; a different hash on disk means the proposal is stale. */
  baseHash: string;
  hunks: Hunk[];
}

export type ProposalStatus = 'open' | 'accepted' | 'rejected' | 'partial';

export interface Proposal {
  id: string;
  subtaskId: string;
  attempt: number;
  createdAt: string;
  files: FileChange[];
  status: ProposalStatus;
}
