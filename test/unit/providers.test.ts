import assert from 'node:assert/strict';
import { parseModelFlags, parseProviderFlags } from '../../src/cli/providerFlags';
import { LlmClient } from '../../src/core/llm/client';
import { roleProviders } from '../../src/core/llm/providers/platforms';
import { extractJson, plainJsonSystem } from '../../src/core/llm/providers/plainJson';
import { MODEL_TABLE, modelById, modelFor, setRoleProviders } from '../../src/core/models';
import { priceEntry } from '../../src/core/usage/ledger';
import { costOfCall } from '../../src/core/usage/usage';
import { readSettings } from '../../src/vscode/settings';
import type { SettingsSource } from '../../src/vscode/settings';
import { startFakeBedrock } from '../fake-anthropic/bedrock';
import { textReply } from '../fake-anthropic/replies';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { startFakeVertex } from '../fake-anthropic/vertex';

const MILLION = { input: 1e6, output: 1e6, cacheRead: 0, cacheWrite: 0 };

describe('providers: model ids and prices per provider', () => {
  afterEach(() => setRoleProviders({}));

  it('runs on Anthropic by default, with the table as it was', () => {
    assert.deepEqual(modelFor('opus'), MODEL_TABLE.opus);
  });

  it('uses Bedrock global inference profiles at the list prices, and charges 10% more for a regional id', () => {
    setRoleProviders({ sonnet: { provider: 'bedrock' } });
    const global = modelFor('sonnet');
    assert.equal(global.id, 'global.anthropic.claude-sonnet-5-5');
    assert.equal(global.provider, 'bedrock');
    assert.deepEqual(global.prices, MODEL_TABLE.sonnet.prices);
    const regional = modelFor('sonnet', { sonnet: 'eu.anthropic.claude-sonnet-5-5' });
    assert.equal(regional.id, 'eu.anthropic.claude-sonnet-5-5');
    assert.equal(costOfCall(MILLION, regional), 13.2, '(2 + 10) × 1.1');
    assert.equal(
      modelById('eu.anthropic.claude-sonnet-5-5', { sonnet: 'eu.anthropic.claude-sonnet-5-5' })?.role,
      'sonnet',
    );
    assert.equal(priceEntry({ model: 'global.anthropic.claude-sonnet-5-5', role: 'sonnet', usage: MILLION }), 12);
  });

  it('prices a regional Vertex endpoint 10% over the global one, long-prompt tier included', () => {
    setRoleProviders(
      roleProviders({
        roles: { opus: 'vertex', sonnet: 'vertex', haiku: 'vertex' },
        bedrock: {},
        vertex: { region: 'us-east5' },
      }),
    );
    const haiku = modelFor('haiku');
    assert.equal(haiku.id, 'claude-haiku-5-5');
    assert.equal(haiku.prices.input, 0.11);
    assert.equal(haiku.longPrompt?.prices.output, 2.75);
    setRoleProviders(
      roleProviders({
        roles: { opus: 'vertex', sonnet: 'vertex', haiku: 'vertex' },
        bedrock: {},
        vertex: { region: 'global' },
      }),
    );
    assert.equal(modelFor('haiku').prices.input, 0.1);
  });

  it('gives a seat-billed editor model no dollar prices, and its own context window', () => {
    setRoleProviders({
      haiku: {
        provider: 'vscode-lm',
        seat: { id: 'claude-x', label: 'Claude X', contextWindow: 64_000, maxOutput: 8_000 },
      },
    });
    const m = modelFor('haiku');
    assert.equal(m.id, 'claude-x');
    assert.equal(m.billing, 'seat');
    assert.equal(m.contextWindow, 64_000);
    assert.equal(costOfCall(MILLION, m), 0);
  });
});

describe('providers: CLI flags', () => {
  it('takes one provider for all roles and a role of its own, in any order', () => {
    assert.deepEqual(parseProviderFlags(['haiku=anthropic', 'bedrock']).roles, {
      opus: 'bedrock',
      sonnet: 'bedrock',
      haiku: 'anthropic',
    });
    assert.deepEqual(parseProviderFlags([]).roles, { opus: 'anthropic', sonnet: 'anthropic', haiku: 'anthropic' });
  });

  it('says what is wrong with a provider or a model flag', () => {
    assert.match(parseProviderFlags(['chef=vertex']).errors.join(), /"chef" is not a role/);
    assert.match(parseProviderFlags(['vscode-lm']).errors.join(), /only inside VS Code/);
    assert.deepEqual(parseModelFlags(['opus=us.anthropic.claude-opus-5-5']), { opus: 'us.anthropic.claude-opus-5-5' });
    assert.throws(() => parseModelFlags(['opus']), /ROLE=ID/);
  });
});

