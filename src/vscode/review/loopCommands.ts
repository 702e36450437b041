import * as vscode from 'vscode';
import type { ModelRole } from '../../core/models';
import { MODEL_TABLE } from '../../core/models';
import type { Orchestrator } from '../../core/orchestrator';
import type { SubtaskReview } from '../../core/plan/state';
import { totalTokens } from '../../core/usage/usage';
import type { ConfirmArgs } from '../args';
import type { Controller } from '../controller';
import { formatTokens } from '../gauge';
import type { CommandResult } from '../notify';
import { failure, info, warn } from '../notify';
import { pickFrom } from '../pickers';
import type { ReviewCommands } from './reviewCommands';
import { activeProposal, resolveTarget, targetOf } from './targets';
import { verdictDetail, verdictMessage } from './verdict';

const CANCELLED: CommandResult = { ok: false, message: 'Cancelled.' };
const RETRY = 'Retry';

/** "Retry with Sonnet": the button that re-runs a subtask one model up. */
export function retryWithLabel(role: ModelRole): string {
  return `Retry with ${MODEL_TABLE[role].label}`;
}

/**
 * The review loop around a proposal: Opus reviews it against the acceptance criteria, the user retries (on a
 * stronger model when the weaker one keeps missing), and an accepted subtask can be reverted. Each command returns
 * what it did; what the user must decide is asked in the editor, or given in the argument by automation.
 */
export class ReviewLoopCommands {
  constructor(
    private readonly controller: Controller,
    private readonly review: ReviewCommands,
  ) {}

  /**
   * Opus reviews the proposal of the given subtask (a tree row, an id, or the active proposal editor), with a
   * cancellable progress notification; the verdict then shows on the row, above the diff and in a message.
   */
  async reviewProposal(arg?: unknown): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    if (!orchestrator?.state) {
      return warn('There is no plan yet: run "Plan with Opus" first.');
    }
    const target = await resolveTarget(this.controller, arg, 'proposal');
    if (!target) {
      return CANCELLED;
    }
    const id = target.subtaskId;
    const title = orchestrator.subtask(id)?.spec.title ?? id;
    const abort = new AbortController();
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Opus is reviewing "${title}"`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          const listener = this.controller.onDidChange((e) => {
            const live = e.kind === 'usage' && e.id === id ? orchestrator.subtask(id)?.state.live : undefined;
            if (live) {
              progress.report({ message: `${formatTokens(totalTokens(live))} tokens` });
            }
          });
          try {
            await orchestrator.review(id, { signal: abort.signal });
          } finally {
            listener.dispose();
          }
        },
      );
    } catch (err) {
      return abort.signal.aborted ? { ok: false, message: 'The review was cancelled.' } : this.fail(err, id);
    }
    const review = orchestrator.subtask(id)?.state.review;
    if (review) {
      this.announce(orchestrator, id, review);
    }
    return { ok: true };
  }

  /** The verdict in a modal, every criterion with its reason: what a click on the verdict CodeLens shows. */
  showReview(arg?: unknown): CommandResult {
    const orchestrator = this.controller.orchestrator;
    const id = targetOf(arg).subtaskId ?? activeProposal()?.subtaskId;
    const review = id ? orchestrator?.subtask(id)?.state.review : undefined;
    if (!orchestrator || !id || !review) {
      return info('This proposal has not been reviewed by Opus yet.');
    }
    const options = { modal: true, detail: verdictDetail(review) };
    const retries = review.pass ? [] : this.retryButtons(orchestrator, id);
    const shown = review.pass
      ? vscode.window.showInformationMessage(verdictMessage(review), options)
      : vscode.window.showWarningMessage(verdictMessage(review), options, ...retries);
    void Promise.resolve(shown).then((choice) => this.onRetryChoice(orchestrator, id, choice));
    return { ok: true };
  }

  /** Runs the subtask again on `role` (Retry with Sonnet / Opus); its earlier attempts are the worker's feedback. */
  async retryWith(role: ModelRole, arg?: unknown): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    if (!orchestrator?.state) {
      return warn('There is no plan yet: run "Plan with Opus" first.');
    }
    const given = targetOf(arg).subtaskId ?? activeProposal()?.subtaskId;
    const candidates = orchestrator.subtasks().filter((s) => orchestrator.escalation(s.spec.id) === role);
    const id = given ?? (await pickFrom(candidates, retryWithLabel(role)));
    if (!id) {
      return given || candidates.length > 0 ? CANCELLED : info(`No subtask needs ${MODEL_TABLE[role].label}.`);
    }
    return this.review.redispatch(id, role);
  }

  /**
   * Undoes exactly what accepting the subtask wrote, after a modal that lists the files (`{ confirmed: true }` answers
   * it in advance). A file changed since the accept makes the core refuse, and the user is told why.
   */
  async revertSubtask(arg?: unknown, opts?: ConfirmArgs): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    if (!orchestrator?.state) {
      return warn('There is no plan yet: run "Plan with Opus" first.');
    }
    const revertible = orchestrator.subtasks().filter((s) => (s.state.checkpoint ?? []).length > 0);
    const id = targetOf(arg).subtaskId ?? (await pickFrom(revertible, 'Revert'));
    const view = id ? orchestrator.subtask(id) : undefined;
    if (!id || !view) {
      return id ? warn(`The plan has no subtask "${id}".`) : CANCELLED;
    }
    const checkpoint = view.state.checkpoint ?? [];
    if (checkpoint.length === 0) {
      return info(`Subtask "${view.spec.title}" has no accepted changes to revert.`);
    }
    if (opts?.confirmed !== true) {
      const files = checkpoint.map((f) => (f.before === null ? `${f.path} (deleted: the subtask created it)` : f.path));
      const action = 'Revert';
      const choice = await vscode.window.showWarningMessage(
        `Revert subtask "${view.spec.title}"?`,
        { modal: true, detail: `These files go back to how they were before it was accepted:\n${files.join('\n')}` },
        action,
      );
      if (choice !== action) {
        return CANCELLED;
      }
    }
    try {
      await orchestrator.revertSubtask(id);
    } catch (err) {
      return this.fail(err, id);
    }
    this.controller.log.info(`${id}: reverted`);
    return { ok: true };
  }

  /** After a review: a pass is news; a failure offers to run the subtask again, one model up when that helps. */
  private announce(orchestrator: Orchestrator, id: string, review: SubtaskReview): void {
    if (review.pass) {
      void vscode.window.showInformationMessage(verdictMessage(review));
      return;
    }
    void Promise.resolve(
      vscode.window.showWarningMessage(verdictMessage(review), ...this.retryButtons(orchestrator, id)),
    ).then((choice) => this.onRetryChoice(orchestrator, id, choice));
  }

  private retryButtons(orchestrator: Orchestrator, id: string): string[] {
    const up = orchestrator.escalation(id);
    return up ? [RETRY, retryWithLabel(up)] : [RETRY];
  }

  private onRetryChoice(orchestrator: Orchestrator, id: string, choice: string | undefined): void {
    const up = orchestrator.escalation(id);
    if (choice === RETRY) {
      void this.review.redispatch(id);
    } else if (up && choice === retryWithLabel(up)) {
      void this.review.redispatch(id, up);
    }
  }

  /** A refusal the user can act on is a warning ('moved-on' among them); anything else an error with the log. */
  private fail(err: unknown, id: string): CommandResult {
    return failure(this.controller.log, err, `${id}: `);
  }
}
