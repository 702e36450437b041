import * as vscode from 'vscode';
import type { Controller } from '../controller';
import { proposalOfTab } from './diffViews';
import { fromProposalUri } from './proposalDocuments';

/** A proposal on screen; `path` is undefined when a multi-diff editor shows it with no file's editor focused. */
export interface ShownProposal {
  subtaskId: string;
  path?: string;
}

/** What a review command was pointed at; the parts the argument did not say are filled in from the active editor. */
export interface ReviewTarget {
  subtaskId?: string;
  path?: string;
  hunkId?: string;
  /** Why the user rejects; given by automation to skip the question ('' = reject without a reason). */
  reason?: string;
}

/**
 * Reads a command argument: a subtask id, a `{ subtaskId, path, hunkId, reason }` object (CodeLens, tree rows,
 * automation), a tree item whose `id` is the subtask id, or the proposal URI the editor title passes.
 */
export function targetOf(arg: unknown): ReviewTarget {
  if (typeof arg === 'string') {
    return { subtaskId: arg };
  }
  if (arg instanceof vscode.Uri) {
    const ref = fromProposalUri(arg);
    return ref ? { subtaskId: ref.subtaskId, path: ref.path } : {};
  }
  if (typeof arg !== 'object' || arg === null) {
    return {};
  }
  const o = arg as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  const spec = typeof o.spec === 'object' && o.spec !== null ? (o.spec as Record<string, unknown>) : {};
  return {
    subtaskId: str(o.subtaskId) ?? str(spec.id) ?? str(o.id),
    path: str(o.path),
    hunkId: str(o.hunkId),
    reason: typeof o.reason === 'string' ? o.reason : undefined,
  };
}

/**
 * The proposal shown by the active editor tab: the right side of a diff, or in the multi-diff editor the proposal
 * with the file whose editor has focus (the subtask alone when none has).
 */
export function activeProposal(): ShownProposal | undefined {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  const shown = tab ? proposalOfTab(tab) : undefined;
  const editor = vscode.window.activeTextEditor?.document.uri;
  const focused = editor ? fromProposalUri(editor) : undefined;
  if (shown?.path !== undefined) {
    return { subtaskId: shown.subtaskId, path: shown.path };
  }
  if (shown) {
    return { subtaskId: shown.subtaskId, path: focused?.subtaskId === shown.subtaskId ? focused.path : undefined };
  }
  return focused ? { subtaskId: focused.subtaskId, path: focused.path } : undefined;
}

/**
 * Completes a target from the active proposal editor, or (for a whole proposal) from the only subtask in review,
 * else a quick pick of those in review. Undefined when there is nothing to act on; the user has been told why.
 */
export async function resolveTarget(
  controller: Controller,
  arg: unknown,
  need: 'open' | 'file' | 'proposal',
): Promise<{ subtaskId: string; path?: string } | undefined> {
  const given = targetOf(arg);
  const active = activeProposal();
  if (given.subtaskId) {
    const path = given.path ?? (need === 'file' && active?.subtaskId === given.subtaskId ? active.path : undefined);
    return { subtaskId: given.subtaskId, path };
  }
  if (active) {
    return { subtaskId: active.subtaskId, path: active.path };
  }
  if (need === 'file') {
    void vscode.window.showInformationMessage('Open a proposal diff (or pick a file in the Plan view) first.');
    return undefined;
  }
  const inReview = (controller.orchestrator?.subtasks() ?? []).filter((s) => s.state.status === 'review');
  if (inReview.length <= 1) {
    if (inReview.length === 0) {
      void vscode.window.showInformationMessage('No subtask has a proposal awaiting review.');
    }
    return inReview[0] ? { subtaskId: inReview[0].spec.id } : undefined;
  }
  const pick = await vscode.window.showQuickPick(
    inReview.map((s) => ({ label: s.spec.title, description: s.spec.id, id: s.spec.id })),
    { placeHolder: 'Which subtask\u2019s proposal?' },
  );
  return pick ? { subtaskId: pick.id } : undefined;
}

/** The question asked before a reject: the answer goes to the worker when the subtask runs again. */
export const REJECT_PROMPT = 'Why reject? (optional \u2014 the worker sees it on retry)';

/**
 * The reason for a reject: the one the argument carries, else the user's answer. Undefined means "do not reject"
 * (Esc); an empty string rejects without a reason.
 */
export async function rejectReason(target: ReviewTarget, what: string): Promise<string | undefined> {
  if (target.reason !== undefined) {
    return target.reason.trim();
  }
  const answer = await vscode.window.showInputBox({
    title: `Reject ${what}`,
    prompt: REJECT_PROMPT,
    placeHolder: 'e.g. keep the public name; only change the implementation',
    ignoreFocusOut: true,
  });
  return answer?.trim();
}
