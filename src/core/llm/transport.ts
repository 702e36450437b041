import type { MessageCountTokensParams, MessageCreateParamsBase } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ProviderId } from '../models';
import type { AttemptHooks, AttemptOutcome } from './attempt';
import type { LlmError } from './errors';
import type { StreamTimeouts } from './watchdog';

/**
 * What a provider can do beyond streaming a Messages-API conversation with tools. The client reads these to fall
 * back instead of sending a request the platform would refuse with a 400.
 */
export interface TransportCapabilities {
  /**
   * Structured output (`output_config.format`): 'native' always works; 'try' is sent, and a refusal of the field
   * turns the rest of the session to a plain JSON answer checked by the schema; 'none' never sends it.
   */
  structuredOutput: 'native' | 'try' | 'none';
  /** Whether the platform counts a request's tokens; without it the offline estimate stands in. */
  countTokens: boolean;
  /** 'estimated': the platform reports no usage, so token figures are estimates (and shown as such). */
  usage: 'reported' | 'estimated';
}

/** Facts about the failure a transport classifies, for its message. */
export interface TransportErrorContext {
  model: string;
  requestId?: string;
}

/**
 * One way to reach a model. The SDK path (Anthropic's API, Bedrock, Vertex) and the editor's language models
 * (src/vscode/lm) implement it; everything above it (retries, truncation, refusals, the ledger, the secret sweep)
 * is the same for all. The request and the answer keep the Messages API's shapes on every provider.
 */
export interface ModelTransport {
  readonly provider: ProviderId;
  readonly capabilities: TransportCapabilities;
  /** Credentials in use (keys, tokens), so that no message, log or request echoes them. */
  readonly secrets: readonly string[];
  /** Retries the transport itself makes (named in rate-limit messages). */
  readonly maxRetries: number;
  stream(params: MessageCreateParamsBase, hooks: AttemptHooks, timeouts: StreamTimeouts): Promise<AttemptOutcome>;
  /** Input tokens as the platform counts them; undefined when it cannot count (see `capabilities.countTokens`). */
  countTokens(params: MessageCountTokensParams, signal?: AbortSignal): Promise<number | undefined>;
  /** Anything a call threw, classified, with a message that says what to do on this platform. */
  toError(err: unknown, ctx: TransportErrorContext): LlmError;
}
