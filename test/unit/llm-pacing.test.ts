import assert from 'node:assert/strict';
import { Anthropic } from '@anthropic-ai/sdk';
import { LlmClient } from '../../src/core/llm/client';
import { modelFor } from '../../src/core/models';
import { textReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

const KEY = 'sk-ant-test-0123456789-secret';
const haiku = modelFor('haiku');

describe('LlmClient: many calls started at once', () => {
  let fake: FakeAnthropic;

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('sends them one per turn of the event loop, so that other work (a view, a stream) runs in between', async () => {
    const order: string[] = [];
    // The SDK's own `fetch` option: each request is noted as it leaves, then sent over real HTTP.
    const sdk = new Anthropic({
      apiKey: KEY,
      baseURL: fake.url,
      authToken: null,
      fetch: (input, init) => {
        order.push('request');
        return fetch(input, init);
      },
    });
    const llm = new LlmClient(sdk);
    const n = 4;
    for (let i = 0; i < n; i++) {
      fake.enqueue(textReply(`Answer ${i}.`));
    }
    const calls = Array.from({ length: n }, (_, i) =>
      llm.call({ model: haiku, messages: [{ role: 'user', content: `Question ${i}` }], maxTokens: 100 }),
    );
    // Work another part of the extension queued at the same moment, e.g. a refresh of the Plan view.
    setImmediate(() => order.push('other work'));
    const results = await Promise.all(calls);
    assert.deepEqual(
      results.map((r) => r.text),
      Array.from({ length: n }, (_, i) => `Answer ${i}.`),
    );
    assert.equal(order.filter((o) => o === 'request').length, n);
    const other = order.indexOf('other work');
    assert.ok(other > 0 && other < n, `other work waited for every request to leave: ${order.join(', ')}`);
  });
});
