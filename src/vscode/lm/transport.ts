import type {
  ContentBlock,
  Message,
  MessageCountTokensParams,
  MessageCreateParamsBase,
} from '@anthropic-ai/sdk/resources/messages/messages';
import * as vscode from 'vscode';
import type { AttemptHooks, AttemptOutcome } from '../../core/llm/attempt';
import { LlmError } from '../../core/llm/errors';
import type { ModelTransport, TransportCapabilities, TransportErrorContext } from '../../core/llm/transport';
import type { StreamTimeouts } from '../../core/llm/watchdog';
import type { LivePhase, Usage } from '../../core/usage/usage';
import { toChatMessages, toChatTools } from './convert';

const JUSTIFICATION =
  'Opus Orchestrator plans coding tasks and lets models edit the files in scope; every change is shown to you as a ' +
  'diff before anything is written.';

/** Where the editor's models differ: no structured output, and usage that the API does not report. */
const CAPABILITIES: TransportCapabilities = { structuredOutput: 'none', countTokens: true, usage: 'estimated' };

/** Finds the chat model behind a model id (the roster's `seat` id). */
export type ChatModelLookup = (id: string) => Promise<vscode.LanguageModelChat | undefined>;

/**
 * VS Code's Language Model API as a transport: the request goes to the chat model the user picked for the role
 * (after VS Code has asked the user's consent, on the first request), tool calls come back as `tool_use` blocks,
 * and usage is the model's own token counts of what was sent and received, an estimate since the API reports none.
 */
export class LanguageModelTransport implements ModelTransport {
  readonly provider = 'vscode-lm' as const;
  readonly capabilities = CAPABILITIES;
  readonly secrets: readonly string[] = [];
  readonly maxRetries = 0;

  constructor(private readonly lookup: ChatModelLookup) {}

  async stream(
    params: MessageCreateParamsBase,
    hooks: AttemptHooks,
    timeouts: StreamTimeouts,
  ): Promise<AttemptOutcome> {
    const source = new vscode.CancellationTokenSource();
    let stalled: { phase: 'response' | 'idle'; ms: number } | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (phase: 'response' | 'idle'): void => {
      clearTimeout(timer);
      const ms = phase === 'response' ? timeouts.responseMs : timeouts.idleMs;
      timer = setTimeout(() => {
        stalled = { phase, ms };
        source.cancel();
      }, ms);
    };
    const cancel = (): void => source.cancel();
    hooks.signal?.addEventListener('abort', cancel, { once: true });
    let usage: Usage | undefined;
    let sawContent = false;
    try {
      const model = await this.lookup(params.model);
      if (!model) {
        throw vscode.LanguageModelError.NotFound(`no chat model with id ${params.model}`);
      }
      const messages = toChatMessages(params);
      const input = await this.count(model, messages, source.token);
      usage = { input, output: 0, cacheRead: 0, cacheWrite: 0 };
      hooks.onUsage?.({ ...usage, phase: 'starting' });
      arm('response');
      // A request that forbids tools (the planner once its tool budget is spent) offers none.
      const tools = params.tool_choice?.type === 'none' ? [] : toChatTools(params.tools);
      const response = await model.sendRequest(
        messages,
        { justification: JUSTIFICATION, ...(tools.length > 0 ? { tools } : {}) },
        source.token,
      );
      arm('idle');
      const content: ContentBlock[] = [];
      let written = '';
      for await (const part of response.stream) {
        arm('idle');
        sawContent = true;
        let phase: LivePhase = 'writing';
        if (part instanceof vscode.LanguageModelTextPart) {
          const last = content.at(-1);
          if (last?.type === 'text') {
            last.text += part.value;
          } else {
            content.push({ type: 'text', text: part.value, citations: null });
          }
          written += part.value;
          hooks.onText?.(part.value);
        } else if (part instanceof vscode.LanguageModelToolCallPart) {
          phase = 'tool';
          content.push({
            type: 'tool_use',
            id: part.callId,
            name: part.name,
            input: part.input,
            caller: { type: 'direct' },
          });
          written += JSON.stringify(part.input);
        }
        usage = { ...usage, output: Math.ceil(written.length / 3.5) };
        hooks.onUsage?.({ ...usage, phase });
      }
      clearTimeout(timer);
      usage = { ...usage, output: written === '' ? 0 : await model.countTokens(written, source.token) };
      return { ok: true, message: toMessage(params.model, content, usage), usage };
    } catch (error) {
      const aborted = hooks.signal?.aborted === true;
      return { ok: false, error, partial: usage, sawContent, ...(stalled && !aborted ? { stalled } : {}) };
    } finally {
      clearTimeout(timer);
      hooks.signal?.removeEventListener('abort', cancel);
      source.dispose();
    }
  }

  async countTokens(params: MessageCountTokensParams): Promise<number | undefined> {
    const model = await this.lookup(params.model);
    if (!model) {
      return undefined;
    }
    const source = new vscode.CancellationTokenSource();
    try {
      return await this.count(model, toChatMessages({ ...params, max_tokens: 1 }), source.token);
    } finally {
      source.dispose();
    }
  }

  toError(err: unknown, ctx: TransportErrorContext): LlmError {
    const fix = 'Run "Opus Orchestrator: Select Provider and Models" to choose another model or provider.';
    if (err instanceof vscode.CancellationError || (err instanceof Error && err.name === 'Canceled')) {
      return new LlmError('cancelled', 'The model call was cancelled.', { cause: err });
    }
    if (err instanceof vscode.LanguageModelError) {
      switch (err.code) {
        case vscode.LanguageModelError.NoPermissions.name:
          return new LlmError(
            'permission',
            `VS Code has not allowed Opus Orchestrator to use the language model ${ctx.model}: when VS Code asks, ` +
              `allow access (or allow it under Accounts › Manage Language Model Access). ${fix}`,
            { retryable: false, cause: err },
          );
        case vscode.LanguageModelError.Blocked.name:
          return new LlmError(
            'permission',
            `The language model ${ctx.model} refused requests from Opus Orchestrator for now (${err.message}): its ` +
              `provider blocked them, often for a usage limit of the seat. Try again later. ${fix}`,
            { retryable: false, cause: err },
          );
        case vscode.LanguageModelError.NotFound.name:
          return new LlmError(
            'not_found',
            `The language model ${ctx.model} is not offered by VS Code any more (${err.message}). ${fix}`,
            { retryable: false, cause: err },
          );
      }
    }
    const message = err instanceof Error ? err.message : String(err);
    return new LlmError('server', `The language model ${ctx.model} failed: ${message}. Try again. ${fix}`, {
      cause: err,
    });
  }

  private async count(
    model: vscode.LanguageModelChat,
    messages: vscode.LanguageModelChatMessage[],
    token: vscode.CancellationToken,
  ): Promise<number> {
    let total = 0;
    for (const m of messages) {
      total += await model.countTokens(m, token);
    }
    return total;
  }
}

function toMessage(model: string, content: ContentBlock[], usage: Usage): Message {
  const calls = content.some((b) => b.type === 'tool_use');
  return {
    id: `lm_${Date.now().toString(36)}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    container: null,
    diagnostics: null,
    stop_details: null,
    stop_reason: calls ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: usage.input,
      output_tokens: usage.output,
      cache_creation: null,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: null,
      speed: null,
    },
  };
}
