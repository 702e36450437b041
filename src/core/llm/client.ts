import { Anthropic } from '@anthropic-ai/sdk';
import type {
  JSONOutputFormat,
  Message,
  MessageCreateParamsBase,
  MessageParam,
  StopReason,
  TextBlockParam,
  ThinkingConfigParam,
  OutputConfig,
  ToolChoice,
  ToolUnion,
} from '@anthropic-ai/sdk/resources/messages/messages';
import type { ModelInfo, ProviderId } from '../models';
import { PROVIDER_LABELS } from '../models';
import type { Ledger } from '../usage/ledger';
import type { LiveUsage, Usage } from '../usage/usage';
import { costOfCall, estimateTokens } from '../usage/usage';
import type { AnthropicOptions } from './anthropic';
import { DEFAULT_MAX_RETRIES, createAnthropic } from './anthropic';
import type { AttemptOutcome } from './attempt';
import { LlmError } from './errors';
import type { ProviderSettings } from './providers/platforms';
import { CAPABILITIES, DEFAULT_PROVIDERS, bedrockTransport, vertexTransport } from './providers/platforms';
import { extractJson, plainJsonSystem, refusesStructuredOutput } from './providers/plainJson';
import { SdkTransport } from './providers/sdkTransport';
import type { ModelTransport } from './transport';
import { rememberConfiguredSecret } from '../secrets/known';
import { Redactor } from '../secrets/redactor';
import { redactRequest } from '../secrets/request';
import { callStarts } from './pacer';
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
  /** How much the model thinks and writes (output_config.effort); the model's default when left out. */
  effort?: NonNullable<OutputConfig['effort']>;
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

/** Makes the transport of a provider that core cannot build itself (the editor's language models). */
export type TransportFactory = () => ModelTransport | Promise<ModelTransport>;

export interface LlmClientOptions extends AnthropicOptions {
  /** Limits on a stream that stops making progress; defaults in DEFAULT_STREAM_TIMEOUTS. */
  streamTimeouts?: Partial<StreamTimeouts>;
  /** Bedrock and Vertex settings (which provider a role uses is the model's `provider`, from models.ts). */
  providers?: Pick<ProviderSettings, 'bedrock' | 'vertex'>;
  /** Transports made outside core, by provider: the editor registers VS Code's language models here. */
  transports?: Partial<Record<ProviderId, TransportFactory>>;
  /** Told once when the client falls back for a platform (e.g. a plan asked as plain JSON); for the log. */
  onNotice?: (message: string) => void;
  /**
   * Sweeps every request; the map and the workers redact with the same one (`llm.redactor`), so its counts per
   * owner are one figure. Default: a redactor of this client's own. Kept when `configure` changes the options.
   */
  redactor?: Redactor;
}

/**
 * Every model call goes through here. The SDK retries 408/409/429/5xx/529 and connection failures (honouring
 * retry-after); on top of that this retries once: a stream the API abandons as overloaded before any content, a
 * stream that stalls (no response, or no content for the idle timeout), and, with a doubled output budget, a
 * response cut off by max_tokens before it held a complete answer (inside thinking, a tool call or a structured
 * document). Refusals and context-window stops are never repeated on the same model.
 */
export class LlmClient {
  private readonly injected: Anthropic | undefined;
  private options: LlmClientOptions;
  /** One transport per provider, made at its first call; a failed construction is tried again next call. */
  private readonly made = new Map<ProviderId, Promise<ModelTransport>>();
  /** `provider model` pairs whose platform refused structured output: asked as plain JSON from then on. */
  private readonly plainJson = new Set<string>();
  /** Sweeps every outgoing request for secrets; its counts per owner are what the user is shown. */
  redactor: Redactor;
  private timeouts: StreamTimeouts = { ...DEFAULT_STREAM_TIMEOUTS };

