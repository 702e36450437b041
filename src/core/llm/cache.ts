import type { ContentBlockParam, MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import type { Prices } from '../models';

/**
 * Where prompt-cache breakpoints go in a conversation that grows by turns (a worker's tool loop). The API caches the
 * prefix up to each block marked with `cache_control`; a later request whose prefix matches reads it at a tenth of
 * the input price, and pays 1.25× for what it writes past the part it read.
 *
 * Each request marks two places: the newest block, so that the whole conversation so far is written for the next
 * turn, and the end of the message the previous request marked, so that this request reads that entry directly. The
 * second mark matters because the API looks back only 20 blocks from a breakpoint for an earlier entry, and one turn
 * of parallel tool calls (a thinking block, N calls, N results) can add more than that. With the system prompt's own
 * mark that is three breakpoints, under the API's limit of four.
 *
 * The first request is the exception: a mark on it is only read back if the run takes a second turn (see
 * markFirstRequest), so a caller says whether to set one.
 *
 * The marks are set on copies: the conversation the caller keeps stays unmarked, or marks from earlier turns would
 * pile up past the limit.
 */
export const EPHEMERAL = { type: 'ephemeral' } as const;

/**
 * A copy of `messages` with breakpoints at the newest block and at the end of the previous request's last message;
 * a lone first message is marked only when `markFirst` says so.
 */
export function withMovingBreakpoint(messages: readonly MessageParam[], markFirst = true): MessageParam[] {
  const marks = new Set<number>();
  const last = messages.length - 1;
  if (last > 0 || (last === 0 && markFirst)) {
    marks.add(last);
  }
  // The previous request ended with the user message before the newest assistant reply.
  for (let i = last - 1; i >= 0; i--) {
    if (messages[i]?.role === 'assistant') {
      if (i - 1 >= 0 && messages[i - 1]?.role === 'user') {
        marks.add(i - 1);
      }
      break;
    }
  }
  return messages.map((m, i) => (marks.has(i) ? markLastBlock(m) : m));
}

/** The message with a breakpoint on its last block (a string content becomes one text block). */
export function markLastBlock(message: MessageParam): MessageParam {
  const blocks: ContentBlockParam[] =
    typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : [...message.content];
  return lastMarkable(blocks) < 0 ? message : ({ ...message, content: markLast(blocks) } as MessageParam);
}

/** A copy of `blocks` (a message's content, or a system prompt) with a breakpoint on the last block that takes one. */
export function markLast<B extends ContentBlockParam>(blocks: readonly B[]): B[] {
  const index = lastMarkable(blocks);
  return blocks.map((block, i) => (i === index ? { ...block, cache_control: EPHEMERAL } : block));
}

/** Thinking blocks cannot carry a breakpoint; the mark goes on the last block that can. */
function lastMarkable(blocks: readonly ContentBlockParam[]): number {
  for (let i = blocks.length - 1; i >= 0; i--) {
    const type = blocks[i]?.type;
    if (type !== 'thinking' && type !== 'redacted_thinking') {
      return i;
    }
  }
  return -1;
}

/** A run this plan has recorded: its model calls (0 for a subtask that has not run), and whether it was one-reply. */
export interface RecordedRun {
  turns: number;
  /** The planner expected the worker to make all its edits and finish in its first reply (`oneReply`). */
  oneReply: boolean;
}

/**
 * Whether a worker's first request should carry a conversation mark, from what the planner expects of the subtask
 * and how this plan's earlier runs went.
 *
 * Marked, a first request of P tokens costs P at the cache-write price, and a second turn reads it back at the
 * cache-read price. Unmarked, it costs P at the input price, and a second turn writes it (its own mark) at the
 * cache-write price. So the mark costs P × (write − input) in a run of one call and saves P × (input − read) in a run
 * of two or more; it pays when the share p of runs taking a second turn is at least (write − input) ÷ (write − read):
 * 0.217 at Anthropic's list ratios (1.25×, 0.1×). At those ratios an unread write costs 0.25× of P and a missed read
 * 0.9× of P, more than three times as much.
 *
 * Whether a run will take a second turn is not known before the model answers, so the rule leans on two guides, each
 * checked against the runs of its own kind (the one-reply subtasks, or the others):
 * - a subtask the planner marked `oneReply` (its focus holds every line to change and its instructions say what to
 *   write) is left unmarked: its worker is expected to edit and finish in one call, and the mark would be written
 *   for nothing. Should this plan's recorded one-reply runs show second turns at the break-even rate or more, the
 *   planner's predictions are failing and the mark comes back.
 * - any other subtask is marked, a wrong guess without the mark being the dearer one, until this plan's recorded runs
 *   of such subtasks show second turns to be rarer than the break-even.
 *
 * A cache write no dearer than input (a price override) costs nothing to place: then the first request is marked.
 */
export function markFirstRequest(oneReply: boolean, recorded: readonly RecordedRun[], prices: Prices): boolean {
  const premium = prices.cacheWrite - prices.input;
  if (premium <= 0) {
    return true;
  }
  const runs = recorded.filter((r) => r.turns > 0 && r.oneReply === oneReply);
  if (runs.length === 0) {
    // Nothing of its kind seen yet: the planner's word for a one-reply subtask, the cheaper wrong guess otherwise.
    return !oneReply;
  }
  const longer = runs.filter((r) => r.turns > 1).length;
  return longer / runs.length >= premium / (prices.cacheWrite - prices.cacheRead);
}
