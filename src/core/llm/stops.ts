import type { Message, RefusalStopDetails } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ModelInfo } from '../models';
import { MODEL_TABLE, refusalFallback } from '../models';
import { formatTokens } from '../usage/format';
import { LlmError } from './errors';

/**
 * What a finished response's stop reason means for the caller. A `max_tokens` stop is a finished answer only when
 * what came before the cut can stand on its own; real models think first, and thinking counts toward max_tokens, so
 * the cut often falls inside a thought, before any answer at all.
 */

/** The request as far as stop handling needs it. */
export interface StopContext {
  model: ModelInfo;
  tools: boolean;
  structured: boolean;
  /** 'plan' for the planner, otherwise a subtask id (or nothing): decides what the user is told to do. */
  owner?: string;
  maxTokens: number;
}

/**
 * Where a max_tokens stop cut the answer off, or undefined when the answer is usable as it is: prose from a call with
 * neither tools nor structured output. In a tool-using turn cut text may have been leading to a tool call, so it
 * is never taken as the turn's end.
 */
export function truncation(message: Message, ctx: Pick<StopContext, 'tools' | 'structured'>): string | undefined {
  if (message.stop_reason !== 'max_tokens') {
    return undefined;
  }
  const last = message.content.at(-1);
  if (last?.type === 'thinking' || last?.type === 'redacted_thinking') {
    return 'while thinking, before it answered';
  }
  if (last?.type === 'tool_use') {
    return 'while writing a tool call';
  }
  if (ctx.structured) {
    return 'while writing its structured answer';
  }
  if (ctx.tools) {
    return 'before it finished its turn';
  }
  const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  return text.trim() === '' ? 'before it wrote an answer' : undefined;
}

function withId(message: string, requestId: string | undefined): string {
  return requestId ? `${message} (request ${requestId})` : message;
}

function detailsText(d: RefusalStopDetails | null): string {
  if (!d?.category) {
    return d?.explanation ? ` (${d.explanation.replace(/\.$/, '')})` : '';
  }
  return d.explanation ? ` (${d.category}: ${d.explanation.replace(/\.$/, '')})` : ` (${d.category})`;
}

function refusal(message: Message, ctx: StopContext, requestId: string | undefined): LlmError {
  const details = message.stop_details;
  const label = ctx.model.label;
  // Another model declines a request to reveal the model's own reasoning just the same: only rephrasing helps.
  if (details?.category === 'reasoning_extraction') {
    const text =
      `${label} declined because the request asks it to reproduce its internal reasoning (reasoning_extraction). ` +
      'Rephrase the task so that it does not ask the model to show its reasoning, then try again.';
    return new LlmError('refusal', withId(text, requestId), { requestId, retryable: false, stopDetails: details });
  }
  const fallback = refusalFallback(ctx.model.role);
  const other = MODEL_TABLE[fallback];
  const why = detailsText(details);
  const text =
    ctx.owner === 'plan'
      ? `${label} declined to plan this task${why}. Rephrase or narrow the task and plan again, or plan with ` +
        `${other.label}: set opusOrchestrator.models.opus to ${other.id}.`
      : `${label} declined this request${why}. Retry the subtask on ${other.label} (another model usually ` +
        'answers), or rephrase the task.';
  return new LlmError('refusal', withId(text, requestId), {
    requestId,
    retryable: false,
    ...(details ? { stopDetails: details } : {}),
    fallback,
  });
}

/** The error a finished response stands for, or undefined when it is an answer. `cut` is `truncation`'s result. */
export function stopError(
  message: Message,
  ctx: StopContext,
  requestId: string | undefined,
  cut: string | undefined,
): LlmError | undefined {
  if (message.stop_reason === 'refusal') {
    return refusal(message, ctx, requestId);
  }
  if (message.stop_reason === 'model_context_window_exceeded') {
    const narrow =
      ctx.owner === 'plan'
        ? 'narrow the task, or lower opusOrchestrator.repoMapBudgetTokens'
        : 'narrow the scope (fewer or smaller files in scope, or split the subtask)';
    const text =
      `The request and its answer no longer fit ${ctx.model.label}'s context window ` +
      `(${formatTokens(ctx.model.contextWindow)} tokens): the API stopped the answer with ` +
      `model_context_window_exceeded. A larger output budget cannot fix this; ${narrow} and run it again.`;
    return new LlmError('context_window', withId(text, requestId), { requestId, retryable: false });
  }
  if (cut) {
    const smaller = ctx.owner === 'plan' ? 'narrow the task' : 'split the subtask into smaller ones';
    const text =
      `The model ran out of output tokens (max_tokens ${ctx.maxTokens}) ${cut}. ` +
      `Raise opusOrchestrator.maxOutputTokens or ${smaller}.`;
    return new LlmError('max_tokens', withId(text, requestId), { requestId, retryable: false });
  }
  return undefined;
}
