import type * as vscode from 'vscode';
import type * as Activation from './vscode/activation';
import type { ExtensionApi } from './vscode/activation';

export type { ExtensionApi } from './vscode/activation';

/**
 * The file VS Code loads to activate the extension, kept tiny. Before calling activate(), the extension host asks the
 * workbench for the extension's stored state (a round trip), and it sends that request only once this file has been
 * evaluated: on a timer it set just before, and through a compressed connection whose output is written from an I/O
 * callback when the workbench is remote. The views and commands (dist/activation.js) are therefore loaded on a timer
 * set after that one has run, a turn of the event loop later, when the request has gone out: their evaluation
 * overlaps the wait instead of delaying the request. activate() uses them once the context is there, loading them
 * itself if they are not loaded yet; the build leaves `import('./vscode/activation')` as a require of that file
 * (esbuild.js).
 */
let loading: Promise<typeof Activation> | undefined;
let loaded: typeof Activation | undefined;

function load(): Promise<typeof Activation> {
  loading ??= import('./vscode/activation').then((m) => (loaded = m));
  return loading;
}

setTimeout(() => setTimeout(() => void load().catch(() => undefined), 1), 0);

/** At once when the views are loaded (the usual case), else once they are. */
export function activate(context: vscode.ExtensionContext): ExtensionApi | Promise<ExtensionApi> {
  return loaded ? loaded.activate(context) : load().then((m) => m.activate(context));
}

export async function deactivate(): Promise<void> {
  const views = await loading?.catch(() => undefined);
  await views?.deactivate();
}
