import type { FakeBlock, FakeStopDetails, FakeStopReason, FakeUsage, MessageReply } from './replies';

/** One server-sent event as the Messages API writes it: a named event whose data repeats the name as `type`. */
export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

interface ResolvedUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface MessageContext {
  id: string;
  model: string;
  requestBody: Record<string, unknown>;
}

export function formatSse(e: SseEvent): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/** The token estimate the fake uses for prompts: JSON length of system + messages + tools over 3.5, rounded up. */
export function estimateInputTokens(body: Record<string, unknown>): number {
  const json = JSON.stringify({ system: body.system, messages: body.messages, tools: body.tools });
  return Math.ceil(json.length / 3.5);
}

function blockChars(b: FakeBlock): number {
  switch (b.type) {
    case 'text':
      return b.text.length;
    case 'thinking':
      return b.thinking.length;
    case 'tool_use':
      return (b.partialJson ?? JSON.stringify(b.input)).length;
  }
}

/**
 * Fills in what a reply left out so gauges move: output follows the content length (thinking included: it is billed
 * whether or not its text is shown), and a max_tokens stop used the whole budget, as the API reports it.
 */
export function resolveUsage(
  u: FakeUsage | undefined,
  blocks: FakeBlock[],
  body: Record<string, unknown>,
  stop?: FakeStopReason,
) {
  const chars = blocks.reduce((n, b) => n + blockChars(b), 0);
  const budget = typeof body.max_tokens === 'number' ? body.max_tokens : undefined;
  const usage: ResolvedUsage = {
    input: u?.input ?? estimateInputTokens(body),
    output: u?.output ?? (stop === 'max_tokens' && budget ? budget : Math.max(1, Math.ceil(chars / 3.5))),
    cacheRead: u?.cacheRead ?? 0,
    cacheWrite: u?.cacheWrite ?? 0,
  };
  return usage;
}

export function stopReasonOf(reply: MessageReply): FakeStopReason {
  return reply.stopReason ?? (reply.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
}

function apiUsage(u: ResolvedUsage, output: number): Record<string, unknown> {
  return {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    service_tier: 'standard',
  };
}

function stopDetails(reason: FakeStopReason, details?: FakeStopDetails): Record<string, unknown> | null {
  return reason === 'refusal'
    ? { type: 'refusal', category: details?.category ?? null, explanation: details?.explanation ?? null }
    : null;
}

/** A block as it appears in a finished Message. */
function finishedBlock(b: FakeBlock): Record<string, unknown> {
  switch (b.type) {
    case 'text':
      return { type: 'text', text: b.text, citations: null };
    case 'thinking':
      return { type: 'thinking', thinking: b.thinking, signature: b.signature };
    case 'tool_use':
      return { type: 'tool_use', id: b.id, name: b.name, input: b.input, caller: { type: 'direct' } };
  }
}

function messageShell(
  ctx: MessageContext,
  content: unknown[],
  stop: FakeStopReason | null,
  usage: object,
  details?: FakeStopDetails,
) {
  return {
    id: ctx.id,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    stop_details: stop ? stopDetails(stop, details) : null,
    container: null,
    usage,
  };
}

/** The whole Message JSON of a non-streaming request; usage follows `billed` (the blocks before display). */
export function fullMessage(reply: MessageReply, ctx: MessageContext, billed = reply.content): Record<string, unknown> {
  const stop = stopReasonOf(reply);
  const usage = resolveUsage(reply.usage, billed, ctx.requestBody, stop);
  const content = reply.content.map(finishedBlock);
  return messageShell(ctx, content, stop, apiUsage(usage, usage.output), reply.stopDetails);
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) {
    out.push(text.slice(i, i + size));
  }
  return out.length > 0 ? out : [''];
}

