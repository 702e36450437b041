import * as vscode from 'vscode';
import type { WorkspaceIO } from '../../core/orchestrator';

const BOM = '\uFEFF';
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The core's view of the user's files inside the editor. Reads prefer an open document with unsaved changes, because
 * that is the text the user sees and a proposal must be judged (and made stale) against it. Writes go through one
 * WorkspaceEdit, so accepting a change is one undo step and lands in open editors instead of behind their back; a
 * revert deletes a file the same way.
 */
export function createEditorIO(root: vscode.Uri): WorkspaceIO {
  return {
    read: (rel) => readEditorText(vscode.Uri.joinPath(root, rel)),
    write: (rel, text) => writeText(vscode.Uri.joinPath(root, rel), text),
    remove: (rel) => removeFile(vscode.Uri.joinPath(root, rel)),
  };
}

/** The open document of `uri`, if the editor has one loaded. */
export function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((d) => !d.isClosed && d.uri.toString() === key);
}

async function readDisk(uri: vscode.Uri): Promise<string | null> {
  try {
    return utf8.decode(await vscode.workspace.fs.readFile(uri));
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') {
      return null;
    }
    throw e;
  }
}

/** The text the user sees for `uri`: an open document with unsaved changes, else the file on disk (null: absent). */
export async function readEditorText(uri: vscode.Uri): Promise<string | null> {
  const doc = openDocument(uri);
  if (doc?.isDirty) {
    // A document's text never carries the byte-order mark; the core keeps it as part of the file's format.
    return (doc.encoding === 'utf8bom' ? BOM : '') + doc.getText();
  }
  // A clean document equals the disk, and the disk keeps the BOM the core hashes when it checks for staleness.
  return readDisk(uri);
}

async function writeText(uri: vscode.Uri, text: string): Promise<void> {
  const body = text.startsWith(BOM) ? text.slice(BOM.length) : text;
  let doc = openDocument(uri);
  const exists = doc !== undefined || (await readDisk(uri)) !== null;
  const edit = new vscode.WorkspaceEdit();
  if (!exists) {
    edit.createFile(uri, { ignoreIfExists: true });
    edit.insert(uri, new vscode.Position(0, 0), body);
  } else {
    doc ??= await vscode.workspace.openTextDocument(uri);
    const range = changedRange(doc, body);
    if (!range) {
      return;
    }
    edit.replace(uri, range.range, range.text);
  }
  const wasDirty = doc?.isDirty ?? false;
  if (!(await vscode.workspace.applyEdit(edit))) {
    throw new Error(`VS Code refused to apply the change to ${vscode.workspace.asRelativePath(uri)}; is it read-only?`);
  }
  if (wasDirty) {
    // The user's unsaved work stays unsaved: the change is in the open document as one more undo step.
    return;
  }
  const saved = openDocument(uri) ?? (await vscode.workspace.openTextDocument(uri));
  if (!(await saved.save())) {
    throw new Error(`The change to ${vscode.workspace.asRelativePath(uri)} was applied but could not be saved.`);
  }
}

/** Deletes a file through a WorkspaceEdit (reverting a subtask that created it), so the editor can undo it too. */
async function removeFile(uri: vscode.Uri): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.deleteFile(uri, { ignoreIfNotExists: true });
  if (!(await vscode.workspace.applyEdit(edit))) {
    throw new Error(`VS Code refused to delete ${vscode.workspace.asRelativePath(uri)}; delete it yourself.`);
  }
}

/**
 * The smallest range of `doc` to replace so that it reads `next`. Replacing only what changed keeps the cursor,
 * folding and decorations of the untouched part of an open editor where they were.
 */
function changedRange(doc: vscode.TextDocument, next: string): { range: vscode.Range; text: string } | undefined {
  const prev = doc.getText();
  if (prev === next) {
    return undefined;
  }
  const max = Math.min(prev.length, next.length);
  let start = 0;
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) {
    start += 1;
  }
  // Never split a CRLF pair or a surrogate pair: positions inside them do not exist in the document.
  if (start > 0 && (prev[start - 1] === '\r' || isHighSurrogate(prev.charCodeAt(start - 1)))) {
    start -= 1;
  }
  let end = 0;
  while (end < max - start && prev.charCodeAt(prev.length - 1 - end) === next.charCodeAt(next.length - 1 - end)) {
    end += 1;
  }
  if (end > 0 && (prev[prev.length - end] === '\n' || isLowSurrogate(prev.charCodeAt(prev.length - end)))) {
    end -= 1;
  }
  const range = new vscode.Range(doc.positionAt(start), doc.positionAt(prev.length - end));
  return { range, text: next.slice(start, next.length - end) };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
