import assert from 'node:assert/strict';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import {
  contextWindowReply,
  refusalReply,
  textReply,
  thinkingBlock,
  toolUseReply,
  truncatedThinkingReply,
  truncatedToolUseReply,
} from '../fake-anthropic/replies';

interface Sse {
  event: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): Sse[] {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const event = /^event: (.*)$/m.exec(chunk)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(chunk)?.[1] ?? '{}') as Record<string, unknown>;
      return { event, data };
    });
}

async function post(fake: FakeAnthropic, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-test' },
    body: JSON.stringify(body),
    signal,
  });
}

const BASE = { model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] };

describe('fake Messages API server', () => {
  let fake: FakeAnthropic;

  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });

  afterEach(async () => {
    await fake.close();
  });

  it('streams a text reply with the API event sequence, a request id and cumulative usage', async () => {
    fake.enqueue(textReply('Hello from the fake model, in several chunks.', { input: 12, output: 9 }));
    const res = await post(fake, '/v1/messages', { ...BASE, stream: true });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.match(res.headers.get('request-id') ?? '', /^req_/);
    const events = parseSse(await res.text());
    const names = events.map((e) => e.event).filter((n) => n !== 'ping');
    assert.equal(names[0], 'message_start');
    assert.equal(names[1], 'content_block_start');
    assert.deepEqual(names.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
    assert.ok(events.some((e) => e.event === 'ping'));
    for (const e of events) {
      assert.equal(e.data.type, e.event, 'each event repeats its name as data.type');
    }
    const start = events[0]?.data.message as { id: string; model: string; content: unknown[]; usage: object };
    assert.match(start.id, /^msg_/);
    assert.equal(start.model, 'claude-sonnet-5-5');
    assert.deepEqual(start.content, []);
    for (const key of ['input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens', 'output_tokens']) {
      assert.equal(typeof (start.usage as Record<string, unknown>)[key], 'number', key);
    }
    const deltas = events.filter((e) => e.event === 'content_block_delta');
    assert.ok(deltas.length > 1, 'text arrives in several deltas');
    const text = deltas.map((e) => (e.data.delta as { text: string }).text).join('');
    assert.equal(text, 'Hello from the fake model, in several chunks.');
    const final = events.find((e) => e.event === 'message_delta')?.data;
    assert.deepEqual((final?.delta as { stop_reason: string }).stop_reason, 'end_turn');
    assert.equal((final?.usage as { output_tokens: number }).output_tokens, 9);
  });

  it('splits tool input JSON into partial chunks that join to the input', async () => {
    const input = { command: 'str_replace', path: 'src/a.ts', old_str: 'a', new_str: 'b' };
    fake.enqueue(toolUseReply([{ name: 'str_replace_based_edit_tool', input, id: 'toolu_1' }]));
    const events = parseSse(await (await post(fake, '/v1/messages', { ...BASE, stream: true })).text());
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data.content_block);
    assert.deepEqual(starts[0], { type: 'thinking', thinking: '', signature: '' }, 'the model thinks first');
    assert.deepEqual(starts[1], {
      type: 'tool_use',
      id: 'toolu_1',
      name: 'str_replace_based_edit_tool',
      input: {},
      caller: { type: 'direct' },
    });
    const parts = events
      .filter((e) => e.event === 'content_block_delta' && e.data.index === 1)
      .map((e) => e.data.delta as { type: string; partial_json: string });
    assert.ok(parts.length >= 3);
    assert.ok(parts.every((p) => p.type === 'input_json_delta'));
    assert.deepEqual(JSON.parse(parts.map((p) => p.partial_json).join('')), input);
    const stop = events.find((e) => e.event === 'message_delta')?.data.delta as { stop_reason: string };
    assert.equal(stop.stop_reason, 'tool_use');
  });

  it('thinks first by default: a signature and no text, as the default display sends it', async () => {
    fake.enqueue(textReply('Done.'), textReply('Done.'), textReply('Done.'));
    const events = parseSse(await (await post(fake, '/v1/messages', { ...BASE, stream: true })).text());
    const blocks = events.filter((e) => e.event.startsWith('content_block')).map((e) => e.data);
    assert.deepEqual(
      blocks.slice(0, 3).map((b) => [b.type, (b.delta as { type?: string } | undefined)?.type]),
      [
        ['content_block_start', undefined],
        ['content_block_delta', 'signature_delta'],
        ['content_block_stop', undefined],
      ],
    );
    const signature = (blocks[1]?.delta as { signature: string }).signature;
    assert.ok(signature.length > 20);

    const summary = { ...BASE, stream: true, thinking: { type: 'adaptive', display: 'summarized' } };
    const shown = parseSse(await (await post(fake, '/v1/messages', summary)).text());
    assert.ok(shown.some((e) => (e.data.delta as { type?: string } | undefined)?.type === 'thinking_delta'));

    const off = parseSse(
      await (await post(fake, '/v1/messages', { ...BASE, stream: true, thinking: { type: 'disabled' } })).text(),
    );
    assert.deepEqual(
      off.filter((e) => e.event === 'content_block_start').map((e) => (e.data.content_block as { type: string }).type),
      ['text'],
    );
  });

  it('streams a scripted thinking summary on request, and answers non-streaming requests with a whole Message', async () => {
    const thinking = thinkingBlock('Consider the file first.');
    const reply = { content: [thinking, { type: 'text' as const, text: 'Done.' }] };
    fake.enqueue(reply, reply);
    const summarized = { thinking: { type: 'adaptive', display: 'summarized' } };
    const events = parseSse(await (await post(fake, '/v1/messages', { ...BASE, ...summarized, stream: true })).text());
    const kinds = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (e.data.delta as { type: string }).type);
    assert.ok(kinds.includes('thinking_delta'));
    assert.ok(kinds.indexOf('signature_delta') < kinds.indexOf('text_delta'));
    const whole = (await (await post(fake, '/v1/messages', BASE)).json()) as Record<string, unknown>;
    assert.equal(whole.type, 'message');
    assert.equal(whole.stop_reason, 'end_turn');
    assert.deepEqual((whole.content as unknown[])[0], { ...thinking, thinking: '' }, 'the default display');
  });

  it('sends the API error body and retry-after header for an HTTP error', async () => {
    fake.enqueue({ httpError: 429, retryAfter: 7 });
    const res = await post(fake, '/v1/messages', { ...BASE, stream: true });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '7');
    const requestId = res.headers.get('request-id');
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['type', 'error', 'request_id']);
    assert.equal(body.type, 'error');
    assert.equal((body.error as { type: string }).type, 'rate_limit_error');
    assert.equal(body.request_id, requestId);
  });

  it('breaks a stream with an error event before any content block', async () => {
    fake.enqueue({ streamError: 'overloaded_error' });
    const res = await post(fake, '/v1/messages', { ...BASE, stream: true });
    assert.equal(res.status, 200);
    const events = parseSse(await res.text());
    assert.deepEqual(
      events.map((e) => e.event).filter((n) => n !== 'ping'),
      ['message_start', 'error'],
    );
    assert.equal((events.at(-1)?.data.error as { type: string }).type, 'overloaded_error');
  });

  it('marks a max_tokens stop inside a tool call and a refusal with their stop reasons', async () => {
    fake.enqueue(truncatedToolUseReply('str_replace_based_edit_tool', '{"command":"create","path":"a.ts","file_te'));
    fake.enqueue(refusalReply());
    const cut = parseSse(await (await post(fake, '/v1/messages', { ...BASE, stream: true })).text());
    const json = cut
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (e.data.delta as { partial_json: string }).partial_json)
      .join('');
    assert.equal(json, '{"command":"create","path":"a.ts","file_te');
    assert.equal(
      (cut.find((e) => e.event === 'message_delta')?.data.delta as { stop_reason: string }).stop_reason,
      'max_tokens',
    );
    const refused = parseSse(await (await post(fake, '/v1/messages', { ...BASE, stream: true })).text());
    const delta = refused.find((e) => e.event === 'message_delta')?.data.delta as Record<string, unknown>;
    assert.equal(delta.stop_reason, 'refusal');
  });

  it('stops inside a thinking block, declines with stop_details, and stops at the context window', async () => {
    fake.enqueue(truncatedThinkingReply());
    fake.enqueue(refusalReply('', { category: 'cyber', explanation: 'This looks like exploit development.' }));
    fake.enqueue(contextWindowReply());
    const cut = parseSse(await (await post(fake, '/v1/messages', { ...BASE, stream: true })).text());
    const names = cut.map((e) => e.event).filter((n) => n !== 'ping');
    assert.deepEqual(names, ['message_start', 'content_block_start', 'message_delta', 'message_stop']);
    const cutDelta = cut.find((e) => e.event === 'message_delta')?.data;
    assert.equal((cutDelta?.delta as { stop_reason: string }).stop_reason, 'max_tokens');
    assert.equal((cutDelta?.usage as { output_tokens: number }).output_tokens, 100, 'the whole budget was spent');

    const refused = parseSse(await (await post(fake, '/v1/messages', { ...BASE, stream: true })).text());
    const delta = refused.find((e) => e.event === 'message_delta')?.data.delta as Record<string, unknown>;
    assert.equal(delta.stop_reason, 'refusal');
    assert.deepEqual(delta.stop_details, {
      type: 'refusal',
      category: 'cyber',
      explanation: 'This looks like exploit development.',
    });

    const full = parseSse(await (await post(fake, '/v1/messages', { ...BASE, stream: true })).text());
    const fullDelta = full.find((e) => e.event === 'message_delta')?.data.delta as Record<string, unknown>;
    assert.equal(fullDelta.stop_reason, 'model_context_window_exceeded');
  });

  it('stalls: no headers, headers only, message_start only, or pings forever, until the client leaves', async () => {
    for (const stall of ['before-headers', 'after-headers', 'after-message-start', 'pings'] as const) {
      fake.enqueue({ stall, pingEveryMs: 10 });
      const controller = new AbortController();
      const seen: string[] = [];
      const read = (async () => {
        const res = await post(fake, '/v1/messages', { ...BASE, stream: true }, controller.signal);
        seen.push(`status ${res.status}`);
        const reader = res.body?.getReader();
        for (;;) {
          const chunk = await reader?.read();
          if (!chunk || chunk.done) {
            break;
          }
          seen.push(...parseSse(new TextDecoder().decode(chunk.value)).map((e) => e.event));
        }
      })().catch((err: unknown) => seen.push((err as Error).name));
      await new Promise((resolve) => setTimeout(resolve, 150));
      controller.abort();
      await read;
      const expected = {
        'before-headers': ['AbortError'],
        'after-headers': ['status 200', 'AbortError'],
        'after-message-start': ['status 200', 'message_start', 'AbortError'],
      } as const;
      if (stall === 'pings') {
        assert.deepEqual(seen.slice(0, 2), ['status 200', 'message_start'], stall);
        assert.ok(seen.filter((e) => e === 'ping').length >= 3, `${stall}: ${seen.join(', ')}`);
        assert.equal(seen.at(-1), 'AbortError');
      } else {
        assert.deepEqual(seen, expected[stall], stall);
      }
    }
  });

  it('rejects a follow-up whose thinking blocks were altered, forged or dropped, as the API does with tools', async () => {
    const call = { name: 'str_replace_based_edit_tool', input: { command: 'view', path: 'a.ts' }, id: 'toolu_9' };
    fake.enqueue(toolUseReply([call]));
    const first = (await (await post(fake, '/v1/messages', BASE)).json()) as { content: Record<string, unknown>[] };
    const [thinking, toolUse] = first.content;
    assert.equal(thinking?.type, 'thinking');
    const result = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'x = 1' }] };
    const followUp = (assistant: unknown[]) => ({
      ...BASE,
      messages: [...BASE.messages, { role: 'assistant', content: assistant }, result],
    });
    const cases: Array<[string, unknown[]]> = [
      ['altered text', [{ ...thinking, thinking: 'I was thinking something else.' }, toolUse]],
      ['forged signature', [{ ...thinking, signature: 'c2lnOmZvcmdlZA==' }, toolUse]],
      ['dropped', [toolUse]],
    ];
    for (const [what, assistant] of cases) {
      const res = await post(fake, '/v1/messages', followUp(assistant));
      assert.equal(res.status, 400, what);
      const body = (await res.json()) as { error: { type: string; message: string } };
      assert.equal(body.error.type, 'invalid_request_error', what);
      assert.match(body.error.message, /^messages\.1\.content/, what);
    }
    fake.enqueue(textReply('Viewed.'));
    const unchanged = await post(fake, '/v1/messages', followUp(first.content));
    assert.equal(unchanged.status, 200, 'the turn sent back exactly as received is accepted');
  });

  it('records every request and answers from the responder once the queue is empty', async () => {
    fake.enqueue(textReply('queued'));
    fake.setResponder((req) => textReply(`echo ${String(req.body.max_tokens)}`));
    const first = (await (await post(fake, '/v1/messages', BASE)).json()) as { content: { text?: string }[] };
    const second = (await (await post(fake, '/v1/messages', { ...BASE, max_tokens: 42 })).json()) as typeof first;
    assert.equal(first.content.at(-1)?.text, 'queued');
    assert.equal(second.content.at(-1)?.text, 'echo 42');
    assert.equal(fake.requests.length, 2);
    assert.equal(fake.requests[1]?.method, 'POST');
    assert.equal(fake.requests[1]?.path, '/v1/messages');
    assert.equal(fake.requests[1]?.headers['x-api-key'], 'sk-test');
    assert.equal(fake.requests[1]?.body.max_tokens, 42);
  });

  it('fails loudly, and not retryably, when nothing is scripted', async () => {
    const res = await post(fake, '/v1/messages', BASE);
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('x-should-retry'), 'false');
    const body = (await res.json()) as { error: { message: string } };
    assert.match(body.error.message, /fake-anthropic: no scripted reply for \/v1\/messages/);
  });

  it('counts tokens as the JSON length of system, messages and tools over 3.5', async () => {
    const body = { model: 'claude-haiku-5-5', system: 'Be brief.', messages: BASE.messages };
    const res = await post(fake, '/v1/messages/count_tokens', body);
    const expected = Math.ceil(JSON.stringify({ system: body.system, messages: body.messages }).length / 3.5);
    assert.deepEqual(await res.json(), { input_tokens: expected });
  });

  it('rejects a wrong key when started with one', async () => {
    const strict = await startFakeAnthropic({ apiKey: 'sk-right' });
    try {
      const res = await post(strict, '/v1/messages', BASE);
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'authentication_error');
    } finally {
      await strict.close();
    }
  });
});
