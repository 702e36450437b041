import * as vscode from 'vscode';
import { OrchestratorError } from '../core/orchestrator';

/** What a command reports back: to a person through a message, to automation (and tests) through the value. */
export type CommandResult = { ok: true } | { ok: false; message: string };

export const SHOW_LOG = 'Show Log';

export function warn(message: string): CommandResult {
  void vscode.window.showWarningMessage(message);
  return { ok: false, message };
}

export function info(message: string): CommandResult {
  void vscode.window.showInformationMessage(message);
  return { ok: false, message };
}

/**
 * Refusals the user can act on (OrchestratorError) are warnings; anything else is an error with the log one click
 * away. `prefix` names the subtask in the log line.
 */
export function failure(log: vscode.LogOutputChannel, err: unknown, prefix = ''): CommandResult {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof OrchestratorError) {
    log.warn(`${prefix}${message}`);
    return warn(message);
  }
  log.error(`${prefix}${message}`);
  void vscode.window
    .showErrorMessage(message, SHOW_LOG)
    .then((choice) => (choice === SHOW_LOG ? log.show() : undefined));
  return { ok: false, message };
}