  /** With options, the SDK client (and the key check) is made at the first call, so a missing key fails that call. */
  constructor(clientOrOptions: Anthropic | LlmClientOptions = {}) {
    if (clientOrOptions instanceof Anthropic) {
      this.injected = clientOrOptions;
      this.options = {};
    } else {
      this.options = clientOrOptions;
      this.setStreamTimeouts(clientOrOptions.streamTimeouts);
    }
    this.redactor = this.options.redactor ?? new Redactor();
  }

  /**
   * New settings (key, endpoint, platforms, editor models) for the calls that start from now on; calls in flight
   * finish on the transport they started with.
   */
  configure(options: LlmClientOptions): void {
    this.options = options;
    this.setStreamTimeouts(options.streamTimeouts);
    this.made.clear();
  }

  /** Changes the stall limits for the calls that start from now on (a setting changed); missing ones are defaults. */
  setStreamTimeouts(timeouts: Partial<StreamTimeouts> = {}): void {
    this.timeouts = { ...DEFAULT_STREAM_TIMEOUTS, ...timeouts };
  }

  /** The transport a model's calls go through (made on first use). */
  transportFor(model: Pick<ModelInfo, 'provider'>): Promise<ModelTransport> {
    const provider = model.provider ?? 'anthropic';
    let made = this.made.get(provider);
    if (!made) {
      made = Promise.resolve().then(() => this.makeTransport(provider));
      this.made.set(provider, made);
      made.catch(() => this.made.get(provider) === made && this.made.delete(provider));
    }
    return made;
  }

