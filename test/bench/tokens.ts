import type { MessageParam, TextBlockParam, ToolUnion } from '@anthropic-ai/sdk/resources/messages/messages';
import { LlmClient } from '../../src/core/llm/client';
import { MODEL_TABLE, modelById } from '../../src/core/models';
import type { PromptBody } from './promptCache';
import { promptTokensOf } from './promptCache';

/** Counts a request's prompt tokens; the same counter is used on both sides of every ratio. */
export interface TokenCounter {
  label: string;
  count(body: PromptBody): Promise<number>;
}

export const OFFLINE_COUNTER: TokenCounter = {
  label: 'offline estimate: chars/3.5 (estimateTokens over the JSON of system + tools + messages)',
  count: (body) => Promise.resolve(promptTokensOf(body)),
};

/** The API's own count (`/v1/messages/count_tokens`, free of charge) for a configured real endpoint. */
function apiCounter(): TokenCounter {
  const llm = new LlmClient({});
  return {
    label: `count_tokens of the Anthropic API (${process.env.ANTHROPIC_BASE_URL ?? 'api.anthropic.com'})`,
    count: (body) =>
      llm.countTokens({
        model: modelById(body.model ?? '') ?? MODEL_TABLE.sonnet,
        system: body.system as string | TextBlockParam[] | undefined,
        tools: body.tools as ToolUnion[] | undefined,
        messages: (body.messages ?? []) as MessageParam[],
      }),
  };
}

/**
 * count_tokens when asked for (BENCH_COUNT_TOKENS=1) and a key is configured; otherwise the offline estimate. The
 * simulated usage the local server reports (cache reads and writes) always uses the offline estimate.
 */
export function chooseCounter(): TokenCounter {
  return process.env.BENCH_COUNT_TOKENS === '1' && process.env.ANTHROPIC_API_KEY ? apiCounter() : OFFLINE_COUNTER;
}