describe('providers: a plain JSON answer where structured output is missing', () => {
  it('finds the document in a fence, in prose, or alone', () => {
    assert.equal(extractJson('Here:\n```json\n{"a": 1}\n```\nDone.'), '{"a": 1}');
    assert.equal(extractJson('The plan is {"a": {"b": 2}} as asked.'), '{"a": {"b": 2}}');
    assert.equal(extractJson('  {"a": 1}  '), '{"a": 1}');
  });

  it('puts the schema after the system prompt, keeping its cache breakpoints', () => {
    const format = {
      type: 'json_schema' as const,
      schema: { type: 'object', properties: { goal: { type: 'string' } } },
    };
    const blocks = plainJsonSystem([{ type: 'text', text: 'Plan.', cache_control: { type: 'ephemeral' } }], format);
    assert.ok(Array.isArray(blocks));
    assert.equal(blocks.length, 2);
    assert.match(JSON.stringify(blocks[1]), /JSON Schema.*goal/);
  });
});

describe('providers: editor settings', () => {
  function source(values: Record<string, unknown>, workspace: Record<string, unknown> = {}): SettingsSource {
    return {
      get: <T>(key: string) => (workspace[key] ?? values[key]) as T | undefined,
      inspect: <T>(key: string) => ({ globalValue: values[key] as T | undefined }),
    };
  }

  it('reads the provider, per-role overrides, platform settings and chosen editor models', () => {
    const s = readSettings(
      source({
        provider: 'bedrock',
        'providers.haiku': 'vscode-lm',
        'bedrock.region': 'eu-central-1',
        'bedrock.profile': 'work',
        'vertex.projectId': '  ',
        'languageModels.haiku': 'copilot/claude-haiku',
      }),
      true,
    );
    assert.deepEqual(s.providers.roles, { opus: 'bedrock', sonnet: 'bedrock', haiku: 'vscode-lm' });
    assert.deepEqual(s.providers.bedrock, { region: 'eu-central-1', profile: 'work' });
    assert.equal(s.providers.vertex.projectId, undefined);
    assert.deepEqual(s.languageModels, { haiku: 'copilot/claude-haiku' });
  });

  it('ignores a workspace’s provider choice while it is untrusted', () => {
    const s = readSettings(source({}, { provider: 'vertex', 'vertex.projectId': 'their-project' }), false);
    assert.deepEqual(s.providers.roles, { opus: 'anthropic', sonnet: 'anthropic', haiku: 'anthropic' });
    assert.equal(s.providers.vertex.projectId, undefined);
  });
});

describe('providers: token counting per platform', function () {
  this.timeout(30_000);
  const saved = { ...process.env };
  afterEach(() => {
    setRoleProviders({});
    for (const key of Object.keys(process.env)) {
      if (!(key in saved)) {
        delete process.env[key];
      }
    }
    Object.assign(process.env, saved);
  });

  it('estimates offline on Bedrock, which cannot count, and asks Vertex, which can', async () => {
    const fake = await startFakeAnthropic();
    const bedrock = await startFakeBedrock(fake, {
      credentials: {
        accessKeyId: 'AKIAOPUSUNITTEST0001',
        secretAccessKey: 'unit-test-secret-000000000000000000000000',
      },
    });
    const vertex = await startFakeVertex(fake, { projectId: 'unit-project' });
    try {
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'AKIAOPUSUNITTEST0001',
        AWS_SECRET_ACCESS_KEY: 'unit-test-secret-000000000000000000000000',
        GCE_METADATA_HOST: vertex.metadataHost,
        METADATA_SERVER_DETECTION: 'assume-present',
        CLOUDSDK_CONFIG: '/nonexistent-gcloud',
      });
      const llm = new LlmClient({
        maxRetries: 0,
        providers: {
          bedrock: { region: 'us-west-2', baseURL: bedrock.url },
          vertex: { projectId: 'unit-project', region: 'global', baseURL: `${vertex.url}/v1` },
        },
      });
      const messages = [{ role: 'user' as const, content: 'Count me, please.' }];
      setRoleProviders({ opus: { provider: 'bedrock' }, sonnet: { provider: 'vertex' } });
      const onBedrock = await llm.countTokens({ model: modelFor('opus'), messages });
      assert.ok(onBedrock > 0);
      assert.equal(bedrock.requests.length, 0, 'Bedrock has no token counting: nothing was sent');
      const onVertex = await llm.countTokens({ model: modelFor('sonnet'), messages });
      assert.ok(onVertex > 0);
      assert.ok(vertex.requests.some((r) => r.path.endsWith('/models/count-tokens:rawPredict')));

      fake.enqueue(textReply('Hi from Bedrock.'));
      const answer = await llm.call({ model: modelFor('opus'), messages, maxTokens: 1000 });
      assert.equal(answer.text, 'Hi from Bedrock.');
      assert.equal(
        bedrock.requests.at(-1)?.path,
        '/model/global.anthropic.claude-opus-5-5/invoke-with-response-stream',
      );
    } finally {
      await bedrock.close();
      await vertex.close();
      await fake.close();
    }
  });
});
