import { setImmediate as nextTurn } from 'node:timers/promises';
import * as vscode from 'vscode';
import { ApiKeyStore } from './apiKey';
import type { CommandHandler, CommandName } from './commandNames';
import type { OrchestratorCommands } from './commands';
import { ExtensionController } from './controller';
import { ModelBadges, ProposalDecorations } from './decorations';
import { EngineLoader } from './engineLoader';
import { FrameScheduler } from './frame';
import { createLog } from './log';
import { PlanTreeProvider } from './planTree';
import { commandHandlers } from './registration';
import { ReviewQueue } from './reviewQueue';
import { PlanStatusBar } from './statusBar';
import type { TreeNode } from './treeNodes';
import type { TreeShell } from './treeShell';
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

/** What activation registered before the views were loaded: the Plan view, its data provider. */
export interface Shell {
  view: vscode.TreeView<TreeNode>;
  tree: TreeShell;
}

/** The views and commands, built once activation has registered the view and the commands. */
export interface Views extends ExtensionApi {
  /** What each registered command runs. */
  handlers: Record<CommandName, CommandHandler>;
}

/** The controller of this window, for deactivate(). */
let active: ExtensionController | undefined;

/**
 * Builds the Plan view's provider, the status bar, the review queue and the commands' handlers for the view and the
 * commands activation registered. The key is read from secret storage, and the engine loaded to restore a stored
 * plan, a turn later.
 */
export function buildViews(context: vscode.ExtensionContext, shell: Shell): Views {
  const { view } = shell;
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
    tree.onDidChangeTreeData((change) => shell.tree.changed(change)),
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
  const { commands, handlers } = commandHandlers({ controller, keys, tree, view, engine, queue });
  // Looking for a stored plan (and loading the engine to show it) starts a turn later.
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
    handlers,
    get engineLoaded() {
      return loader.loaded;
    },
    ready: Promise.all([keys.ready, restored]).then(() => undefined),
  };
}

/**
 * Registers the file decorations (proposal marks, model badges on subtask rows) once an orchestrator exists: before
 * that there is no file or row to mark, and each registration is a round trip the start can do without.
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
