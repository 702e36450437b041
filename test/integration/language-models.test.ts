import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { textReply, toolUseReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import type { CommandResult } from '../../src/vscode/notify';
import {
  EDIT_TOOL,
  ScratchFiles,
  extensionApi,
  orchestratorOf,
  resetExtension,
  subtaskItem,
  tooltipOf,
  waitFor,
} from './planSupport';

const SELECTOR = 'opus-test/claude-test-local';
const PLAN = {
  goal: 'Rename the greeting',
  subtasks: [
    {
      id: 'polite',
      title: 'Say good day',
      instructions: 'Replace Hello by Good day in src/lm-greet.ts.',
      model: 'sonnet',
      files: [{ path: 'src/lm-greet.ts', create: false }],
      acceptanceCriteria: ['greet says Good day'],
      dependsOn: [],
    },
  ],
};

/**
 * Roles on VS Code's Language Model API: the chat models come from a test-only extension (test/integration/
 * lm-extension) that contributes a language model provider forwarding to the local Messages API.
 */
describe('VS Code language models as the provider', function () {
  this.timeout(60_000);
  let api: ExtensionApi;
  let fake: FakeAnthropic;
  const files = new ScratchFiles();

  before(async () => {
    api = await extensionApi();
  });

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    await vscode.commands.executeCommand('opusTestLm.configure', fake.url);
    await files.write('src/lm-greet.ts', 'export const greet = (n: string) => `Hello, ${n}!`;\n');
  });

  afterEach(async () => {
    const config = vscode.workspace.getConfiguration('opusOrchestrator');
    for (const key of ['provider', 'languageModels.opus', 'languageModels.sonnet', 'languageModels.haiku']) {
      await config.update(key, undefined, vscode.ConfigurationTarget.Global);
    }
    await resetExtension(api);
    await vscode.commands.executeCommand('opusTestLm.configure', undefined);
    await fake.close();
    await files.removeAll();
  });

  it('plans, dispatches and accepts through a chat model VS Code offers, with the editor tool as an ordinary tool', async () => {
    const offered = await waitFor('the test models to be offered', async () => {
      const models = await vscode.lm.selectChatModels({ vendor: 'opus-test' });
      return models.length > 0 ? models : undefined;
    });
    assert.equal(offered[0]?.id, 'claude-test-local');

    await vscode.commands.executeCommand('opusOrchestrator.selectProvider', {
      role: 'all',
      provider: 'vscode-lm',
      languageModel: SELECTOR,
    });
    const chosen = await waitFor('the chosen model to reach the roster', () => {
      const opus = api.controller.roleModels().opus;
      return opus.id === 'claude-test-local' ? opus : undefined;
    });
    assert.equal(chosen.billing, 'seat');
    assert.equal(chosen.contextWindow, 200_000, 'the context window is the model’s maxInputTokens');

    // Without structured output the plan comes back as prose around JSON; the zod check still holds it.
    fake.enqueue(textReply(`The plan:\n\`\`\`json\n${JSON.stringify(PLAN)}\n\`\`\``, { output: 0 }));
    const planned = await vscode.commands.executeCommand<CommandResult>('opusOrchestrator.plan', {
      task: 'Rename the greeting',
      replace: true,
    });
    assert.deepEqual(planned, { ok: true });
    const plannerReq = fake.requests[0];
    assert.equal(plannerReq?.headers['x-opus-test-lm'], 'claude-test-local', 'the request went through vscode.lm');
    assert.equal(plannerReq?.body.output_config, undefined, 'no structured output field on this provider');
    assert.match(JSON.stringify(plannerReq?.body.messages), /JSON Schema/, 'the schema is in the prompt instead');

    fake.enqueue(
      toolUseReply([
        {
          name: EDIT_TOOL,
          input: { command: 'str_replace', path: 'src/lm-greet.ts', old_str: 'Hello', new_str: 'Good day' },
        },
      ]),
      textReply('Done.'),
    );
    const orchestrator = orchestratorOf(api);
    await orchestrator.dispatch(['polite']);
    assert.equal(orchestrator.subtask('polite')?.state.status, 'review', orchestrator.subtask('polite')?.state.error);

    const worker = fake.requests[1];
    const tools = worker?.body.tools as Array<{ name: string; input_schema: { properties: Record<string, unknown> } }>;
    assert.deepEqual(
      tools.map((t) => t.name),
      [EDIT_TOOL, 'finish'],
      'the editor tool keeps its name; finish goes as it is',
    );
    assert.deepEqual(Object.keys(tools[0]?.input_schema.properties ?? {}).sort(), [
      'command',
      'file_text',
      'insert_line',
      'insert_text',
      'new_str',
      'old_str',
      'path',
      'view_range',
    ]);
    const second = JSON.stringify(fake.requests[2]?.body.messages);
    assert.match(second, /"type":"tool_result"/, 'the tool result went back to the model');

    const row = await subtaskItem(api, 'polite');
    assert.match(String(row.description), /~[\d.]+k? tok · seat/, `a seat, not dollars: ${String(row.description)}`);
    assert.match(tooltipOf(row), /no per-token price/);
    const entries = orchestrator.ledger().entries();
    assert.ok(entries.every((e) => e.cost === 0 && e.model === 'claude-test-local'));
    assert.ok(
      entries.every((e) => e.usage.input > 0),
      'input counted with the model’s countTokens',
    );

    await vscode.commands.executeCommand('opusOrchestrator.acceptProposal', 'polite');
    await waitFor('the accepted change on disk', () =>
      files.read('src/lm-greet.ts').includes('Good day') ? true : undefined,
    );
  });

  it('says which model is missing when the chosen one is not offered, and asks to pick another', async () => {
    await vscode.commands.executeCommand('opusOrchestrator.selectProvider', {
      role: 'all',
      provider: 'vscode-lm',
      languageModel: 'opus-test/no-such-model',
    });
    const result = await vscode.commands.executeCommand<CommandResult>('opusOrchestrator.plan', {
      task: 'Anything',
      replace: true,
    });
    assert.notDeepEqual(result, { ok: true });
    assert.equal(fake.requests.length, 0, 'nothing was sent');
    assert.match(JSON.stringify(result), /Select Provider and Models/);
  });
});
