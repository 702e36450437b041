import type { Anthropic } from '@anthropic-ai/sdk';
import type { MessageCountTokensParams, MessageCreateParamsBase } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ProviderId } from '../../models';
import type { AttemptHooks, AttemptOutcome, StreamingClient } from '../attempt';
import { streamOnce } from '../attempt';
import type { LlmError } from '../errors';
import { toLlmError } from '../errors';
import type { ModelTransport, TransportCapabilities, TransportErrorContext } from '../transport';
import type { StreamTimeouts } from '../watchdog';
import { isPlatform, platformError } from './platformErrors';

/** What the transport needs of an SDK client: Anthropic's, AnthropicBedrock and AnthropicVertex all fit. */
export interface SdkClient extends StreamingClient {
  maxRetries: number;
  messages: Pick<Anthropic['messages'], 'stream'> & Partial<Pick<Anthropic['messages'], 'countTokens'>>;
}

/**
 * Anthropic's API on the official SDK: Anthropic itself, or a cloud platform through the SDK's Bedrock or Vertex
 * client, which rewrite the same Messages-API request into the platform's wire format, sign it, and give back the
 * same stream events.
 */
export class SdkTransport implements ModelTransport {
  constructor(
    readonly provider: Exclude<ProviderId, 'vscode-lm'>,
    private readonly client: SdkClient,
    readonly capabilities: TransportCapabilities,
    readonly secrets: readonly string[],
  ) {}

  get maxRetries(): number {
    return this.client.maxRetries;
  }

  stream(params: MessageCreateParamsBase, hooks: AttemptHooks, timeouts: StreamTimeouts): Promise<AttemptOutcome> {
    return streamOnce(this.client, params, hooks, timeouts);
  }

  async countTokens(params: MessageCountTokensParams, signal?: AbortSignal): Promise<number | undefined> {
    const count = this.client.messages.countTokens;
    if (!this.capabilities.countTokens || !count) {
      return undefined;
    }
    const res = await count.call(this.client.messages, params, { signal });
    return res.input_tokens;
  }

  toError(err: unknown, ctx: TransportErrorContext): LlmError {
    const base = toLlmError(err, {
      model: ctx.model,
      apiKey: this.secrets[0],
      requestId: ctx.requestId,
      maxRetries: this.client.maxRetries,
    });
    return isPlatform(this.provider) && base.kind !== 'cancelled' ? platformError(this.provider, err, base) : base;
  }
}
