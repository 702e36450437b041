import * as vscode from 'vscode';
import type { FileChange } from '../../core/edits/types';
import type { OrchestratorEvent } from '../../core/orchestrator';
import type { Controller } from '../controller';
import { readEditorText } from './workspaceIO';

/** The scheme of the read-only documents that show what a subtask proposes for a file. */
export const PROPOSAL_SCHEME = 'opus-proposal';

/**
 * `target`: the proposal's current text of the file (right side of a diff). `base`: the text the proposal changes
 * (left side): empty for a file the proposal creates, which has no file on disk to compare with, and in the
 * multi-diff editor for every file, whose two sides must name the same path or it reads them as a rename.
 */
export type ProposalSide = 'target' | 'base';

export interface ProposalRef {
  subtaskId: string;
  /** Workspace-relative, forward slashes. */
  path: string;
  side: ProposalSide;
}

/** `opus-proposal:/<path>?subtask=<id>`; the path keeps its extension, so the document gets the file's language. */
export function toProposalUri(subtaskId: string, path: string, side: ProposalSide = 'target'): vscode.Uri {
  const query = new URLSearchParams({ subtask: subtaskId });
  if (side === 'base') {
    query.set('side', 'base');
  }
  return vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${path}`, query: query.toString() });
}

/** The subtask and file a proposal URI stands for; undefined for any other URI. */
export function fromProposalUri(uri: vscode.Uri): ProposalRef | undefined {
  if (uri.scheme !== PROPOSAL_SCHEME) {
    return undefined;
  }
  const query = new URLSearchParams(uri.query);
  const subtaskId = query.get('subtask');
  const path = uri.path.replace(/^\/+/, '');
  if (!subtaskId || !path) {
    return undefined;
  }
  return { subtaskId, path, side: query.get('side') === 'base' ? 'base' : 'target' };
}

/** The subtask ids an orchestrator event may have changed the proposal of; undefined means any of them. */
export function affectedSubtask(e: OrchestratorEvent): string | undefined | null {
  switch (e.kind) {
    case 'proposal':
      return e.subtaskId;
    case 'subtask':
      return e.id;
    case 'plan':
      return undefined;
    default:
      // Live token counts never change a proposal's text.
      return null;
  }
}

/** The remaining change of one file of a subtask's proposal, if that file still has hunks to review. */
export async function fileChangeOf(
  controller: Controller,
  ref: { subtaskId: string; path: string },
): Promise<FileChange | undefined> {
  const proposal = await controller.orchestrator?.proposal(ref.subtaskId);
  return proposal?.files.find((f) => f.path === ref.path);
}

/**
 * Serves the `opus-proposal` documents. The text comes from the core on every request, so what the diff editor shows
 * is always the proposal as it is now; the provider tells VS Code to ask again when the core reports a change.
 */
export class ProposalDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly controller: Controller,
    private readonly root: () => vscode.Uri | undefined,
  ) {
    this.subscription = controller.onDidChange((e) => {
      const subtaskId = affectedSubtask(e);
      if (subtaskId !== null) {
        this.refresh(subtaskId);
      }
    });
  }

  /** Tells VS Code that the open proposal documents of `subtaskId` (all of them when undefined) are out of date. */
  refresh(subtaskId?: string): void {
    for (const doc of vscode.workspace.textDocuments) {
      const ref = fromProposalUri(doc.uri);
      if (ref && (subtaskId === undefined || ref.subtaskId === subtaskId)) {
        this.emitter.fire(doc.uri);
      }
    }
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = fromProposalUri(uri);
    if (!ref) {
      return '';
    }
    const change = await fileChangeOf(this.controller, ref);
    if (change) {
      return stripBom((ref.side === 'base' ? change.base : change.target) ?? '');
    }
    // Nothing left to review in this file: both sides show it as it is, so the diff reads "no changes".
    const root = this.root();
    const text = root ? await readEditorText(vscode.Uri.joinPath(root, ref.path)) : null;
    return stripBom(text ?? '');
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

/** Documents never show the byte-order mark; the core keeps it in the file's text. */
function stripBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
