import assert from 'node:assert/strict';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { createAnthropic } from '../../src/core/llm/anthropic';
import { LlmClient } from '../../src/core/llm/client';
import { LlmError } from '../../src/core/llm/errors';
import { modelFor } from '../../src/core/models';
import { Ledger } from '../../src/core/usage/ledger';
import {
  contextWindowReply,
  refusalReply,
  textReply,
  thinkingBlock,
  toolUseReply,
  truncatedThinkingReply,
  truncatedToolUseReply,
} from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

const KEY = 'sk-ant-test-0123456789-secret';
const sonnet = modelFor('sonnet');
const messages: MessageParam[] = [{ role: 'user', content: 'Add a test for parseArgs.' }];
const request = { model: sonnet, messages, maxTokens: 1000 };

async function llmError(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof LlmError, `expected an LlmError, got ${String(err)}`);
    assert.ok(!err.message.includes(KEY), 'the API key never appears in an error');
    return err;
  }
  assert.fail('the call should have failed');
}

describe('LlmClient retries and errors', () => {
  let fake: FakeAnthropic;
  let llm: LlmClient;

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    llm = new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 3 });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('waits out a 429 for its retry-after and then succeeds', async () => {
    fake.enqueue({ httpError: 429, retryAfter: 1 }, textReply('done'));
    const started = Date.now();
    const result = await llm.call(request);
    assert.equal(result.text, 'done');
    assert.equal(fake.requests.length, 2);
    assert.ok(Date.now() - started >= 900, 'honoured retry-after: 1');
  });

  it('retries a 529 overloaded response', async () => {
    fake.enqueue({ httpError: 529, retryAfterMs: 10 }, { httpError: 529, retryAfterMs: 10 }, textReply('done'));
    assert.equal((await llm.call(request)).text, 'done');
    assert.equal(fake.requests.length, 3);
  });

  it('says when to try again once rate-limit retries are spent', async () => {
    const strict = new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 1 });
    fake.enqueue(
      { httpError: 429, retryAfter: 30, retryAfterMs: 10 },
      { httpError: 429, retryAfter: 30, retryAfterMs: 10 },
    );
    const err = await llmError(strict.call(request));
    assert.equal(err.kind, 'rate_limit');
    assert.equal(err.status, 429);
    assert.equal(err.retryable, true);
    assert.match(err.message, /Rate limited .*try again in 30 s/);
    assert.match(err.message, /\(request req_[0-9a-f]+\)$/);
    assert.equal(fake.requests.length, 2);
  });

  it('retries the whole call once when the stream reports overload before any content', async () => {
    fake.enqueue({ streamError: 'overloaded_error', usage: { input: 300 } }, textReply('second time lucky'));
    const ledger = new Ledger();
    const result = await llm.call(request, { ledger, owner: 's2' });
    assert.equal(result.text, 'second time lucky');
    assert.equal(fake.requests.length, 2);
    const entries = ledger.entries();
    assert.equal(entries.length, 2, 'the broken stream is billed and recorded too');
    assert.equal(entries[0]?.usage.input, 300);
  });

  it('gives up with an overloaded error when the stream breaks twice', async () => {
    fake.enqueue({ streamError: 'overloaded_error' }, { streamError: 'overloaded_error' }, textReply('never'));
    const err = await llmError(llm.call(request));
    assert.equal(err.kind, 'overloaded');
    assert.equal(err.retryable, true);
    assert.match(err.message, /overloaded.*try again/);
    assert.match(err.requestId ?? '', /^req_/);
    assert.equal(fake.requests.length, 2);
  });

  it('does not repeat a call whose stream broke after content had started', async () => {
    fake.enqueue({ streamError: 'overloaded_error', afterContent: true }, textReply('never'));
    const err = await llmError(llm.call(request));
    assert.equal(err.kind, 'overloaded');
    assert.equal(fake.requests.length, 1);
  });

  it('lets the SDK retry a connection dropped before the response', async () => {
    fake.enqueue({ drop: 'before-headers' }, textReply('reconnected'));
    assert.equal((await llm.call(request)).text, 'reconnected');
    assert.equal(fake.requests.length, 2);
  });

  it('reports a connection dropped mid-stream as a retryable connection error', async () => {
    fake.enqueue({ drop: 'mid-stream' }, textReply('never'));
    const ledger = new Ledger();
    const err = await llmError(llm.call(request, { ledger }));
    assert.equal(err.kind, 'connection');
    assert.equal(err.retryable, true);
    assert.match(err.message, /connection .*broke mid-response.*Try again/);
    assert.match(err.requestId ?? '', /^req_/);
    assert.equal(fake.requests.length, 1);
    assert.equal(ledger.entries().length, 1, 'the partial call is recorded');
  });

  it('reports an unreachable API as a connection error', async () => {
    const url = fake.url;
    await fake.close();
    const offline = new LlmClient({ apiKey: KEY, baseURL: url, maxRetries: 0 });
    const err = await llmError(offline.call(request));
    assert.equal(err.kind, 'connection');
    assert.match(err.message, /Could not reach the Anthropic API/);
    fake = await startFakeAnthropic();
  });

  it('maps 401, 403, 404, 400 and 413 to typed errors with the request id and no retry', async () => {
    const cases = [
      { status: 401, kind: 'auth', text: /rejected the key \(401\).*Set Anthropic API Key/ },
      { status: 403, kind: 'permission', text: /may not use model 'claude-sonnet-5-5'/ },
      {
        status: 404,
        kind: 'not_found',
        text: /Model 'claude-sonnet-5-5' was not found \(404\).*opusOrchestrator\.models/,
      },
      { status: 400, kind: 'bad_request', text: /refused the request \(400: messages: field required\)/ },
      { status: 413, kind: 'too_large', text: /too large .*Reduce the files in scope/ },
    ] as const;
    for (const c of cases) {
      const before = fake.requests.length;
      // Nothing scripted after the error: a retry would meet the fake's own 500 and fail the kind check.
      fake.enqueue({ httpError: c.status });
      const err = await llmError(llm.call(request));
      assert.equal(err.kind, c.kind);
      assert.equal(err.status, c.status);
      assert.equal(err.retryable, false);
      assert.match(err.message, c.text);
      assert.match(err.message, /\(request req_[0-9a-f]+\)$/);
      assert.equal(fake.requests.length - before, 1, `${c.status} is not retried`);
    }
  });

  it('rejects a wrong key as auth without retrying, and never echoes a key', async () => {
    const wrong = new LlmClient({ apiKey: 'sk-ant-wrong-key-abcdef', baseURL: fake.url });
    const err = await llmError(wrong.call(request));
    assert.equal(err.kind, 'auth');
    assert.ok(!err.message.includes('sk-ant-wrong-key-abcdef'));
    fake.enqueue({ httpError: 400, message: `bad header: x-api-key ${KEY}` });
    const echoed = await llmError(llm.call(request));
    assert.match(echoed.message, /\[redacted key\]/);
  });

  it('retries a tool call cut off by max_tokens with twice the budget, then gives up', async () => {
    fake.enqueue(truncatedToolUseReply('str_replace_based_edit_tool', '{"command":"create","file_text":"ab'));
    fake.enqueue(toolUseReply([{ name: 'str_replace_based_edit_tool', input: { command: 'view', path: 'a.ts' } }]));
    const ok = await llm.call(request);
    assert.equal(ok.stopReason, 'tool_use');
    assert.deepEqual(
      fake.requests.map((r) => r.body.max_tokens),
      [1000, 2000],
    );

    fake.requests.length = 0;
    fake.enqueue(truncatedToolUseReply('str_replace_based_edit_tool', '{"co'));
    fake.enqueue(truncatedToolUseReply('str_replace_based_edit_tool', '{"command":"cr'));
    const err = await llmError(llm.call(request));
    assert.equal(err.kind, 'max_tokens');
    assert.match(err.message, /ran out of output tokens \(max_tokens 2000\).*maxOutputTokens/);
    assert.equal(fake.requests.length, 2);
  });

  it('does not retry a cut-off tool call already at the model maximum', async () => {
    fake.enqueue(truncatedToolUseReply('str_replace_based_edit_tool', '{"co'), textReply('never'));
    const err = await llmError(llm.call({ ...request, maxTokens: sonnet.maxOutput }));
    assert.equal(err.kind, 'max_tokens');
    assert.equal(fake.requests.length, 1);
  });

  it('retries a stop inside thinking with twice the budget, then says it ran out while thinking', async () => {
    const tools = [{ type: 'text_editor_20250728' as const, name: 'str_replace_based_edit_tool' as const }];
    fake.enqueue(truncatedThinkingReply(), textReply('Second time, with room to think.'));
    const ledger = new Ledger();
    const ok = await llm.call({ ...request, tools }, { ledger });
    assert.equal(ok.text, 'Second time, with room to think.');
    assert.deepEqual(
      fake.requests.map((r) => r.body.max_tokens),
      [1000, 2000],
    );
    assert.equal(ledger.entries().length, 2, 'the cut-off call is billed and recorded');
    assert.equal(ledger.entries()[0]?.usage.output, 1000, 'a max_tokens stop spent the whole budget');

    fake.requests.length = 0;
    fake.enqueue(truncatedThinkingReply(), truncatedThinkingReply());
    const err = await llmError(llm.call({ ...request, tools }));
    assert.equal(err.kind, 'max_tokens');
    assert.equal(err.retryable, false);
    assert.match(err.message, /ran out of output tokens \(max_tokens 2000\) while thinking, before it answered/);
    assert.match(err.message, /opusOrchestrator\.maxOutputTokens/);
    assert.equal(fake.requests.length, 2);
  });

  it('treats every max_tokens stop that leaves no complete answer as a truncation', async () => {
    const tools = [{ type: 'text_editor_20250728' as const, name: 'str_replace_based_edit_tool' as const }];
    const schema = { type: 'json_schema' as const, schema: { type: 'object' } };
    const cases = [
      { what: 'a finished thought and nothing after it', reply: { content: [], stopReason: 'max_tokens' as const } },
      {
        what: 'text cut off in a turn that may still call a tool',
        reply: { content: [{ type: 'text' as const, text: 'Now I will edit' }], stopReason: 'max_tokens' as const },
        req: { tools },
      },
      {
        what: 'half a structured answer after a thought',
        reply: { content: [{ type: 'text' as const, text: '{"goal": "Add a fl' }], stopReason: 'max_tokens' as const },
        req: { outputFormat: schema },
      },
    ];
    for (const c of cases) {
      fake.requests.length = 0;
      fake.enqueue(c.reply, c.reply);
      const err = await llmError(llm.call({ ...request, ...c.req }));
      assert.equal(err.kind, 'max_tokens', c.what);
      assert.deepEqual(
        fake.requests.map((r) => r.body.max_tokens),
        [1000, 2000],
        c.what,
      );
    }
  });

  it('stops at the context window with a clear error that a bigger max_tokens cannot help', async () => {
    fake.enqueue(contextWindowReply(), textReply('never'));
    const ledger = new Ledger();
    const err = await llmError(llm.call(request, { ledger, owner: 'add-tests' }));
    assert.equal(err.kind, 'context_window');
    assert.equal(err.retryable, false);
    assert.match(err.message, /context window/);
    assert.match(err.message, /model_context_window_exceeded/);
    assert.match(err.message, /narrow/i);
    assert.doesNotMatch(err.message, /Raise opusOrchestrator\.maxOutputTokens/);
    assert.equal(fake.requests.length, 1, 'not retried: the same request would overflow again');
    assert.equal(ledger.entries().length, 1, 'the call is billed and recorded');
  });

  it('carries stop_details and the model to fall back on when a worker model declines', async () => {
    const details = { category: 'cyber' as const, explanation: 'This resembles exploit development.' };
    fake.enqueue(refusalReply('', details));
    const err = await llmError(llm.call(request, { owner: 'add-tests' }));
    assert.equal(err.kind, 'refusal');
    assert.deepEqual(err.stopDetails, { type: 'refusal', ...details });
    assert.equal(err.fallback, 'opus', 'a refused Sonnet request is offered on Opus');
    assert.match(err.message, /Sonnet declined/);
    assert.match(err.message, /cyber/);
    assert.match(err.message, /This resembles exploit development/);
    assert.match(err.message, /[Rr]etry the subtask on Opus/);
    assert.equal(fake.requests.length, 1, 'the same model is not asked again');
  });

  it('tells the planner what to do when Opus declines, and offers no other model for reasoning extraction', async () => {
    fake.enqueue(refusalReply('', { category: 'general_harms', explanation: null }));
    const opus = modelFor('opus');
    const plan = await llmError(llm.call({ ...request, model: opus }, { owner: 'plan' }));
    assert.equal(plan.kind, 'refusal');
    assert.equal(plan.fallback, 'sonnet');
    assert.match(plan.message, /Opus declined to plan this task/);
    assert.match(plan.message, /opusOrchestrator\.models\.opus/);

    fake.enqueue(refusalReply('', { category: 'reasoning_extraction', explanation: null }));
    const leak = await llmError(llm.call(request, { owner: 'add-tests' }));
    assert.equal(leak.fallback, undefined, 'another model declines the same way');
    assert.match(leak.message, /reasoning/);
  });

  it('sends the assistant turn back with its thinking, and the server accepts it', async () => {
    const tools = [{ type: 'text_editor_20250728' as const, name: 'str_replace_based_edit_tool' as const }];
    const thinking = thinkingBlock('Read it first.');
    const call = { name: 'str_replace_based_edit_tool', input: { command: 'view', path: 'a.ts' }, id: 'toolu_x1' };
    fake.enqueue({ ...toolUseReply([call]), content: [thinking, ...toolUseReply([call]).content] }, textReply('ok'));
    const first = await llm.call({ ...request, tools });
    const next = [
      ...messages,
      { role: 'assistant' as const, content: first.message.content },
      { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_x1', content: 'x' }] },
    ];
    assert.equal((await llm.call({ ...request, tools, messages: next })).text, 'ok');
    const dropped = [next[0]!, { role: 'assistant' as const, content: first.message.content.slice(1) }, next[2]!];
    const err = await llmError(llm.call({ ...request, tools, messages: dropped }));
    assert.equal(err.kind, 'bad_request', 'the API refuses a tool turn whose thinking was dropped');
  });

  it('turns a refusal into a refusal error and still records its usage', async () => {
    fake.enqueue(refusalReply('I cannot help with that.'));
    const ledger = new Ledger();
    const err = await llmError(llm.call(request, { ledger }));
    assert.equal(err.kind, 'refusal');
    assert.equal(err.retryable, false);
    assert.match(err.message, /declined.*rephrase the task/);
    assert.equal(ledger.entries().length, 1);
  });

  it('cancels mid-stream quickly when the signal aborts', async () => {
    const long = 'word '.repeat(400);
    fake.enqueue({ ...textReply(long), chunkDelayMs: 20 });
    const controller = new AbortController();
    const ledger = new Ledger();
    let abortedAt = 0;
    const call = llm.call(request, {
      signal: controller.signal,
      ledger,
      onText: () => {
        if (!abortedAt) {
          abortedAt = Date.now();
          controller.abort();
        }
      },
    });
    const err = await llmError(call);
    assert.equal(err.kind, 'cancelled');
    assert.ok(Date.now() - abortedAt < 300, 'stops without waiting for the rest of the stream');
    assert.equal(ledger.entries().length, 1, 'the partial, billed usage is recorded');
    assert.equal(fake.requests.length, 1);
  });

  it('cancels before sending when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    fake.enqueue(textReply('never'));
    const err = await llmError(llm.call(request, { signal: controller.signal }));
    assert.equal(err.kind, 'cancelled');
    assert.equal(fake.requests.length, 0);
  });
});

describe('createAnthropic', () => {
  const saved = process.env.ANTHROPIC_API_KEY;

  afterEach(() => {
    if (saved === undefined) {
      delete process.env.ANTHROPIC_API_KEY;
    } else {
      process.env.ANTHROPIC_API_KEY = saved;
    }
  });

  it('refuses to start without a key and says how to set one', async () => {
    delete process.env.ANTHROPIC_API_KEY;
    assert.throws(
      () => createAnthropic({ baseURL: 'http://127.0.0.1:9' }),
      (err: unknown) =>
        err instanceof LlmError &&
        err.kind === 'auth' &&
        /Opus Orchestrator: Set Anthropic API Key/.test(err.message) &&
        /ANTHROPIC_API_KEY/.test(err.message),
    );
    const err = await llmError(new LlmClient({ baseURL: 'http://127.0.0.1:9' }).call(request));
    assert.equal(err.kind, 'auth');
  });

  it('reads the key from ANTHROPIC_API_KEY', () => {
    process.env.ANTHROPIC_API_KEY = KEY;
    assert.equal(createAnthropic({ baseURL: 'http://127.0.0.1:9' }).apiKey, KEY);
  });
});
