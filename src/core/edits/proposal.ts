import { createHash } from 'node:crypto';
import { applyPatch, structuredPatch } from 'diff';
import type { StructuredPatch, StructuredPatchHunk } from 'diff';
import type { FileChange, Hunk, Proposal } from './types';

/** The hash of a file that does not exist: not hex, so it never equals the hash of any text. */
const ABSENT = 'absent';

/** Unchanged lines around each hunk, as `git diff` shows them; changes closer than twice this share one hunk. */
const CONTEXT_LINES = 3;

/** Identifies file contents for stale checks: sha256 hex of the text, or a fixed marker for a missing file. */
export function hashText(text: string | null): string {
  return text === null ? ABSENT : createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The hunks turning `base` into `target`, with 3 lines of context. Lines are split on LF only, so a CRLF file's lines
 * keep their CR and applying hunks gives back the exact bytes. Each id hashes the hunk's lines (context included) and
 * its rank among identical hunks: accepting or rejecting a hunk leaves the others' lines, and so their ids, unchanged,
 * because hunks closer than the context would have been one hunk.
 */
export function computeHunks(base: string, target: string): Hunk[] {
  const patch = structuredPatch('base', 'target', base, target, '', '', { context: CONTEXT_LINES });
  const seen = new Map<string, number>();
  return patch.hunks.map((h) => {
    const body = h.lines.join('\n');
    const rank = seen.get(body) ?? 0;
    seen.set(body, rank + 1);
    const id = createHash('sha1').update(`${rank}\n${body}`, 'utf8').digest('hex').slice(0, 12);
    return {
      id,
      oldStart: h.oldStart,
      oldLines: h.oldLines,
      newStart: h.newStart,
      newLines: h.newLines,
      lines: [...h.lines],
    };
  });
}

/** One file's change, with its hunks and the hash of the base it was computed from. */
export function buildFileChange(path: string, base: string | null, target: string): FileChange {
  return { path, base, target, baseHash: hashText(base), hunks: computeHunks(base ?? '', target) };
}

/**
 * A worker's result as a proposal for review: one entry per file whose text changed (a created file counts even when
 * empty), each with its hunks, status 'open'.
 */
export function buildProposal(input: {
  id: string;
  subtaskId: string;
  attempt: number;
  files: Array<{ path: string; base: string | null; target: string }>;
}): Proposal {
  return {
    id: input.id,
    subtaskId: input.subtaskId,
    attempt: input.attempt,
    createdAt: new Date().toISOString(),
    files: input.files.filter((f) => f.base !== f.target).map((f) => buildFileChange(f.path, f.base, f.target)),
    status: 'open',
  };
}

/**
 * Accepts some hunks. `text` is what to write to disk: the base with exactly those hunks applied, bytes otherwise
 * as they were (line endings, byte-order mark, final newline). `change` is what is left to review: its base is now
 * that text (and its hash the hash of what will be on disk), its hunks the remaining ones, possibly none. A new file
 * is written even when only some of its hunks are accepted.
 */
export function acceptHunks(change: FileChange, hunkIds: readonly string[]): { text: string; change: FileChange } {
  const chosen = new Set(hunkIds);
  const text = applySome(change, (h) => chosen.has(h.id));
  return { text, change: buildFileChange(change.path, text, change.target) };
}

/**
 * Rejects some hunks: the target moves back to the base for them and the other hunks stay. The base is untouched,
 * so the file on disk stays byte for byte what it was; rejecting every hunk leaves target equal to base.
 */
export function rejectHunks(change: FileChange, hunkIds: readonly string[]): FileChange {
  const dropped = new Set(hunkIds);
  const target = applySome(change, (h) => !dropped.has(h.id));
  const hunks = computeHunks(change.base ?? '', target);
  return { ...change, target, hunks };
}

/** Whether the file on disk (`current`, null when missing) is no longer the base the change was computed from. */
export function isStale(change: FileChange, current: string | null): boolean {
  return hashText(current) !== change.baseHash;
}

/** Lines added and removed over the change's hunks, for the "+12 −3" a reviewer sees first. */
export function lineStats(change: FileChange): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const hunk of change.hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith('+')) {
        added += 1;
      } else if (line.startsWith('-')) {
        removed += 1;
      }
    }
  }
  return { added, removed };
}

/**
 * The base with the hunks `keep` selects applied. Hunks are recomputed from base and target rather than trusted from
 * the stored change, so a change edited by hand or loaded from an older store still applies exactly.
 */
function applySome(change: FileChange, keep: (h: Hunk) => boolean): string {
  const base = change.base ?? '';
  const hunks = computeHunks(base, change.target).filter(keep);
  if (hunks.length === 0) {
    return base;
  }
  const patch: StructuredPatch = {
    oldFileName: change.path,
    newFileName: change.path,
    oldHeader: '',
    newHeader: '',
    hunks: hunks.map((h): StructuredPatchHunk => ({
      oldStart: h.oldStart,
      oldLines: h.oldLines,
      newStart: h.newStart,
      newLines: h.newLines,
      lines: h.lines,
    })),
  };
  const result = applyPatch(base, patch);
  if (result === false) {
    throw new Error(`The selected changes to ${change.path} no longer apply to its base; reopen the proposal.`);
  }
  return result;
}
