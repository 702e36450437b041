import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { CommandResult } from '../../src/vscode/notify';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  EXTENSION_ID,
  extensionApi,
  lastKey,
  orchestratorOf,
  planWith,
  startModel,
  stopModel,
  waitFor,
} from './planSupport';

const OWN_COMMANDS = [
  'plan',
  'setApiKey',
  'clearApiKey',
  'dispatch',
  'dispatchAllReady',
  'cancel',
  'cancelAll',
  'retry',
  'changeModel',
  'changeEffort',
  'editFiles',
  'removeSubtask',
  'clearPlan',
  'showLog',
].map((c) => `opusOrchestrator.${c}`);

describe('Extension: activation, key and errors', function () {
  // The first plan of a cold extension host can take a while on a busy machine.
  this.timeout(120_000);
  let api: ExtensionApi;
  let fake: FakeAnthropic;

  before(async () => {
    api = await extensionApi();
    fake = await startModel(api);
  });

  after(async () => {
    await stopModel(api, fake);
  });

  it('contributes the Plan view and registers every command', async () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      contributes: { views: Record<string, Array<{ id: string }>> };
    };
    assert.deepEqual(
      pkg.contributes.views.opusOrchestrator?.map((v) => v.id),
      ['opusOrchestrator.plan'],
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = [...OWN_COMMANDS, 'opusOrchestrator.plan.focus'].filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    assert.ok(api.controller.orchestrator, 'an orchestrator serves the open folder');
    assert.equal(api.controller.trusted, vscode.workspace.isTrusted);
  });

  it('shows nothing in the status bar and the view until there is a plan', async () => {
    assert.equal(api.controller.orchestrator?.state, undefined);
    assert.equal(api.statusBar.text, undefined);
    assert.equal(api.view.badge, undefined);
    assert.deepEqual(await api.tree.getChildren(), []);
  });

  it('asks for a key before the task when none is set, and plans nothing without one', async () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    try {
      const before = fake.requests.length;
      const planning = vscode.commands.executeCommand<CommandResult>('opusOrchestrator.plan', { task: 'x' });
      // The key's input box is open now; the user presses Escape.
      await sleep(1000);
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      const result = await planning;
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.message, /No Anthropic API key is set/);
      assert.equal(fake.requests.length, before, 'nothing was sent without a key');
    } finally {
      process.env.ANTHROPIC_API_KEY = saved;
    }
  });

  it('reports a rejected key (401) with what to do, and keeps no plan', async () => {
    fake.enqueue({ httpError: 401 });
    const result = await vscode.commands.executeCommand<CommandResult>('opusOrchestrator.plan', {
      task: 'Add a farewell function',
    });
    assert.equal(result.ok, false);
    const message = result.ok ? '' : result.message;
    assert.match(message, /rejected the key \(401\)/);
    assert.match(message, /Set Anthropic API Key/);
    assert.match(message, /request req_/, 'the request id is named');
    assert.equal(orchestratorOf(api).state, undefined);
    assert.deepEqual(await api.tree.getChildren(), []);
  });

  it('uses a key from secret storage over the environment, and the environment again once cleared', async () => {
    const keys = api.keys;
    await keys.set('sk-ant-stored-key-for-test');
    try {
      await planWith(fake, 'Add a farewell function', [{ id: 'farewell', files: ['src/greet.ts'] }]);
      assert.equal(lastKey(fake), 'sk-ant-stored-key-for-test');
      assert.equal(keys.source, 'secret');
    } finally {
      await vscode.commands.executeCommand('opusOrchestrator.clearApiKey');
    }
    assert.equal(keys.source, 'environment');
    await planWith(fake, 'Add a farewell function', [{ id: 'farewell', files: ['src/greet.ts'] }]);
    assert.equal(lastKey(fake), process.env.ANTHROPIC_API_KEY);
  });

  it('shows the plan total in the status bar once a plan exists', async () => {
    await planWith(fake, 'Add a farewell function', [{ id: 'farewell', files: ['src/greet.ts'] }]);
    await waitFor('the plan total in the status bar', () => api.statusBar.text === '$(hubot) $0.08');
    await vscode.commands.executeCommand('opusOrchestrator.clearPlan', { confirmed: true });
    await waitFor('the status bar to hide', () => api.statusBar.text === undefined);
  });
});
