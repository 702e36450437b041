import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { LlmClient } from '../../src/core/llm/client';
import { modelFor } from '../../src/core/models';
import type { Subtask } from '../../src/core/plan/schema';
import { WorkspaceRules } from '../../src/core/workspace/rules';
import { runWorker } from '../../src/core/worker/worker';
import { jsonReply, textReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

const KEY = 'sk-ant-test-effort-0123456789';

describe('effort on the wire', () => {
  let fake: FakeAnthropic;
  let root: string;
  let llm: LlmClient;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'effort-'));
    await simpleGit(root).init();
    await fs.writeFile(path.join(root, 'a.ts'), 'export const A = 1;\n');
    fake = await startFakeAnthropic({ apiKey: KEY });
    llm = new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
  });

  afterEach(async () => {
    await fake.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  const subtask = (extra: Partial<Subtask>): Subtask => ({
    id: 's',
    title: 'Touch A',
    instructions: 'Leave A as it is.',
    model: 'sonnet',
    files: [{ path: 'a.ts', create: false }],
    acceptanceCriteria: ['A is 1'],
    dependsOn: [],
    ...extra,
  });

  async function effortSent(spec: Subtask, role: 'sonnet' | 'haiku', effort?: 'low' | 'medium' | 'high') {
    fake.enqueue(textReply('Nothing to change.'));
    await runWorker({
      llm,
      model: modelFor(role),
      goal: 'Check A.',
      subtask: spec,
      read: (rel) => fs.readFile(path.join(root, rel), 'utf8').catch(() => null),
      root,
      rules: await WorkspaceRules.load(root),
      maxTokens: 1000,
      owner: spec.id,
      attempt: 1,
      ...(effort ? { effort } : {}),
    });
    return fake.requests.at(-1)?.body.output_config;
  }

  it("sends the subtask's effort as output_config.effort on every worker call", async () => {
    assert.deepEqual(await effortSent(subtask({ effort: 'high' }), 'sonnet'), { effort: 'high' });
  });

  it('sends the effort the user chose over the plan’s, and a default by model for a plan without one', async () => {
    assert.deepEqual(await effortSent(subtask({ effort: 'high' }), 'sonnet', 'low'), { effort: 'low' });
    assert.deepEqual(await effortSent(subtask({ model: 'haiku' }), 'haiku'), { effort: 'low' });
    assert.deepEqual(await effortSent(subtask({}), 'sonnet'), { effort: 'medium' });
  });

  it('sends effort and a structured-output format together in one output_config', async () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    fake.enqueue(jsonReply({ ok: true }));
    await llm.call({
      model: modelFor('opus'),
      messages: [{ role: 'user', content: 'Plan.' }],
      maxTokens: 500,
      outputFormat: { type: 'json_schema', schema },
      effort: 'medium',
    });
    assert.deepEqual(fake.requests[0]?.body.output_config, {
      format: { type: 'json_schema', schema },
      effort: 'medium',
    });
  });
});
