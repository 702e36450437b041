import assert from 'node:assert/strict';
import type { PromptBody } from '../bench/promptCache';
import { MIN_CACHEABLE_TOKENS, PromptCache, STRICT_MIN_CACHEABLE_TOKENS, promptTokensOf } from '../bench/promptCache';

const marker = { type: 'ephemeral' };
const TOOLS = [{ type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' }];
const SYSTEM = [{ type: 'text', text: 'Edit only the files in scope. '.repeat(200), cache_control: marker }];
const user = (text: string, mark = false) => ({
  role: 'user',
  content: [{ type: 'text', text, ...(mark ? { cache_control: marker } : {}) }],
});
const assistant = (text: string) => ({ role: 'assistant', content: [{ type: 'text', text }] });

function checkSum(body: PromptBody, split: { input: number; cacheRead: number; cacheWrite: number }): void {
  assert.equal(split.input + split.cacheRead + split.cacheWrite, promptTokensOf(body));
}

describe('bench prompt-cache accounting', () => {
  it('writes the system + tools prefix on the first call and reads it on the next', () => {
    const cache = new PromptCache();
    const first: PromptBody = { model: 'm', system: SYSTEM, tools: TOOLS, messages: [user('x'.repeat(9000))] };
    const a = cache.account(first);
    assert.equal(a.cacheRead, 0);
    assert.ok(a.cacheWrite >= MIN_CACHEABLE_TOKENS);
    checkSum(first, a);
    const second: PromptBody = { ...first, messages: [user('y'.repeat(9000))] };
    const b = cache.account(second);
    assert.equal(b.cacheRead, a.cacheWrite);
    assert.equal(b.cacheWrite, 0);
    checkSum(second, b);
  });

  it('never caches a prefix shorter than the minimum', () => {
    const cache = new PromptCache();
    const body: PromptBody = {
      model: 'm',
      system: [{ type: 'text', text: 'short', cache_control: marker }],
      messages: [user('hello')],
    };
    assert.deepEqual(cache.account(body), { input: promptTokensOf(body), cacheRead: 0, cacheWrite: 0 });
    assert.equal(cache.account(body).cacheRead, 0);
  });

  it('reads the previous turn when the breakpoint moves to the newest message', () => {
    const cache = new PromptCache();
    const turn1 = [user('f'.repeat(20_000), true)];
    cache.account({ model: 'm', system: SYSTEM, tools: TOOLS, messages: turn1 });
    const turn2 = [user('f'.repeat(20_000)), assistant('edit'), user('result', true)];
    const body2: PromptBody = { model: 'm', system: SYSTEM, tools: TOOLS, messages: turn2 };
    const split = cache.account(body2);
    assert.ok(split.cacheRead / promptTokensOf(body2) > 0.95, `read ${split.cacheRead} of ${promptTokensOf(body2)}`);
    checkSum(body2, split);
  });

  it('misses when the model or the prefix changes', () => {
    const cache = new PromptCache();
    const body: PromptBody = { model: 'm', system: SYSTEM, tools: TOOLS, messages: [user('q')] };
    cache.account(body);
    assert.equal(cache.account({ ...body, model: 'other' }).cacheRead, 0);
    const changed = [{ ...SYSTEM[0], text: `${SYSTEM[0]?.text}!` }];
    assert.equal(cache.account({ ...body, system: changed }).cacheRead, 0);
  });

  it('treats a request-level cache_control as a breakpoint on the last block', () => {
    const cache = new PromptCache();
    const body: PromptBody = { model: 'm', messages: [user('z'.repeat(8000))], cache_control: marker };
    assert.ok(cache.account(body).cacheWrite > 0);
    assert.equal(cache.account(body).cacheRead, promptTokensOf(body));
  });

  it('leaves a prefix between the two minimums uncached under the stricter one', () => {
    const text = 'p'.repeat(Math.round((3.5 * (MIN_CACHEABLE_TOKENS + STRICT_MIN_CACHEABLE_TOKENS)) / 2));
    const body: PromptBody = { model: 'm', messages: [user(text, true)] };
    const loose = new PromptCache();
    loose.account(body);
    assert.equal(loose.account(body).cacheRead, promptTokensOf(body));
    const strict = new PromptCache(STRICT_MIN_CACHEABLE_TOKENS);
    strict.account(body);
    assert.deepEqual(strict.account(body), { input: promptTokensOf(body), cacheRead: 0, cacheWrite: 0 });
  });
});
