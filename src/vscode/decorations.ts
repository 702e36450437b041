import path from 'node:path';
import * as vscode from 'vscode';
import { MODEL_TABLE } from '../core/models';
import { isRole } from './args';
import type { Controller } from './controller';
import type { FrameScheduler } from './frame';
import { SUBTASK_SCHEME } from './treeNodes';

/** The letter on a file with a proposal awaiting review, in the Explorer, on editor tabs and in the Plan view. */
export const PROPOSAL_BADGE = 'P';
/** Contributed in package.json (`contributes.colors`). */
export const PROPOSAL_COLOR = 'opusOrchestrator.proposalForeground';

interface PendingFile {
  subtaskId: string;
  title: string;
}

/**
 * Marks every file that has a proposal awaiting review: a badge and a colour in the Explorer and on editor tabs (and
 * on its folders), with a tooltip naming the subtask. Recomputed once per frame from the proposals in review; only
 * the files whose mark changed are sent to the workbench.
 */
export class ProposalDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private files = new Map<string, PendingFile>();
  private readonly subscription: vscode.Disposable;
  private readonly updateTask = (): void => this.update();

  constructor(
    private readonly controller: Controller,
    frame: FrameScheduler,
  ) {
    this.subscription = controller.onDidChange((e) => {
      if (e.kind !== 'usage') {
        frame.schedule(this.updateTask);
      }
    });
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== 'file') {
      return undefined;
    }
    const pending = this.files.get(uri.fsPath);
    if (!pending) {
      return undefined;
    }
    const decoration = new vscode.FileDecoration(
      PROPOSAL_BADGE,
      `Proposal to review from subtask "${pending.title}"`,
      new vscode.ThemeColor(PROPOSAL_COLOR),
    );
    decoration.propagate = true;
    return decoration;
  }

  /** The workspace files that have a proposal awaiting review, workspace-relative, for automation and tests. */
  pendingFiles(): string[] {
    const root = this.controller.orchestrator?.root;
    return [...this.files.keys()].map((f) => (root ? path.relative(root, f).split(path.sep).join('/') : f)).sort();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private update(): void {
    const orchestrator = this.controller.orchestrator;
    const next = new Map<string, PendingFile>();
    for (const { spec, state } of orchestrator?.subtasks() ?? []) {
      if (state.status !== 'review') {
        continue;
      }
      for (const change of orchestrator?.proposalSnapshot(spec.id)?.files ?? []) {
        if (change.hunks.length > 0) {
          next.set(path.join(orchestrator?.root ?? '', change.path), { subtaskId: spec.id, title: spec.title });
        }
      }
    }
    const touched = [...new Set([...this.files.keys(), ...next.keys()])].filter(
      (f) => this.files.get(f)?.subtaskId !== next.get(f)?.subtaskId,
    );
    this.files = next;
    if (touched.length > 0) {
      this.changed.fire(touched.map((f) => vscode.Uri.file(f)));
    }
  }
}

/**
 * The model badge at the end of a subtask row (S, H or O), read from the row's `opus-subtask:` URI. A row's
 * description is what a narrow side bar cuts first; a badge stays.
 */
export class ModelBadges implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== SUBTASK_SCHEME) {
      return undefined;
    }
    const role = new URLSearchParams(uri.query).get('model');
    if (!isRole(role)) {
      return undefined;
    }
    const model = MODEL_TABLE[role];
    return new vscode.FileDecoration(model.label.charAt(0), `Runs on ${model.label}`);
  }
}
