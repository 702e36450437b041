import assert from 'node:assert/strict';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { LlmClient } from '../../src/core/llm/client';
import { modelFor } from '../../src/core/models';
import { Ledger } from '../../src/core/usage/ledger';
import type { Usage } from '../../src/core/usage/usage';
import { jsonReply, textReply, thinkingBlock, toolUseReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

const KEY = 'sk-ant-test-0123456789-secret';
const sonnet = modelFor('sonnet');
const messages: MessageParam[] = [{ role: 'user', content: 'Rename the helper in src/a.ts.' }];

describe('LlmClient over the real SDK', () => {
  let fake: FakeAnthropic;
  let llm: LlmClient;

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    llm = new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 3 });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('streams text to onText and reports growing live usage ending at the final count', async () => {
    const text = 'The helper is renamed; every caller in src/ now uses the new name and the tests still pass.';
    fake.enqueue({ ...textReply(text, { input: 20, output: 50, cacheRead: 7, cacheWrite: 3 }), chunkDelayMs: 2 });
    const deltas: string[] = [];
    const live: Usage[] = [];
    const result = await llm.call(
      { model: sonnet, messages, maxTokens: 1000 },
      { onText: (d) => deltas.push(d), onUsage: (u) => live.push(u) },
    );
    assert.equal(result.text, text);
    assert.ok(deltas.length > 1, 'text arrives in several deltas');
    assert.equal(deltas.join(''), text);
    assert.equal(result.stopReason, 'end_turn');
    assert.deepEqual(result.usage, { input: 20, output: 50, cacheRead: 7, cacheWrite: 3 });
    assert.match(result.requestId ?? '', /^req_/);
    assert.ok(live.length >= 2);
    assert.deepEqual(live[0], { input: 20, output: 1, cacheRead: 7, cacheWrite: 3, phase: 'starting' });
    assert.deepEqual(live.at(-1), { ...result.usage, phase: 'writing' });
    for (let i = 1; i < live.length; i += 1) {
      assert.ok((live[i]?.output ?? 0) >= (live[i - 1]?.output ?? 0), 'live output never goes down');
    }
    const sent = fake.requests[0]?.body;
    assert.equal(sent?.stream, true, 'every call streams');
    assert.equal(sent?.model, 'claude-sonnet-5-5');
    assert.equal(sent?.max_tokens, 1000);
  });

  it('moves the live output count while content streams, before the final count arrives', async () => {
    const text = 'x'.repeat(700);
    fake.enqueue({ ...textReply(text, { input: 10, output: 5_000 }), chunkDelayMs: 8 });
    const live: number[] = [];
    await llm.call({ model: sonnet, messages, maxTokens: 8000 }, { onUsage: (u) => live.push(u.output) });
    // Updates that only say the model moved on (thinking, then writing) repeat the count message_start gave.
    const between = live.slice(1, -1).filter((n) => n !== live[0]);
    assert.ok(between.length >= 1, `expected estimated updates mid-stream, got ${live.join(', ')}`);
    assert.ok(
      between.every((n) => n > 1 && n <= 200),
      'estimates follow the streamed characters',
    );
    assert.equal(live.at(-1), 5_000);
  });

  it('publishes what the model is doing with the live usage: thinking, writing, calling a tool', async () => {
    const call = { name: 'str_replace_based_edit_tool', input: { command: 'view', path: 'src/a.ts' } };
    const reply = toolUseReply([call], { input: 40, output: 300 });
    fake.enqueue({
      ...reply,
      content: [{ type: 'text', text: 'Looking at src/a.ts first.' }, ...reply.content],
      chunkDelayMs: 5,
    });
    const tools = [{ type: 'text_editor_20250728' as const, name: 'str_replace_based_edit_tool' as const }];
    const phases: string[] = [];
    let thinkingOutput: number | undefined;
    await llm.call(
      { model: sonnet, messages, tools, maxTokens: 2000 },
      {
        onUsage: (u) => {
          const phase = 'phase' in u ? String(u.phase) : 'none';
          if (phases.at(-1) !== phase) {
            phases.push(phase);
          }
          thinkingOutput ??= phase === 'thinking' ? u.output : undefined;
        },
      },
    );
    assert.deepEqual(phases, ['starting', 'thinking', 'writing', 'tool']);
    assert.equal(thinkingOutput, 1, 'the default display streams no thinking text: the count alone would stand still');
  });

  it('returns tool calls with their streamed JSON input parsed', async () => {
    const input = { command: 'str_replace', path: 'src/a.ts', old_str: 'function helper(', new_str: 'function tidy(' };
    fake.enqueue(toolUseReply([{ name: 'str_replace_based_edit_tool', input, id: 'toolu_01' }]));
    const tools = [{ type: 'text_editor_20250728' as const, name: 'str_replace_based_edit_tool' as const }];
    const result = await llm.call({ model: sonnet, messages, tools, maxTokens: 2000 });
    assert.equal(result.stopReason, 'tool_use');
    assert.deepEqual(
      result.message.content.map((b) => b.type),
      ['thinking', 'tool_use'],
      'the model thinks before it calls the tool',
    );
    const block = result.message.content[1];
    assert.equal(block?.type, 'tool_use');
    assert.equal(block?.type === 'tool_use' ? block.id : '', 'toolu_01');
    assert.deepEqual(block?.type === 'tool_use' ? block.input : undefined, input);
    assert.deepEqual(fake.requests[0]?.body.tools, tools);
  });

  it('keeps thinking blocks intact, signature included, summarised or (by default) omitted', async () => {
    const thinking = thinkingBlock('The caller list is in src/b.ts; rename there too.');
    assert.ok(thinking.type === 'thinking');
    fake.enqueue({ content: [thinking, { type: 'text', text: 'Renamed.' }] });
    fake.enqueue({ content: [thinking, { type: 'text', text: 'Renamed.' }] });
    const summarized = await llm.call({
      model: modelFor('opus'),
      messages,
      maxTokens: 4000,
      thinking: { type: 'adaptive', display: 'summarized' },
    });
    assert.deepEqual(summarized.message.content[0], {
      type: 'thinking',
      thinking: thinking.thinking,
      signature: thinking.signature,
    });
    assert.equal(summarized.text, 'Renamed.');
    assert.deepEqual(fake.requests[0]?.body.thinking, { type: 'adaptive', display: 'summarized' });

    const omitted = await llm.call({ model: modelFor('opus'), messages, maxTokens: 4000 });
    assert.deepEqual(omitted.message.content[0], { type: 'thinking', thinking: '', signature: thinking.signature });
    assert.equal(omitted.text, 'Renamed.');
    assert.equal(fake.requests[1]?.body.thinking, undefined, 'thinking is on by default without asking');
  });

  it('asks for structured output with output_config.format and returns the JSON as text', async () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    fake.enqueue(jsonReply({ ok: true }));
    const result = await llm.call({
      model: modelFor('opus'),
      system: [{ type: 'text', text: 'You plan.', cache_control: { type: 'ephemeral' } }],
      messages,
      maxTokens: 500,
      outputFormat: { type: 'json_schema', schema },
    });
    assert.deepEqual(JSON.parse(result.text), { ok: true });
    const body = fake.requests[0]?.body;
    assert.deepEqual(body?.output_config, { format: { type: 'json_schema', schema } });
    assert.deepEqual(body?.system, [{ type: 'text', text: 'You plan.', cache_control: { type: 'ephemeral' } }]);
    assert.equal(body?.tool_choice, undefined, 'never forces a tool');
  });

  it('records each call in the ledger and prices it (1M input tokens on Sonnet = $2)', async () => {
    fake.enqueue(textReply('ok', { input: 1_000_000, output: 0 }), textReply('ok', { input: 0, output: 1_000 }));
    const ledger = new Ledger();
    const first = await llm.call({ model: sonnet, messages, maxTokens: 100 }, { ledger, owner: 's1', attempt: 2 });
    await llm.call({ model: modelFor('haiku'), messages, maxTokens: 100 }, { ledger, owner: 'plan' });
    const [entry] = ledger.entries();
    assert.equal(entry?.owner, 's1');
    assert.equal(entry?.attempt, 2);
    assert.equal(entry?.model, 'claude-sonnet-5-5');
    assert.equal(entry?.role, 'sonnet');
    assert.equal(entry?.requestId, first.requestId);
    assert.equal(ledger.costOf('s1'), 2);
    assert.equal(ledger.costOf('plan'), 0.0005);
    assert.equal(ledger.byRole().haiku.usage.output, 1_000);
  });

  it('counts tokens through the API', async () => {
    const n = await llm.countTokens({ model: sonnet, system: 'Be brief.', messages });
    assert.equal(n, Math.ceil(JSON.stringify({ system: 'Be brief.', messages }).length / 3.5));
    assert.equal(fake.requests[0]?.path, '/v1/messages/count_tokens');
  });
});