/** content_block_start, the deltas, content_block_stop of one block; `limit` cuts the deltas short. */
export function blockEvents(b: FakeBlock, index: number, limit = Infinity): SseEvent[] {
  const ev = (event: string, rest: Record<string, unknown>): SseEvent => ({ event, data: { type: event, ...rest } });
  const delta = (d: Record<string, unknown>) => ev('content_block_delta', { index, delta: d });
  const out: SseEvent[] = [];
  if (b.type === 'text') {
    out.push(ev('content_block_start', { index, content_block: { type: 'text', text: '', citations: null } }));
    out.push(...chunks(b.text, 16).map((text) => delta({ type: 'text_delta', text })));
  } else if (b.type === 'thinking') {
    // With the default display the text is empty: the block opens, its signature arrives, it closes.
    out.push(ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    if (b.thinking !== '') {
      out.push(...chunks(b.thinking, 24).map((thinking) => delta({ type: 'thinking_delta', thinking })));
    }
    if (b.cut) {
      return out.slice(0, limit);
    }
    out.push(delta({ type: 'signature_delta', signature: b.signature }));
  } else {
    const json = b.partialJson ?? JSON.stringify(b.input);
    const block = { type: 'tool_use', id: b.id, name: b.name, input: {}, caller: { type: 'direct' } };
    out.push(ev('content_block_start', { index, content_block: block }));
    // Several partial chunks, split anywhere (mid-key, mid-string), as the API does.
    const size = Math.max(1, Math.ceil(json.length / 4));
    out.push(...chunks(json, size).map((partial_json) => delta({ type: 'input_json_delta', partial_json })));
  }
  if (limit < out.length) {
    return out.slice(0, limit);
  }
  out.push(ev('content_block_stop', { index }));
  return out;
}

export function messageStartEvent(ctx: MessageContext, usage: ResolvedUsage): SseEvent {
  // The API reports a token or so of output at the start; the final count comes in message_delta.
  const start = messageShell(ctx, [], null, apiUsage(usage, Math.min(1, usage.output)));
  return { event: 'message_start', data: { type: 'message_start', message: start } };
}

export const PING: SseEvent = { event: 'ping', data: { type: 'ping' } };

/** The full event sequence of a streamed message reply, pings included; usage follows `billed`. */
export function messageEvents(reply: MessageReply, ctx: MessageContext, billed = reply.content): SseEvent[] {
  const stop = stopReasonOf(reply);
  const usage = resolveUsage(reply.usage, billed, ctx.requestBody, stop);
  const events: SseEvent[] = [messageStartEvent(ctx, usage)];
  reply.content.forEach((b, i) => {
    const blockEv = blockEvents(b, i);
    events.push(...blockEv.slice(0, 1));
    if (i === 0) {
      events.push(PING);
    }
    blockEv.slice(1).forEach((e, k) => {
      events.push(e);
      if (k % 10 === 9) {
        events.push(PING);
      }
    });
  });
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: {
        stop_reason: stop,
        stop_sequence: null,
        stop_details: stopDetails(stop, reply.stopDetails),
        container: null,
      },
      usage: {
        input_tokens: usage.input,
        cache_creation_input_tokens: usage.cacheWrite,
        cache_read_input_tokens: usage.cacheRead,
        output_tokens: usage.output,
      },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

/** A stream the API abandons with `event: error` (after some text when `afterContent`). */
export function streamErrorEvents(
  errorType: string,
  message: string,
  afterContent: boolean,
  usage: FakeUsage | undefined,
  ctx: MessageContext,
  requestId: string,
): SseEvent[] {
  const partial: FakeBlock = { type: 'text', text: 'Partial answer before the stream broke' };
  const events: SseEvent[] = [messageStartEvent(ctx, resolveUsage(usage, [partial], ctx.requestBody)), PING];
  if (afterContent) {
    events.push(...blockEvents(partial, 0, 2));
  }
  events.push({
    event: 'error',
    data: { type: 'error', error: { type: errorType, message }, request_id: requestId },
  });
  return events;
}
