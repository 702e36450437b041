import type { ModelInfo } from '../../../src/core/models';
import { modelById } from '../../../src/core/models';
import { costOfCall } from '../../../src/core/usage/usage';
import type { Usage } from '../../../src/core/usage/usage';
import type { FakeBlock, MessageReply } from '../../fake-anthropic/replies';
import type { CacheAccount, PromptBody } from '../promptCache';
import { PromptCache } from '../promptCache';

/**
 * What the Messages API adds to and how it caches a prompt, per model role, with the public source of each figure.
 * Where the stored documentation has no figure for a 5.5 model, the newest published model of the same family is used
 * and the row says so.
 */
export const API_RULES = {
  /** Minimum cacheable prefix (prompt-caching page, "minimum cacheable prompt length", October 2026). */
  minCacheable: { opus: 512, sonnet: 512, haiku: 4096 },
  /**
   * The tool-use system prompt the API adds to a request with tools and tool_choice auto (tool-use overview,
   * "Tool use system prompt token count": Opus 4.8 290, Sonnet 5 354, Haiku 4.5 496 — the newest of each family listed).
   */
  toolUseSystemPrompt: { opus: 290, sonnet: 354, haiku: 496 },
  /** Anthropic-defined tools the API expands from their type (text-editor-tool page, "Additional input tokens"). */
  anthropicToolTokens: { text_editor_: 700 } as Record<string, number>,
  /** Cache entries live five minutes from their last use (the default ephemeral TTL). */
  ttlMs: 5 * 60_000,
} as const;

export const API_RULES_TEXT =
  'per request, the API’s tool-use system prompt when tools are sent (Opus 290, Sonnet 354, Haiku 496 tokens: the ' +
  'newest model of each family in the tool-use pricing table) and 700 tokens for the Anthropic-defined text editor ' +
  'tool (text-editor-tool pricing); cache reads and writes from the cache_control breakpoints as the API applies ' +
  'them (tools → system → messages prefixes, 20-block lookback, 5-minute TTL refreshed on use, one cache per model), ' +
  'with the minimum cacheable prefix of each model (Opus 5.5 and Sonnet 5.5: 512 tokens; Haiku 5.5 unpublished in ' +
  'the stored docs, so Haiku 4.5’s 4,096)';

function roleOf(model: string | undefined): ModelInfo {
  const info = modelById(model ?? '');
  if (!info) {
    throw new Error(`no prices for model ${JSON.stringify(model)}; add it to src/core/models.ts`);
  }
  return info;
}

/** Tokens the API adds to a request beyond its JSON: the tool-use system prompt and expanded built-in tools. */
export function extraPromptTokens(body: PromptBody): number {
  const tools = body.tools ?? [];
  if (tools.length === 0) {
    return 0;
  }
  let extra: number = API_RULES.toolUseSystemPrompt[roleOf(body.model).role];
  for (const tool of tools) {
    const type = (tool as { type?: unknown }).type;
    if (typeof type === 'string') {
      const match = Object.entries(API_RULES.anthropicToolTokens).find(([prefix]) => type.startsWith(prefix));
      extra += match?.[1] ?? 0;
    }
  }
  return extra;
}

/** Output tokens of a scripted reply: its thinking, text and tool inputs at 3.5 characters a token. */
export function outputTokensOf(reply: MessageReply): number {
  const chars = reply.content.reduce((n, b: FakeBlock) => {
    switch (b.type) {
      case 'text':
        return n + b.text.length;
      case 'thinking':
        return n + b.thinking.length;
      case 'tool_use':
        return n + JSON.stringify(b.input).length;
    }
  }, 0);
  return Math.max(1, Math.ceil(chars / 3.5));
}

/** One metered model call: how its prompt split, what it wrote, what it cost. */
export interface MeteredCall {
  at: number;
  model: string;
  role: ModelInfo['role'];
  usage: Usage;
  /** Tokens of the prompt the model held: input + cache reads + cache writes. */
  prompt: number;
  cost: number;
}

/**
 * The one set of rules both sides are counted by: each request's prompt tokens (its JSON at 3.5 characters a token
 * plus the API's additions), split by the simulated cache, priced from src/core/models.ts. One meter per side, so
 * neither reads the other's cache.
 */
export class Meter {
  private readonly cache = new PromptCache({
    minTokens: (model) => API_RULES.minCacheable[roleOf(model).role],
    extraTokens: extraPromptTokens,
    ttlMs: API_RULES.ttlMs,
  });

  measure(body: PromptBody, reply: MessageReply, at = Date.now()): MeteredCall {
    const model = roleOf(body.model);
    const split: CacheAccount = this.cache.account(body, at);
    const usage: Usage = { ...split, output: outputTokensOf(reply) };
    return {
      at,
      model: model.id,
      role: model.role,
      usage,
      prompt: split.input + split.cacheRead + split.cacheWrite,
      cost: costOfCall(usage, model),
    };
  }
}
