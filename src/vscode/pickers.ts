import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Orchestrator } from '../core/orchestrator';
import type { FileInScope } from '../core/plan/schema';
import { RUNNABLE } from '../core/plan/state';
import type { SubtaskStatus } from '../core/plan/state';

/** What the commands ask the user: the task, a subtask, files. Each returns undefined when dismissed. */

/** The task, typed by the user; the box itself refuses an empty one. */
export async function askTask(): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Plan with Opus',
    prompt: 'Describe the change; the selection and the active file come along.',
    placeHolder: 'e.g. Add a --json flag to the CLI that prints the result as JSON',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'Describe the task to plan.' : undefined),
  });
}

/** The active file (workspace-relative) and its selection, when the file is inside the workspace. */
export function editorContext(root: string): { activeFile?: string; selection?: { path: string; text: string } } {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.scheme !== 'file') {
    return {};
  }
  const rel = path.relative(root, editor.document.uri.fsPath);
  if (rel === '' || rel.split(path.sep)[0] === '..' || path.isAbsolute(rel)) {
    return {};
  }
  const activeFile = rel.split(path.sep).join('/');
  const text = editor.selection.isEmpty ? '' : editor.document.getText(editor.selection);
  return text.trim() ? { activeFile, selection: { path: activeFile, text } } : { activeFile };
}

/** A subtask that can be dispatched now, or undefined (told so) when there is none. */
export async function pickSubtask(orchestrator: Orchestrator): Promise<string | undefined> {
  const runnable = orchestrator.subtasks().filter((s) => RUNNABLE.has(s.state.status));
  if (runnable.length === 0) {
    void vscode.window.showInformationMessage('No subtask can be dispatched now.');
    return undefined;
  }
  return pickFrom(runnable, 'Dispatch');
}

/** One subtask among `views`. */
export async function pickFrom(
  views: Array<{ spec: { id: string; title: string }; state: { status: SubtaskStatus } }>,
  verb: string,
): Promise<string | undefined> {
  if (views.length === 0) {
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    views.map((v) => ({ label: v.spec.title, description: `${v.spec.id} \u00b7 ${v.state.status}`, id: v.spec.id })),
    { title: `${verb} Subtask`, placeHolder: 'Choose a subtask' },
  );
  return picked?.id;
}

/**
 * A path chosen for a subtask; `create` when nothing is there yet. The core validates the path itself (a folder, for
 * one, is refused with a message that says to list files).
 */
export async function toFileInScope(root: string, rel: string): Promise<FileInScope> {
  const exists = await fs.stat(path.join(root, rel)).then(
    () => true,
    () => false,
  );
  return { path: rel, create: !exists };
}
