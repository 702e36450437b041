import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { CommandResult } from '../../src/vscode/notify';
import type { TreeNode } from '../../src/vscode/treeNodes';
import type { Reply } from '../fake-anthropic/replies';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';
import type { FakeAnthropic, RecordedRequest } from '../fake-anthropic/server';
import {
  CALL_USAGE,
  EDIT_TOOL,
  PLAN_USAGE,
  childItems,
  glyphOf,
  iconOf,
  labelOf,
  orchestratorOf,
  subtaskItem,
  tooltipOf,
  waitFor,
  workerEdits,
  workspaceRoot,
  useSuiteFixture,
} from './planSupport';

const CRITERIA = ['The constant has its new value.', 'No other line changes.'];
/** Opus's review call: 2k in, 300 out. */
const REVIEW_USAGE = { input: 2_000, output: 300 };

interface Step {
  id: string;
  model?: 'sonnet' | 'haiku' | 'opus';
  files: string[];
  newFiles?: string[];
}

async function run(command: string, ...args: unknown[]): Promise<CommandResult> {
  return (await vscode.commands.executeCommand<CommandResult>(`opusOrchestrator.${command}`, ...args)) as CommandResult;
}

/** Plans through the command; every subtask has the same two acceptance criteria, so a verdict can be 1 of 2. */
async function plan(fake: FakeAnthropic, goal: string, subtasks: Step[]): Promise<void> {
  fake.enqueue(
    jsonReply(
      {
        goal,
        subtasks: subtasks.map((s) => ({
          id: s.id,
          title: `Do ${s.id}`,
          instructions: `Carry out ${s.id} in the files in scope.`,
          model: s.model ?? 'sonnet',
          files: [
            ...s.files.map((p) => ({ path: p, create: false })),
            ...(s.newFiles ?? []).map((p) => ({ path: p, create: true })),
          ],
          acceptanceCriteria: CRITERIA,
          dependsOn: [],
        })),
      },
      PLAN_USAGE,
    ),
  );
  assert.deepEqual(await run('plan', { task: goal, replace: true }), { ok: true });
}

/** What Opus answers for a review: one entry per criterion, `met` as given. */
function verdictReply(met: boolean[], summary: string, latencyMs = 0): Reply {
  return {
    ...jsonReply(
      {
        criteria: CRITERIA.map((criterion, i) => ({
          criterion,
          met: met[i] ?? false,
          reason: met[i] ? `Evidence for criterion ${i + 1}.` : `Criterion ${i + 1} is missing from the diff.`,
        })),
        pass: met.every(Boolean),
        summary,
      },
      REVIEW_USAGE,
    ),
    latencyMs,
  };
}

function messagesOf(fake: FakeAnthropic, from: number): RecordedRequest[] {
  return fake.requests.slice(from).filter((r) => r.path.endsWith('/messages'));
}

function proposalUri(id: string, file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: 'opus-proposal', path: `/${file}`, query: `subtask=${id}` });
}

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

function disk(rel: string): string {
  return fs.readFileSync(path.join(workspaceRoot(), rel), 'utf8');
}

