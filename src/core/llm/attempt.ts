import type { Anthropic } from '@anthropic-ai/sdk';
import type { ContentBlock, Message, MessageCreateParamsBase } from '@anthropic-ai/sdk/resources/messages/messages';
import type { LivePhase, LiveUsage, Usage } from '../usage/usage';
import { estimateTokens } from '../usage/usage';
import type { Stall, StreamTimeouts } from './watchdog';
import { StreamWatchdog } from './watchdog';

/** The API's usage counters (message_start, message_delta, Message) in the ledger's shape. */
export function usageFromApi(u: {
  input_tokens: number | null;
  output_tokens: number;
  cache_read_input_tokens: number | null;
  cache_creation_input_tokens: number | null;
}): Usage {
  return {
    input: u.input_tokens ?? 0,
    output: u.output_tokens ?? 0,
    cacheRead: u.cache_read_input_tokens ?? 0,
    cacheWrite: u.cache_creation_input_tokens ?? 0,
  };
}

/** The part of an SDK client a streamed attempt uses: Anthropic's, Bedrock's and Vertex's clients all have it. */
export interface StreamingClient {
  messages: Pick<Anthropic['messages'], 'stream'>;
}

export interface AttemptHooks {
  signal?: AbortSignal;
  /** Live usage, with what the model is doing (`phase`). */
  onUsage?: (live: LiveUsage) => void;
  onText?: (delta: string) => void;
}

export type AttemptOutcome =
  | { ok: true; message: Message; usage: Usage; requestId?: string }
  | {
      ok: false;
      error: unknown;
      /** Usage known when the stream broke: billed, so it must still be recorded. Absent before message_start. */
      partial?: Usage;
      requestId?: string;
      /** Whether any content block had started: a retry would then repeat visible output. */
      sawContent: boolean;
      /** Set when the watchdog ended the request: no response, or no content for too long. */
      stalled?: Stall;
    };

/** Between two estimated gauge updates: keeps a fast stream from flooding listeners. */
const ESTIMATE_INTERVAL_MS = 100;

function phaseOf(block: ContentBlock): LivePhase {
  switch (block.type) {
    case 'thinking':
    case 'redacted_thinking':
      return 'thinking';
    case 'text':
      return 'writing';
    default:
      return 'tool';
  }
}

/**
 * One streamed request. The API reports output tokens only at the start and the end of a message, so while content
 * streams the live output count is estimated from the streamed characters (never below what the API reported); the
 * message_delta figure then replaces it. Every live figure says what the model is doing, because with the default
 * thinking display a thinking model streams no characters at all until it has finished thinking.
 */
export async function streamOnce(
  client: StreamingClient,
  params: MessageCreateParamsBase,
  hooks: AttemptHooks,
  timeouts: StreamTimeouts,
): Promise<AttemptOutcome> {
  // The watchdog aborts through its own controller so its stop is not mistaken for the user's cancel.
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  hooks.signal?.addEventListener('abort', cancel, { once: true });
  if (hooks.signal?.aborted) {
    controller.abort();
  }
  const watchdog = new StreamWatchdog(timeouts, cancel);
  const stream = client.messages.stream(params, { signal: controller.signal, middleware: [watchdog.middleware] });
  let live: Usage | undefined;
  let phase: LivePhase = 'starting';
  let reportedOutput = 0;
  let streamed = '';
  let lastEstimate = 0;
  let sawContent = false;
  let hookError: unknown;
  // A throwing callback must not be mistaken for an API failure: stop the stream and rethrow it as it is.
  const guarded = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      hookError ??= err;
      stream.abort();
    }
  };
  const publish = (u: Usage) => {
    live = u;
    if (hooks.onUsage) {
      const onUsage = hooks.onUsage;
      guarded(() => onUsage({ ...u, phase }));
    }
  };
  stream.on('streamEvent', (event, snapshot) => {
    watchdog.progress();
    if (event.type === 'message_start' || event.type === 'message_delta') {
      const u = usageFromApi(snapshot.usage);
      reportedOutput = u.output;
      publish(u);
    } else if (event.type === 'content_block_start') {
      sawContent = true;
      phase = phaseOf(event.content_block);
      if (live) {
        publish(live);
      }
    } else if (event.type === 'content_block_delta' && live) {
      const d = event.delta;
      streamed += d.type === 'text_delta' ? d.text : d.type === 'input_json_delta' ? d.partial_json : '';
      streamed += d.type === 'thinking_delta' ? d.thinking : '';
      const estimate = Math.max(reportedOutput, estimateTokens(streamed));
      const now = Date.now();
      if (estimate > live.output && now - lastEstimate >= ESTIMATE_INTERVAL_MS) {
        lastEstimate = now;
        publish({ ...live, output: estimate });
      }
    }
  });
  if (hooks.onText) {
    const onText = hooks.onText;
    stream.on('text', (delta) => guarded(() => onText(delta)));
  }
  try {
    const message = await stream.finalMessage();
    if (hookError !== undefined) {
      throw hookError;
    }
    return { ok: true, message, usage: usageFromApi(message.usage), requestId: stream.request_id ?? undefined };
  } catch (error) {
    if (hookError !== undefined) {
      throw hookError;
    }
    const requestId = stream.request_id ?? undefined;
    const stalled = hooks.signal?.aborted ? undefined : watchdog.stalled;
    return { ok: false, error, partial: live, requestId, sawContent, ...(stalled ? { stalled } : {}) };
  } finally {
    watchdog.stop();
    hooks.signal?.removeEventListener('abort', cancel);
  }
}
