import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AnthropicError,
} from '@anthropic-ai/sdk';
import { scrubConfigured } from '../secrets/known';
import type { RefusalStopDetails } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ModelRole } from '../models';

export type LlmErrorKind =
  | 'auth'
  | 'permission'
  | 'not_found'
  | 'bad_request'
  | 'too_large'
  | 'rate_limit'
  | 'overloaded'
  | 'server'
  | 'connection'
  | 'cancelled'
  | 'refusal'
  | 'max_tokens'
  /** The prompt and the answer filled the model's context window: a bigger output budget cannot help. */
  | 'context_window'
  /** The stream stopped making progress (no response, or no content for the idle timeout), twice. */
  | 'stalled'
  | 'malformed';

const RETRYABLE: ReadonlySet<LlmErrorKind> = new Set(['rate_limit', 'overloaded', 'server', 'connection', 'stalled']);

export interface LlmErrorOptions {
  status?: number;
  requestId?: string;
  retryable?: boolean;
  cause?: unknown;
  stopDetails?: RefusalStopDetails | null;
  fallback?: ModelRole;
}

export const SET_KEY_HINT = 'run "Opus Orchestrator: Set Anthropic API Key" or set ANTHROPIC_API_KEY';

/** A failed model call, classified so callers can decide (retry, escalate, tell the user) without parsing text. */
export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly status?: number;
  readonly requestId?: string;
  /** Whether trying the same call again later can succeed. */
  readonly retryable: boolean;
  /** A refusal's `stop_details` as the API sent them: the policy category and, when there is one, an explanation. */
  readonly stopDetails?: RefusalStopDetails;
  /**
   * For a refusal: the role to offer the same work on (another model usually answers), or undefined when another
   * model would decline the same way. Runners offer "Retry on <fallback>"; nothing is retried automatically.
   */
  readonly fallback?: ModelRole;

  constructor(kind: LlmErrorKind, message: string, opts: LlmErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LlmError';
    this.kind = kind;
    this.status = opts.status;
    this.requestId = opts.requestId;
    this.retryable = opts.retryable ?? RETRYABLE.has(kind);
    if (opts.stopDetails) {
      this.stopDetails = opts.stopDetails;
    }
    if (opts.fallback) {
      this.fallback = opts.fallback;
    }
  }
}

export interface ErrorContext {
  /** The model id the call asked for, named in not-found and permission messages. */
  model: string;
  /** The key in use, so that it can be scrubbed from anything that echoes it. */
  apiKey?: string | null;
  /** The request id when the SDK error does not carry one (a stream that broke after its headers). */
  requestId?: string | null;
  maxRetries?: number;
}

/**
 * Removes the key in use, every credential the user configured (whatever its shape) and anything shaped like an
 * Anthropic key from text that may reach a user or a log.
 */
export function redactKey(text: string, apiKey?: string | null): string {
  let out = apiKey && apiKey.length >= 4 ? text.split(apiKey).join('[redacted key]') : text;
  out = scrubConfigured(out, '[redacted key]');
  out = out.replace(/sk-ant-[A-Za-z0-9_-]+/g, 'sk-ant-[redacted]');
  return out;
}

function withRequestId(message: string, requestId: string | undefined): string {
  return requestId ? `${message} (request ${requestId})` : message;
}

function retryAfterSeconds(err: APIError): number | undefined {
  const seconds = err.headers?.get('retry-after');
  if (seconds && Number.isFinite(Number(seconds))) {
    return Math.max(1, Math.ceil(Number(seconds)));
  }
  const ms = err.headers?.get('retry-after-ms');
  return ms && Number.isFinite(Number(ms)) ? Math.max(1, Math.ceil(Number(ms) / 1000)) : undefined;
}

/** The kind of an API error: from the error type in its body (also set for stream `error` events), else status. */
function kindOf(err: APIError): LlmErrorKind {
  // A string, not the SDK's ErrorType union: the API also sends types the union does not list (request_too_large).
  const type: string | null = err.type;
  switch (type) {
    case 'authentication_error':
      return 'auth';
    case 'permission_error':
    case 'billing_error':
      return 'permission';
    case 'not_found_error':
      return 'not_found';
    case 'request_too_large':
      return 'too_large';
    case 'rate_limit_error':
      return 'rate_limit';
    case 'overloaded_error':
      return 'overloaded';
    case 'api_error':
    case 'timeout_error':
      return 'server';
    case 'invalid_request_error':
      return 'bad_request';
  }
  const s = err.status ?? 0;
  if (s === 401) {
    return 'auth';
  }
  if (s === 402 || s === 403) {
    return 'permission';
  }
  if (s === 404) {
    return 'not_found';
  }
  if (s === 413) {
    return 'too_large';
  }
  if (s === 429) {
    return 'rate_limit';
  }
  if (s === 529) {
    return 'overloaded';
  }
  return s >= 500 || s === 0 ? 'server' : 'bad_request';
}

