import { Anthropic } from '@anthropic-ai/sdk';
import { LlmError, SET_KEY_HINT } from './errors';

export interface AnthropicOptions {
  /** Falls back to ANTHROPIC_API_KEY. */
  apiKey?: string;
  /** Falls back to ANTHROPIC_BASE_URL, then the SDK's default (the public API). */
  baseURL?: string;
  /** Retries of 408/409/429/5xx/529 and connection failures, honouring retry-after. Default 3. */
  maxRetries?: number;
  /** Per request attempt. Default 10 minutes, the SDK's own. */
  timeoutMs?: number;
}

export const DEFAULT_MAX_RETRIES = 3;

/** The real SDK client. Throws LlmError 'auth' when no key is given or set in the environment. */
export function createAnthropic(opts: AnthropicOptions = {}): Anthropic {
  const apiKey = opts.apiKey?.trim() || process.env.ANTHROPIC_API_KEY?.trim();
  if (!apiKey) {
    throw new LlmError('auth', `No Anthropic API key is set: ${SET_KEY_HINT}.`, { retryable: false });
  }
  const baseURL = opts.baseURL?.trim() || process.env.ANTHROPIC_BASE_URL?.trim() || undefined;
  return new Anthropic({
    apiKey,
    // An ANTHROPIC_AUTH_TOKEN in the environment must not switch the client to bearer auth behind our back.
    authToken: null,
    baseURL,
    maxRetries: opts.maxRetries ?? DEFAULT_MAX_RETRIES,
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
  });
}
