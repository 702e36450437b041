import * as vscode from 'vscode';

/** One channel for everything the extension has to say, in the Output view, with VS Code's log levels and times. */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Opus Orchestrator', { log: true });
}
