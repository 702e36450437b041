/** The rows of the Plan view, one kind per node; the tree keeps one object per row while the plan lasts. */

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

/** The scheme of a subtask row's `resourceUri`, which carries its model for the badge (see decorations.ts). */
export const SUBTASK_SCHEME = 'opus-subtask';

/** The tree id of a node: subtask rows use the subtask id itself; other kinds are prefixed and cannot collide. */
export function nodeId(node: TreeNode): string {
  switch (node.kind) {
    case 'plan':
      return 'plan';
    case 'subtask':
      return node.subtaskId;
    case 'group':
      return `${node.group}:${node.subtaskId}`;
    case 'file':
      return `file:${node.subtaskId}:${node.path}`;
    case 'proposalFile':
      return `proposal:${node.subtaskId}:${node.path}`;
    case 'dependency':
      return `dep:${node.subtaskId}:${node.dependencyId}`;
    case 'overlap':
      return `overlap:${node.subtaskId}:${node.otherId}`;
  }
}
