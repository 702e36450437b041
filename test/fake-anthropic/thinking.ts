import { randomBytes } from 'node:crypto';
import type { FakeBlock, MessageReply } from './replies';

/**
 * Thinking as the 5.5 models do it: they think before answering unless the request turns thinking off, the default
 * display (`omitted`) sends each thinking block with empty text and only a signature, and a thinking block sent back
 * in a later request must be exactly the one the API issued, signature and text. In a tool-use turn the thinking
 * blocks must come back too: the API rejects a follow-up whose assistant turn lost or altered them.
 */

/** The summary a default thinking block carries (sent only with `display: "summarized"`, billed either way). */
export const DEFAULT_THINKING = 'Reading the request and the files before deciding what to change.';

interface ThinkingParam {
  type?: string;
  display?: string | null;
}

function thinkingParam(body: Record<string, unknown>): ThinkingParam | undefined {
  const t = body.thinking;
  return t && typeof t === 'object' ? (t as ThinkingParam) : undefined;
}

/** `disabled` (Haiku) and `between_tools` (Sonnet) skip the thinking before the answer. */
function thinksFirst(body: Record<string, unknown>): boolean {
  const type = thinkingParam(body)?.type;
  return type !== 'disabled' && type !== 'between_tools';
}

function summarized(body: Record<string, unknown>): boolean {
  return thinkingParam(body)?.display === 'summarized';
}

/** An opaque signature, as the API's are: nothing in it can be forged from the text. */
export function newSignature(): string {
  return randomBytes(48).toString('base64');
}

export interface PreparedContent {
  /** What the model produced and is billed for. */
  billed: FakeBlock[];
  /** What goes on the wire: thinking text emptied unless the request asked for summaries. */
  sent: FakeBlock[];
}

interface SentBlock {
  type?: unknown;
  thinking?: unknown;
  signature?: unknown;
  id?: unknown;
}

/** The thinking blocks this server issued, to check what clients send back. */
export class ThinkingLedger {
  /** signature → the thinking text sent with it. */
  private readonly issued = new Map<string, string>();
  /** tool_use id → the signatures of the thinking blocks of its turn, in order. */
  private readonly turns = new Map<string, string[]>();

  prepare(reply: MessageReply, body: Record<string, unknown>): PreparedContent {
    const thinks = reply.thinking !== false && thinksFirst(body) && !reply.content.some((b) => b.type === 'thinking');
    const billed: FakeBlock[] = thinks
      ? [{ type: 'thinking', thinking: DEFAULT_THINKING, signature: newSignature() }, ...reply.content]
      : reply.content;
    const show = summarized(body);
    const sent = billed.map((b): FakeBlock => (b.type === 'thinking' && !show ? { ...b, thinking: '' } : b));
    const signatures: string[] = [];
    for (const b of sent) {
      if (b.type === 'thinking' && !b.cut) {
        this.issued.set(b.signature, b.thinking);
        signatures.push(b.signature);
      }
    }
    for (const b of sent) {
      if (b.type === 'tool_use' && signatures.length > 0) {
        this.turns.set(b.id, signatures);
      }
    }
    return { billed, sent };
  }

  /** The API's 400 message for the first thinking block that was altered, forged or dropped; undefined when fine. */
  check(body: Record<string, unknown>): string | undefined {
    const messages = Array.isArray(body.messages)
      ? (body.messages as Array<{ role?: unknown; content?: unknown }>)
      : [];
    for (const [i, m] of messages.entries()) {
      if (m.role !== 'assistant' || !Array.isArray(m.content)) {
        continue;
      }
      const blocks = m.content as SentBlock[];
      for (const [j, b] of blocks.entries()) {
        if (b.type !== 'thinking') {
          continue;
        }
        const expected = typeof b.signature === 'string' ? this.issued.get(b.signature) : undefined;
        if (expected === undefined || b.thinking !== expected) {
          return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`;
        }
      }
      const signatures = blocks.filter((b) => b.type === 'thinking').map((b) => b.signature);
      for (const b of blocks) {
        const wanted = b.type === 'tool_use' && typeof b.id === 'string' ? this.turns.get(b.id) : undefined;
        if (wanted && (wanted.length !== signatures.length || wanted.some((s, k) => s !== signatures[k]))) {
          return (
            `messages.${i}.content: the assistant turn that called tool ${String(b.id)} must carry its thinking ` +
            'blocks back unchanged and in order when thinking is used with tools'
          );
        }
      }
    }
    return undefined;
  }
}