describe('Review loop: review with Opus, reject with a reason, escalate, overlap, revert', function () {
  // The first plan of a cold extension host can take a while on a busy machine.
  this.timeout(120_000);
  const fx = useSuiteFixture(
    {
      'e3/alpha.txt': 'export const alpha = 1;\n',
      'e3/beta.txt': 'export const beta = 1;\n',
    },
    async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const config = vscode.workspace.getConfiguration('opusOrchestrator');
      if (config.inspect('autoReview')?.globalValue !== undefined) {
        await config.update('autoReview', undefined, vscode.ConfigurationTarget.Global);
      }
      fs.rmSync(path.join(workspaceRoot(), 'e3'), { recursive: true, force: true });
    },
  );

  it('shows Opus’s verdict on the subtask row and above the diff, and a retry sends the unmet criteria', async () => {
    await plan(fx.fake, 'Bump alpha', [{ id: 'alpha', files: ['e3/alpha.txt'] }]);
    fx.fake.enqueue(...workerEdits('e3/alpha.txt', 'alpha = 1', 'alpha = 2'));
    assert.deepEqual(await run('dispatch', 'alpha'), { ok: true });
    assert.equal((await subtaskItem(fx.api, 'alpha')).description, '7k tok · $0.02 · Sonnet', 'no verdict yet');
    await run('openDiff', 'alpha');

    const asked = fx.fake.requests.length;
    fx.fake.enqueue(verdictReply([true, false], 'It also reformats a line.', 1500));
    const reviewed = run('reviewProposal', fx.api.tree.subtaskNode('alpha'));
    const busy = await waitFor('the row to say Opus is reviewing', async () => {
      const item = await subtaskItem(fx.api, 'alpha');
      return String(item.description).endsWith('· reviewing…') ? item : undefined;
    });
    assert.equal(glyphOf(busy), 'running');
    assert.match(tooltipOf(busy), /Opus review\*\* in progress/);
    assert.deepEqual(await reviewed, { ok: true });

    const review = messagesOf(fx.fake, asked);
    assert.equal(review.length, 1);
    assert.equal(review[0]?.body.model, 'claude-opus-5-5', 'Opus reviews');
    assert.match(JSON.stringify(review[0]?.body.messages), /\+export const alpha = 2;/, 'Opus reads the diff');

    const failed = await subtaskItem(fx.api, 'alpha');
    assert.match(String(failed.description), /^[\d.]+k tok · \$\d+\.\d\d · Sonnet · review ✗ 1\/2$/);
    assert.equal(glyphOf(failed), 'flagged');
    assert.equal(failed.contextValue, 'subtask.review escalate-opus', 'a failed review offers Retry with Opus');
    const tip = tooltipOf(failed);
    assert.match(tip, /\*\*Opus review\*\* ✗ 1 of 2 criteria not met \(attempt 1\)/);
    assert.match(tip, /It also reformats a line\./);
    assert.match(tip, /- ✓ The constant has its new value\. — Evidence for criterion 1\./);
    assert.match(tip, /- ✗ No other line changes\. — Criterion 2 is missing from the diff\./);

    const uri = proposalUri('alpha', 'e3/alpha.txt');
    const verdict = (await lenses(uri)).filter((l) => l.command?.title.startsWith('Opus review'));
    assert.deepEqual(
      verdict.map((l) => [l.command?.title, l.range.start.line, l.command?.command, l.command?.arguments]),
      [['Opus review: ✗ 1 of 2 criteria not met', 0, 'opusOrchestrator.showReview', ['alpha']]],
    );

    // Reviewed again, it passes: the row and the lens turn green.
    fx.fake.enqueue(verdictReply([true, true], 'Does what was asked.'));
    assert.deepEqual(await run('reviewProposal', 'alpha'), { ok: true });
    const passed = await subtaskItem(fx.api, 'alpha');
    assert.match(String(passed.description), / · review ✓$/);
    assert.equal(glyphOf(passed), 'passed');
    assert.equal(passed.contextValue, 'subtask.review');
    const green = await waitFor('the passing verdict lens', async () =>
      (await lenses(uri)).find((l) => l.command?.title === 'Opus review: ✓ passed'),
    );
    assert.equal(green.range.start.line, 0);

    // A failing verdict, then Retry from the diff: the worker hears which criterion was not met.
    fx.fake.enqueue(verdictReply([true, false], 'Still reformats a line.'));
    assert.deepEqual(await run('reviewProposal', 'alpha'), { ok: true });
    const before = fx.fake.requests.length;
    fx.fake.enqueue(...workerEdits('e3/alpha.txt', 'alpha = 1', 'alpha = 5'));
    assert.deepEqual(await run('redispatch', 'alpha'), { ok: true });
    const retried = messagesOf(fx.fake, before)[0];
    const told = JSON.stringify(retried?.body.messages);
    assert.match(told, /acceptance criteria not met/);
    assert.match(told, /No other line changes\.: Criterion 2 is missing from the diff\./);
    const view = orchestratorOf(fx.api).subtask('alpha');
    assert.equal(view?.state.status, 'review');
    assert.equal(view?.state.attempt, 2);
    assert.equal(view?.state.review, undefined, 'the new proposal has no verdict yet');
    assert.equal((await orchestratorOf(fx.api).proposal('alpha'))?.files[0]?.target, 'export const alpha = 5;\n');
    assert.equal(disk('e3/alpha.txt'), 'export const alpha = 1;\n', 'nothing reached the disk');
  });

  it('reviews every proposal on its own when autoReview is on', async () => {
    await vscode.workspace
      .getConfiguration('opusOrchestrator')
      .update('autoReview', true, vscode.ConfigurationTarget.Global);
    await plan(fx.fake, 'Bump alpha', [{ id: 'alpha', files: ['e3/alpha.txt'] }]);
    fx.fake.enqueue(...workerEdits('e3/alpha.txt', 'alpha = 1', 'alpha = 2'), verdictReply([true, true], 'Fine.'));
    assert.deepEqual(await run('dispatch', 'alpha'), { ok: true });
    const item = await subtaskItem(fx.api, 'alpha');
    assert.match(String(item.description), / · review ✓$/);
    assert.equal(fx.fake.requests.at(-1)?.body.model, 'claude-opus-5-5');
  });

  it('sends the reason of a rejected hunk and the previous diff to the worker on retry', async () => {
    await plan(fx.fake, 'Bump alpha', [{ id: 'alpha', files: ['e3/alpha.txt'] }]);
    fx.fake.enqueue(...workerEdits('e3/alpha.txt', 'alpha = 1', 'alpha = 2'));
    assert.deepEqual(await run('dispatch', 'alpha'), { ok: true });
    await run('openDiff', 'alpha');
    const reject = (await lenses(proposalUri('alpha', 'e3/alpha.txt'))).find((l) => l.command?.title === '✗ Reject');
    assert.ok(reject?.command, 'the hunk has a Reject lens');
    const reason = 'Use 3: the protocol says so.';
    assert.equal(
      await vscode.commands.executeCommand(reject.command.command, ...(reject.command.arguments ?? []), { reason }),
      true,
    );
    assert.equal(orchestratorOf(fx.api).subtask('alpha')?.state.status, 'rejected');
    assert.equal(disk('e3/alpha.txt'), 'export const alpha = 1;\n');

    const before = fx.fake.requests.length;
    fx.fake.enqueue(...workerEdits('e3/alpha.txt', 'alpha = 1', 'alpha = 3'));
    assert.deepEqual(await run('retry', 'alpha'), { ok: true });
    const told = JSON.stringify(messagesOf(fx.fake, before)[0]?.body.messages);
    assert.match(told, /Use 3: the protocol says so\./, 'the worker hears the reason');
    assert.match(told, /<previous_diff>/);
    assert.match(told, /-export const alpha = 1;/);
    assert.match(told, /\+export const alpha = 2;/, 'and sees the diff it proposed before');

    const view = orchestratorOf(fx.api).subtask('alpha');
    assert.equal(view?.state.status, 'review');
    assert.equal((await orchestratorOf(fx.api).proposal('alpha'))?.files[0]?.target, 'export const alpha = 3;\n');
    const tip = tooltipOf(await subtaskItem(fx.api, 'alpha'));
    assert.match(tip, /\*\*Attempts\*\*/);
    // Each attempt: two Sonnet calls of 3k in + 500 out: 7k tokens, $0.022.
    assert.equal(CALL_USAGE.input, 3000);
    assert.match(tip, /\| 1 \| Sonnet \| rejected · 1 reason given \| 7k \| \$0\.02 \|/);
    assert.match(tip, /\| 2 \| Sonnet \| review \| 7k \| \$0\.02 \|/);

    // Reject the whole proposal with a reason given as the argument: no question is asked.
    assert.equal(await run('rejectProposal', { subtaskId: 'alpha', reason: 'Still wrong.' }), true);
    assert.deepEqual(
      orchestratorOf(fx.api).subtask('alpha')?.state.history?.at(-1)?.rejections?.[0]?.reason,
      'Still wrong.',
    );
  });

  it('escalates a failed Haiku subtask to Sonnet', async () => {
    await plan(fx.fake, 'Bump beta', [{ id: 'beta', model: 'haiku', files: ['e3/beta.txt'] }]);
    fx.fake.enqueue(textReply('I found nothing to change.', CALL_USAGE));
    const failed = await run('dispatch', 'beta');
    assert.equal(failed.ok, false);
    const item = await subtaskItem(fx.api, 'beta');
    assert.equal(item.contextValue, 'subtask.failed escalate-sonnet', 'the row offers Retry with Sonnet');

    const before = fx.fake.requests.length;
    fx.fake.enqueue(...workerEdits('e3/beta.txt', 'beta = 1', 'beta = 2'));
    assert.deepEqual(await run('retryWithSonnet', fx.api.tree.subtaskNode('beta')), { ok: true });
    const sent = messagesOf(fx.fake, before);
    assert.ok(sent.length > 0);
    assert.deepEqual([...new Set(sent.map((r) => r.body.model))], ['claude-sonnet-5-5'], 'the retry runs on Sonnet');
    assert.match(
      JSON.stringify(sent[0]?.body.messages),
      /It failed with: The worker finished without changing any file/,
    );
    const view = orchestratorOf(fx.api).subtask('beta');
    assert.equal(view?.state.status, 'review');
    assert.equal(view?.state.model, 'sonnet');
    const row = await subtaskItem(fx.api, 'beta');
    assert.match(String(row.description), / · Sonnet$/);
    assert.equal(row.contextValue, 'subtask.review');
    const tip = tooltipOf(row);
    assert.match(tip, /\| 1 \| Haiku \| failed \| 3\.5k \| <\$0\.01 \|/);
    assert.match(tip, /\| 2 \| Sonnet \| review \| 7k \| \$0\.02 \|/);
  });

  it('marks subtasks that share files, which never run at the same time', async () => {
    await plan(fx.fake, 'Bump both', [
      { id: 'alpha', files: ['e3/alpha.txt'] },
      { id: 'both', files: ['e3/alpha.txt', 'e3/beta.txt'] },
      { id: 'beta', files: ['e3/beta.txt'] },
    ]);
    const rows = await childItems(fx.api, fx.api.tree.subtaskNode('both') as TreeNode);
    const shared = rows.filter((r) => r.item.contextValue === 'overlap');
    assert.deepEqual(
      shared.map((r) => [labelOf(r.item), iconOf(r.item)]),
      [
        ['Shares files with alpha (e3/alpha.txt)', 'warning'],
        ['Shares files with beta (e3/beta.txt)', 'warning'],
      ],
    );
    assert.match(String(shared[0]?.item.tooltip), /never run at the same time/);
    assert.equal(fx.api.tree.getParent(shared[0]?.node as TreeNode), fx.api.tree.subtaskNode('both'));
    assert.match(tooltipOf(await subtaskItem(fx.api, 'alpha')), /never runs at the same time as a subtask it shares/);
    const alone = await childItems(fx.api, fx.api.tree.subtaskNode('alpha') as TreeNode);
    assert.deepEqual(
      alone.map((r) => labelOf(r.item)),
      ['Files in scope', 'Shares files with both (e3/alpha.txt)'],
    );
  });

  it('reverts an accepted subtask exactly, and refuses once a file moved on', async () => {
    const original = 'export const alpha = 1;\r\nexport const keep = true;\r\n';
    await fx.files.write('e3/alpha.txt', original);
    await plan(fx.fake, 'Bump alpha', [{ id: 'alpha', files: ['e3/alpha.txt'], newFiles: ['e3/created.txt'] }]);
    fx.fake.enqueue(
      toolUseReply(
        [
          {
            name: EDIT_TOOL,
            input: { command: 'str_replace', path: 'e3/alpha.txt', old_str: 'alpha = 1', new_str: 'alpha = 2' },
          },
          {
            name: EDIT_TOOL,
            input: { command: 'create', path: 'e3/created.txt', file_text: 'export const made = 1;\n' },
          },
        ],
        CALL_USAGE,
      ),
      textReply('Done.', CALL_USAGE),
    );
    assert.deepEqual(await run('dispatch', 'alpha'), { ok: true });
    assert.equal(await run('acceptProposal', 'alpha'), true);
    assert.equal(disk('e3/alpha.txt'), original.replace('alpha = 1', 'alpha = 2'));
    assert.equal(disk('e3/created.txt'), 'export const made = 1;\n');
    assert.equal((await subtaskItem(fx.api, 'alpha')).contextValue, 'subtask.accepted revertible');

    assert.deepEqual(await run('revertSubtask', 'alpha', { confirmed: true }), { ok: true });
    assert.ok(
      fs.readFileSync(path.join(workspaceRoot(), 'e3/alpha.txt')).equals(Buffer.from(original, 'utf8')),
      'the file is byte for byte what it was, line endings included',
    );
    assert.equal(fs.existsSync(path.join(workspaceRoot(), 'e3/created.txt')), false, 'the created file is gone');
    assert.equal((await subtaskItem(fx.api, 'alpha')).contextValue, 'subtask.ready');

    // Run and accept again, then the user edits the file: the revert refuses and changes nothing.
    fx.fake.enqueue(...workerEdits('e3/alpha.txt', 'alpha = 1', 'alpha = 2'));
    assert.deepEqual(await run('dispatch', 'alpha'), { ok: true });
    assert.equal(await run('acceptProposal', 'alpha'), true);
    const edited = disk('e3/alpha.txt').replace('keep = true', 'keep = false');
    await fx.files.write('e3/alpha.txt', edited);
    const refused = await run('revertSubtask', 'alpha', { confirmed: true });
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.message, /changed after subtask "alpha" was accepted/);
    assert.equal(disk('e3/alpha.txt'), edited, 'the user’s change stays');
    assert.equal((await subtaskItem(fx.api, 'alpha')).contextValue, 'subtask.accepted revertible');
  });
});
