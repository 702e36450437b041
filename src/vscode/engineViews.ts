import * as vscode from 'vscode';
import { MODEL_TABLE } from '../core/models';
import type { Orchestrator } from '../core/orchestrator';
import { looksText } from '../core/plan/looks';
import type { UsageEntry } from '../core/plan/state';
import { livePhase, totalTokens } from '../core/usage/usage';
import { formatCost, formatTokens, liveText } from './gauge';
import type { RowContext } from './planItems';
import {
  dependencyItem,
  fileItem,
  groupItem,
  overlapItem,
  planItem,
  planRowText,
  planTooltip,
  proposalFileItem,
  subtaskItem,
  subtaskTooltip,
} from './planItems';
import type { EditorSettings } from './settings';
import type { StatusContent } from './statusBar';
import { statusText, totalsMarkdown } from './statusTexts';
import type { TreeNode } from './treeNodes';

/** What a row is drawn from: the orchestrator, the extension's folder (icons) and the ledger by owner. */
export interface RowSource {
  readonly orchestrator: Orchestrator;
  readonly extensionUri: vscode.Uri;
  entriesOf(owner: string): readonly UsageEntry[];
}

/**
 * How the views read, worked out in the engine bundle: every figure there is priced with the user's price overrides,
 * which the core keeps per module. The first bundle's tree, status bar and notifications call these.
 */
export interface EngineViews {
  treeItem(source: RowSource, node: TreeNode): vscode.TreeItem;
  /** The tooltip of the plan or a subtask row, built when the user hovers it. */
  tooltip(source: RowSource, node: TreeNode): vscode.MarkdownString | undefined;
  /** The plan row's description (its refresh re-renders every row, so it is sent only when this changes). */
  planRowText(orchestrator: Orchestrator): string;
  /** The status bar's text and tooltip; undefined without a plan. */
  status(orchestrator: Orchestrator | undefined, toReview: number): StatusContent | undefined;
  /** `Proposal ready: "Bump the version" — 2 files, +3 −1 (Sonnet, $0.02).` */
  proposalSummary(orchestrator: Orchestrator, id: string): string;
  /** The planning notification's progress: `12k tokens · thinking…`. */
  planProgress(orchestrator: Orchestrator): string | undefined;
}

export function createViews(settings: () => EditorSettings): EngineViews {
  const context = (source: RowSource): RowContext => ({ ...source, cap: settings().core.maxCostPerSubtask });
  return {
    treeItem(source, node) {
      const o = source.orchestrator;
      switch (node.kind) {
        case 'plan':
          return planItem(o);
        case 'subtask': {
          const view = o.subtask(node.subtaskId);
          return view ? subtaskItem(context(source), view) : new vscode.TreeItem(node.subtaskId);
        }
        case 'group':
          return groupItem(o, node);
        case 'file':
          return fileItem(o.root, node, o.subtask(node.subtaskId)?.spec.files.find((f) => f.path === node.path)?.focus);
        case 'proposalFile':
          return proposalFileItem(o.root, node);
        case 'dependency':
          return dependencyItem(o, node);
        case 'overlap':
          return overlapItem(node);
      }
    },
    tooltip(source, node) {
      if (node.kind === 'plan') {
        return planTooltip(source.orchestrator);
      }
      const view = node.kind === 'subtask' ? source.orchestrator.subtask(node.subtaskId) : undefined;
      return view ? subtaskTooltip(context(source), view) : undefined;
    },
    planRowText,
    status(orchestrator, toReview) {
      const text = statusText(orchestrator, toReview);
      return text && orchestrator ? { text, tooltip: totalsMarkdown(orchestrator), toReview } : undefined;
    },
    proposalSummary,
    planProgress(orchestrator) {
      const live = orchestrator.planLive;
      if (!live) {
        return undefined;
      }
      const doing = livePhase(live);
      const tokens = `${formatTokens(totalTokens(live))} tokens`;
      const looks = orchestrator.planLooks;
      return [tokens, looks && looksText(looks), doing && liveText(doing)].filter(Boolean).join(' \u00b7 ');
    },
  };
}

function proposalSummary(orchestrator: Orchestrator, id: string): string {
  const view = orchestrator.subtask(id);
  const files = (orchestrator.proposalSnapshot(id)?.files ?? []).filter((f) => f.hunks.length > 0);
  const lines = files.flatMap((f) => f.hunks.flatMap((h) => h.lines));
  const added = lines.filter((l) => l.startsWith('+')).length;
  const removed = lines.filter((l) => l.startsWith('-')).length;
  const cost = orchestrator
    .ledger()
    .entries()
    .filter((e) => e.owner === id)
    .reduce((sum, e) => sum + e.cost, 0);
  const model = view ? MODEL_TABLE[view.state.model].label : '';
  const count = `${files.length} file${files.length === 1 ? '' : 's'}`;
  return (
    `Proposal ready: "${view?.spec.title ?? id}" \u2014 ${count}, +${added} \u2212${removed} ` +
    `(${model}, ${formatCost(cost)}).`
  );
}
