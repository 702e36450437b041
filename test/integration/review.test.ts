import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Orchestrator } from '../../src/core/orchestrator';
import type { Controller } from '../../src/vscode/controller';
import type { Reply } from '../fake-anthropic/replies';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { EDIT_TOOL, extensionApi, waitFor } from './planSupport';

/** Twenty lines, so that changes on lines 3 and 17 are two hunks (3 lines of context each side). */
const SAMPLE = Array.from({ length: 20 }, (_, i) => `export const v${i + 1} = ${i + 1};`).join('\n') + '\n';
const FIRST = SAMPLE.replace('export const v3 = 3;', 'export const v3 = 300;');
const BOTH = FIRST.replace('export const v17 = 17;', 'export const v17 = 1700;');
const SECOND = SAMPLE.replace('export const v17 = 17;', 'export const v17 = 1700;');

interface SubtaskPlan {
  id: string;
  title: string;
  files: { path: string; create: boolean }[];
}

let fake: FakeAnthropic;
let controller: Controller;
let folder: vscode.Uri;
const created: string[] = [];

function orchestrator(): Orchestrator {
  const o = controller.orchestrator;
  assert.ok(o, 'the extension has no orchestrator for the open folder');
  return o;
}

function diskPath(rel: string): string {
  return path.join(folder.fsPath, rel);
}

function disk(rel: string): string {
  return fs.readFileSync(diskPath(rel), 'utf8');
}

function writeDisk(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(diskPath(rel)), { recursive: true });
  fs.writeFileSync(diskPath(rel), text);
  created.push(rel);
}

function replace(file: string, from: string, to: string): { name: string; input: unknown } {
  return { name: EDIT_TOOL, input: { command: 'str_replace', path: file, old_str: from, new_str: to } };
}

/** Plans one subtask through the local Messages API, then dispatches it with the worker's scripted turns. */
async function planAndDispatch(subtask: SubtaskPlan, worker: Reply[]): Promise<void> {
  fake.enqueue(
    jsonReply({
      goal: 'Change some constants',
      subtasks: [
        {
          ...subtask,
          instructions: 'Change the constants as the task says.',
          model: 'sonnet',
          acceptanceCriteria: ['The constants have their new values.'],
          dependsOn: [],
        },
      ],
    }),
  );
  await orchestrator().plan('Change some constants');
  fake.enqueue(...worker, textReply('Changed the constants.'));
  await orchestrator().dispatch([subtask.id]);
  const view = orchestrator().subtask(subtask.id);
  assert.equal(view?.state.status, 'review', `the subtask ended ${view?.state.status}: ${view?.state.error ?? ''}`);
}

/** One subtask changing lines 3 and 17 of `file`. */
async function twoHunks(id: string, file: string): Promise<void> {
  writeDisk(file, SAMPLE);
  await planAndDispatch({ id, title: 'Bump two constants', files: [{ path: file, create: false }] }, [
    toolUseReply([
      replace(file, 'export const v3 = 3;', 'export const v3 = 300;'),
      replace(file, 'export const v17 = 17;', 'export const v17 = 1700;'),
    ]),
  ]);
}

function proposalUri(id: string, file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: 'opus-proposal', path: `/${file}`, query: `subtask=${id}` });
}

function activeDiff(): vscode.TabInputTextDiff | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputTextDiff ? input : undefined;
}

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

function titled(all: vscode.CodeLens[], title: string): vscode.CodeLens[] {
  return all.filter((l) => l.command?.title.includes(title));
}

/** Runs a lens's command as a click would; a Reject lens asks for an optional reason, answered here with none. */
async function run(lens: vscode.CodeLens | undefined, answers: { reason?: string } = { reason: '' }): Promise<unknown> {
  assert.ok(lens?.command, 'no such CodeLens');
  return vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []), answers);
}

async function proposalText(uri: vscode.Uri, expected: string): Promise<string> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return waitFor(`the proposal document to read as expected`, () =>
    doc.getText() === expected ? expected : undefined,
  );
}

