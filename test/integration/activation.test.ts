import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { setTimeout as sleep } from 'node:timers/promises';
import { openWalkthroughOnFirstRun } from '../../src/vscode/walkthrough';
import { EXTENSION_ID, waitFor } from './planSupport';

interface Walkthrough {
  id: string;
  steps: Array<{ id: string; media: { markdown?: string }; completionEvents?: string[]; description: string }>;
}

interface Manifest {
  activationEvents: string[];
  contributes: {
    walkthroughs: Walkthrough[];
    viewsWelcome: Array<{ view: string; contents: string; when?: string }>;
    commands: Array<{ command: string }>;
  };
}

function extension(): vscode.Extension<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext;
}

describe('Activation: a small first bundle, the rest on first use', function () {
  this.timeout(60_000);

  it('activates without loading the engine (core, model client, diff review) in a folder with no plan', async () => {
    const api = await extension().activate();
    await api.ready;
    assert.equal(api.engineLoaded, false, 'nothing needed the engine yet');
    assert.equal(api.controller.orchestrator, undefined);
    assert.deepEqual(await api.tree.getChildren(), [], 'the view shows its welcome content');
    const registered = new Set(await vscode.commands.getCommands(true));
    const manifest = extension().packageJSON as Manifest;
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'every contributed command is registered before the engine is loaded');
  });

  it('builds the bundles evaluated at activation without the SDK, the schema library or the core engine', () => {
    const sources = ['extension.js.map', 'views.js.map'].flatMap((file) => {
      const map = JSON.parse(fs.readFileSync(path.join(extension().extensionPath, 'dist', file), 'utf8')) as {
        sources: string[];
      };
      return map.sources;
    });
    const heavy = sources.filter(
      (s) =>
        s.includes('node_modules') ||
        /src\/core\/(orchestrator|llm|plan\/(planner|schema)|store|worker|usage\/(prices|usage))/.test(s),
    );
    assert.deepEqual(heavy, []);
    assert.ok(fs.existsSync(path.join(extension().extensionPath, 'dist', 'engine.js')), 'the engine is its own file');
  });

  it('loads the engine on the first command that needs it', async () => {
    const api = await extension().activate();
    await vscode.commands.executeCommand('opusOrchestrator.dispatchAllReady');
    assert.equal(api.engineLoaded, true);
    assert.ok(api.controller.orchestrator, 'the open folder has its orchestrator now');
  });

  it('contributes a walkthrough (key, plan, dispatch, review) whose pages ship with the extension', () => {
    const manifest = extension().packageJSON as Manifest;
    assert.ok(manifest.activationEvents.includes('onStartupFinished'), 'it can open the walkthrough on first run');
    const [walkthrough] = manifest.contributes.walkthroughs;
    assert.equal(walkthrough?.id, 'opusOrchestrator.gettingStarted');
    assert.deepEqual(
      walkthrough?.steps.map((s) => s.id),
      ['setKey', 'plan', 'dispatch', 'review'],
    );
    for (const step of walkthrough?.steps ?? []) {
      const page = path.join(extension().extensionPath, step.media.markdown ?? '');
      assert.ok(fs.existsSync(page), `${step.id}: ${page} is missing`);
      assert.ok((step.completionEvents ?? []).length > 0, `${step.id} is ticked off by what the user does`);
    }
    assert.deepEqual(walkthrough?.steps[0]?.completionEvents, ['onContext:opusOrchestrator.hasKey']);
    assert.match(walkthrough?.steps[0]?.description ?? '', /\(command:opusOrchestrator\.setApiKey\)/);
  });

  it('offers "Set API Key" in the empty Plan view while no key is stored, and "Plan with Opus" once one is', () => {
    const welcome = (extension().packageJSON as Manifest).contributes.viewsWelcome.filter(
      (w) => w.view === 'opusOrchestrator.plan',
    );
    const noKey = welcome.find((w) => w.when === '!opusOrchestrator.hasKey');
    const withKey = welcome.find((w) => w.when === 'opusOrchestrator.hasKey');
    assert.match(noKey?.contents ?? '', /\[Set API Key\]\(command:opusOrchestrator\.setApiKey\)/);
    assert.doesNotMatch(noKey?.contents ?? '', /command:opusOrchestrator\.plan\)/);
    assert.match(withKey?.contents ?? '', /\[Plan with Opus\]\(command:opusOrchestrator\.plan\)/);
  });

  it('opens the walkthrough the first time it runs for a user, and only then', async () => {
    // The user's global state, as a fresh profile has it; the rest of the context is not read.
    const state = new Map<string, unknown>();
    const context = {
      extensionMode: vscode.ExtensionMode.Production,
      globalState: {
        get: (key: string) => state.get(key),
        update: async (key: string, value: unknown) => void state.set(key, value),
      },
    } as unknown as vscode.ExtensionContext;
    const welcome = (): boolean =>
      vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => /Welcome|Walkthrough/i.test(t.label)));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await openWalkthroughOnFirstRun(context, false);
    await waitFor('the walkthrough', () => welcome() || undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await openWalkthroughOnFirstRun(context, false);
    await sleep(500);
    assert.equal(welcome(), false, 'not a second time');
    state.clear();
    await openWalkthroughOnFirstRun(context, true);
    await sleep(500);
    assert.equal(welcome(), false, 'not in a folder that already has a plan');
  });
});
