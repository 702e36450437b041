import * as vscode from 'vscode';
import { requireCached } from './vscode/codeCache';
import { COMMAND_NAMES } from './vscode/commandNames';
import { TreeShell } from './vscode/treeShell';
import type * as ViewsBundle from './vscode/views';
import type { ExtensionApi, Views } from './vscode/views';

export type { ExtensionApi } from './vscode/views';

/** The views bundle, once loaded: its deactivate() saves what the plan has not saved yet. */
let bundle: typeof ViewsBundle | undefined;

/**
 * The file VS Code loads, kept small: activate() registers the Plan view and every command and returns. The views,
 * the status bar and the commands' handlers (dist/views.js) are loaded a turn later, or at once by the first command
 * or the view's first request for rows if that comes sooner; the engine (dist/engine.js) when something needs it.
 */
export function activate(context: vscode.ExtensionContext): ExtensionApi {
  let views: Views | undefined;
  const load = (): Views => (views ??= loadViews(context, { view, tree }));
  const tree = new TreeShell(() => load().tree);
  const view = vscode.window.createTreeView('opusOrchestrator.plan', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(tree, view);
  for (const name of COMMAND_NAMES) {
    const handler = (...args: unknown[]): unknown => load().handlers[name](...args);
    context.subscriptions.push(vscode.commands.registerCommand(`opusOrchestrator.${name}`, handler));
  }
  const ready = new Promise<void>((resolve) => setImmediate(resolve)).then(() => load().ready);
  ready.catch((err: Error) => void vscode.window.showErrorMessage(err.message));
  return {
    get controller() {
      return load().controller;
    },
    get keys() {
      return load().keys;
    },
    get tree() {
      return load().tree;
    },
    view,
    get statusBar() {
      return load().statusBar;
    },
    get commands() {
      return load().commands;
    },
    get queue() {
      return load().queue;
    },
    get decorations() {
      return load().decorations;
    },
    get engineLoaded() {
      return load().engineLoaded;
    },
    ready,
  };
}

function loadViews(context: vscode.ExtensionContext, shell: ViewsBundle.Shell): Views {
  try {
    bundle = requireCached<typeof ViewsBundle>(process.getBuiltinModule('node:path').join(__dirname, 'views.js'));
  } catch (err) {
    throw new Error(`Opus Orchestrator could not load its views (dist/views.js): ${(err as Error).message}`, {
      cause: err,
    });
  }
  return bundle.buildViews(context, shell);
}

export async function deactivate(): Promise<void> {
  await bundle?.deactivate();
}