function apiMessage(kind: LlmErrorKind, err: APIError, ctx: ErrorContext): string {
  const status = err.status ? `${err.status}` : 'mid-response';
  const detail = (err.apiMessage ?? err.message).replace(/\.$/, '');
  const retries = ctx.maxRetries ?? 0;
  switch (kind) {
    case 'auth':
      return `The Anthropic API rejected the key (${status}). Set a valid key: ${SET_KEY_HINT}.`;
    case 'permission':
      return err.status === 402 || err.type === 'billing_error'
        ? `The Anthropic account cannot be billed (${status}: ${detail}). ` +
            'Check the plan and credit balance in the Anthropic Console.'
        : `The API key may not use model '${ctx.model}' (${status}: ${detail}). Check the key's workspace ` +
            'permissions in the Anthropic Console, or choose another model in the opusOrchestrator.models settings.';
    case 'not_found':
      return (
        `Model '${ctx.model}' was not found (${status}): ` +
        'check the opusOrchestrator.models settings for a valid model id.'
      );
    case 'too_large':
      return `The request is too large for the Anthropic API (${status}). Reduce the files in scope, then try again.`;
    case 'rate_limit': {
      const wait = retryAfterSeconds(err);
      const when = wait === undefined ? 'in a minute' : `in ${wait} s`;
      return `Rate limited by the Anthropic API (${status}) after ${retries} retries; try again ${when}.`;
    }
    case 'overloaded':
      return `The Anthropic API is overloaded (${status}); try again in a few minutes.`;
    case 'server':
      return `The Anthropic API failed with an internal error (${status}: ${detail}); try again shortly.`;
    default:
      return (
        `The Anthropic API refused the request (${status}: ${detail}). ` +
        'Check the model settings; if it persists, report it with the request id.'
      );
  }
}

/** Why a connection failed, from the fetch error chain (undici hides the useful part in `cause`). */
function causeText(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 4; depth += 1) {
    const code = (cur as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${cur.message} [${code}]` : cur.message);
    cur = cur.cause;
  }
  return parts.filter((p, i) => p && parts.indexOf(p) === i).join(': ');
}

/** Maps anything a call can throw (SDK errors included) to an LlmError whose message says what to do. */
export function toLlmError(err: unknown, ctx: ErrorContext): LlmError {
  if (err instanceof LlmError) {
    return err;
  }
  const fallbackId = ctx.requestId ?? undefined;
  const make = (kind: LlmErrorKind, message: string, status?: number, requestId = fallbackId) =>
    new LlmError(kind, redactKey(withRequestId(message, requestId), ctx.apiKey), { status, requestId, cause: err });
  if (err instanceof APIUserAbortError || (err instanceof Error && err.name === 'AbortError')) {
    return make('cancelled', 'The model call was cancelled.');
  }
  if (err instanceof APIConnectionTimeoutError) {
    return make('connection', 'The Anthropic API did not answer in time. Check the network or proxy and try again.');
  }
  if (err instanceof APIConnectionError) {
    const why = causeText(err.cause);
    return make(
      'connection',
      `Could not reach the Anthropic API${why ? ` (${why})` : ''}. ` +
        'Check the network, proxy or base URL setting and try again.',
    );
  }
  if (err instanceof APIError) {
    const kind = kindOf(err);
    return make(kind, apiMessage(kind, err, ctx), err.status ?? undefined, err.requestID ?? fallbackId);
  }
  if (err instanceof SyntaxError || (err instanceof AnthropicError && /parse|Unexpected event/i.test(err.message))) {
    return make('malformed', `The Anthropic API sent a response that could not be read (${err.message}). Try again.`);
  }
  if (err instanceof AnthropicError && /without (sending|producing)/.test(err.message)) {
    return make('connection', `The response from the Anthropic API ended early (${err.message}). Try again.`);
  }
  if (err instanceof Error) {
    // A stream that breaks after its headers surfaces as a bare fetch error ("terminated", "other side closed").
    return make('connection', `The connection to the Anthropic API broke mid-response (${causeText(err)}). Try again.`);
  }
  return make('connection', `The model call failed: ${String(err)}. Try again.`);
}
