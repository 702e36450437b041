/**
 * What the fake Messages-API server answers with. A test scripts replies in order (`enqueue`) or by request content
 * (`setResponder`); each reply below is one HTTP exchange.
 */

export type FakeStopReason =
  'end_turn' | 'tool_use' | 'max_tokens' | 'refusal' | 'stop_sequence' | 'pause_turn' | 'model_context_window_exceeded';

/** The `stop_details` of a refusal: the policy area, and a human-readable explanation when the API has one. */
export interface FakeStopDetails {
  category: 'cyber' | 'bio' | 'frontier_llm' | 'reasoning_extraction' | 'general_harms' | null;
  explanation: string | null;
}

/** A content block the fake model produces. */
export type FakeBlock =
  | { type: 'text'; text: string }
  | {
      type: 'tool_use';
      id: string;
      name: string;
      input: unknown;
      /** Raw JSON streamed instead of `JSON.stringify(input)`: lets a reply cut a tool call off mid-argument. */
      partialJson?: string;
    }
  | {
      type: 'thinking';
      /** The summary the API sends when the request asks for `display: "summarized"`; billed either way. */
      thinking: string;
      signature: string;
      /** Cut off by max_tokens: no signature is sent and the block never closes. */
      cut?: boolean;
    };

/** Token counts to report; anything left out is derived (input from the request, output from the content). */
export interface FakeUsage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** A normal assistant message, streamed as SSE when the request asks for `stream: true`. */
export interface MessageReply {
  content: FakeBlock[];
  /** Defaults to `tool_use` when a tool_use block is present, else `end_turn`. */
  stopReason?: FakeStopReason;
  usage?: FakeUsage;
  /** Delay before the response headers are sent. */
  latencyMs?: number;
  /** Delay between SSE events, so a test can observe (or cancel) a call mid-stream. */
  chunkDelayMs?: number;
  /**
   * The 5.5 models think before they answer unless the request turns thinking off, so a reply without a thinking
   * block gets one in front, as the API sends it. `false` leaves the reply exactly as scripted.
   */
  thinking?: false;
  /** Sent with a `refusal` stop; defaults to no category and no explanation. */
  stopDetails?: FakeStopDetails;
}

/** An HTTP error response with the API's error body, e.g. 429 rate_limit_error with `retry-after`. */
export interface HttpErrorReply {
  httpError: number;
  /** Defaults to the API's type for the status (401 → authentication_error, 529 → overloaded_error, …). */
  errorType?: string;
  message?: string;
  /** Seconds, sent as `retry-after`. */
  retryAfter?: number;
  /** Milliseconds, sent as `retry-after-ms` (the SDK prefers it: keeps retry tests fast). */
  retryAfterMs?: number;
  latencyMs?: number;
}

/** HTTP 200 and `message_start`, then an `event: error` in the stream (after some text when `afterContent`). */
export interface StreamErrorReply {
  streamError: 'overloaded_error' | 'api_error';
  afterContent?: boolean;
  usage?: FakeUsage;
}

/** The socket is destroyed: before any response headers, or after part of the stream was sent. */
export interface DropReply {
  drop: 'before-headers' | 'mid-stream';
}

/**
 * The connection stays open and the answer never comes: no response headers at all, headers and then silence,
 * `message_start` and then silence, or `message_start` and then keep-alive `ping` events forever. Ends when the
 * client gives up or the server closes.
 */
export interface StallReply {
  stall: 'before-headers' | 'after-headers' | 'after-message-start' | 'pings';
  /** Between two pings of a `pings` stall; default 50 ms. */
  pingEveryMs?: number;
}

export type Reply = MessageReply | HttpErrorReply | StreamErrorReply | DropReply | StallReply;

let toolCounter = 0;

/** A tool_use id in the API's shape. */
export function toolUseId(): string {
  toolCounter += 1;
  return `toolu_fake${String(toolCounter).padStart(6, '0')}`;
}

export function textReply(text: string, usage?: FakeUsage): MessageReply {
  return { content: [{ type: 'text', text }], usage };
}

/** One or more tool calls in a single assistant turn; stop_reason `tool_use`. */
export function toolUseReply(calls: { name: string; input: unknown; id?: string }[], usage?: FakeUsage): MessageReply {
  return {
    content: calls.map((c) => ({ type: 'tool_use', id: c.id ?? toolUseId(), name: c.name, input: c.input })),
    stopReason: 'tool_use',
    usage,
  };
}

/** Structured output (`output_config.format`): the JSON document as the message's one text block. */
export function jsonReply(obj: unknown, usage?: FakeUsage): MessageReply {
  return { content: [{ type: 'text', text: JSON.stringify(obj) }], usage };
}

/** A thinking block with a signature, to put before the text or tool calls of a reply. */
export function thinkingBlock(text: string): FakeBlock {
  const signature = Buffer.from(`sig:${text}`).toString('base64');
  return { type: 'thinking', thinking: text, signature };
}

/** The model ran out of output tokens while writing a tool call's arguments. */
export function truncatedToolUseReply(name: string, partialJson: string, usage?: FakeUsage): MessageReply {
  return {
    content: [{ type: 'tool_use', id: toolUseId(), name, input: {}, partialJson }],
    stopReason: 'max_tokens',
    usage,
  };
}

/** The model ran out of output tokens while thinking, after the blocks in `before` (e.g. a tool call's text). */
export function truncatedThinkingReply(
  summary = 'Still weighing the edge cases',
  before: FakeBlock[] = [],
): MessageReply {
  return {
    content: [...before, { type: 'thinking', thinking: summary, signature: '', cut: true }],
    stopReason: 'max_tokens',
  };
}

/** The model declined (stop_reason `refusal`, with `stop_details`), possibly after some text. */
export function refusalReply(text = '', stopDetails?: FakeStopDetails): MessageReply {
  return { content: text ? [{ type: 'text', text }] : [], stopReason: 'refusal', stopDetails };
}

/** The prompt and the answer filled the model's context window: the answer stops where it was. */
export function contextWindowReply(text = 'The change touches'): MessageReply {
  return { content: [{ type: 'text', text }], stopReason: 'model_context_window_exceeded' };
}

export function isHttpError(r: Reply): r is HttpErrorReply {
  return 'httpError' in r;
}

export function isStreamError(r: Reply): r is StreamErrorReply {
  return 'streamError' in r;
}

export function isDrop(r: Reply): r is DropReply {
  return 'drop' in r;
}

export function isStall(r: Reply): r is StallReply {
  return 'stall' in r;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const ERROR_MESSAGES: Record<string, string> = {
  invalid_request_error: 'messages: field required',
  authentication_error: 'invalid x-api-key',
  billing_error: 'Your credit balance is too low to access the Anthropic API.',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'model: not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit.',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out',
  overloaded_error: 'Overloaded',
};

export function errorTypeFor(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function errorMessageFor(type: string): string {
  return ERROR_MESSAGES[type] ?? type;
}
