import { Anthropic } from '@anthropic-ai/sdk';
import type {
  JSONOutputFormat,
  Message,
  MessageCreateParamsBase,
  MessageParam,
  StopReason,
  TextBlockParam,
  ThinkingConfigParam,
  ToolChoice,
  ToolUnion,
} from '@anthropic-ai/sdk/resources/messages/messages';
import type { ModelInfo } from '../models';
import type { Ledger } from '../usage/ledger';
import type { LiveUsage, Usage } from '../usage/usage';
import { costOfCall } from '../usage/usage';
import type { AnthropicOptions } from './anthropic';
import { createAnthropic } from './anthropic';
import type { AttemptOutcome } from './attempt';
import { streamOnce } from './attempt';
import { LlmError, toLlmError } from './errors';
import { rememberConfiguredSecret } from '../secrets/known';
import type { Redactor } from '../secrets/redactor';
import { sharedRedactor } from '../secrets/redactor';
import { redactRequest } from '../secrets/request';
import { stopError, truncation } from './stops';
import type { StreamTimeouts } from './watchdog';
import { DEFAULT_STREAM_TIMEOUTS, stallMessage } from './watchdog';

export interface LlmRequest {
  model: ModelInfo;
  system?: string | TextBlockParam[];
  messages: MessageParam[];
  tools?: ToolUnion[];
  /** How the model may use `tools`; `none` asks for an answer while the conversation still holds tool calls. */
  toolChoice?: ToolChoice;
  maxTokens: number;
  /** Structured output; the JSON document comes back as the message's text. */
  outputFormat?: JSONOutputFormat;
  thinking?: ThinkingConfigParam;
}

export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Live cumulative usage: at message_start, estimated while content streams, authoritative at message_delta; with
   * what the model is doing now (`phase`), which moves even while a thought streams no text.
   */
  onUsage?: (live: LiveUsage) => void;
  onText?: (delta: string) => void;
  /** Receives one entry per billed request, including internal retries and calls that failed mid-stream. */
  ledger?: Ledger;
  /** Ledger owner: 'plan' or a subtask id. */
  owner?: string;
  attempt?: number;
}

export interface LlmResult {
  message: Message;
  /** Usage of the request that produced `message` (the ledger also holds any internal retries). */
  usage: Usage;
  requestId?: string;
  stopReason: StopReason | null;
  /** All text blocks joined. */
  text: string;
}

export interface LlmClientOptions extends AnthropicOptions {
  /** Limits on a stream that stops making progress; defaults in DEFAULT_STREAM_TIMEOUTS. */
  streamTimeouts?: Partial<StreamTimeouts>;
}

/**
 * Every model call goes through here. The SDK retries 408/409/429/5xx/529 and connection failures (honouring
 * retry-after); on top of that this retries once: a stream the API abandons as overloaded before any content, a
 * stream that stalls (no response, or no content for the idle timeout), and, with a doubled output budget, a
 * response cut off by max_tokens before it held a complete answer (inside thinking, a tool call or a structured
 * document). Refusals and context-window stops are never repeated on the same model.
 */
export class LlmClient {
  private client: Anthropic | undefined;
  private readonly options: AnthropicOptions;
  /** Sweeps every outgoing request for secrets; its counts per owner are what the user is shown. */
  redactor: Redactor = sharedRedactor();
  private timeouts: StreamTimeouts = { ...DEFAULT_STREAM_TIMEOUTS };

  /** With options, the SDK client (and the key check) is made at the first call, so a missing key fails that call. */
  constructor(clientOrOptions: Anthropic | LlmClientOptions = {}) {
    if (clientOrOptions instanceof Anthropic) {
      this.client = clientOrOptions;
      this.options = {};
    } else {
      this.options = clientOrOptions;
      this.setStreamTimeouts(clientOrOptions.streamTimeouts);
    }
  }

  get anthropic(): Anthropic {
    this.client ??= createAnthropic(this.options);
    return this.client;
  }

  /** Changes the stall limits for the calls that start from now on (a setting changed); missing ones are defaults. */
  setStreamTimeouts(timeouts: Partial<StreamTimeouts> = {}): void {
    this.timeouts = { ...DEFAULT_STREAM_TIMEOUTS, ...timeouts };
  }

