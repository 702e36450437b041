import * as vscode from 'vscode';
import type { Orchestrator, OrchestratorEvent } from '../core/orchestrator';
import type { UsageEntry } from '../core/plan/state';
import type { FrameScheduler } from './frame';
import type { EngineViews, RowSource } from './engineViews';
import type { TreeChange } from './treeRefresh';
import { TreeRefresher } from './treeRefresh';
import type { GroupNode, OverlapNode, PlanNode, ProposalFileNode, SubtaskNode, TreeNode } from './treeNodes';

/** What the tree reads: the orchestrator of the moment (it changes with the workspace) and its events. */
export interface PlanSource {
  readonly orchestrator: Orchestrator | undefined;
  readonly onDidChange: vscode.Event<OrchestratorEvent>;
  /** How rows read: the engine's, loaded with the orchestrator (there are no rows before). */
  views(): EngineViews | undefined;
}

/**
 * The Plan view: one root per plan, a row per subtask with its gauge, and under each its files, proposal,
 * dependencies and the subtasks it shares files with. Events mark rows as changed; once per frame one
 * `onDidChangeTreeData` event refreshes the changed subtask rows (never their parent), throttled per row while tokens
 * stream. Tooltips, the heavy part of a row, are built only when the user hovers one.
 */
export class PlanTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeChange>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new Map<string, TreeNode>();
  private readonly refresher: TreeRefresher;
  private planRowText: string | undefined;
  private ledgerIndex: Map<string, UsageEntry[]> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly source: PlanSource,
    private readonly extensionUri: vscode.Uri,
    frame: FrameScheduler,
  ) {
    this.refresher = new TreeRefresher(
      frame,
      (change) => this.changed.fire(change),
      () => this.planRowChanged(),
    );
    this.subscription = source.onDidChange((e) => this.onEvent(e));
  }

  /** The plan row, when there is a plan. */
  root(): PlanNode | undefined {
    return this.source.orchestrator?.state ? this.node('plan', () => ({ kind: 'plan' })) : undefined;
  }

  /** The row of a subtask, when the plan has it. */
  subtaskNode(id: string): SubtaskNode | undefined {
    return this.source.orchestrator?.subtask(id) ? this.subtask(id) : undefined;
  }

  /** Re-renders everything (a new plan, a new orchestrator, a settings change) in the next frame. */
  refresh(): void {
    this.nodes.clear();
    this.ledgerIndex = undefined;
    this.refresher.all();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'plan':
        return undefined;
      case 'subtask':
        return this.root();
      case 'group':
        return this.subtask(node.subtaskId);
      case 'file':
        return this.group(node.subtaskId, 'files');
      case 'proposalFile':
        return this.group(node.subtaskId, 'proposal');
      case 'dependency':
        return this.group(node.subtaskId, 'deps');
      case 'overlap':
        return this.subtask(node.subtaskId);
    }
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    const orchestrator = this.source.orchestrator;
    if (!orchestrator?.state) {
      return [];
    }
    if (!node) {
      return [this.root() as PlanNode];
    }
    switch (node.kind) {
      case 'plan':
        return orchestrator.subtasks().map((s) => this.subtask(s.spec.id));
      case 'subtask':
        return this.groupsOf(orchestrator, node.subtaskId);
      case 'group':
        return this.groupChildren(orchestrator, node);
      default:
        return [];
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const source = this.rowSource();
    return source ? source.views.treeItem(source, node) : new vscode.TreeItem('');
  }

  /** The tooltips of the plan and subtask rows, built when the user hovers a row. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    const source = this.rowSource();
    if (source && (node.kind === 'plan' || node.kind === 'subtask')) {
      item.tooltip = source.views.tooltip(source, node);
    }
    return item;
  }

  dispose(): void {
    this.refresher.dispose();
    this.subscription.dispose();
    this.changed.dispose();
  }

  private rowSource(): (RowSource & { views: EngineViews }) | undefined {
    const orchestrator = this.source.orchestrator;
    const views = this.source.views();
    if (!orchestrator?.state || !views) {
      return undefined;
    }
    return {
      orchestrator,
      views,
      extensionUri: this.extensionUri,
      entriesOf: (owner) => this.entriesOf(orchestrator, owner),
    };
  }

  /** The ledger by owner, built at most once per frame: a row must not copy the whole ledger to find its calls. */
  private entriesOf(orchestrator: Orchestrator, owner: string): readonly UsageEntry[] {
    if (!this.ledgerIndex) {
      const index = new Map<string, UsageEntry[]>();
      for (const e of orchestrator.ledger().entries()) {
        const list = index.get(e.owner);
        if (list) {
          list.push(e);
        } else {
          index.set(e.owner, [e]);
        }
      }
      this.ledgerIndex = index;
    }
    return this.ledgerIndex.get(owner) ?? [];
  }

  private onEvent(e: OrchestratorEvent): void {
    // Any event may come with new ledger entries; the index is rebuilt on the next read.
    this.ledgerIndex = undefined;
    switch (e.kind) {
      case 'plan':
        this.refresh();
        return;
      case 'usage':
        if (e.id !== 'plan') {
          this.refresher.mark(this.knownRow(e.id), true);
        }
        return;
      case 'subtask':
        this.refresher.mark(this.knownRow(e.id), false);
        this.refresher.mark(this.root(), false);
        return;
      case 'proposal':
        this.refresher.mark(this.knownRow(e.subtaskId), false);
        return;
    }
  }

  /**
   * The row of a subtask the event names: the one already made, found without a search of the plan (usage events
   * arrive thousands of times a second at scale); else looked up.
   */
  private knownRow(id: string): SubtaskNode | undefined {
    const row = this.nodes.get(id);
    return row?.kind === 'subtask' ? row : this.subtaskNode(id);
  }

  /** Whether the plan row's text differs from what was last sent (refreshing it re-renders every row below it). */
  private planRowChanged(): boolean {
    const orchestrator = this.source.orchestrator;
    const views = this.source.views();
    const text = orchestrator?.state && views ? views.planRowText(orchestrator) : undefined;
    const changed = text !== this.planRowText;
    this.planRowText = text;
    return changed;
  }

  private async groupsOf(orchestrator: Orchestrator, id: string): Promise<TreeNode[]> {
    const view = orchestrator.subtask(id);
    if (!view) {
      return [];
    }
    const groups: TreeNode[] = [this.group(id, 'files')];
    const proposal = await orchestrator.proposal(id);
    if (proposal && proposal.files.length > 0) {
      groups.push(this.group(id, 'proposal'));
    }
    if (view.spec.dependsOn.length > 0) {
      groups.push(this.group(id, 'deps'));
    }
    for (const overlap of orchestrator.overlaps(id)) {
      const row = this.node<OverlapNode>(`overlap:${id}:${overlap.id}`, () => ({
        kind: 'overlap',
        subtaskId: id,
        otherId: overlap.id,
        paths: [],
      }));
      row.paths = overlap.paths;
      groups.push(row);
    }
    return groups;
  }

  private async groupChildren(orchestrator: Orchestrator, node: GroupNode): Promise<TreeNode[]> {
    const view = orchestrator.subtask(node.subtaskId);
    if (!view) {
      return [];
    }
    const id = node.subtaskId;
    if (node.group === 'files') {
      return view.spec.files.map((f) =>
        this.node(`file:${id}:${f.path}`, () => ({ kind: 'file', subtaskId: id, path: f.path, create: f.create })),
      );
    }
    if (node.group === 'deps') {
      return view.spec.dependsOn.map((d) =>
        this.node(`dep:${id}:${d}`, () => ({ kind: 'dependency', subtaskId: id, dependencyId: d })),
      );
    }
    const proposal = await orchestrator.proposal(id);
    return (proposal?.files ?? []).map((change) => {
      const lines = change.hunks.flatMap((h) => h.lines);
      const row = this.node<ProposalFileNode>(`proposal:${id}:${change.path}`, () => ({
        kind: 'proposalFile',
        subtaskId: id,
        path: change.path,
        added: 0,
        removed: 0,
      }));
      row.added = lines.filter((l) => l.startsWith('+')).length;
      row.removed = lines.filter((l) => l.startsWith('-')).length;
      return row;
    });
  }

  private subtask(id: string): SubtaskNode {
    return this.node(id, () => ({ kind: 'subtask', subtaskId: id }));
  }

  private group(id: string, group: GroupNode['group']): GroupNode {
    return this.node(`${group}:${id}`, () => ({ kind: 'group', group, subtaskId: id }));
  }

  /** VS Code finds a row again by object identity, so each row keeps one node object while the plan lasts. */
  private node<T extends TreeNode>(key: string, make: () => T): T {
    let found = this.nodes.get(key);
    if (!found) {
      found = make();
      this.nodes.set(key, found);
    }
    return found as T;
  }
}
