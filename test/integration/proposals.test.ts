import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Announcement } from '../../src/vscode/reviewQueue';
import { toolUseReply, textReply } from '../fake-anthropic/replies';
import {
  CALL_USAGE,
  EDIT_TOOL,
  orchestratorOf,
  planWith,
  subtaskItem,
  useSuiteFixture,
  waitFor,
  workerEdits,
  workspaceRoot,
} from './planSupport';

const TWO_LINES = 'export const a = 1;\nexport const b = 1;\n';

function replace(file: string, from: string, to: string): { name: string; input: unknown } {
  return { name: EDIT_TOOL, input: { command: 'str_replace', path: file, old_str: from, new_str: to } };
}

function activeTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.activeTabGroup.activeTab;
}

/** The proposal URIs a multi-diff tab compares (its input is not typed by the stable API yet). */
function multiDiffModified(tab: vscode.Tab | undefined): string[] {
  const input = tab?.input as { textDiffs?: Array<{ modified: vscode.Uri }> } | undefined;
  return (input?.textDiffs ?? []).map((d) => d.modified.toString());
}

function proposalUri(id: string, file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: 'opus-proposal', path: `/${file}`, query: `subtask=${id}` });
}

/** The CodeLenses of a proposal document (loaded first: the editor may still be opening it). */
async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  await vscode.workspace.openTextDocument(uri);
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

