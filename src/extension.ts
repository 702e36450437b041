import * as vscode from 'vscode';
import { ApiKeyStore } from './vscode/apiKey';
import type { OrchestratorCommands } from './vscode/commands';
import { registerCommands } from './vscode/commands';
import { ExtensionController } from './vscode/controller';
import { createLog } from './vscode/log';
import type { TreeNode } from './vscode/planTree';
import { PlanTreeProvider } from './vscode/planTree';
import { registerReview } from './vscode/review/index';
import { createEditorIO } from './vscode/review/workspaceIO';
import { PlanStatusBar } from './vscode/statusBar';
import { registerProviderCommand } from './vscode/providerCommand';

/** What activate() returns: the extension's services, for automation and the integration tests. */
export interface ExtensionApi {
  controller: ExtensionController;
  keys: ApiKeyStore;
  tree: PlanTreeProvider;
  view: vscode.TreeView<TreeNode>;
  statusBar: PlanStatusBar;
  commands: OrchestratorCommands;
}

/** The controller of this activation, for deactivate(). */
let active: ExtensionController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  const log = createLog();
  const keys = new ApiKeyStore(context.secrets);
  await keys.reload();
  const controller = new ExtensionController({ keys, log, io: createEditorIO });
  active = controller;
  const tree = new PlanTreeProvider(controller);
  const view = vscode.window.createTreeView('opusOrchestrator.plan', { treeDataProvider: tree, showCollapseAll: true });
  const statusBar = new PlanStatusBar();
  context.subscriptions.push(
    log,
    keys,
    controller,
    tree,
    view,
    statusBar,
    controller.onDidChange((e) => {
      if (e.kind !== 'usage') {
        statusBar.update(controller.orchestrator);
      }
    }),
  );
  const commands = registerCommands(context, { controller, keys, tree, view });
  registerReview(context, controller);
  registerProviderCommand(context, controller);
  await controller.start();
  return { controller, keys, tree, view, statusBar, commands };
}

/** Changes are saved a moment after they show; VS Code waits for the last ones before it closes the window. */
export async function deactivate(): Promise<void> {
  await active?.orchestrator?.flush().catch(() => undefined);
  active = undefined;
}