  async call(request: LlmRequest, opts: CallOptions = {}): Promise<LlmResult> {
    const client = this.anthropic;
    const req = await this.sweep(request, opts.owner);
    const ctx = { model: req.model, tools: (req.tools?.length ?? 0) > 0, structured: req.outputFormat !== undefined };
    let maxTokens = req.maxTokens;
    const retried = { overload: false, stall: false, truncation: false };
    for (;;) {
      const outcome = await streamOnce(client, buildParams(req, maxTokens), opts, this.timeouts);
      if (!outcome.ok) {
        const error = this.failure(req, opts, outcome);
        const brokeBeforeContent = error.status === undefined && !outcome.sawContent;
        const again =
          (error.kind === 'stalled' && !retried.stall) ||
          (error.kind === 'overloaded' && brokeBeforeContent && !retried.overload);
        if (!again) {
          throw error;
        }
        retried[error.kind === 'stalled' ? 'stall' : 'overload'] = true;
        continue;
      }
      const result = toResult(outcome);
      this.record(req, opts, result.usage, result.requestId);
      const cut = truncation(result.message, ctx);
      const larger = Math.min(maxTokens * 2, req.model.maxOutput);
      if (cut && !retried.truncation && larger > maxTokens) {
        retried.truncation = true;
        maxTokens = larger;
        continue;
      }
      const error = stopError(result.message, { ...ctx, owner: opts.owner, maxTokens }, result.requestId, cut);
      if (error) {
        throw error;
      }
      return result;
    }
  }

  /** Input tokens of a request as the API counts them (system, messages and tools), without running it. */
  async countTokens(request: Omit<LlmRequest, 'maxTokens'>, signal?: AbortSignal): Promise<number> {
    const client = this.anthropic;
    const req = await this.sweep(request);
    try {
      const res = await client.messages.countTokens(
        {
          model: req.model.id,
          messages: req.messages,
          ...(req.system !== undefined ? { system: req.system } : {}),
          ...(req.tools && req.tools.length > 0 ? { tools: req.tools } : {}),
          ...(req.thinking ? { thinking: req.thinking } : {}),
          ...(req.outputFormat ? { output_config: { format: req.outputFormat } } : {}),
        },
        { signal },
      );
      return res.input_tokens;
    } catch (err) {
      throw toLlmError(err, { model: req.model.id, apiKey: client.apiKey, maxRetries: client.maxRetries });
    }
  }

  /**
   * The secrets hook: whatever path built the request (map, files, tool results, diffs, feedback), no secret and no
   * configured key leaves the process. Sources that know file names redact earlier; this catches everything else.
   */
  private async sweep<R extends LlmRequest | Omit<LlmRequest, 'maxTokens'>>(req: R, owner?: string): Promise<R> {
    rememberConfiguredSecret(this.anthropic.apiKey);
    return redactRequest(req, this.redactor, owner);
  }

  private failure(req: LlmRequest, opts: CallOptions, outcome: Extract<AttemptOutcome, { ok: false }>): LlmError {
    const client = this.anthropic;
    const error = outcome.stalled
      ? new LlmError('stalled', withId(stallMessage(outcome.stalled), outcome), { requestId: outcome.requestId })
      : toLlmError(outcome.error, {
          model: req.model.id,
          apiKey: client.apiKey,
          requestId: outcome.requestId,
          maxRetries: client.maxRetries,
        });
    if (outcome.partial) {
      this.record(req, opts, outcome.partial, error.requestId ?? outcome.requestId);
    }
    return error;
  }

  private record(req: LlmRequest, opts: CallOptions, usage: Usage, requestId: string | undefined): void {
    opts.ledger?.record({
      owner: opts.owner ?? 'unassigned',
      attempt: opts.attempt ?? 1,
      model: req.model.id,
      role: req.model.role,
      usage,
      cost: costOfCall(usage, req.model),
      ...(requestId ? { requestId } : {}),
    });
  }
}

function buildParams(req: LlmRequest, maxTokens: number): MessageCreateParamsBase {
  return {
    model: req.model.id,
    max_tokens: maxTokens,
    messages: req.messages,
    ...(req.system !== undefined ? { system: req.system } : {}),
    ...(req.tools && req.tools.length > 0 ? { tools: req.tools } : {}),
    ...(req.toolChoice && req.tools && req.tools.length > 0 ? { tool_choice: req.toolChoice } : {}),
    ...(req.thinking ? { thinking: req.thinking } : {}),
    ...(req.outputFormat ? { output_config: { format: req.outputFormat } } : {}),
  };
}

function toResult(outcome: Extract<AttemptOutcome, { ok: true }>): LlmResult {
  const { message } = outcome;
  const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  return { message, usage: outcome.usage, requestId: outcome.requestId, stopReason: message.stop_reason, text };
}

function withId(message: string, result: { requestId?: string }): string {
  return result.requestId ? `${message} (request ${result.requestId})` : message;
}
