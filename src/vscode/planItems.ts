import path from 'node:path';
import * as vscode from 'vscode';
import type { ModelRole } from '../core/models';
import { MODEL_TABLE, modelFor } from '../core/models';
import type { Orchestrator, SubtaskView } from '../core/orchestrator';
import type { Focus } from '../core/plan/schema';
import { oneReplyOf } from '../core/plan/schema';
import type { SubtaskState, SubtaskStatus, UsageEntry } from '../core/plan/state';
import { describeFocus } from '../core/worker/focusText';
import {
  contextFill,
  costLine,
  formatTokens,
  gaugeDataUri,
  gaugeFill,
  gaugeText,
  planText,
  subtaskFigures,
} from './gauge';
import type { GaugeGlyph } from './gaugeIcons';
import { gaugeIconPath, gaugeStep } from './gaugeIcons';
import { plannerFacts } from '../core/plan/looks';
import { redactedText } from '../core/secrets/counts';
import { escapeMarkdown } from './markdown';
import type { DependencyNode, FileNode, GroupNode, OverlapNode, ProposalFileNode } from './treeNodes';
import { SUBTASK_SCHEME, nodeId } from './treeNodes';
import { verdictMarkdown, verdictSuffix } from './review/verdict';
import { totalsMarkdown } from './statusTexts';
import {
  attemptsMarkdown,
  overlapExplanation,
  overlapLabel,
  overlapsMarkdown,
  subtaskContextValue,
} from './subtaskDetails';

/** How each kind of Plan row looks: pure functions from the orchestrator's state to TreeItems. */

/** What rows are drawn with besides the orchestrator: the extension's folder (icons), the budget, the ledger. */
export interface RowContext {
  readonly orchestrator: Orchestrator;
  readonly extensionUri: vscode.Uri;
  /** The per-subtask cost cap in dollars; 0 = none. */
  readonly cap: number;
  /** The ledger entries of one owner (a subtask id, or 'plan'). */
  entriesOf(owner: string): readonly UsageEntry[];
}

const STATUS_ICONS: Record<SubtaskStatus, { icon: string; color?: string }> = {
  pending: { icon: 'circle-outline' },
  ready: { icon: 'play-circle' },
  running: { icon: 'loading~spin' },
  review: { icon: 'diff' },
  accepted: { icon: 'pass-filled', color: 'testing.iconPassed' },
  rejected: { icon: 'circle-slash' },
  failed: { icon: 'error', color: 'testing.iconFailed' },
  cancelled: { icon: 'stop-circle' },
  blocked: { icon: 'debug-pause' },
  interrupted: { icon: 'warning' },
};

/** The ThemeIcon of a status, for dependency rows. */
export function statusIcon(status: SubtaskStatus): vscode.ThemeIcon {
  const { icon, color } = STATUS_ICONS[status];
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

/** The glyph inside a subtask's gauge: its status, the spinner while Opus reviews it, then Opus's verdict. */
export function gaugeGlyph(state: SubtaskState): GaugeGlyph {
  if (state.reviewing) {
    return 'running';
  }
  if (state.status === 'review' && state.review) {
    return state.review.pass ? 'passed' : 'flagged';
  }
  return state.status;
}

/** `opus-subtask:/<id>?model=<role>`: the row's model as a URI, so a file decoration can badge it. */
export function subtaskResourceUri(id: string, role: ModelRole): vscode.Uri {
  return vscode.Uri.from({ scheme: SUBTASK_SCHEME, path: `/${id}`, query: `model=${role}` });
}

/** The plan row: its goal, and what Opus and the whole plan cost; the tooltip is resolved on hover. */
export function planItem(orchestrator: Orchestrator): vscode.TreeItem {
  const state = orchestrator.state;
  const item = new vscode.TreeItem(state?.plan.goal ?? '', vscode.TreeItemCollapsibleState.Expanded);
  item.id = `plan:${state?.id ?? ''}`;
  item.description = planRowText(orchestrator);
  item.contextValue = 'plan';
  item.iconPath = new vscode.ThemeIcon('sparkle');
  return item;
}

/** The plan row's description: the planner's own tokens, then what the whole plan has cost so far. */
export function planRowText(orchestrator: Orchestrator): string {
  const totals = orchestrator.totals();
  return planText(totals.byRole.opus.usage, totals.cost);
}

/** The plan row's tooltip: the task, the totals per model and the saving against Opus alone. */
export function planTooltip(orchestrator: Orchestrator): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(
    `**Task**\n\n${escapeMarkdown(orchestrator.state?.task ?? '')}\n\n${totalsMarkdown(orchestrator)}`,
  );
  const planner = orchestrator.state && plannerFacts(orchestrator.state);
  tooltip.appendMarkdown(planner ? `\n\n**Planner** ${escapeMarkdown(planner)}` : '');
  return tooltip;
}

