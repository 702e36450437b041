import * as vscode from 'vscode';
import type { DecodedText } from '../../core/edits/encoding';
import { decodeText, encodeText, knownEncoding, tooLarge } from '../../core/edits/encoding';
import { MAX_FILE_BYTES } from '../../core/edits/limits';
import type { WorkspaceIO } from '../../core/orchestrator';

const BOM = '\uFEFF';

/**
 * The core's view of the user's files inside the editor. Reads prefer an open document with unsaved changes, because
 * that is the text the user sees and a proposal must be judged (and made stale) against it; other reads decode the
 * file's bytes in their own encoding (binary files and files over the size limit are refused). Writes to an open
 * document that shows the file as it is go through one WorkspaceEdit, so accepting a change is one undo step and
 * lands in the editor instead of behind its back, and the document keeps its own encoding when saved. A closed file,
 * or one whose document shows it differently from its bytes (another encoding guessed, line endings normalised), is
 * written as bytes in its own encoding, so nothing outside the change moves. A revert deletes a file through a
 * WorkspaceEdit too.
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

/** The file's bytes decoded in their own encoding; null when it does not exist. */
async function readDisk(uri: vscode.Uri): Promise<DecodedText | null> {
  const rel = vscode.workspace.asRelativePath(uri);
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_FILE_BYTES) {
      throw tooLarge(rel, stat.size);
    }
    return decodeText(await vscode.workspace.fs.readFile(uri), rel);
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') {
      return null;
    }
    throw e;
  }
}

/** A document's text as the core keeps files: with the byte-order mark its encoding writes (documents never show it). */
function documentText(doc: vscode.TextDocument): string {
  return (['utf8bom', 'utf16le', 'utf16be'].includes(doc.encoding) ? BOM : '') + doc.getText();
}

/** The text the user sees for `uri`: an open document with unsaved changes, else the file on disk (null: absent). */
export async function readEditorText(uri: vscode.Uri): Promise<string | null> {
  const doc = openDocument(uri);
  if (doc?.isDirty) {
    return documentText(doc);
  }
  // The disk keeps the bytes the core hashes when it checks for staleness, whatever a clean document made of them.
  return (await readDisk(uri))?.text ?? null;
}

async function writeText(uri: vscode.Uri, text: string): Promise<void> {
  const body = text.startsWith(BOM) ? text.slice(BOM.length) : text;
  let doc = openDocument(uri);
  const disk = doc?.isDirty ? undefined : await readDisk(uri);
  if (disk && doc?.isDirty !== true && (!doc || documentText(doc) !== disk.text)) {
    // Closed, or shown other than its bytes are: an edit of the document would save its view of the whole file.
    await vscode.workspace.fs.writeFile(uri, encodeText(text, disk.encoding, vscode.workspace.asRelativePath(uri)));
    return;
  }
  if (doc) {
    // Saved in the document's own encoding: refuse here what it cannot hold instead of letting it become '?'.
    const encoding = knownEncoding(doc.encoding);
    if (encoding) {
      encodeText(body, encoding, vscode.workspace.asRelativePath(uri));
    }
  }
  const exists = doc !== undefined || disk !== null;
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
