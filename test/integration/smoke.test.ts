import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';

const EXTENSION_ID = 'opus-orchestrator.opus-orchestrator';

describe('Extension smoke', () => {
  it('is installed in the editor and activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not among the installed extensions`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('opens the fixture git repository as the first workspace folder', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder is open');
    const expected = process.env.OPUS_TEST_WORKSPACE;
    assert.ok(expected, 'OPUS_TEST_WORKSPACE is not set by the test runner');
    assert.equal(fs.realpathSync(folder.uri.fsPath), fs.realpathSync(expected));
    const greet = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'src', 'greet.ts'));
    assert.match(Buffer.from(greet).toString('utf8'), /export function greet/);
    const head = await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, '.git', 'HEAD'));
    assert.equal(head.type, vscode.FileType.File);
  });
});