/**
 * A subtask row: title, figures, and the gauge as its icon (a ring filled to its share of the budget around its
 * status glyph), its model as the badge at the row's end; the tooltip is resolved on hover.
 */
export function subtaskItem(ctx: RowContext, { spec, state }: SubtaskView): vscode.TreeItem {
  const model = MODEL_TABLE[state.model];
  const figures = subtaskFigures(state, ctx.entriesOf(spec.id), model);
  const item = new vscode.TreeItem(spec.title, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = spec.id;
  item.resourceUri = subtaskResourceUri(spec.id, state.model);
  const suffix = verdictSuffix(state);
  const billing = modelFor(state.model).billing ?? 'tokens';
  item.description = gaugeText(model.label, figures, billing) + (suffix ? ` ${suffix}` : '');
  const { fill } = gaugeFill(figures, model, ctx.cap, billing);
  item.iconPath = vscode.Uri.joinPath(ctx.extensionUri, gaugeIconPath(gaugeGlyph(state), gaugeStep(fill)));
  item.contextValue = subtaskContextValue(state, ctx.orchestrator.escalation(spec.id));
  if (state.status === 'ready') {
    item.command = { command: 'opusOrchestrator.dispatch', title: 'Dispatch Subtask', arguments: [spec.id] };
  } else if (state.status === 'review') {
    item.command = { command: 'opusOrchestrator.openDiff', title: 'Open Diff', arguments: [spec.id] };
  }
  return item;
}

/** Everything the worker will be told, the figures in full, and the history of attempts. */
export function subtaskTooltip(ctx: RowContext, { spec, state }: SubtaskView): vscode.MarkdownString {
  const orchestrator = ctx.orchestrator;
  const model = MODEL_TABLE[state.model];
  const figures = subtaskFigures(state, ctx.entriesOf(spec.id), model);
  const billing = modelFor(state.model).billing ?? 'tokens';
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${escapeMarkdown(spec.title)}** \u2014 ${model.label} \u00b7 ${state.status}`);
  tip.appendMarkdown(state.attempt > 0 ? ` \u00b7 attempt ${state.attempt}` : '');
  tip.appendMarkdown(oneReplyOf(spec) ? ' \u00b7 one reply expected\n\n' : '\n\n');
  tip.appendMarkdown(escapeMarkdown(spec.instructions));
  if (spec.acceptanceCriteria.length > 0) {
    tip.appendMarkdown('\n\n**Acceptance criteria**\n');
    for (const criterion of spec.acceptanceCriteria) {
      tip.appendMarkdown(`\n- ${escapeMarkdown(criterion)}`);
    }
  }
  if (state.reviewing) {
    tip.appendMarkdown('\n\n**Opus review** in progress\u2026');
  } else if (state.status === 'review' && state.review) {
    tip.appendMarkdown(`\n\n${verdictMarkdown(state.review)}`);
  }
  if (spec.dependsOn.length > 0) {
    const deps = spec.dependsOn.map((d) => `\`${d}\` (${orchestrator.subtask(d)?.state.status ?? 'removed'})`);
    tip.appendMarkdown(`\n\n**Depends on** ${deps.join(', ')}`);
  }
  const files = spec.files.map((f) => `\`${f.path}\`${f.create ? ' (new)' : ''}`);
  tip.appendMarkdown(`\n\n**Files** ${files.join(', ') || 'none'}`);
  const shared = overlapsMarkdown(spec.id, orchestrator.overlaps(spec.id));
  if (shared) {
    tip.appendMarkdown(`\n\n${shared}`);
  }
  const u = figures.usage;
  const label = figures.phase === 'estimate' ? 'Estimated tokens' : 'Tokens';
  tip.appendMarkdown(
    `\n\n| ${label} | input | output | cache read | cache write |\n|---|---:|---:|---:|---:|\n` +
      `| ${formatTokens(figures.tokens)} | ${formatTokens(u.input)} | ${formatTokens(u.output)} | ` +
      `${formatTokens(u.cacheRead)} | ${formatTokens(u.cacheWrite)} |\n\n`,
  );
  tip.appendMarkdown(`${escapeMarkdown(costLine(figures.phase, figures.cost, billing))}\n\n`);
  const gauge = gaugeFill(figures, model, ctx.cap, billing);
  tip.appendMarkdown(`![gauge ${Math.round(gauge.fill * 100)}%](${gaugeDataUri(gauge.fill)}) ${gauge.caption}`);
  if (ctx.cap > 0) {
    const fill = contextFill(figures.context, model.contextWindow);
    tip.appendMarkdown(
      `\n\nLargest request ${formatTokens(figures.context)} of ${formatTokens(model.contextWindow)} context ` +
        `(${Math.round(fill * 100)}%)`,
    );
  }
  const attempts = attemptsMarkdown(state, ctx.entriesOf(spec.id));
  if (attempts) {
    tip.appendMarkdown(`\n\n${attempts}`);
  }
  tip.appendMarkdown(state.redactions ? `\n\n${redactedText(state.redactions)}` : '');
  if (state.status === 'failed' && state.error) {
    tip.appendMarkdown(`\n\n**Error** ${escapeMarkdown(state.error)}`);
  }
  return tip;
}

