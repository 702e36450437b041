import * as vscode from 'vscode';
import type { Orchestrator } from '../core/orchestrator';
import { MODEL_ROLES, MODEL_TABLE } from '../core/models';
import { totalTokens } from '../core/usage/usage';
import { formatCost, formatTokens } from './gauge';

/** What the status bar shows, given the plan: how many subtasks run, and what the plan has cost. */
export function statusText(orchestrator: Orchestrator | undefined): string | undefined {
  if (!orchestrator?.state) {
    return undefined;
  }
  const running = orchestrator.subtasks().filter((s) => s.state.status === 'running').length;
  const cost = formatCost(orchestrator.totals().cost);
  return running > 0 ? `$(hubot) ${running} running \u00b7 ${cost}` : `$(hubot) ${cost}`;
}

/** The totals per model and the saving against Opus alone, as Markdown for tooltips. */
export function totalsMarkdown(orchestrator: Orchestrator): string {
  const totals = orchestrator.totals();
  const lines = ['| Model | Tokens | Cost |', '|---|---:|---:|'];
  for (const role of MODEL_ROLES) {
    const t = totals.byRole[role];
    lines.push(`| ${MODEL_TABLE[role].label} | ${formatTokens(totalTokens(t.usage))} | ${formatCost(t.cost)} |`);
  }
  lines.push(`| **Plan** | **${formatTokens(totalTokens(totals.usage))}** | **${formatCost(totals.cost)}** |`);
  const opus = totals.opusOnly;
  const pct = opus.cost > 0 ? Math.round((totals.saved / opus.cost) * 100) : 0;
  lines.push(
    '',
    `Projected plan cost ${formatCost(totals.projected)}; Opus alone, est. ` +
      `${formatTokens(opus.inputTokens + opus.outputTokens)} tok \u00b7 ${formatCost(opus.cost)}.`,
    totals.saved >= 0
      ? `Saved about ${formatCost(totals.saved)} (${pct}%).`
      : `Costs about ${formatCost(-totals.saved)} more than Opus alone (${-pct}%).`,
  );
  return lines.join('\n');
}

/** The status bar item: visible while a plan exists, a click shows the plan. */
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

  update(orchestrator: Orchestrator | undefined): void {
    const text = statusText(orchestrator);
    if (!text || !orchestrator) {
      this.item.hide();
      this.visible = false;
      return;
    }
    this.item.text = text;
    const tooltip = new vscode.MarkdownString(totalsMarkdown(orchestrator));
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.show();
    this.visible = true;
  }

  dispose(): void {
    this.item.dispose();
  }
}
