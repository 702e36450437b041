import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { Store } from '../../src/core/store/store';
import type { TreeNode } from '../../src/vscode/treeNodes';
import {
  childItems,
  glyphOf,
  iconOf,
  labelOf,
  orchestratorOf,
  planWith,
  rootItem,
  subtaskItem,
  workerEdits,
  workspaceRoot,
  useSuiteFixture,
} from './planSupport';

/** Everything a user sees of the plan: each row's label, description, icon and context, children included. */
async function snapshot(api: ExtensionApi, node?: TreeNode): Promise<unknown[]> {
  const rows: unknown[] = [];
  for (const child of await api.tree.getChildren(node)) {
    const item: vscode.TreeItem = api.tree.getTreeItem(child);
    rows.push([labelOf(item), item.description, iconOf(item), item.contextValue, await snapshot(api, child)]);
  }
  return rows;
}

describe('Reload: the plan survives a restart of the extension', function () {
  // The first plan of a cold extension host can take a while on a busy machine.
  this.timeout(120_000);
  const fx = useSuiteFixture({
    'e1/alpha.txt': 'export const alpha = 1;\n',
    'e1/beta.txt': 'export const beta = 1;\n',
  });

  it('restores subtasks, statuses, gauges and the proposal, which can still be accepted', async () => {
    await planWith(fx.fake, 'Bump the constants', [
      { id: 'alpha', files: ['e1/alpha.txt'] },
      { id: 'beta', files: ['e1/beta.txt'], dependsOn: ['alpha'] },
    ]);
    fx.fake.enqueue(...workerEdits('e1/alpha.txt', 'alpha = 1', 'alpha = 2'));
    await fx.api.commands.dispatch('alpha');
    const before = await snapshot(fx.api);
    const first = orchestratorOf(fx.api);
    await orchestratorOf(fx.api).flush();

    await fx.api.controller.restart();

    assert.notEqual(orchestratorOf(fx.api), first, 'a new engine was built from the store');
    assert.deepEqual(await snapshot(fx.api), before);
    assert.equal((await subtaskItem(fx.api, 'alpha')).description, '7k tok · $0.02 · Sonnet');
    assert.equal((await rootItem(fx.api)).item.description, 'Opus 12k tok · $0.10');
    await orchestratorOf(fx.api).acceptProposal('alpha');
    assert.equal(fx.files.read('e1/alpha.txt'), 'export const alpha = 2;\n');
    assert.equal((await subtaskItem(fx.api, 'beta')).contextValue, 'subtask.ready');
  });

  it('shows a run cut off by the reload as interrupted, and retries it', async () => {
    await planWith(fx.fake, 'Bump alpha', [{ id: 'alpha', files: ['e1/alpha.txt'] }]);
    await orchestratorOf(fx.api).flush();
    // What the store holds when the window closes mid-run.
    const store = new Store(workspaceRoot());
    const saved = await store.loadPlan();
    assert.ok(saved?.subtasks.alpha);
    saved.subtasks.alpha.status = 'running';
    saved.subtasks.alpha.attempt = 1;
    await store.savePlan(saved);

    await fx.api.controller.restart();

    const item = await subtaskItem(fx.api, 'alpha');
    assert.equal(item.contextValue, 'subtask.interrupted');
    assert.equal(glyphOf(item), 'interrupted');
    fx.fake.enqueue(...workerEdits('e1/alpha.txt', 'alpha = 1', 'alpha = 2'));
    assert.deepEqual(await fx.api.commands.retry(fx.api.tree.subtaskNode('alpha')), { ok: true });
    assert.equal((await subtaskItem(fx.api, 'alpha')).contextValue, 'subtask.review');
    const groups = await childItems(fx.api, fx.api.tree.subtaskNode('alpha') as TreeNode);
    assert.deepEqual(
      groups.map((g) => labelOf(g.item)),
      ['Files in scope', 'Proposal'],
    );
  });

  it('leaves a damaged plan file on disk and starts without a plan', async () => {
    const file = path.join(workspaceRoot(), '.opus-orchestrator', 'plan.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{ "version": 1, "kind": "plan", "data": ');
    try {
      await fx.api.controller.restart();
      assert.ok(fx.api.controller.orchestrator, 'the folder still has an engine');
      assert.equal(orchestratorOf(fx.api).state, undefined);
      assert.deepEqual(await fx.api.tree.getChildren(), []);
      assert.equal(fs.readFileSync(file, 'utf8'), '{ "version": 1, "kind": "plan", "data": ');
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      await fx.api.controller.restart();
    }
    await planWith(fx.fake, 'Bump alpha', [{ id: 'alpha', files: ['e1/alpha.txt'] }]);
    assert.equal(labelOf((await rootItem(fx.api)).item), 'Bump alpha');
  });
});