/** A subtask that shares files with this one: the scheduler never runs the two at once, which the user should know. */
export function overlapItem(node: OverlapNode): vscode.TreeItem {
  const overlap = { id: node.otherId, paths: node.paths };
  const item = new vscode.TreeItem(overlapLabel(overlap), vscode.TreeItemCollapsibleState.None);
  item.id = nodeId(node);
  item.iconPath = new vscode.ThemeIcon('warning');
  item.tooltip = overlapExplanation(node.subtaskId, overlap);
  item.contextValue = 'overlap';
  return item;
}

/** "Files in scope", "Proposal" or "Depends on", expanded so that a subtask opens onto its files. */
export function groupItem(orchestrator: Orchestrator, node: GroupNode): vscode.TreeItem {
  const spec = orchestrator.subtask(node.subtaskId)?.spec;
  const labels = { files: 'Files in scope', proposal: 'Proposal', deps: 'Depends on' } as const;
  const icons = { files: 'files', proposal: 'diff', deps: 'references' } as const;
  const item = new vscode.TreeItem(labels[node.group], vscode.TreeItemCollapsibleState.Expanded);
  item.id = nodeId(node);
  item.iconPath = new vscode.ThemeIcon(icons[node.group]);
  item.contextValue = `group.${node.group}`;
  if (node.group === 'files') {
    item.description = String(spec?.files.length ?? 0);
  } else if (node.group === 'deps') {
    item.description = String(spec?.dependsOn.length ?? 0);
  }
  return item;
}

/** A file in scope with what its worker sees of it; opens the file on click (a file to create has nothing to open). */
export function fileItem(root: string, node: FileNode, focus?: Focus): vscode.TreeItem {
  const uri = vscode.Uri.file(path.join(root, node.path));
  const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.None);
  item.id = nodeId(node);
  item.label = node.path;
  item.iconPath = vscode.ThemeIcon.File;
  item.description = node.create ? 'new' : describeFocus(focus) || undefined;
  item.contextValue = 'file';
  if (!node.create) {
    item.command = { command: 'vscode.open', title: 'Open File', arguments: [uri] };
  }
  return item;
}

/** A file of the proposal with its line counts; opens its diff on click. */
export function proposalFileItem(root: string, node: ProposalFileNode): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.Uri.file(path.join(root, node.path)), vscode.TreeItemCollapsibleState.None);
  item.id = nodeId(node);
  item.label = node.path;
  item.iconPath = vscode.ThemeIcon.File;
  item.description = `+${node.added} \u2212${node.removed}`;
  item.contextValue = 'proposalFile';
  item.command = {
    command: 'opusOrchestrator.openDiff',
    title: 'Open Diff',
    arguments: [{ subtaskId: node.subtaskId, path: node.path }],
  };
  return item;
}

/** A dependency with its status, so a waiting subtask says what it waits for. */
export function dependencyItem(orchestrator: Orchestrator, node: DependencyNode): vscode.TreeItem {
  const dep = orchestrator.subtask(node.dependencyId);
  const item = new vscode.TreeItem(node.dependencyId, vscode.TreeItemCollapsibleState.None);
  item.id = nodeId(node);
  item.description = dep ? `${dep.state.status} \u00b7 ${dep.spec.title}` : 'removed';
  item.iconPath = dep ? statusIcon(dep.state.status) : new vscode.ThemeIcon('circle-slash');
  item.contextValue = 'dependency';
  return item;
}
