import assert from 'node:assert/strict';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { LlmClient } from '../../src/core/llm/client';
import type { StreamTimeouts } from '../../src/core/llm/watchdog';
import { LlmError } from '../../src/core/llm/errors';
import { modelFor } from '../../src/core/models';
import { Ledger } from '../../src/core/usage/ledger';
import type { StallReply } from '../fake-anthropic/replies';
import { textReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

const KEY = 'sk-ant-test-stall-0123456789';
const messages: MessageParam[] = [{ role: 'user', content: 'Plan the change.' }];
const request = { model: modelFor('opus'), messages, maxTokens: 1000 };

/**
 * Short timeouts keep the suite quick. STALL_TEST_DEFAULTS=1 runs the same tests with the shipped defaults, to see
 * how long a stalled call takes to fail in real use (the time is logged, never asserted).
 */
const useDefaults = process.env.STALL_TEST_DEFAULTS === '1';
const timeouts: Partial<StreamTimeouts> | undefined = useDefaults ? undefined : { responseMs: 400, idleMs: 400 };

describe('LlmClient with a stalled stream', function () {
  this.timeout(useDefaults ? 30 * 60_000 : 20_000);
  let fake: FakeAnthropic;
  let llm: LlmClient;

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    llm = new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 0, streamTimeouts: timeouts });
  });

  afterEach(async () => {
    await fake.close();
  });

  async function stalled(stall: StallReply['stall'], ledger?: Ledger): Promise<LlmError> {
    fake.enqueue({ stall, pingEveryMs: 25 }, { stall, pingEveryMs: 25 });
    const started = Date.now();
    const err = await llm.call(request, { ledger, owner: 'plan' }).then(
      () => assert.fail('the call should have failed'),
      (e: unknown) => e,
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`      (${stall}: failed after ${seconds} s, ${fake.requests.length} requests)\n`);
    assert.ok(err instanceof LlmError, String(err));
    return err;
  }

  it('gives up on a stream that stops after message_start, after one retry, naming the timeout and its setting', async () => {
    const ledger = new Ledger();
    const err = await stalled('after-message-start', ledger);
    assert.equal(err.kind, 'stalled');
    assert.equal(err.retryable, true);
    assert.match(err.message, /sent nothing for [\d.]+ s/);
    assert.match(err.message, /opusOrchestrator\.timeouts\.streamIdleSeconds/);
    assert.match(err.message, /OPUS_ORCHESTRATOR_STREAM_IDLE_TIMEOUT/);
    assert.match(err.message, /\(request req_[0-9a-f]+\)$/);
    assert.equal(fake.requests.length, 2, 'retried once');
    assert.equal(ledger.entries().length, 2, 'both started calls are recorded with the usage message_start gave');
  });

  it('does not count keep-alive pings as progress', async () => {
    const err = await stalled('pings');
    assert.equal(err.kind, 'stalled');
    assert.match(err.message, /only keep-alive pings/);
    assert.equal(fake.requests.length, 2);
  });

  it('gives up on response headers that never come, and on headers followed by silence', async () => {
    const none = await stalled('before-headers');
    assert.equal(none.kind, 'stalled');
    assert.match(none.message, /did not start answering within [\d.]+ s/);
    assert.match(none.message, /opusOrchestrator\.timeouts\.responseSeconds/);
    assert.match(none.message, /OPUS_ORCHESTRATOR_RESPONSE_TIMEOUT/);
    assert.equal(fake.requests.length, 2);

    fake.requests.length = 0;
    const silent = await stalled('after-headers');
    assert.equal(silent.kind, 'stalled');
    assert.match(silent.message, /opusOrchestrator\.timeouts\.streamIdleSeconds/);
    assert.equal(fake.requests.length, 2);
  });

  it('answers from the retry when only the first stream stalls', async () => {
    fake.enqueue({ stall: 'pings', pingEveryMs: 25 }, textReply('The plan, second time round.'));
    const result = await llm.call(request);
    assert.equal(result.text, 'The plan, second time round.');
    assert.equal(fake.requests.length, 2);
  });

  it('keeps a slow stream whose content keeps moving', async function () {
    if (useDefaults) {
      this.skip();
    }
    const text = 'A steady answer. '.repeat(12);
    // About 25 events 40 ms apart: the whole stream outlasts the idle timeout, no single gap comes near it.
    fake.enqueue({ ...textReply(text), chunkDelayMs: 40 });
    const result = await llm.call(request);
    assert.equal(result.text, text);
    assert.equal(fake.requests.length, 1);
  });

  it('still cancels at once while waiting on a stall', async () => {
    fake.enqueue({ stall: 'pings', pingEveryMs: 25 });
    const controller = new AbortController();
    const call = llm.call(request, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await call.catch((e: unknown) => e);
    assert.ok(err instanceof LlmError);
    assert.equal(err.kind, 'cancelled');
    assert.equal(fake.requests.length, 1);
  });
});
