import type * as vscode from 'vscode';
import type * as Activation from './vscode/activation';
import type { ExtensionApi } from './vscode/activation';

export type { ExtensionApi } from './vscode/activation';

/**
 * The file VS Code loads to activate the extension, kept tiny. Before calling activate(), the extension host asks the
 * workbench for the extension's stored state (a round trip), and it sends that request only once this file has been
 * evaluated. The views and commands (dist/activation.js) are therefore loaded on a timer set here, which runs after
 * the host has sent it: their evaluation overlaps the wait instead of delaying the request. activate() uses them
 * once the context is there, loading them itself if the timer has not run yet; the build leaves
 * `import('./vscode/activation')` as a require of that file (esbuild.js).
 */
let loading: Promise<typeof Activation> | undefined;

function load(): Promise<typeof Activation> {
  loading ??= import('./vscode/activation');
  return loading;
}

setTimeout(() => void load().catch(() => undefined), 0);

export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  return (await load()).activate(context);
}

export async function deactivate(): Promise<void> {
  const loaded = await loading?.catch(() => undefined);
  await loaded?.deactivate();
}
