import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { PRICES_AS_OF } from '../../src/core/models';
import { readSettings } from '../../src/vscode/settings';
import { startFakeAnthropic } from '../fake-anthropic/server';
import {
  orchestratorOf,
  planReply,
  planWith,
  subtaskItem,
  tooltipOf,
  waitFor,
  workerEdits,
  workspaceRoot,
  useSuiteFixture,
} from './planSupport';

/**
 * A test cannot take trust away from the window it runs in, so the untrusted path is driven through the controller
 * (`setTrusted(false)`, what onDidGrantWorkspaceTrust reverses) and the settings reader, with real workspace settings.
 */
describe('Trust: an untrusted workspace runs and applies nothing, and cannot pick the endpoint', function () {
  // The first plan of a cold extension host can take a while on a busy machine.
  this.timeout(120_000);
  const fx = useSuiteFixture({
    'e1/alpha.txt': 'export const alpha = 1;\n',
  });

  it('ignores the workspace\u2019s endpoint and models while untrusted, and uses them once trusted', async () => {
    const other = await startFakeAnthropic();
    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('opusOrchestrator');
    const settingsFile = path.join(workspaceRoot(), '.vscode', 'settings.json');
    const hadSettings = fs.existsSync(settingsFile);
    try {
      await config().update('baseUrl', other.url, vscode.ConfigurationTarget.Workspace);
      await config().update('models.opus', 'claude-workspace-pick', vscode.ConfigurationTarget.Workspace);
      await config().update('concurrency', 2, vscode.ConfigurationTarget.Workspace);

      const untrusted = readSettings(config(), false);
      assert.equal(untrusted.baseUrl, fx.fake.url, 'the user-level endpoint, not the workspace one');
      assert.equal(
        untrusted.core.models.opus,
        undefined,
        'the default (the provider\u2019s id), not the workspace\u2019s pick',
      );
      assert.equal(untrusted.core.concurrency, 2, 'unrestricted settings still apply');
      const trusted = readSettings(config(), true);
      assert.equal(trusted.baseUrl, other.url);
      assert.equal(trusted.core.models.opus, 'claude-workspace-pick');

      fx.api.controller.setTrusted(false);
      assert.equal(orchestratorOf(fx.api).trusted, false);
      await planWith(fx.fake, 'Bump alpha', [{ id: 'alpha', files: ['e1/alpha.txt'] }]);
      assert.equal(other.requests.length, 0, 'nothing went to the workspace\u2019s endpoint');
      assert.equal(fx.fake.requests.at(-1)?.body.model, 'claude-opus-5-5');

      fx.api.controller.setTrusted(true);
      other.enqueue(planReply('Bump alpha', [{ id: 'alpha', files: ['e1/alpha.txt'] }]));
      const result = await vscode.commands.executeCommand('opusOrchestrator.plan', {
        task: 'Bump alpha',
        replace: true,
      });
      assert.deepEqual(result, { ok: true });
      assert.equal(other.requests.length, 1);
      assert.equal(other.requests[0]?.body.model, 'claude-workspace-pick');
    } finally {
      for (const key of ['baseUrl', 'models.opus', 'concurrency']) {
        await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
      }
      if (!hadSettings) {
        fs.rmSync(path.dirname(settingsFile), { recursive: true, force: true });
      }
      await other.close();
    }
  });

  it('prices from the settings reach the figures once trusted; a workspace\u2019s prices are not used untrusted', async () => {
    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('opusOrchestrator');
    const settingsFile = path.join(workspaceRoot(), '.vscode', 'settings.json');
    const hadSettings = fs.existsSync(settingsFile);
    try {
      await config().update(
        'prices',
        { sonnet: { cacheRead: 0.1 }, haiku: { output: -1 } },
        vscode.ConfigurationTarget.Workspace,
      );
      const untrusted = readSettings(config(), false);
      assert.deepEqual(untrusted.prices, {}, 'a workspace could switch the cost caps off with prices of zero');
      const trusted = readSettings(config(), true);
      assert.deepEqual(trusted.prices, { sonnet: { cacheRead: 0.1 } });
      assert.match(trusted.priceErrors.join('\n'), /opusOrchestrator\.prices: haiku\.output: must be ≥ 0/);

      // The test runs its own copy of the core: what the extension applied is read off the tree.
      await planWith(fx.fake, 'Bump alpha', [{ id: 'alpha', files: ['e1/alpha.txt'] }]);
      await waitFor('the tooltip to name the overridden prices', async () =>
        tooltipOf(await subtaskItem(fx.api, 'alpha')).includes(`list prices of ${PRICES_AS_OF}, overridden for sonnet`),
      );
      fx.api.controller.setTrusted(false);
      assert.match(tooltipOf(await subtaskItem(fx.api, 'alpha')), new RegExp(`list prices of ${PRICES_AS_OF}\\n`));
      fx.api.controller.setTrusted(true);
    } finally {
      await config().update('prices', undefined, vscode.ConfigurationTarget.Workspace);
      if (!hadSettings) {
        fs.rmSync(path.dirname(settingsFile), { recursive: true, force: true });
      }
    }
  });

  it('refuses to dispatch or apply while untrusted', async () => {
    await planWith(fx.fake, 'Bump alpha', [{ id: 'alpha', files: ['e1/alpha.txt'] }]);
    fx.api.controller.setTrusted(false);
    const asked = fx.fake.requests.length;
    const refused = await fx.api.commands.dispatch('alpha');
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.message, /not trusted.*Trust the workspace/);
    assert.equal(fx.fake.requests.length, asked, 'no worker was called');
    assert.equal((await subtaskItem(fx.api, 'alpha')).contextValue, 'subtask.ready');

    fx.api.controller.setTrusted(true);
    fx.fake.enqueue(...workerEdits('e1/alpha.txt', 'alpha = 1', 'alpha = 2'));
    assert.deepEqual(await fx.api.commands.dispatch('alpha'), { ok: true });
    fx.api.controller.setTrusted(false);
    await assert.rejects(orchestratorOf(fx.api).acceptProposal('alpha'), /not trusted/);
    assert.equal(fx.files.read('e1/alpha.txt'), 'export const alpha = 1;\n', 'nothing was applied');

    fx.api.controller.setTrusted(true);
    await orchestratorOf(fx.api).acceptProposal('alpha');
    assert.equal(fx.files.read('e1/alpha.txt'), 'export const alpha = 2;\n');
  });
});
