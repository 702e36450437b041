import * as vscode from 'vscode';
import type { TreeChange } from './treeRefresh';
import type { TreeNode } from './treeNodes';

/**
 * The Plan view's data provider as activation registers it, before the views are loaded: each call is answered by
 * the views' own provider (loading them first if they are not loaded yet), and the changes it reports come through.
 */
export class TreeShell implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<TreeChange>();
  readonly onDidChangeTreeData = this.changes.event;

  constructor(private readonly provider: () => Required<vscode.TreeDataProvider<TreeNode>>) {}

  /** Passes on a change the views' provider reported. */
  changed(change: TreeChange): void {
    this.changes.fire(change);
  }

  getChildren(node?: TreeNode): vscode.ProviderResult<TreeNode[]> {
    return this.provider().getChildren(node);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem | Thenable<vscode.TreeItem> {
    return this.provider().getTreeItem(node);
  }

  getParent(node: TreeNode): vscode.ProviderResult<TreeNode> {
    return this.provider().getParent(node);
  }

  resolveTreeItem(
    item: vscode.TreeItem,
    node: TreeNode,
    token: vscode.CancellationToken,
  ): vscode.ProviderResult<vscode.TreeItem> {
    return this.provider().resolveTreeItem(item, node, token);
  }

  dispose(): void {
    this.changes.dispose();
  }
}
