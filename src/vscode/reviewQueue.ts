import * as vscode from 'vscode';
import type { Orchestrator } from '../core/orchestrator';
import type { Controller } from './controller';
import type { EngineViews } from './engineViews';
import type { FrameScheduler } from './frame';
import { SETTINGS_SECTION } from './section';

/** `opusOrchestrator.onProposalReady`: how a proposal that is ready for review is brought to the user. */
export type ProposalReadyMode = 'auto' | 'notify' | 'badge';

/** How a proposal was brought to the user, for automation and the tests (a notification cannot be read back). */
export interface Announcement {
  how: 'diff' | 'notification';
  subtaskIds: string[];
  /** The notification's text (empty when the diff opened). */
  message: string;
  buttons: string[];
}

export const OPEN_DIFF = 'Open Diff';
export const ACCEPT_ALL = 'Accept All';
export const REJECT = 'Reject';
export const REVIEW_NEXT = 'Review Next';
export const SHOW_PLAN = 'Show Plan';

/** Notifications are at least this far apart; proposals that arrive in between are announced together. */
export const NOTICE_GAP_MS = 3000;
/** Proposals that arrive this close together share one notification. */
const GATHER_MS = 400;

/**
 * The proposals awaiting review, and bringing each new one to the user: the diff opens by itself for a subtask
 * dispatched on its own (a click on its row), others are announced in a notification with Open Diff / Accept All /
 * Reject (several at once in one), and the Plan view's badge counts what is left to review. Worked out once per frame
 * from the plan's statuses, so it costs nothing per streamed token.
 */
export class ReviewQueue implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<number>();
  /** Fires with the number awaiting review whenever it changes. */
  readonly onDidChange = this.changed.event;
  private readonly announced = new vscode.EventEmitter<Announcement>();
  readonly onDidAnnounce = this.announced.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** Subtasks in review that have been brought to the user (or were in review when the plan was loaded). */
  private readonly seen = new Set<string>();
  private readonly alone = new Set<string>();
  private pending: string[] = [];
  private baseline: { orchestrator: Orchestrator | undefined; planId: string | undefined } | undefined;
  private awaiting = 0;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private lastNotice = 0;
  private readonly updateTask = (): void => this.update();

  constructor(
    private readonly controller: Controller,
    private readonly view: vscode.TreeView<unknown>,
    private readonly frame: FrameScheduler,
    private readonly views: () => EngineViews | undefined,
  ) {
    this.disposables.push(
      this.changed,
      this.announced,
      controller.onDidChange((e) => {
        if (e.kind !== 'usage') {
          frame.schedule(this.updateTask);
        }
      }),
    );
  }

  /** Proposals awaiting review now. */
  get count(): number {
    return this.awaiting;
  }

  /** `id` was dispatched on its own: its proposal may open by itself (`onProposalReady` = auto). */
  dispatchedAlone(id: string): void {
    this.alone.add(id);
  }

  /** The dispatch of `ids` was refused: a later run of them was not asked for alone. */
  forget(ids: readonly string[]): void {
    for (const id of ids) {
      this.alone.delete(id);
    }
  }

  dispose(): void {
    clearTimeout(this.noticeTimer);
    for (const d of this.disposables) {
      d.dispose();
    }
  }

  private update(): void {
    const orchestrator = this.controller.orchestrator;
    const planId = orchestrator?.state?.id;
    const fresh = this.baseline?.orchestrator !== orchestrator || this.baseline?.planId !== planId;
    if (fresh) {
      // A plan restored or replaced: what is in review already is not news.
      this.baseline = { orchestrator, planId };
      this.seen.clear();
      this.pending = [];
    }
    const arrived: string[] = [];
    let awaiting = 0;
    for (const { spec, state } of orchestrator?.subtasks() ?? []) {
      if (state.status !== 'review') {
        this.seen.delete(spec.id);
        if (state.status !== 'running' && state.status !== 'ready') {
          this.alone.delete(spec.id);
        }
        continue;
      }
      awaiting += 1;
      // With automatic review on, the proposal is news once Opus's verdict is in.
      if (!this.seen.has(spec.id) && !state.reviewing) {
        this.seen.add(spec.id);
        if (!fresh) {
          arrived.push(spec.id);
        }
      }
    }
    if (awaiting !== this.awaiting) {
      this.awaiting = awaiting;
      this.view.badge =
        awaiting > 0 ? { value: awaiting, tooltip: `${plural(awaiting, 'proposal')} to review` } : undefined;
      this.changed.fire(awaiting);
    }
    for (const id of arrived) {
      this.arrive(id);
    }
  }

  private arrive(id: string): void {
    const mode = readyMode();
    const alone = this.alone.delete(id);
    if (mode === 'auto' && alone) {
      void vscode.commands.executeCommand('opusOrchestrator.openDiff', id);
      this.announced.fire({ how: 'diff', subtaskIds: [id], message: '', buttons: [] });
      return;
    }
    if (mode === 'badge') {
      return;
    }
    this.pending.push(id);
    if (!this.noticeTimer) {
      const wait = Math.max(GATHER_MS, this.lastNotice + NOTICE_GAP_MS - Date.now());
      this.noticeTimer = setTimeout(() => this.notify(), wait);
    }
  }

  /** One notification for the proposals that arrived since the last one (still awaiting review). */
  private notify(): void {
    this.noticeTimer = undefined;
    const orchestrator = this.controller.orchestrator;
    const ids = this.pending.filter((id) => orchestrator?.subtask(id)?.state.status === 'review');
    this.pending = [];
    if (!orchestrator || ids.length === 0) {
      return;
    }
    this.lastNotice = Date.now();
    const first = ids[0] as string;
    if (ids.length === 1) {
      const message = this.views()?.proposalSummary(orchestrator, first) ?? 'A proposal is ready to review.';
      const buttons = [OPEN_DIFF, ACCEPT_ALL, REJECT];
      this.announced.fire({ how: 'notification', subtaskIds: ids, message, buttons });
      void vscode.window.showInformationMessage(message, ...buttons).then((choice) => {
        const command =
          choice === OPEN_DIFF ? 'openDiff' : choice === ACCEPT_ALL ? 'acceptProposal' : choice ? 'rejectProposal' : '';
        if (command) {
          void vscode.commands.executeCommand(`opusOrchestrator.${command}`, first);
        }
      });
      return;
    }
    const message = `${plural(ids.length, 'proposal')} ready to review (${this.awaiting} awaiting in all).`;
    const buttons = [REVIEW_NEXT, SHOW_PLAN];
    this.announced.fire({ how: 'notification', subtaskIds: ids, message, buttons });
    void vscode.window.showInformationMessage(message, ...buttons).then((choice) => {
      if (choice === REVIEW_NEXT) {
        void vscode.commands.executeCommand('opusOrchestrator.openDiff', first);
      } else if (choice === SHOW_PLAN) {
        void vscode.commands.executeCommand('opusOrchestrator.plan.focus');
      }
    });
  }
}

function readyMode(): ProposalReadyMode {
  const value = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>('onProposalReady');
  return value === 'notify' || value === 'badge' ? value : 'auto';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
