import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { CommandResult } from '../../src/vscode/notify';
import type { TreeNode } from '../../src/vscode/treeNodes';
import type { Reply } from '../fake-anthropic/replies';
import { textReply, toolUseReply } from '../fake-anthropic/replies';
import type { RecordedRequest } from '../fake-anthropic/server';
import {
  CALL_USAGE,
  EDIT_TOOL,
  childItems,
  labelOf,
  lastUserText,
  orchestratorOf,
  planWith,
  rootItem,
  subtaskItem,
  waitFor,
  workerEdits,
  workspaceRoot,
  useSuiteFixture,
} from './planSupport';

async function run(command: string, ...args: unknown[]): Promise<CommandResult> {
  return (await vscode.commands.executeCommand<CommandResult>(`opusOrchestrator.${command}`, ...args)) as CommandResult;
}

function messageOf(result: CommandResult): string {
  return result.ok ? '' : result.message;
}

/** A worker for any subtask: edits the first in-scope file named in its prompt, then finishes. */
function editingWorker(latencyMs = 0): (req: RecordedRequest) => Reply {
  return (req) => {
    const messages = req.body.messages ?? [];
    if (messages.length > 1) {
      return textReply('Done.', CALL_USAGE);
    }
    const match = /e1\/(alpha|gamma)\.txt/.exec(JSON.stringify(messages));
    const file = match?.[0] ?? 'e1/alpha.txt';
    const name = match?.[1] ?? 'alpha';
    const input = { command: 'str_replace', path: file, old_str: `${name} = 1`, new_str: `${name} = 2` };
    return { ...toolUseReply([{ name: EDIT_TOOL, input }], CALL_USAGE), latencyMs };
  };
}

