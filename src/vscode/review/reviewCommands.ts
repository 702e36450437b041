import * as vscode from 'vscode';
import type { FileChange } from '../../core/edits/types';
import type { ModelRole } from '../../core/models';
import type { Orchestrator } from '../../core/orchestrator';
import type { Controller } from '../controller';
import type { CommandResult } from '../notify';
import { isRefusal } from '../notify';
import { PROPOSAL_EDITOR_CONTEXT, closeProposalTabs, multiDiffShown, proposalTabs, showProposal } from './diffViews';
import type { ReviewTarget } from './targets';
import { activeProposal, rejectReason, resolveTarget, targetOf } from './targets';

/** Set while the active proposal has more than one file, so the editor title offers "Next File in Proposal". */
export const MULTI_FILE_CONTEXT = 'opusOrchestrator.multiFileProposal';

/**
 * The review actions: open a proposal (one diff, or the multi-diff editor for several files), accept or reject a
 * hunk, a file or the whole proposal, and move on once one is done. Refusals from the core (stale, untrusted) become
 * messages that say what to do.
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
    const files = (await this.orchestrator()?.proposal(target.subtaskId))?.files ?? [];
    if (files.length === 0) {
      void vscode.window.showInformationMessage(`Subtask "${target.subtaskId}" has no changes left to review.`);
      return false;
    }
    const path = files.some((f) => f.path === target.path) ? target.path : undefined;
    await this.show(target.subtaskId, files, path);
    return true;
  }

  /**
   * Opens the next proposal awaiting review, in plan order, after the one the active tab shows (the status bar's
   * "N to review" runs this).
   */
  async reviewNext(): Promise<CommandResult> {
    const inReview = (this.controller.orchestrator?.subtasks() ?? []).filter((s) => s.state.status === 'review');
    if (inReview.length === 0) {
      void vscode.window.showInformationMessage('No proposal is awaiting review.');
      return { ok: false, message: 'No proposal is awaiting review.' };
    }
    const at = inReview.findIndex((s) => s.spec.id === activeProposal()?.subtaskId);
    const next = inReview[(at + 1) % inReview.length] ?? inReview[0];
    const opened = next ? await this.openDiff(next.spec.id) : false;
    return opened ? { ok: true } : { ok: false, message: 'The proposal has no changes left to review.' };
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
    await this.show(target.subtaskId, files, (files[(at + 1) % files.length] as FileChange).path);
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
    await closeProposalTabs(subtaskId);
    const result = await vscode.commands.executeCommand<CommandResult>('opusOrchestrator.retry', subtaskId, model);
    // The user asked for the new proposal from its diff: show it where the old one was.
    if (shown && orchestrator.subtask(subtaskId)?.state.status === 'review') {
      await this.openDiff(subtaskId);
    }
    return result ?? { ok: false, message: 'The subtask could not be run again.' };
  }

  /** Keeps the editor title's buttons ("Next File", the proposal's actions) in step with the active tab. */
  async updateContext(): Promise<void> {
    const ref = activeProposal();
    const files = ref ? ((await this.controller.orchestrator?.proposal(ref.subtaskId))?.files.length ?? 0) : 0;
    await vscode.commands.executeCommand('setContext', MULTI_FILE_CONTEXT, files > 1 && ref?.path !== undefined);
    await vscode.commands.executeCommand('setContext', PROPOSAL_EDITOR_CONTEXT, ref !== undefined);
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
   * After a decision: a proposal with nothing left closes all of its tabs. A file with nothing left closes its diff and,
   * if it was on screen, the next file with changes opens in its place; a multi-diff editor showing the proposal is
   * opened again on the files that are left.
   */
  private async moveOn(subtaskId: string, path?: string): Promise<void> {
    const files = (await this.orchestrator()?.proposal(subtaskId))?.files ?? [];
    if (files.length === 0) {
      await closeProposalTabs(subtaskId);
      return;
    }
    if (path === undefined || files.some((f) => f.path === path)) {
      return;
    }
    const active = activeProposal();
    const fileShown = proposalTabs(subtaskId, path).length > 0;
    const multiShown = multiDiffShown(subtaskId);
    await closeProposalTabs(subtaskId, path);
    if (active && active.subtaskId !== subtaskId) {
      return;
    }
    if (multiShown && !fileShown) {
      await this.show(subtaskId, files);
    } else if (fileShown) {
      await this.show(subtaskId, files, (files[0] as FileChange).path);
    }
  }

  private async show(subtaskId: string, files: FileChange[], path?: string): Promise<void> {
    const root = this.root();
    const view = this.orchestrator()?.subtask(subtaskId);
    if (root && view) {
      await showProposal(root, view, files, path);
      await this.updateContext();
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
    if (isRefusal(err)) {
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
