import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { textReply, toolUseReply } from '../fake-anthropic/replies';
import { EDIT_TOOL, orchestratorOf, planReply, useSuiteFixture, waitFor, workspaceRoot } from './planSupport';

const LATIN1 = 'src/enc-latin1.md';
const UTF16 = 'src/enc-utf16.txt';
const MIXED = 'src/enc-mixed.txt';

const utf16 = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

describe('Accepting in the editor keeps encodings and line endings byte for byte', function () {
  this.timeout(60_000);
  const fixture = useSuiteFixture({}, async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const rel of [LATIN1, UTF16, MIXED]) {
      fs.rmSync(path.join(workspaceRoot(), rel), { force: true });
    }
  });

  const abs = (rel: string): string => path.join(workspaceRoot(), rel);

  /** Plans one subtask over `file`, whose worker replaces `from` with `to`, opens its diff and accepts all of it. */
  async function editAndAccept(file: string, bytes: Buffer, from: string, to: string): Promise<Buffer> {
    await vscode.workspace.fs.writeFile(vscode.Uri.file(abs(file)), bytes);
    const o = orchestratorOf(fixture.api);
    fixture.fake.enqueue(planReply('Edit one file', [{ id: 'enc', files: [file] }]));
    await o.plan('Edit one file');
    fixture.fake.enqueue(
      toolUseReply([{ name: EDIT_TOOL, input: { command: 'str_replace', path: file, old_str: from, new_str: to } }]),
      textReply('Edited.'),
    );
    await o.dispatch(['enc']);
    assert.equal(o.subtask('enc')?.state.status, 'review', o.subtask('enc')?.state.error);
    // The diff opens the file itself in an editor, as a user reviewing it would have it.
    await vscode.commands.executeCommand('opusOrchestrator.openDiff', 'enc');
    assert.equal(await vscode.commands.executeCommand('opusOrchestrator.acceptProposal', 'enc'), true);
    await waitFor('the subtask to be accepted', () => o.subtask('enc')?.state.status === 'accepted');
    return fs.readFileSync(abs(file));
  }

  it('a Latin-1 file the editor shows as UTF-8 is written as Latin-1, every other byte kept', async () => {
    const base = Buffer.from('# Caf\xe9\r\nprix: 5 \xe9cus\r\n', 'latin1');
    const after = await editAndAccept(LATIN1, base, 'prix: 5 écus', 'prix: 6 écus');
    assert.deepEqual(after, Buffer.from('# Caf\xe9\r\nprix: 6 \xe9cus\r\n', 'latin1'));
  });

  it('a UTF-16 file keeps its byte-order mark and encoding', async () => {
    const after = await editAndAccept(UTF16, utf16('line one\r\nline two\r\n'), 'line two', 'line zwei ü');
    assert.deepEqual(after, utf16('line one\r\nline zwei ü\r\n'));
  });

  it('a file with mixed line endings changes only on the edited line', async () => {
    const after = await editAndAccept(MIXED, Buffer.from('a\r\nb\nc\r\nd\n'), 'c', 'C');
    assert.deepEqual(after, Buffer.from('a\r\nb\nC\r\nd\n'));
  });
});