describe('Commands: plan, dispatch, edit and clear', function () {
  // The first plan of a cold extension host can take a while on a busy machine.
  this.timeout(120_000);
  const fx = useSuiteFixture(
    {
      'e1/alpha.txt': 'export const alpha = 1;\n',
      'e1/beta.txt': 'export const beta = 1;\n',
      'e1/gamma.txt': 'export const gamma = 1;\n',
    },
    async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  );

  async function planThree(): Promise<void> {
    await planWith(fx.fake, 'Bump the constants', [
      { id: 'alpha', files: ['e1/alpha.txt'] },
      { id: 'beta', files: ['e1/beta.txt'], dependsOn: ['alpha'] },
      { id: 'gamma', files: ['e1/gamma.txt'] },
    ]);
  }

  it('plans from the palette with the active file and its selection, then reveals the plan', async () => {
    // A Markdown file: opening a TypeScript one would start the TypeScript service in this extension host.
    const doc = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), 'README.md'));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(2, 0, 2, doc.lineAt(2).text.length);
    await planWith(fx.fake, 'Explain the fixture', [{ id: 'explain', files: ['README.md'] }]);
    const prompt = lastUserText(fx.fake);
    assert.match(prompt, /Explain the fixture/);
    assert.match(prompt, /README\.md/);
    assert.ok(prompt.includes(doc.lineAt(2).text.trim()), 'the selection is sent along');
    await waitFor('the Plan view to show', () => fx.api.view.visible);
    const root = await rootItem(fx.api);
    assert.equal(labelOf(root.item), 'Explain the fixture');
    await waitFor('the plan row to be selected', () => fx.api.view.selection[0] === root.node);
  });

  it('refuses to dispatch a subtask that waits for another, or one over the cost cap', async () => {
    await planThree();
    const asked = fx.fake.requests.length;
    const waiting = await run('dispatch', 'beta');
    assert.match(messageOf(waiting), /Subtask "beta" waits for "alpha" to be accepted first/);
    await vscode.workspace
      .getConfiguration('opusOrchestrator')
      .update('maxCostPerSubtask', 0.0001, vscode.ConfigurationTarget.Global);
    fx.api.controller.applySettings();
    const capped = await run('dispatch', fx.api.tree.subtaskNode('alpha'));
    assert.match(messageOf(capped), /over the per-subtask cap of \$0\.00.*maxCostPerSubtask/);
    assert.equal(fx.fake.requests.length, asked, 'no worker was called');
    assert.equal((await subtaskItem(fx.api, 'alpha')).contextValue, 'subtask.ready');
  });

  it('dispatches every ready subtask at once, and cancels them all', async () => {
    await planThree();
    fx.fake.setResponder(editingWorker());
    assert.deepEqual(await run('dispatchAllReady'), { ok: true });
    assert.equal((await subtaskItem(fx.api, 'alpha')).contextValue, 'subtask.review');
    assert.equal((await subtaskItem(fx.api, 'gamma')).contextValue, 'subtask.review');
    assert.equal((await subtaskItem(fx.api, 'beta')).contextValue, 'subtask.pending');

    await orchestratorOf(fx.api).rejectProposal('alpha');
    await orchestratorOf(fx.api).rejectProposal('gamma');
    fx.fake.setResponder(editingWorker(10_000));
    const asked = fx.fake.requests.length;
    const retried = Promise.all([run('retry', 'alpha'), run('retry', 'gamma')]);
    await waitFor('both workers to call the model', () => fx.fake.requests.length >= asked + 2);
    assert.equal((await subtaskItem(fx.api, 'alpha')).contextValue, 'subtask.running');
    assert.equal((await subtaskItem(fx.api, 'gamma')).contextValue, 'subtask.running');
    await waitFor('the status bar to count both', () => fx.api.statusBar.text?.startsWith('$(hubot) 2 running · '));
    assert.deepEqual(await run('cancelAll'), { ok: true });
    assert.deepEqual(await retried, [{ ok: true }, { ok: true }]);
    assert.equal((await subtaskItem(fx.api, 'alpha')).contextValue, 'subtask.cancelled');
    assert.equal((await subtaskItem(fx.api, 'gamma')).contextValue, 'subtask.cancelled');
  });

  it('changes the effort a subtask runs at, and shows what its worker sees of each file', async () => {
    await planWith(fx.fake, 'Bump alpha', [
      { id: 'alpha', files: ['e1/alpha.txt'], effort: 'low', focus: { symbols: [], lines: [{ start: 1, end: 1 }] } },
    ]);
    const node = fx.api.tree.subtaskNode('alpha');
    assert.ok(node);
    const [files] = await childItems(fx.api, node);
    assert.ok(files);
    const [file] = await childItems(fx.api, files.node);
    assert.equal(file?.item.description, 'L1');
    const before = orchestratorOf(fx.api).subtask('alpha')?.state.estimate.cost ?? 0;
    assert.deepEqual(await run('changeEffort', node, 'high'), { ok: true });
    assert.ok((orchestratorOf(fx.api).subtask('alpha')?.state.estimate.cost ?? 0) > before, 'more thinking costs more');
    fx.fake.enqueue(...workerEdits('e1/alpha.txt', 'alpha = 1', 'alpha = 2'));
    assert.deepEqual(await run('dispatch', 'alpha'), { ok: true });
    assert.deepEqual(fx.fake.requests.at(-1)?.body.output_config, { effort: 'high' });
  });

  it('changes the model a subtask runs on', async () => {
    await planThree();
    const before = orchestratorOf(fx.api).subtask('alpha')?.state.estimate.cost ?? 0;
    assert.deepEqual(await run('changeModel', fx.api.tree.subtaskNode('alpha'), 'haiku'), { ok: true });
    const item = await subtaskItem(fx.api, 'alpha');
    assert.match(String(item.description), /^~.* · Haiku$/);
    assert.ok(
      (orchestratorOf(fx.api).subtask('alpha')?.state.estimate.cost ?? 1) < before,
      'Haiku is estimated cheaper',
    );
    fx.fake.enqueue(...workerEdits('e1/alpha.txt', 'alpha = 1', 'alpha = 2'));
    assert.deepEqual(await run('dispatch', 'alpha'), { ok: true });
    assert.equal(fx.fake.requests.at(-1)?.body.model, 'claude-haiku-5-5');
    assert.equal((await subtaskItem(fx.api, 'alpha')).description, '7k tok · <$0.01 · Haiku');
  });

  it('edits the files in scope, and refuses a path outside the workspace', async () => {
    await planThree();
    assert.deepEqual(await run('editFiles', fx.api.tree.subtaskNode('alpha'), ['e1/alpha.txt', 'e1/alpha-more.txt']), {
      ok: true,
    });
    const groups = await childItems(fx.api, fx.api.tree.subtaskNode('alpha') as TreeNode);
    const scope = await childItems(fx.api, groups[0]?.node as TreeNode);
    assert.deepEqual(
      scope.map((f) => [labelOf(f.item), f.item.description]),
      [
        ['e1/alpha.txt', undefined],
        ['e1/alpha-more.txt', 'new'],
      ],
    );
    const outside = await run('editFiles', 'alpha', ['../outside.ts']);
    assert.equal(outside.ok, false);
    assert.match(messageOf(outside), /outside/i);
    assert.deepEqual(
      orchestratorOf(fx.api)
        .subtask('alpha')
        ?.spec.files.map((f) => f.path),
      ['e1/alpha.txt', 'e1/alpha-more.txt'],
    );
  });

  it('removes a subtask, freeing the subtasks that waited for it', async () => {
    await planThree();
    assert.deepEqual(await run('removeSubtask', 'alpha', { confirmed: true }), { ok: true });
    const root = await rootItem(fx.api);
    const rows = await childItems(fx.api, root.node);
    assert.deepEqual(
      rows.map((r) => r.item.id),
      ['beta', 'gamma'],
    );
    assert.equal(rows[0]?.item.contextValue, 'subtask.ready');
  });

  it('clears the plan and its store, leaving the files as they are', async () => {
    await planThree();
    const store = path.join(workspaceRoot(), '.opus-orchestrator', 'plan.json');
    assert.equal(fs.existsSync(store), true);
    assert.deepEqual(await run('clearPlan', { confirmed: true }), { ok: true });
    assert.deepEqual(await fx.api.tree.getChildren(), []);
    assert.equal(fs.existsSync(store), false);
    await waitFor('the status bar to hide', () => fx.api.statusBar.text === undefined);
    assert.equal(fx.files.read('e1/alpha.txt'), 'export const alpha = 1;\n');
  });
});
