import * as vscode from 'vscode';
import type { Hunk } from '../../core/edits/types';
import type { Controller } from '../controller';
import { fileChangeOf, fromProposalUri, PROPOSAL_SCHEME } from './proposalDocuments';
import { verdictLensTitle } from './verdict';

/** Shows Opus's verdict on a subtask's proposal with every reason; the verdict CodeLens runs it. */
export const SHOW_REVIEW_COMMAND = 'opusOrchestrator.showReview';

/** What the hunk commands receive: enough to find the hunk again even after other hunks were decided. */
export interface HunkTarget {
  subtaskId: string;
  path: string;
  hunkId: string;
}

/**
 * The 0-based line of the proposal document above which a hunk's lenses go: its first added line, or for a pure
 * deletion the line that now follows the removed ones.
 */
export function hunkAnchorLine(hunk: Hunk): number {
  let line = hunk.newStart;
  for (const body of hunk.lines) {
    if (body.startsWith('+') || body.startsWith('-')) {
      break;
    }
    if (body.startsWith(' ')) {
      line += 1;
    }
  }
  return Math.max(0, line - 1);
}

/**
 * Accept / Reject above every hunk still to decide in a proposal document, the file-wide actions (plus the stale
 * warning) above its first line, and Opus's verdict, once there is one, above the first change. The lenses are computed from the core on every request, so they always match what
 * is left of the proposal.
 */
export class HunkLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(private readonly controller: Controller) {
    this.disposables.push(
      controller.onDidChange((e) => {
        if (e.kind !== 'usage') {
          this.refresh();
        }
      }),
      // A file that changes (typing, saving, another tool) may turn a proposal stale, or fresh again.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === 'file') {
          this.refreshSoon();
        }
      }),
    );
  }

  /** Watches the files on disk too, so a change made outside the editor shows the stale warning. */
  watch(root: vscode.Uri): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, '**/*'));
    const onFile = (): void => this.refreshSoon();
    this.disposables.push(
      watcher,
      watcher.onDidChange(onFile),
      watcher.onDidCreate(onFile),
      watcher.onDidDelete(onFile),
    );
  }

  refresh(): void {
    this.emitter.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const ref = fromProposalUri(document.uri);
    const orchestrator = this.controller.orchestrator;
    if (!ref || ref.side !== 'target' || !orchestrator) {
      return [];
    }
    const change = await fileChangeOf(this.controller, ref);
    if (!change || change.hunks.length === 0) {
      return [];
    }
    const file = { subtaskId: ref.subtaskId, path: ref.path };
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [
      new vscode.CodeLens(top, { title: 'Accept File', command: 'opusOrchestrator.acceptFile', arguments: [file] }),
      new vscode.CodeLens(top, { title: 'Reject File', command: 'opusOrchestrator.rejectFile', arguments: [file] }),
    ];
    if ((await orchestrator.staleFiles(ref.subtaskId)).includes(ref.path)) {
      lenses.push(
        new vscode.CodeLens(top, {
          title: '$(warning) Stale: the file changed since dispatch — Re-dispatch',
          tooltip: 'The file differs from the text the worker edited; run the subtask again against the current file.',
          command: 'opusOrchestrator.redispatch',
          arguments: [ref.subtaskId],
        }),
      );
    }
    const last = Math.max(0, document.lineCount - 1);
    const review = orchestrator.subtask(ref.subtaskId)?.state.review;
    const first = change.hunks[0];
    if (review && first) {
      const line = Math.min(hunkAnchorLine(first), last);
      lenses.push(
        new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
          title: verdictLensTitle(review),
          tooltip: review.summary,
          command: SHOW_REVIEW_COMMAND,
          arguments: [ref.subtaskId],
        }),
      );
    }
    for (const hunk of change.hunks) {
      const line = Math.min(hunkAnchorLine(hunk), last);
      const range = new vscode.Range(line, 0, line, 0);
      const target: HunkTarget = { ...file, hunkId: hunk.id };
      const added = hunk.lines.filter((l) => l.startsWith('+')).length;
      const removed = hunk.lines.filter((l) => l.startsWith('-')).length;
      const detail = `+${added} −${removed}`;
      lenses.push(
        new vscode.CodeLens(range, {
          title: '✓ Accept',
          tooltip: `Apply this change (${detail}) to the file`,
          command: 'opusOrchestrator.acceptHunk',
          arguments: [target],
        }),
        new vscode.CodeLens(range, {
          title: '✗ Reject',
          tooltip: `Drop this change (${detail}); the file is not touched`,
          command: 'opusOrchestrator.rejectHunk',
          arguments: [target],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) {
      d.dispose();
    }
    this.emitter.dispose();
  }

  private refreshSoon(): void {
    if (!vscode.workspace.textDocuments.some((d) => d.uri.scheme === PROPOSAL_SCHEME)) {
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 200);
  }
}