describe('Diff review', function () {
  this.timeout(60_000);

  before(async () => {
    fake = await startFakeAnthropic();
    // The web workbench saves after a delay by default; unsaved editors must stay unsaved, as on the desktop.
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    await vscode.workspace
      .getConfiguration('opusOrchestrator')
      .update('baseUrl', fake.url, vscode.ConfigurationTarget.Global);
    const api = await extensionApi();
    controller = api.controller;
    folder = (vscode.workspace.workspaceFolders ?? [])[0]?.uri as vscode.Uri;
    assert.ok(folder, 'no workspace folder is open');
    await waitFor('the orchestrator', () => controller.orchestrator);
  });

  afterEach(async () => {
    // Unsaved editors would ask before closing: revert them first.
    for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await controller.orchestrator?.clear();
    for (const rel of created.splice(0)) {
      fs.rmSync(diskPath(rel), { force: true });
    }
  });

  after(async () => {
    await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace
      .getConfiguration('opusOrchestrator')
      .update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
    await fake.close();
  });

  it('opens the file against the proposal in a diff, with Accept and Reject above each hunk', async () => {
    const file = 'src/review-open.ts';
    await twoHunks('bump-open', file);
    await vscode.commands.executeCommand('opusOrchestrator.openDiff', 'bump-open');
    const diff = await waitFor('a diff editor', activeDiff);
    assert.equal(diff.original.scheme, 'file');
    assert.equal(fs.realpathSync(diff.original.fsPath), fs.realpathSync(diskPath(file)));
    assert.equal(diff.modified.toString(), proposalUri('bump-open', file).toString());
    const label = vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '';
    assert.match(label, /review-open\.ts ↔ proposed by Sonnet \(Bump two constants\)/);
    assert.equal(await proposalText(diff.modified, BOTH), BOTH);
    assert.equal(disk(file), SAMPLE, 'nothing reaches the disk before the user accepts');

    const all = await lenses(diff.modified);
    const accepts = titled(all, 'Accept').filter((l) => !l.command?.title.includes('File'));
    assert.deepEqual(
      accepts.map((l) => l.range.start.line),
      [2, 16],
      'one Accept above the first changed line of each hunk',
    );
    assert.equal(titled(all, 'Reject').filter((l) => !l.command?.title.includes('File')).length, 2);
    assert.equal(titled(all, 'Accept File').length, 1);
    assert.equal(titled(all, 'Reject File').length, 1);
    assert.equal(titled(all, 'Accept File')[0]?.range.start.line, 0);
    assert.equal(titled(all, 'Stale').length, 0);
  });

  it('accepting one hunk writes exactly that change, keeps the other proposed, and one undo restores', async () => {
    const file = 'src/review-accept.ts';
    await twoHunks('bump-accept', file);
    await vscode.commands.executeCommand('opusOrchestrator.openDiff', 'bump-accept');
    const uri = proposalUri('bump-accept', file);
    const [first] = titled(await lenses(uri), '✓ Accept');
    assert.equal(await run(first), true);

    assert.equal(disk(file), FIRST, 'the file on disk has the accepted hunk and nothing else');
    assert.equal(orchestrator().subtask('bump-accept')?.state.status, 'review');
    const left = await lenses(uri);
    assert.deepEqual(
      titled(left, '✓ Accept').map((l) => l.range.start.line),
      [16],
      'the other hunk is still proposed',
    );
    assert.equal(await proposalText(uri, BOTH), BOTH);

    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, file));
    assert.equal(doc.isDirty, false, 'the accepted change is saved');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), SAMPLE, 'one undo takes the accepted hunk back');
  });

  it('rejecting a hunk leaves the file byte for byte; rejecting the last closes the diff', async () => {
    const file = 'src/review-reject.ts';
    await twoHunks('bump-reject', file);
    const before = fs.readFileSync(diskPath(file));
    const mtime = fs.statSync(diskPath(file)).mtimeMs;
    await vscode.commands.executeCommand('opusOrchestrator.openDiff', 'bump-reject');
    const uri = proposalUri('bump-reject', file);
    await run(titled(await lenses(uri), '✗ Reject')[0]);

    assert.ok(fs.readFileSync(diskPath(file)).equals(before), 'the file is byte-identical');
    assert.equal(fs.statSync(diskPath(file)).mtimeMs, mtime, 'the file was not even rewritten');
    assert.equal(await proposalText(uri, SECOND), SECOND, 'the proposal drops the rejected hunk');
    assert.deepEqual(
      titled(await lenses(uri), '✗ Reject').map((l) => l.range.start.line),
      [16],
    );

    await run(titled(await lenses(uri), '✗ Reject')[0]);
    assert.ok(fs.readFileSync(diskPath(file)).equals(before));
    assert.equal(orchestrator().subtask('bump-reject')?.state.status, 'rejected');
    await waitFor('the diff to close', () => (activeDiff() ? undefined : true));
  });

  it('refuses to accept into a file that changed since dispatch, and says the proposal is stale', async () => {
    const file = 'src/review-stale.ts';
    await twoHunks('bump-stale', file);
    await vscode.commands.executeCommand('opusOrchestrator.openDiff', 'bump-stale');
    const uri = proposalUri('bump-stale', file);
    const accept = titled(await lenses(uri), '✓ Accept')[0];
    const changed = SAMPLE.replace('export const v10 = 10;', 'export const v10 = 10; // edited elsewhere');
    fs.writeFileSync(diskPath(file), changed);

    assert.equal(await run(accept), false, 'accept refuses');
    assert.equal(disk(file), changed, 'the file keeps the other change and gets nothing from the proposal');
    assert.deepEqual(await orchestrator().staleFiles('bump-stale'), [file]);
    const stale = await waitFor('the stale lens', async () => titled(await lenses(uri), 'Stale')[0]);
    assert.equal(stale.command?.title.includes('Re-dispatch'), true);
    assert.equal(stale.range.start.line, 0);
    assert.equal(orchestrator().subtask('bump-stale')?.state.status, 'review');

    // Re-dispatch from the lens: the subtask runs again against the file as it is now.
    fake.enqueue(
      toolUseReply([replace(file, 'export const v3 = 3;', 'export const v3 = 300;')]),
      textReply('Changed v3 again.'),
    );
    await run(stale);
    const view = orchestrator().subtask('bump-stale');
    assert.equal(view?.state.status, 'review');
    assert.equal(view?.state.attempt, 2);
    assert.deepEqual(await orchestrator().staleFiles('bump-stale'), []);
    assert.equal(disk(file), changed, 'a re-dispatch does not touch the file');
    const diff = await waitFor('the new proposal’s diff', activeDiff);
    assert.equal(diff.modified.toString(), uri.toString());
    const again = await lenses(uri);
    assert.equal(titled(again, 'Stale').length, 0);
    assert.equal(await run(titled(again, '✓ Accept')[0]), true);
    assert.equal(disk(file), changed.replace('export const v3 = 3;', 'export const v3 = 300;'));
  });

  it('puts an accepted hunk into an unsaved editor as one undo step and leaves it unsaved', async () => {
    const file = 'src/review-dirty.ts';
    writeDisk(file, SAMPLE);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, file));
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((b) => b.insert(new vscode.Position(9, 0), '// unsaved note\n'));
    const dirty = doc.getText();
    assert.equal(doc.isDirty, true);

    await planAndDispatch({ id: 'bump-dirty', title: 'Bump two constants', files: [{ path: file, create: false }] }, [
      toolUseReply([
        replace(file, 'export const v3 = 3;', 'export const v3 = 300;'),
        replace(file, 'export const v17 = 17;', 'export const v17 = 1700;'),
      ]),
    ]);
    const uri = proposalUri('bump-dirty', file);
    assert.equal(
      await proposalText(uri, dirty.replace('v3 = 3;', 'v3 = 300;').replace('v17 = 17;', 'v17 = 1700;')),
      dirty.replace('v3 = 3;', 'v3 = 300;').replace('v17 = 17;', 'v17 = 1700;'),
      'the worker edited what the user sees, unsaved note included',
    );
    assert.equal(await run(titled(await lenses(uri), '✓ Accept')[0]), true);

    assert.equal(doc.getText(), dirty.replace('v3 = 3;', 'v3 = 300;'), 'the hunk lands in the open document');
    assert.equal(doc.isDirty, true, 'the user’s unsaved work stays unsaved');
    assert.equal(disk(file), SAMPLE, 'nothing was saved behind the user’s back');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), dirty, 'one undo takes exactly the accepted hunk back');
  });

  it('shows a new file against an empty side, creates it on accept and moves on to the next file', async () => {
    const newFile = 'src/review-new.ts';
    const edited = 'src/review-multi.ts';
    writeDisk(edited, SAMPLE);
    created.push(newFile);
    const newText = 'export const fresh = true;\n';
    await planAndDispatch(
      {
        id: 'two-files',
        title: 'Add a file and bump a constant',
        files: [
          { path: newFile, create: true },
          { path: edited, create: false },
        ],
      },
      [
        toolUseReply([
          { name: EDIT_TOOL, input: { command: 'create', path: newFile, file_text: newText } },
          replace(edited, 'export const v3 = 3;', 'export const v3 = 300;'),
        ]),
      ],
    );

    await vscode.commands.executeCommand('opusOrchestrator.openDiff', { subtaskId: 'two-files', path: newFile });
    const diff = await waitFor('the new file’s diff', () => {
      const d = activeDiff();
      return d?.modified.path === `/${newFile}` ? d : undefined;
    });
    assert.equal(diff.original.scheme, 'opus-proposal', 'a new file is compared with an empty document');
    assert.equal((await vscode.workspace.openTextDocument(diff.original)).getText(), '');
    assert.equal(await proposalText(diff.modified, newText), newText);
    assert.equal(fs.existsSync(diskPath(newFile)), false);

    // No argument: the file of the active proposal editor, as the editor title button does it.
    assert.equal(await vscode.commands.executeCommand('opusOrchestrator.acceptFile'), true);
    assert.equal(disk(newFile), newText, 'the new file is created with exactly the proposed text');
    const next = await waitFor('the next file’s diff', () => {
      const d = activeDiff();
      return d?.modified.path === `/${edited}` ? d : undefined;
    });
    assert.equal(next.original.scheme, 'file');

    assert.equal(await vscode.commands.executeCommand('opusOrchestrator.acceptProposal'), true);
    assert.equal(disk(edited), FIRST);
    assert.equal(orchestrator().subtask('two-files')?.state.status, 'accepted');
    await waitFor('every diff of the proposal to close', () => (activeDiff() ? undefined : true));
  });
});
