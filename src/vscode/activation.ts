import { setImmediate as nextTurn } from 'node:timers/promises';
import * as vscode from 'vscode';
import { ApiKeyStore } from './apiKey';
import type { OrchestratorCommands } from './commands';
import { ExtensionController } from './controller';
import { ModelBadges, ProposalDecorations } from './decorations';
import { EngineLoader } from './engineLoader';
import { FrameScheduler } from './frame';
import { createLog } from './log';
import { PlanTreeProvider } from './planTree';
import { registerCommands } from './registration';
import { ReviewQueue } from './reviewQueue';
import { PlanStatusBar } from './statusBar';
import type { TreeNode } from './treeNodes';
import { openWalkthroughOnFirstRun } from './walkthrough';

/** What activate() returns: the extension's services, for automation and the integration tests. */
export interface ExtensionApi {
  controller: ExtensionController;
  keys: ApiKeyStore;
  tree: PlanTreeProvider;
  view: vscode.TreeView<TreeNode>;
  statusBar: PlanStatusBar;
  commands: OrchestratorCommands;
  queue: ReviewQueue;
  decorations: ProposalDecorations;
  /** Whether the engine bundle (core, model client, diff review) has been loaded yet. */
  readonly engineLoaded: boolean;
  /** Settles once the stored key has been read and a stored plan, if the folder has one, restored. */
  ready: Promise<void>;
}

/** The controller of this activation, for deactivate(). */
let active: ExtensionController | undefined;

/**
 * Builds the views, the status bar and the commands, and returns without waiting for anything: the key is read from
 * secret storage, and the engine loaded to restore a stored plan, after activate() has returned.
 */
export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = createLog();
  const frame = new FrameScheduler();
  const keys = new ApiKeyStore(context.secrets);
  const engine = (): ReturnType<EngineLoader['get']> => loader.get();
  const controller = new ExtensionController({ keys, log, engine, frame });
  active = controller;
  const loader = new EngineLoader(() => ({ context, controller, log, apiKey: () => keys.current }));
  const source = {
    get orchestrator() {
      return controller.orchestrator;
    },
    onDidChange: controller.onDidChange,
    views: () => controller.views,
  };
  const tree = new PlanTreeProvider(source, context.extensionUri, frame);
  const view = vscode.window.createTreeView('opusOrchestrator.plan', { treeDataProvider: tree, showCollapseAll: true });
  const statusBar = new PlanStatusBar();
  const queue = new ReviewQueue(controller, view, frame, () => controller.views);
  const decorations = new ProposalDecorations(controller, frame);
  const updateStatus = (): void => statusBar.update(controller.views?.status(controller.orchestrator, queue.count));
  context.subscriptions.push(
    log,
    frame,
    keys,
    controller,
    tree,
    view,
    statusBar,
    queue,
    decorations,
    decorateOnFirstPlan(controller, decorations),
    controller.onDidChange((e) => {
      if (e.kind !== 'usage') {
        frame.schedule(updateStatus);
      }
    }),
    queue.onDidChange(() => frame.schedule(updateStatus)),
  );
  const commands = registerCommands(context, { controller, keys, tree, view, engine, queue });
  // Looking for a stored plan (and loading the engine to show it) starts once activate() has returned.
  const restored = nextTurn()
    .then(() => controller.restoreStored())
    .catch((err: Error) => log.error(`could not restore the plan: ${err.message}`));
  void restored.then(() => openWalkthroughOnFirstRun(context, controller.orchestrator?.state !== undefined));
  return {
    controller,
    keys,
    tree,
    view,
    statusBar,
    commands,
    queue,
    decorations,
    get engineLoaded() {
      return loader.loaded;
    },
    ready: Promise.all([keys.ready, restored]).then(() => undefined),
  };
}

/**
 * Registers the file decorations (proposal marks, model badges on subtask rows) once an orchestrator exists: before
 * that there is no file or row to mark, and each registration is a round trip activation can do without.
 */
function decorateOnFirstPlan(controller: ExtensionController, decorations: ProposalDecorations): vscode.Disposable {
  let registered: vscode.Disposable | undefined;
  const listener = controller.onDidChange(() => {
    if (registered || !controller.orchestrator) {
      return;
    }
    registered = vscode.Disposable.from(
      vscode.window.registerFileDecorationProvider(decorations),
      vscode.window.registerFileDecorationProvider(new ModelBadges()),
    );
    listener.dispose();
  });
  return new vscode.Disposable(() => {
    listener.dispose();
    registered?.dispose();
  });
}

/** Changes are saved a moment after they show; VS Code waits for the last ones before it closes the window. */
export async function deactivate(): Promise<void> {
  await active?.orchestrator?.flush().catch(() => undefined);
  active = undefined;
}
