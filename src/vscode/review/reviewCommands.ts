import * as vscode from 'vscode';
import type { FileChange } from '../../core/edits/types';
import type { ModelRole } from '../../core/models';
import { MODEL_TABLE } from '../../core/models';
import type { Orchestrator } from '../../core/orchestrator';
import { OrchestratorError } from '../../core/orchestrator';
import type { CommandResult } from '../commands';
import type { Controller } from '../controller';
import { hunkAnchorLine } from './hunkLenses';
import { toProposalUri } from './proposalDocuments';
import type { ReviewTarget } from './targets';
import { activeProposal, proposalTabs, rejectReason, resolveTarget, targetOf } from './targets';

/** Set while the active proposal has more than one file, so the editor title offers "Next File in Proposal". */
export const MULTI_FILE_CONTEXT = 'opusOrchestrator.multiFileProposal';

/**
 * The review actions: open a proposal as diffs, accept or reject a hunk, a file or the whole proposal, and move on to
 * the next file once one is done. Refusals from the core (stale, untrusted) become messages that say what to do.
 */
export class ReviewCommands {
  constructor(
    private readonly controller: Controller,
    private readonly root: () => vscode.Uri | undefined,
  ) {}

  async openDiff(arg?: unknown): Promise<boolean> {
    const target = await resolveTarget(this.controller, arg, 'open');
    if (!target) {
      return false;
    }
    const proposal = await this.orchestrator()?.proposal(target.subtaskId);
    const files = proposal?.files ?? [];
    const change = files.find((f) => f.path === target.path) ?? files[0];
    if (!change) {
      void vscode.window.showInformationMessage(`Subtask "${target.subtaskId}" has no changes left to review.`);
      return false;
    }
    await this.showDiff(target.subtaskId, change, files.length);
    return true;
  }

  async nextFile(arg?: unknown): Promise<boolean> {
    const target = await resolveTarget(this.controller, arg, 'open');
    if (!target) {
      return false;
    }
    const files = (await this.orchestrator()?.proposal(target.subtaskId))?.files ?? [];
    if (files.length === 0) {
      return false;
    }
    const at = files.findIndex((f) => f.path === target.path);
    await this.showDiff(target.subtaskId, files[(at + 1) % files.length] as FileChange, files.length);
    return true;
  }

  acceptHunk(arg?: unknown): Promise<boolean> {
    return this.decideHunk(arg, 'accept');
  }

  rejectHunk(arg?: unknown, opts?: unknown): Promise<boolean> {
    return this.decideHunk(withReason(arg, opts), 'reject');
  }

  acceptFile(arg?: unknown): Promise<boolean> {
    return this.decideFile(arg, 'accept');
  }

  rejectFile(arg?: unknown, opts?: unknown): Promise<boolean> {
    return this.decideFile(withReason(arg, opts), 'reject');
  }

  acceptProposal(arg?: unknown): Promise<boolean> {
    return this.decideProposal(arg, 'accept');
  }

  rejectProposal(arg?: unknown, opts?: unknown): Promise<boolean> {
    return this.decideProposal(withReason(arg, opts), 'reject');
  }

  /**
   * Runs the subtask again against the files as they are now, on `model` when given. A proposal still in review is
   * dropped by the core (its undecided hunks count as rejected, which never touches a file); its diffs are closed
   * first, and the new proposal opens where they were.
   */
  async redispatch(arg?: unknown, model?: ModelRole): Promise<CommandResult> {
    const given = targetOf(arg).subtaskId;
    const target = given ? { subtaskId: given } : await resolveTarget(this.controller, arg, 'open');
    const orchestrator = this.orchestrator();
    if (!target || !orchestrator) {
      return { ok: false, message: 'Cancelled.' };
    }
    const { subtaskId } = target;
    const shown = proposalTabs(subtaskId).length > 0;
    await this.closeDiffs(subtaskId);
    const result = await vscode.commands.executeCommand<CommandResult>('opusOrchestrator.retry', subtaskId, model);
    // The user asked for the new proposal from its diff: show it where the old one was.
    if (shown && orchestrator.subtask(subtaskId)?.state.status === 'review') {
      await this.openDiff(subtaskId);
    }
    return result ?? { ok: false, message: 'The subtask could not be run again.' };
  }

  /** Keeps the "Next File" title button in step with the proposal the active tab shows. */
  async updateContext(): Promise<void> {
    const ref = activeProposal();
    const files = ref ? ((await this.controller.orchestrator?.proposal(ref.subtaskId))?.files.length ?? 0) : 0;
    await vscode.commands.executeCommand('setContext', MULTI_FILE_CONTEXT, files > 1);
  }

  private async decideHunk(arg: unknown, action: 'accept' | 'reject'): Promise<boolean> {
    const target = targetOf(arg);
    const orchestrator = this.orchestrator();
    if (!orchestrator || !target.subtaskId || !target.path || !target.hunkId) {
      return false;
    }
    const { subtaskId, path, hunkId } = target as Required<Omit<ReviewTarget, 'reason'>>;
    const reason = action === 'reject' ? await rejectReason(target, 'this change') : '';
    if (reason === undefined) {
      return false;
    }
    const done = await this.attempt(subtaskId, () =>
      action === 'accept'
        ? orchestrator.acceptHunk(subtaskId, path, hunkId)
        : orchestrator.rejectHunk(subtaskId, path, hunkId, reason || undefined),
    );
    if (done) {
      await this.moveOn(subtaskId, path);
    }
    return done;
  }

