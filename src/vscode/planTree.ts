import * as vscode from 'vscode';
import type { Orchestrator, OrchestratorEvent } from '../core/orchestrator';
import {
  dependencyItem,
  fileItem,
  groupItem,
  nodeId,
  overlapItem,
  planItem,
  proposalFileItem,
  subtaskItem,
} from './planItems';

/** The plan row. */
export interface PlanNode {
  readonly kind: 'plan';
}

/** A subtask row; `subtaskId` is what every command taking a tree item reads. */
export interface SubtaskNode {
  readonly kind: 'subtask';
  readonly subtaskId: string;
}

/** "Files in scope", "Proposal" and "Depends on" under a subtask. */
export interface GroupNode {
  readonly kind: 'group';
  readonly group: 'files' | 'proposal' | 'deps';
  readonly subtaskId: string;
}

export interface FileNode {
  readonly kind: 'file';
  readonly subtaskId: string;
  readonly path: string;
  readonly create: boolean;
}

/** A file of a proposal: the diff review commands take it as `{ subtaskId, path }`. */
export interface ProposalFileNode {
  readonly kind: 'proposalFile';
  readonly subtaskId: string;
  readonly path: string;
  added: number;
  removed: number;
}

export interface DependencyNode {
  readonly kind: 'dependency';
  readonly subtaskId: string;
  readonly dependencyId: string;
}

/** Another subtask this one shares files with; the two never run at the same time. */
export interface OverlapNode {
  readonly kind: 'overlap';
  readonly subtaskId: string;
  readonly otherId: string;
  paths: string[];
}

export type TreeNode = PlanNode | SubtaskNode | GroupNode | FileNode | ProposalFileNode | DependencyNode | OverlapNode;

/** What the tree reads: the orchestrator of the moment (it changes with the workspace) and its events. */
export interface PlanSource {
  readonly orchestrator: Orchestrator | undefined;
  readonly onDidChange: vscode.Event<OrchestratorEvent>;
}

/** Minimum gap between two refreshes of one row while tokens stream: the tree stays smooth, the gauge stays live. */
export const REFRESH_INTERVAL_MS = 100;

/**
 * The Plan view: one root per plan, a row per subtask with its gauge, and under each its files, proposal,
 * dependencies and the subtasks it shares files with. Rows are refreshed one at a time as the core reports changes,
 * throttled while usage streams.
 */
export class PlanTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new Map<string, TreeNode>();
  private readonly lastFired = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly source: PlanSource) {
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

  /** Re-renders everything (a new plan, a new orchestrator, a settings change). */
  refresh(): void {
    for (const timer of this.timers.values()) {
      clearTimeout(timer);
    }
    this.timers.clear();
    this.nodes.clear();
    this.changed.fire(undefined);
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

  async getTreeItem(node: TreeNode): Promise<vscode.TreeItem> {
    const orchestrator = this.source.orchestrator;
    if (!orchestrator?.state) {
      return new vscode.TreeItem('');
    }
    switch (node.kind) {
      case 'plan':
        return planItem(orchestrator);
      case 'subtask': {
        const view = orchestrator.subtask(node.subtaskId);
        return view ? subtaskItem(orchestrator, view) : new vscode.TreeItem(node.subtaskId);
      }
      case 'group':
        return groupItem(orchestrator, node);
      case 'file':
        return fileItem(orchestrator.root, node);
      case 'proposalFile':
        return proposalFileItem(orchestrator.root, node);
      case 'dependency':
        return dependencyItem(orchestrator, node);
      case 'overlap':
        return overlapItem(node);
    }
  }

  dispose(): void {
    this.refresh();
    this.subscription.dispose();
    this.changed.dispose();
  }

  private onEvent(e: OrchestratorEvent): void {
    switch (e.kind) {
      case 'plan':
        this.refresh();
        return;
      case 'usage':
        if (e.id !== 'plan') {
          this.schedule(this.subtaskNode(e.id));
        }
        return;
      case 'subtask':
        this.schedule(this.subtaskNode(e.id));
        this.schedule(this.root());
        return;
      case 'proposal':
        this.schedule(this.subtaskNode(e.subtaskId));
        return;
    }
  }

  /** Fires a row's refresh now, or once REFRESH_INTERVAL_MS after its last one; never more often than that. */
  private schedule(node: TreeNode | undefined): void {
    if (!node) {
      return;
    }
    const key = nodeId(node);
    if (this.timers.has(key)) {
      return;
    }
    const wait = (this.lastFired.get(key) ?? 0) + REFRESH_INTERVAL_MS - Date.now();
    const fire = (): void => {
      this.timers.delete(key);
      this.lastFired.set(key, Date.now());
      this.changed.fire(node);
    };
    if (wait <= 0) {
      fire();
    } else {
      this.timers.set(key, setTimeout(fire, wait));
    }
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
