import * as vscode from 'vscode';

/** What the status bar item shows: worked out by the engine, which prices the figures. */
export interface StatusContent {
  text: string;
  tooltip: string;
  /** Proposals awaiting review: a click opens the next one instead of showing the plan. */
  toReview: number;
}

/** The status bar item: visible while a plan exists; a click opens the next proposal to review, else the plan. */
export class PlanStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private visible = false;

  constructor() {
    this.item = vscode.window.createStatusBarItem('opusOrchestrator.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Opus Orchestrator';
    this.item.command = 'opusOrchestrator.plan.focus';
  }

  /** The text shown now, or undefined when hidden. */
  get text(): string | undefined {
    return this.visible ? this.item.text : undefined;
  }

  /** The command a click runs. */
  get command(): string | undefined {
    return typeof this.item.command === 'string' ? this.item.command : this.item.command?.command;
  }

  /** Shows `content`, or hides the item when there is none (no plan). */
  update(content: StatusContent | undefined): void {
    if (!content) {
      this.item.hide();
      this.visible = false;
      return;
    }
    this.item.text = content.text;
    this.item.command = content.toReview > 0 ? 'opusOrchestrator.reviewNext' : 'opusOrchestrator.plan.focus';
    const click = content.toReview > 0 ? 'Click to review the next proposal.' : 'Click to show the plan.';
    const tooltip = new vscode.MarkdownString(`${content.tooltip}\n\n${click}`);
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.show();
    this.visible = true;
  }

  dispose(): void {
    this.item.dispose();
  }
}
