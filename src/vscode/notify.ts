import * as vscode from 'vscode';

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
 * Whether `err` is a refusal from the core (an OrchestratorError: stale, untrusted, over a cap…) whose message says
 * what to do. Told by name and code rather than by class: the views and the engine are separate bundles, each with
 * its own copy of the class.
 */
export function isRefusal(err: unknown): err is Error & { code: string } {
  return (
    err instanceof Error && err.name === 'OrchestratorError' && typeof (err as { code?: unknown }).code === 'string'
  );
}

/**
 * Refusals the user can act on are warnings; anything else is an error with the log one click away. `prefix` names
 * the subtask in the log line.
 */
export function failure(log: vscode.LogOutputChannel, err: unknown, prefix = ''): CommandResult {
  const message = err instanceof Error ? err.message : String(err);
  if (isRefusal(err)) {
    log.warn(`${prefix}${message}`);
    return warn(message);
  }
  log.error(`${prefix}${message}`);
  void vscode.window
    .showErrorMessage(message, SHOW_LOG)
    .then((choice) => (choice === SHOW_LOG ? log.show() : undefined));
  return { ok: false, message };
}