  async call(request: LlmRequest, opts: CallOptions = {}): Promise<LlmResult> {
    await callStarts.turn();
    const transport = await this.transportFor(request.model);
    let req = this.fitToPlatform(await this.sweep(request, transport, opts.owner), transport);
    const ctx = {
      model: req.model,
      tools: (req.tools?.length ?? 0) > 0,
      structured: request.outputFormat !== undefined,
    };
    let maxTokens = req.maxTokens;
    const retried = { overload: false, stall: false, truncation: false };
    for (;;) {
      const outcome = await transport.stream(buildParams(req, maxTokens), opts, this.timeouts);
      if (!outcome.ok) {
        const error = this.failure(req, opts, outcome, transport);
        if (this.refusedStructured(req, error, transport)) {
          req = this.fitToPlatform(req, transport);
          continue;
        }
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
      const result = toResult(outcome, request.outputFormat !== undefined && req.outputFormat === undefined);
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

  /**
   * Input tokens of a request (system, messages and tools), without running it: as the platform counts them, or the
   * offline estimate where it cannot count (Bedrock).
   */
  async countTokens(request: Omit<LlmRequest, 'maxTokens'>, signal?: AbortSignal): Promise<number> {
    const transport = await this.transportFor(request.model);
    const req = await this.sweep(request, transport);
    const params = {
      model: req.model.id,
      messages: req.messages,
      ...(req.system !== undefined ? { system: req.system } : {}),
      ...(req.tools && req.tools.length > 0 ? { tools: req.tools } : {}),
      ...(req.thinking ? { thinking: req.thinking } : {}),
      ...(req.outputFormat && transport.capabilities.structuredOutput === 'native'
        ? { output_config: { format: req.outputFormat } }
        : {}),
    };
    try {
      const counted = await transport.countTokens(params, signal);
      return counted ?? estimateTokens(JSON.stringify(params));
    } catch (err) {
      throw transport.toError(err, { model: req.model.id });
    }
  }

  private async makeTransport(provider: ProviderId): Promise<ModelTransport> {
    const o = this.options;
    const platform = { maxRetries: o.maxRetries ?? DEFAULT_MAX_RETRIES, timeoutMs: o.timeoutMs };
    const settings = o.providers ?? DEFAULT_PROVIDERS;
    const made = o.transports?.[provider];
    if (made) {
      return made();
    }
    switch (provider) {
      case 'anthropic': {
        const sdk = this.injected ?? createAnthropic(o);
        return new SdkTransport('anthropic', sdk, CAPABILITIES.anthropic, sdk.apiKey ? [sdk.apiKey] : []);
      }
      case 'bedrock':
        return bedrockTransport(settings.bedrock, platform);
      case 'vertex':
        return vertexTransport(settings.vertex, platform);
      default:
        throw new LlmError(
          'bad_request',
          `${PROVIDER_LABELS[provider]}s are reached through VS Code only: choose another provider for the command line.`,
          { retryable: false },
        );
    }
  }

  /** The request as this platform takes it: without structured output where the platform has none (or refused it). */
  private fitToPlatform<R extends LlmRequest>(request: R, transport: ModelTransport): R {
    // Effort is sent where it is known to be taken (Anthropic's API); elsewhere the model runs at its default.
    const { effort, ...plain } = request;
    const req = (effort && transport.provider !== 'anthropic' ? plain : request) as R;
    if (!req.outputFormat) {
      return req;
    }
    const mode = transport.capabilities.structuredOutput;
    if (mode === 'native' || (mode === 'try' && !this.plainJson.has(`${transport.provider} ${req.model.id}`))) {
      return req;
    }
    const { outputFormat, ...rest } = req;
    return { ...rest, system: plainJsonSystem(req.system, outputFormat) } as R;
  }

  /** A 400 refusing the structured-output field: remembered, said once, and the call is asked again as plain JSON. */
  private refusedStructured(req: LlmRequest, error: LlmError, transport: ModelTransport): boolean {
    const key = `${transport.provider} ${req.model.id}`;
    if (!req.outputFormat || error.kind !== 'bad_request' || transport.capabilities.structuredOutput !== 'try') {
      return false;
    }
    if (this.plainJson.has(key) || !refusesStructuredOutput(error.message)) {
      return false;
    }
    this.plainJson.add(key);
    this.options.onNotice?.(
      `${PROVIDER_LABELS[transport.provider]} refused structured output for ${req.model.id} (${error.message}); ` +
        'answers that need it are asked as plain JSON and checked against the schema instead.',
    );
    return true;
  }

  /**
   * The secrets hook: whatever path built the request (map, files, tool results, diffs, feedback), no secret and no
   * configured key leaves the process. Sources that know file names redact earlier; this catches everything else.
   */
  private async sweep<R extends LlmRequest | Omit<LlmRequest, 'maxTokens'>>(
    req: R,
    transport: ModelTransport,
    owner?: string,
  ): Promise<R> {
    for (const secret of transport.secrets) {
      rememberConfiguredSecret(secret);
    }
    return redactRequest(req, this.redactor, owner);
  }

  private failure(
    req: LlmRequest,
    opts: CallOptions,
    outcome: Extract<AttemptOutcome, { ok: false }>,
    transport: ModelTransport,
  ): LlmError {
    const error = outcome.stalled
      ? new LlmError('stalled', withId(stallText(outcome.stalled, transport.provider), outcome), {
          requestId: outcome.requestId,
        })
      : transport.toError(outcome.error, { model: req.model.id, requestId: outcome.requestId });
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
    ...outputConfig(req),
  };
}

function outputConfig(req: LlmRequest): { output_config?: OutputConfig } {
  if (!req.outputFormat && !req.effort) {
    return {};
  }
  return {
    output_config: {
      ...(req.outputFormat ? { format: req.outputFormat } : {}),
      ...(req.effort ? { effort: req.effort } : {}),
    },
  };
}

function toResult(outcome: Extract<AttemptOutcome, { ok: true }>, plainJson: boolean): LlmResult {
  const { message } = outcome;
  const joined = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  const text = plainJson ? extractJson(joined) : joined;
  return { message, usage: outcome.usage, requestId: outcome.requestId, stopReason: message.stop_reason, text };
}

/** The stall message, naming the provider the call went to. */
function stallText(stall: Parameters<typeof stallMessage>[0], provider: ProviderId): string {
  const text = stallMessage(stall);
  return provider === 'anthropic' ? text : text.replace('The Anthropic API', PROVIDER_LABELS[provider]);
}

function withId(message: string, result: { requestId?: string }): string {
  return result.requestId ? `${message} (request ${result.requestId})` : message;
}
