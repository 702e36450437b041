import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { CommandResult } from '../../src/vscode/notify';
import type { TreeNode } from '../../src/vscode/treeNodes';
import { randomBytes } from 'node:crypto';
import { textReply, toolUseReply } from '../fake-anthropic/replies';
import {
  CALL_USAGE,
  PLAN_USAGE,
  childItems,
  glyphOf,
  iconOf,
  labelOf,
  orchestratorOf,
  planReply,
  planWith,
  rootItem,
  subtaskItem,
  tooltipOf,
  waitFor,
  workerEdits,
  workspaceRoot,
  useSuiteFixture,
} from './planSupport';

const ESTIMATE = /^~\d+(\.\d)?k? tok · ~(\$\d+\.\d\d|<\$0\.01) · (Sonnet|Haiku)$/;

describe('Plan tree: rows, gauges and statuses', function () {
  // The first plan of a cold extension host can take a while on a busy machine.
  this.timeout(120_000);
  const fx = useSuiteFixture({
    'e1/alpha.txt': 'export const alpha = 1;\n',
    'e1/beta.txt': 'export const beta = 1;\n',
  });

  async function planTwo(): Promise<void> {
    await planWith(fx.fake, 'Rename the constants', [
      { id: 'alpha', title: 'Bump alpha', files: ['e1/alpha.txt'], newFiles: ['e1/alpha-extra.txt'] },
      { id: 'beta', title: 'Bump beta', model: 'haiku', files: ['e1/beta.txt'], dependsOn: ['alpha'] },
    ]);
  }

  it('shows the plan row and one row per subtask with its estimate before dispatch', async () => {
    await planTwo();
    const root = await rootItem(fx.api);
    assert.equal(labelOf(root.item), 'Rename the constants');
    assert.equal(root.item.description, 'Opus 12k tok · $0.08');
    assert.equal(root.item.contextValue, 'plan');
    assert.equal(root.item.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    assert.match(tooltipOf(root.item), /Rename the constants/);
    assert.match(tooltipOf(root.item), /Opus alone, est\./);
    assert.match(tooltipOf(root.item), /(Saved about|more than Opus alone)/);

    const rows = await childItems(fx.api, root.node);
    assert.deepEqual(
      rows.map((r) => [r.item.id, labelOf(r.item), iconOf(r.item), r.item.contextValue]),
      [
        ['alpha', 'Bump alpha', 'ready-1', 'subtask.ready'],
        ['beta', 'Bump beta', 'pending-1', 'subtask.pending'],
      ],
    );
    const [alpha, beta] = rows.map((r) => r.item);
    assert.match(String(alpha?.description), ESTIMATE);
    assert.match(String(alpha?.description), /Sonnet$/);
    assert.match(String(beta?.description), /^~.* · Haiku$/);
    assert.equal(alpha?.resourceUri?.toString(), 'opus-subtask:/alpha?model%3Dsonnet', 'the row carries its model');
    assert.deepEqual(alpha?.command?.command, 'opusOrchestrator.dispatch');
    assert.deepEqual(alpha?.command?.arguments, ['alpha']);
    assert.equal(beta?.command, undefined, 'a pending subtask does nothing when clicked');

    const tip = tooltipOf(alpha as vscode.TreeItem);
    assert.match(tip, /Carry out alpha in the files in scope\./);
    assert.match(tip, /Acceptance criteria/);
    assert.match(tip, /alpha is done\./);
    assert.match(tip, /`e1\/alpha\.txt`, `e1\/alpha-extra\.txt` \(new\)/);
    assert.match(tip, /cache read/);
    assert.match(
      tip,
      /!\[gauge \d+%\]\(data:image\/svg\+xml;base64,.*\) ~(\$\d+\.\d\d|<\$0\.01) of the \$1\.00 budget/,
    );
  });

  it('lists files in scope and dependencies under a subtask', async () => {
    await planTwo();
    const alphaNode = fx.api.tree.subtaskNode('alpha') as TreeNode;
    const groups = await childItems(fx.api, alphaNode);
    assert.deepEqual(
      groups.map((g) => labelOf(g.item)),
      ['Files in scope'],
    );
    const scope = await childItems(fx.api, groups[0]?.node as TreeNode);
    assert.deepEqual(
      scope.map((f) => [labelOf(f.item), f.item.description]),
      [
        ['e1/alpha.txt', undefined],
        ['e1/alpha-extra.txt', 'new'],
      ],
    );
    const existing = scope[0]?.item as vscode.TreeItem;
    assert.equal(existing.resourceUri?.fsPath, path.join(workspaceRoot(), 'e1', 'alpha.txt'));
    assert.equal(existing.command?.command, 'vscode.open');

    const betaGroups = await childItems(fx.api, fx.api.tree.subtaskNode('beta') as TreeNode);
    assert.deepEqual(
      betaGroups.map((g) => labelOf(g.item)),
      ['Files in scope', 'Depends on'],
    );
    const deps = await childItems(fx.api, betaGroups[1]?.node as TreeNode);
    assert.deepEqual(
      deps.map((d) => [labelOf(d.item), d.item.description, iconOf(d.item)]),
      [['alpha', 'ready · Bump alpha', 'play-circle']],
    );
    assert.equal(fx.api.tree.getParent(deps[0]?.node as TreeNode), betaGroups[1]?.node);
  });

  it('moves the gauge while the subtask runs, then shows the billed tokens and the proposal', async () => {
    await planTwo();
    const alphaNode = fx.api.tree.subtaskNode('alpha') as TreeNode;
    const fired: number[] = [];
    const listener = fx.api.tree.onDidChangeTreeData((e) => {
      const rows = Array.isArray(e) ? e : [e];
      if (rows.includes(alphaNode) && orchestratorOf(fx.api).subtask('alpha')?.state.live) {
        fired.push(Date.now());
      }
    });
    fx.fake.enqueue(
      ...workerEdits('e1/alpha.txt', 'alpha = 1', 'alpha = 2', {
        latencyMs: 300,
        chunkDelayMs: 40,
      }),
    );
    const running = new Set<string>();
    const dispatched = vscode.commands.executeCommand<CommandResult>('opusOrchestrator.dispatch', 'alpha');
    let status: string | undefined;
    let sawRunningBar = false;
    let sawDoing = false;
    do {
      const item = await subtaskItem(fx.api, 'alpha');
      status = orchestratorOf(fx.api).subtask('alpha')?.state.status;
      if (item.contextValue === 'subtask.running') {
        assert.equal(glyphOf(item), 'running');
        const doing = '(starting|thinking|writing|calling a tool)…';
        assert.match(
          String(item.description),
          new RegExp(`^((${doing} )?[\\d.]+k? tok( ⟳)? · (\\$\\d+\\.\\d\\d|<\\$0\\.01)|${doing}) · Sonnet$`),
        );
        sawDoing ||= new RegExp(doing).test(String(item.description));
        running.add(String(item.description));
        sawRunningBar ||= fx.api.statusBar.text === '$(hubot) 1 running · $0.08';
      }
      await new Promise((r) => setTimeout(r, 15));
    } while (status === 'running' || status === 'ready');
    listener.dispose();
    assert.deepEqual(await dispatched, { ok: true });
    assert.ok(running.size >= 2, `the gauge moved while running: ${[...running].join(' | ')}`);
    assert.ok(sawRunningBar, 'the status bar counted the running subtask');
    assert.ok(sawDoing, 'the row said what the model was doing');
    const gaps = fired.slice(1).map((t, i) => t - (fired[i] as number));
    assert.ok(fired.length >= 3, `the row was refreshed while tokens streamed (${fired.length} times)`);
    assert.ok(
      gaps.every((g) => g >= 90),
      `refreshes of one row are at least 100 ms apart: ${gaps.join(', ')}`,
    );

    const after = await subtaskItem(fx.api, 'alpha');
    // Two calls of 3k input + 500 output on Sonnet ($2/$10 per MTok): 7k tokens, $0.022.
    assert.equal(CALL_USAGE.input, 3000);
    assert.equal(after.description, '7k tok · $0.02 · Sonnet');
    assert.equal(iconOf(after), 'review-1', 'the review glyph in a ring filled by $0.02 of the $1 budget');
    assert.equal(after.contextValue, 'subtask.review');
    assert.deepEqual(after.command?.command, 'opusOrchestrator.openDiff');
    assert.deepEqual(after.command?.arguments, ['alpha']);
    assert.match(tooltipOf(after), /\| 7k \| 6k \| 1k \| 0 \| 0 \|/);
    assert.match(tooltipOf(after), /Cost \$0\.02/);

    const groups = await childItems(fx.api, alphaNode);
    assert.deepEqual(
      groups.map((g) => labelOf(g.item)),
      ['Files in scope', 'Proposal'],
    );
    const proposal = await childItems(fx.api, groups[1]?.node as TreeNode);
    assert.deepEqual(
      proposal.map((p) => [labelOf(p.item), p.item.description, p.item.contextValue]),
      [['e1/alpha.txt', '+1 −1', 'proposalFile']],
    );
    assert.equal(proposal[0]?.item.command?.command, 'opusOrchestrator.openDiff');
    assert.deepEqual(proposal[0]?.item.command?.arguments, [{ subtaskId: 'alpha', path: 'e1/alpha.txt' }]);
    const root = await rootItem(fx.api);
    assert.equal(root.item.description, 'Opus 12k tok · $0.10');
  });

  it('marks an accepted subtask green and makes its dependent ready', async () => {
    await planTwo();
    fx.fake.enqueue(...workerEdits('e1/alpha.txt', 'alpha = 1', 'alpha = 2'));
    assert.deepEqual(await vscode.commands.executeCommand('opusOrchestrator.dispatch', 'alpha'), { ok: true });
    await orchestratorOf(fx.api).acceptProposal('alpha');
    const alpha = await subtaskItem(fx.api, 'alpha');
    assert.equal(alpha.contextValue, 'subtask.accepted revertible');
    assert.equal(glyphOf(alpha), 'accepted');
    assert.equal(fx.files.read('e1/alpha.txt'), 'export const alpha = 2;\n');
    const beta = await subtaskItem(fx.api, 'beta');
    assert.equal(beta.contextValue, 'subtask.ready');
    assert.equal(glyphOf(beta), 'ready');
  });

  it('shows a failed run on its row, red, with the error', async () => {
    await planTwo();
    fx.fake.enqueue(textReply('I found nothing to change.', CALL_USAGE));
    const result = await vscode.commands.executeCommand<CommandResult>('opusOrchestrator.dispatch', 'alpha');
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.message, /The worker finished without changing any file/);
    const alpha = await subtaskItem(fx.api, 'alpha');
    assert.equal(alpha.contextValue, 'subtask.failed escalate-opus');
    assert.equal(glyphOf(alpha), 'failed');
    assert.match(tooltipOf(alpha), /\*\*Error\*\* The worker finished without changing any file/);
    assert.equal(alpha.description, '3.5k tok · $0.01 · Sonnet');
  });

  it('shows cancelled and rejected subtasks, and blocks the dependent of a rejected one', async () => {
    await planTwo();
    fx.fake.enqueue({ ...textReply('slow', CALL_USAGE), latencyMs: 5000 });
    const asked = fx.fake.requests.length;
    const dispatched = vscode.commands.executeCommand<CommandResult>('opusOrchestrator.dispatch', 'alpha');
    await waitFor('alpha to run', async () => (await subtaskItem(fx.api, 'alpha')).contextValue === 'subtask.running');
    // Cancel mid-call: the request has reached the model, which is still thinking.
    await waitFor('the worker to call the model', () => fx.fake.requests.length > asked);
    assert.deepEqual(await vscode.commands.executeCommand('opusOrchestrator.cancel', 'alpha'), { ok: true });
    assert.deepEqual(await dispatched, { ok: true });
    const cancelled = await subtaskItem(fx.api, 'alpha');
    assert.equal(cancelled.contextValue, 'subtask.cancelled');
    assert.equal(glyphOf(cancelled), 'cancelled');

    fx.fake.enqueue(...workerEdits('e1/alpha.txt', 'alpha = 1', 'alpha = 2'));
    assert.deepEqual(await vscode.commands.executeCommand('opusOrchestrator.retry', 'alpha'), { ok: true });
    await orchestratorOf(fx.api).rejectProposal('alpha');
    const rejected = await subtaskItem(fx.api, 'alpha');
    assert.equal(rejected.contextValue, 'subtask.rejected');
    assert.equal(glyphOf(rejected), 'rejected');
    assert.equal(fx.files.read('e1/alpha.txt'), 'export const alpha = 1;\n', 'a rejected proposal leaves the file');
    const beta = await subtaskItem(fx.api, 'beta');
    assert.equal(beta.contextValue, 'subtask.blocked');
    assert.equal(glyphOf(beta), 'blocked');
  });

  it('shows what Opus looked at while planning, and how many secrets were kept from the planner and each worker', async () => {
    const key = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
    await fx.files.write('e1/keys.ts', `export const KEY_ID = '${key}';\nexport const REGION = 'eu';\n`);
    const orchestrator = orchestratorOf(fx.api);
    fx.fake.enqueue(
      toolUseReply([{ name: 'read_file', input: { path: 'e1/keys.ts', start_line: 1, end_line: 2 } }], PLAN_USAGE),
      planReply('Move to the us region', [{ id: 'alpha', title: 'Set the region', files: ['e1/keys.ts'] }]),
    );
    // What the planning notification reports, as each usage event of the planner arrives.
    const progress: string[] = [];
    const listener = fx.api.controller.onDidChange((e) => {
      const message = e.kind === 'usage' && e.id === 'plan' ? fx.api.controller.views?.planProgress(orchestrator) : '';
      if (message) {
        progress.push(message);
      }
    });
    const planned = await vscode.commands.executeCommand<CommandResult>('opusOrchestrator.plan', {
      task: 'Move to the us region',
      replace: true,
    });
    listener.dispose();
    assert.deepEqual(planned, { ok: true });
    const looked = progress.find((m) => /looked 1\/5 \u00b7 [\d.]+k? tok/.test(m));
    assert.ok(looked, `the notification told what Opus looked at: ${progress.join(' | ')}`);
    // The file Opus read held the key: it reached the planner as a marker, and the plan row says so.
    assert.match(
      tooltipOf((await rootItem(fx.api)).item),
      /\*\*Planner\*\* looked 1\/5 \u00b7 [\d.]+k? tok \u00b7 1 secret redacted/,
    );

    fx.fake.enqueue(...workerEdits('e1/keys.ts', "REGION = 'eu'", "REGION = 'us'"));
    assert.deepEqual(await vscode.commands.executeCommand('opusOrchestrator.dispatch', 'alpha'), { ok: true });
    assert.ok(!JSON.stringify(fx.fake.requests.at(-1)?.body).includes(key), 'the worker never saw the key');
    assert.match(tooltipOf(await subtaskItem(fx.api, 'alpha')), /\n1 secret redacted/);
  });
});
