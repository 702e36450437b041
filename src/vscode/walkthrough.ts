import * as vscode from 'vscode';

/** `publisher.name#id` of the walkthrough contributed in package.json. */
export const WALKTHROUGH_ID = 'opus-orchestrator.opus-orchestrator#opusOrchestrator.gettingStarted';
const SHOWN_KEY = 'opusOrchestrator.walkthroughShown';

/**
 * Opens the getting-started walkthrough (key, plan, dispatch, review) the first time the extension runs for this
 * user, unless the folder already has a plan (someone who has planned needs no tour). Not under the integration
 * tests, whose editor would otherwise open on the walkthrough instead of on what they test.
 */
export async function openWalkthroughOnFirstRun(context: vscode.ExtensionContext, hasStoredPlan: boolean) {
  if (context.globalState.get<boolean>(SHOWN_KEY) || context.extensionMode === vscode.ExtensionMode.Test) {
    return;
  }
  await context.globalState.update(SHOWN_KEY, true);
  if (!hasStoredPlan) {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
  }
}