describe('Proposals come to the user', function () {
  this.timeout(120_000);
  const announced: Announcement[] = [];
  let listener: vscode.Disposable | undefined;
  const fx = useSuiteFixture(
    {
      'e4/alpha.txt': 'export const alpha = 1;\n',
      'e4/beta.txt': 'export const beta = 1;\n',
      'e4/multi-a.txt': TWO_LINES,
      'e4/multi-b.txt': TWO_LINES,
    },
    async () => {
      listener?.dispose();
      announced.length = 0;
    },
  );

  beforeEach(() => {
    listener = fx.api.queue.onDidAnnounce((a) => announced.push(a));
  });

  async function setMode(mode: string | undefined): Promise<void> {
    await vscode.workspace
      .getConfiguration('opusOrchestrator')
      .update('onProposalReady', mode, vscode.ConfigurationTarget.Global);
  }

  it('opens the diff by itself when a subtask dispatched alone (a click on its row) has its proposal', async () => {
    await planWith(fx.fake, 'Bump alpha', [{ id: 'alpha', title: 'Bump alpha', files: ['e4/alpha.txt'] }]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fx.fake.enqueue(...workerEdits('e4/alpha.txt', 'alpha = 1', 'alpha = 2'));
    // What a click on the row runs: its TreeItem command.
    const row = await subtaskItem(fx.api, 'alpha');
    assert.ok(row.command);
    assert.deepEqual(await vscode.commands.executeCommand(row.command.command, ...(row.command.arguments ?? [])), {
      ok: true,
    });
    const tab = await waitFor('the proposal’s diff to open', () => {
      const t = activeTab();
      return t?.input instanceof vscode.TabInputTextDiff ? t : undefined;
    });
    assert.match(tab.label, /alpha\.txt ↔ proposed by Sonnet \(Bump alpha\)/);
    assert.equal(
      (tab.input as vscode.TabInputTextDiff).modified.toString(),
      proposalUri('alpha', 'e4/alpha.txt').toString(),
    );
    assert.deepEqual(
      announced.map((a) => [a.how, a.subtaskIds]),
      [['diff', ['alpha']]],
    );
  });

  it('announces proposals in a notification with Open Diff, Accept All and Reject when set to notify', async () => {
    await setMode('notify');
    await planWith(fx.fake, 'Bump alpha', [{ id: 'alpha', title: 'Bump alpha', files: ['e4/alpha.txt'] }]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fx.fake.enqueue(...workerEdits('e4/alpha.txt', 'alpha = 1', 'alpha = 2'));
    assert.deepEqual(await vscode.commands.executeCommand('opusOrchestrator.dispatch', 'alpha'), { ok: true });
    const notice = await waitFor('the notification', () => announced[0]);
    assert.equal(notice.how, 'notification');
    assert.equal(notice.message, 'Proposal ready: "Bump alpha" — 1 file, +1 −1 (Sonnet, $0.02).');
    assert.deepEqual(notice.buttons, ['Open Diff', 'Accept All', 'Reject']);
    assert.equal(activeTab()?.input instanceof vscode.TabInputTextDiff, false, 'no diff opened by itself');
  });

  it('counts proposals awaiting review on the view’s badge and in the status bar, which opens the next one', async () => {
    await planWith(fx.fake, 'Bump both', [
      { id: 'alpha', title: 'Bump alpha', files: ['e4/alpha.txt'] },
      { id: 'beta', title: 'Bump beta', files: ['e4/beta.txt'] },
    ]);
    fx.fake.setResponder((req) => {
      const text = JSON.stringify(req.body.messages);
      const file = text.includes('e4/alpha.txt') ? 'alpha' : 'beta';
      const answered = (req.body.messages ?? []).length > 1;
      return answered
        ? textReply('Done.', CALL_USAGE)
        : toolUseReply([replace(`e4/${file}.txt`, `${file} = 1`, `${file} = 2`)], CALL_USAGE);
    });
    assert.deepEqual(await vscode.commands.executeCommand('opusOrchestrator.dispatchAllReady'), { ok: true });
    await waitFor('the badge to count two', () => fx.api.view.badge?.value === 2);
    assert.equal(fx.api.view.badge?.tooltip, '2 proposals to review');
    await waitFor('the status bar to count two', () => fx.api.statusBar.text === '$(hubot) 2 to review · $0.12');
    assert.equal(fx.api.statusBar.command, 'opusOrchestrator.reviewNext');
    // Dispatched together: no diff opens by itself; one notification names both.
    await waitFor('both announced', () => announced.flatMap((a) => a.subtaskIds).length === 2);
    assert.ok(announced.every((a) => a.how === 'notification'));
    if (announced.length === 1) {
      assert.equal(announced[0]?.message, '2 proposals ready to review (2 awaiting in all).');
      assert.deepEqual(announced[0]?.buttons, ['Review Next', 'Show Plan']);
    }

    await vscode.commands.executeCommand(fx.api.statusBar.command);
    const first = await waitFor('the first proposal', () =>
      activeTab()?.label.includes('Bump alpha') ? true : undefined,
    );
    assert.ok(first);
    await orchestratorOf(fx.api).acceptProposal('alpha');
    await waitFor('the badge to count one', () => fx.api.view.badge?.value === 1);
    await waitFor('the status bar to count one', () => fx.api.statusBar.text?.includes('1 to review'));
    await vscode.commands.executeCommand('opusOrchestrator.reviewNext');
    await waitFor('the second proposal', () => (activeTab()?.label.includes('Bump beta') ? true : undefined));
    await orchestratorOf(fx.api).rejectProposal('beta');
    await waitFor('the badge to go', () => fx.api.view.badge === undefined);
    await waitFor('the status bar to stop counting', () => fx.api.statusBar.text === '$(hubot) $0.12');
    assert.equal(fx.api.statusBar.command, 'opusOrchestrator.plan.focus');
  });

  it('marks files with a pending proposal in the Explorer and on tabs until it is decided', async () => {
    await setMode('badge');
    await planWith(fx.fake, 'Bump alpha', [{ id: 'alpha', title: 'Bump alpha', files: ['e4/alpha.txt'] }]);
    fx.fake.enqueue(...workerEdits('e4/alpha.txt', 'alpha = 1', 'alpha = 2'));
    await vscode.commands.executeCommand('opusOrchestrator.dispatch', 'alpha');
    const file = vscode.Uri.file(path.join(workspaceRoot(), 'e4', 'alpha.txt'));
    const other = vscode.Uri.file(path.join(workspaceRoot(), 'e4', 'beta.txt'));
    await waitFor('the file to be marked', () => fx.api.decorations.pendingFiles().includes('e4/alpha.txt'));
    const changed = new Promise<vscode.Uri[]>((resolve) => {
      const sub = fx.api.decorations.onDidChangeFileDecorations((uris) => {
        sub.dispose();
        resolve(uris);
      });
    });
    const mark = fx.api.decorations.provideFileDecoration(file);
    assert.equal(mark?.badge, 'P');
    assert.equal(mark?.tooltip, 'Proposal to review from subtask "Bump alpha"');
    assert.equal((mark?.color as vscode.ThemeColor | undefined)?.id, 'opusOrchestrator.proposalForeground');
    assert.equal(mark?.propagate, true, 'its folders show that something inside awaits review');
    assert.equal(fx.api.decorations.provideFileDecoration(other), undefined);
    assert.deepEqual(announced, [], 'badge only: no notification, no diff');

    await orchestratorOf(fx.api).acceptProposal('alpha');
    assert.deepEqual(
      (await changed).map((u) => u.fsPath),
      [file.fsPath],
      'the workbench is told to redraw exactly that file',
    );
    assert.equal(fx.api.decorations.provideFileDecoration(file), undefined);
    assert.deepEqual(fx.api.decorations.pendingFiles(), []);
  });

  it('reviews a proposal of several files in the multi-diff editor, with the lenses on every file', async () => {
    await planWith(fx.fake, 'Bump a in both', [
      { id: 'multi', title: 'Bump a in both files', files: ['e4/multi-a.txt', 'e4/multi-b.txt'] },
    ]);
    fx.fake.enqueue(
      toolUseReply(
        [
          replace('e4/multi-a.txt', 'export const a = 1;', 'export const a = 2;'),
          replace('e4/multi-b.txt', 'export const a = 1;', 'export const a = 2;'),
        ],
        CALL_USAGE,
      ),
      textReply('Done.', CALL_USAGE),
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.deepEqual(await vscode.commands.executeCommand('opusOrchestrator.dispatch', 'multi'), { ok: true });
    const tab = await waitFor('the multi-diff editor', () => {
      const t = activeTab();
      return multiDiffModified(t).length > 0 ? t : undefined;
    });
    assert.match(tab.label, /Bump a in both files ↔ proposed by Sonnet/);
    const sides = (tab.input as { textDiffs: Array<{ original: vscode.Uri; modified: vscode.Uri }> }).textDiffs;
    assert.ok(
      sides.every((d) => d.original.path === d.modified.path),
      'both sides name the same path, so the editor shows a change, not a rename',
    );
    assert.deepEqual(multiDiffModified(tab), [
      proposalUri('multi', 'e4/multi-a.txt').toString(),
      proposalUri('multi', 'e4/multi-b.txt').toString(),
    ]);
    for (const file of ['e4/multi-a.txt', 'e4/multi-b.txt']) {
      const titles = (await lenses(proposalUri('multi', file))).map((l) => l.command?.title);
      assert.deepEqual(titles, ['Accept File', 'Reject File', '✓ Accept', '✗ Reject'], file);
    }

    const [accept] = (await lenses(proposalUri('multi', 'e4/multi-a.txt'))).filter(
      (l) => l.command?.title === '✓ Accept',
    );
    assert.ok(accept?.command);
    assert.equal(
      await vscode.commands.executeCommand(accept.command.command, ...(accept.command.arguments ?? [])),
      true,
    );
    assert.equal(fx.files.read('e4/multi-a.txt'), 'export const a = 2;\nexport const b = 1;\n');
    assert.equal(fx.files.read('e4/multi-b.txt'), TWO_LINES, 'the other file waits for its own decision');
    await waitFor('only the other file to be marked', () =>
      fx.api.decorations.pendingFiles().join() === 'e4/multi-b.txt' ? true : undefined,
    );
    // The file that is done leaves the review; what is left stays in front of the user.
    const left = await waitFor('the proposal to show what is left', () => {
      const t = activeTab();
      return t?.input instanceof vscode.TabInputTextDiff ? t : undefined;
    });
    assert.match(left.label, /multi-b\.txt ↔ proposed by Sonnet/);
    await orchestratorOf(fx.api).rejectProposal('multi');
    await waitFor(
      'the proposal’s tabs to close',
      () =>
        vscode.window.tabGroups.all.every((g) => g.tabs.every((t) => !t.label.includes('proposed by'))) || undefined,
    );
  });

  it('adds a file that does not exist yet to the scope, and refuses one the rules forbid, losing nothing', async () => {
    await planWith(fx.fake, 'Bump alpha', [{ id: 'alpha', title: 'Bump alpha', files: ['e4/alpha.txt'] }]);
    const added = await vscode.commands.executeCommand('opusOrchestrator.editFiles', 'alpha', [
      'e4/alpha.txt',
      'e4/new/alpha-test.ts',
    ]);
    assert.deepEqual(added, { ok: true });
    assert.deepEqual(orchestratorOf(fx.api).subtask('alpha')?.spec.files, [
      { path: 'e4/alpha.txt', create: false },
      { path: 'e4/new/alpha-test.ts', create: true },
    ]);
    const secret = await vscode.commands.executeCommand<{ ok: boolean; message?: string }>(
      'opusOrchestrator.editFiles',
      'alpha',
      ['e4/alpha.txt', '.env.local'],
    );
    assert.equal(secret.ok, false);
    assert.match(secret.message ?? '', /\.env\.local/);
    assert.deepEqual(
      orchestratorOf(fx.api)
        .subtask('alpha')
        ?.spec.files.map((f) => f.path),
      ['e4/alpha.txt', 'e4/new/alpha-test.ts'],
      'the scope is as it was',
    );
  });
});
