import * as vscode from 'vscode';
import type { FileChange } from '../../core/edits/types';
import { MODEL_TABLE } from '../../core/models';
import type { SubtaskView } from '../../core/orchestrator';
import { hunkAnchorLine } from './hunkLenses';
import type { ProposalRef } from './proposalDocuments';
import { fromProposalUri, toProposalUri } from './proposalDocuments';

/** Set while the active tab shows a proposal (a diff or the multi-diff editor): the editor title offers its actions. */
export const PROPOSAL_EDITOR_CONTEXT = 'opusOrchestrator.proposalEditor';

/** What a tab shows of a proposal: the subtask, and the file when the tab is one file's diff. */
export interface ProposalTab {
  tab: vscode.Tab;
  subtaskId: string;
  /** Undefined for the multi-diff editor, which shows every file of the proposal. */
  path?: string;
}

/**
 * The proposal URIs a multi-diff tab compares. The stable API does not type this input yet (TabInputTextMultiDiff is
 * still proposed), but the extension host hands out the same object, with one `{ original, modified }` per file.
 */
function multiDiffUris(input: unknown): vscode.Uri[] | undefined {
  if (typeof input !== 'object' || input === null || !('textDiffs' in input) || !Array.isArray(input.textDiffs)) {
    return undefined;
  }
  return (input.textDiffs as Array<{ modified?: unknown }>)
    .map((d) => d.modified)
    .filter((u): u is vscode.Uri => u instanceof vscode.Uri);
}

/** The proposal a tab shows, if it shows one. */
export function proposalOfTab(tab: vscode.Tab): ProposalTab | undefined {
  const input = tab.input;
  if (input instanceof vscode.TabInputTextDiff || input instanceof vscode.TabInputText) {
    const uri = input instanceof vscode.TabInputTextDiff ? input.modified : input.uri;
    const ref = fromProposalUri(uri);
    return ref ? { tab, subtaskId: ref.subtaskId, path: ref.path } : undefined;
  }
  const refs = (multiDiffUris(input) ?? []).map(fromProposalUri).filter((r): r is ProposalRef => r !== undefined);
  return refs[0] ? { tab, subtaskId: refs[0].subtaskId } : undefined;
}

/** Tabs showing a proposal of `subtaskId`: one file's diff when `path` is given, else its diffs and multi-diff. */
export function proposalTabs(subtaskId: string, path?: string): vscode.Tab[] {
  const tabs: vscode.Tab[] = [];
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const shown = proposalOfTab(tab);
      if (shown?.subtaskId === subtaskId && (path === undefined || shown.path === path)) {
        tabs.push(tab);
      }
    }
  }
  return tabs;
}

/** Whether a multi-diff editor shows the proposal of `subtaskId`. */
export function multiDiffShown(subtaskId: string): boolean {
  return vscode.window.tabGroups.all.some((g) =>
    g.tabs.some((t) => {
      const shown = proposalOfTab(t);
      return shown?.subtaskId === subtaskId && shown.path === undefined;
    }),
  );
}

/**
 * Opens a proposal for review: one file in the diff editor, scrolled to its first change; several files at once in
 * VS Code's multi-diff editor (the view Source Control and chat edits use), where each file has the same lenses.
 * `files` are the files that still have changes to decide; `path` asks for one of them alone.
 */
export async function showProposal(root: vscode.Uri, view: SubtaskView, files: FileChange[], path?: string) {
  const model = MODEL_TABLE[view.state.model].label;
  const id = view.spec.id;
  const left = (change: FileChange): vscode.Uri =>
    change.base === null ? toProposalUri(id, change.path, 'base') : vscode.Uri.joinPath(root, change.path);
  // A file asked for by name (its row in the Plan view) opens on its own; a whole proposal of several files opens in
  // the multi-diff editor.
  const only = files.length === 1 ? files[0] : path !== undefined ? files.find((f) => f.path === path) : undefined;
  if (only) {
    const first = only.hunks[0];
    const line = first ? hunkAnchorLine(first) : 0;
    const title = `${only.path} \u2194 proposed by ${model} (${view.spec.title})`;
    const options: vscode.TextDocumentShowOptions = { preview: false, selection: new vscode.Range(line, 0, line, 0) };
    const multi = proposalTabs(id).filter((t) => proposalOfTab(t)?.path === undefined);
    await vscode.commands.executeCommand('vscode.diff', left(only), toProposalUri(id, only.path), title, options);
    if (files.length === 1 && multi.length > 0) {
      // One file is left of a proposal the multi-diff editor showed: its diff takes the multi-diff's place.
      await vscode.window.tabGroups.close(multi, true);
    }
    return;
  }
  // Each call opens a new multi-diff tab, so the one already showing this proposal is replaced, not duplicated.
  await closeProposalTabs(id);
  // The editor adds the number of files to the title.
  const title = `${view.spec.title} \u2194 proposed by ${model}`;
  const resources = files.map((f) => [
    vscode.Uri.joinPath(root, f.path),
    toProposalUri(id, f.path, 'base'),
    toProposalUri(id, f.path),
  ]);
  await vscode.commands.executeCommand('vscode.changes', title, resources);
}

/** Closes the tabs showing a proposal of `subtaskId` (one file's diff when `path` is given). */
export async function closeProposalTabs(subtaskId: string, path?: string): Promise<void> {
  const tabs = proposalTabs(subtaskId, path);
  if (tabs.length > 0) {
    await vscode.window.tabGroups.close(tabs, true);
  }
}