  private async decideFile(arg: unknown, action: 'accept' | 'reject'): Promise<boolean> {
    const target = await resolveTarget(this.controller, arg, 'file');
    const orchestrator = this.orchestrator();
    if (!target?.path || !orchestrator) {
      return false;
    }
    const { subtaskId, path } = target as { subtaskId: string; path: string };
    const reason = action === 'reject' ? await rejectReason(targetOf(arg), path) : '';
    if (reason === undefined) {
      return false;
    }
    const done = await this.attempt(subtaskId, () =>
      action === 'accept'
        ? orchestrator.acceptFile(subtaskId, path)
        : orchestrator.rejectFile(subtaskId, path, reason || undefined),
    );
    if (done) {
      await this.moveOn(subtaskId, path);
    }
    return done;
  }

  private async decideProposal(arg: unknown, action: 'accept' | 'reject'): Promise<boolean> {
    const target = await resolveTarget(this.controller, arg, 'proposal');
    const orchestrator = this.orchestrator();
    if (!target || !orchestrator) {
      return false;
    }
    const { subtaskId } = target;
    const reason = action === 'reject' ? await rejectReason(targetOf(arg), 'the whole proposal') : '';
    if (reason === undefined) {
      return false;
    }
    const done = await this.attempt(subtaskId, () =>
      action === 'accept'
        ? orchestrator.acceptProposal(subtaskId)
        : orchestrator.rejectProposal(subtaskId, reason || undefined),
    );
    if (done) {
      await this.moveOn(subtaskId);
    }
    return done;
  }

  /**
   * After a decision: a file with nothing left closes its diff and, if it was on screen, the next file with changes
   * opens in its place; a proposal with nothing left closes all of its diffs.
   */
  private async moveOn(subtaskId: string, path?: string): Promise<void> {
    const files = (await this.orchestrator()?.proposal(subtaskId))?.files ?? [];
    if (files.length === 0) {
      await this.closeDiffs(subtaskId);
      return;
    }
    if (path === undefined || files.some((f) => f.path === path)) {
      return;
    }
    const active = activeProposal();
    const wasShown = proposalTabs(subtaskId, path).length > 0;
    await this.closeDiffs(subtaskId, path);
    const next = files[0] as FileChange;
    if (wasShown && (!active || active.subtaskId === subtaskId)) {
      await this.showDiff(subtaskId, next, files.length);
    }
  }

  private async showDiff(subtaskId: string, change: FileChange, fileCount: number): Promise<void> {
    const root = this.root();
    const view = this.orchestrator()?.subtask(subtaskId);
    if (!root || !view) {
      return;
    }
    const left =
      change.base === null ? toProposalUri(subtaskId, change.path, 'base') : vscode.Uri.joinPath(root, change.path);
    const right = toProposalUri(subtaskId, change.path);
    const title = `${change.path} ↔ proposed by ${MODEL_TABLE[view.state.model].label} (${view.spec.title})`;
    const first = change.hunks[0];
    const line = first ? hunkAnchorLine(first) : 0;
    const options: vscode.TextDocumentShowOptions = { preview: false, selection: new vscode.Range(line, 0, line, 0) };
    await vscode.commands.executeCommand('vscode.diff', left, right, title, options);
    await vscode.commands.executeCommand('setContext', MULTI_FILE_CONTEXT, fileCount > 1);
  }

  private async closeDiffs(subtaskId: string, path?: string): Promise<void> {
    const tabs = proposalTabs(subtaskId, path);
    if (tabs.length > 0) {
      await vscode.window.tabGroups.close(tabs, true);
    }
  }

  /** Runs a core call; a refusal becomes a message (not awaited: a command must not wait for the user to click). */
  private async attempt(subtaskId: string, action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (err) {
      this.report(err, subtaskId);
      return false;
    }
  }

  private report(err: unknown, subtaskId: string): void {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof OrchestratorError) {
      this.controller.log.warn(`${subtaskId}: ${message}`);
      if (err.code === 'stale') {
        const redispatch = 'Re-dispatch';
        void vscode.window
          .showWarningMessage(message, redispatch)
          .then((pick) => (pick === redispatch ? this.redispatch(subtaskId) : undefined));
        return;
      }
      void vscode.window.showWarningMessage(message);
      return;
    }
    this.controller.log.error(`${subtaskId}: ${message}`);
    const showLog = 'Show Log';
    void vscode.window
      .showErrorMessage(`Opus Orchestrator: ${message}`, showLog)
      .then((pick) => (pick === showLog ? this.controller.log.show() : undefined));
  }

  private orchestrator(): Orchestrator | undefined {
    const orchestrator = this.controller.orchestrator;
    if (!orchestrator) {
      void vscode.window.showWarningMessage('Opus Orchestrator needs an open folder: open one to review proposals.');
    }
    return orchestrator;
  }
}

/**
 * A reject's target with the reason folded in: from the target object itself, or from a second `{ reason }` argument
 * (automation); tree menus pass the selected rows there, which carry none.
 */
function withReason(arg: unknown, opts: unknown): unknown {
  const reason =
    typeof opts === 'object' && opts !== null && 'reason' in opts && typeof opts.reason === 'string'
      ? opts.reason
      : undefined;
  return reason === undefined ? arg : { ...targetOf(arg), reason };
}
