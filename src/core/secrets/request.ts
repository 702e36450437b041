import type {
  ContentBlockParam,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages/messages';
import type { Redactor } from './redactor';

/** The parts of a request that carry text from the workspace. */
export interface RequestText {
  system?: string | TextBlockParam[];
  messages: MessageParam[];
}

/**
 * A copy of the request with every secret in its system prompt and user turns (text and tool results) replaced by a
 * marker; the same object when nothing was found. Assistant turns go back exactly as the API sent them: thinking
 * blocks must keep their signatures, and the model only ever saw redacted text to write them from.
 */
export async function redactRequest<T extends RequestText>(req: T, redactor: Redactor, owner?: string): Promise<T> {
  const ctx = { owner };
  let changed = false;
  const text = async (t: string): Promise<string> => {
    const out = await redactor.redact(t, ctx);
    changed ||= out !== t;
    return out;
  };
  const textBlocks = <B extends { type: string }>(blocks: B[]): Promise<B[]> =>
    Promise.all(blocks.map(async (b) => (isText(b) ? { ...b, text: await text(b.text) } : b)));

  const system =
    typeof req.system === 'string' ? await text(req.system) : req.system ? await textBlocks(req.system) : undefined;
  const messages = await Promise.all(
    req.messages.map(async (m): Promise<MessageParam> => {
      if (m.role !== 'user') {
        return m;
      }
      if (typeof m.content === 'string') {
        return { ...m, content: await text(m.content) };
      }
      const content = await Promise.all(
        m.content.map(async (block): Promise<ContentBlockParam> => {
          if (isText(block)) {
            return { ...block, text: await text(block.text) };
          }
          if (block.type === 'tool_result') {
            return toolResult(block, text, textBlocks);
          }
          return block;
        }),
      );
      return { ...m, content };
    }),
  );
  if (!changed) {
    return req;
  }
  return { ...req, ...(system !== undefined ? { system } : {}), messages };
}

async function toolResult(
  block: ToolResultBlockParam,
  text: (t: string) => Promise<string>,
  textBlocks: <B extends { type: string }>(blocks: B[]) => Promise<B[]>,
): Promise<ToolResultBlockParam> {
  if (typeof block.content === 'string') {
    return { ...block, content: await text(block.content) };
  }
  return block.content ? { ...block, content: await textBlocks(block.content) } : block;
}

function isText(block: { type: string }): block is TextBlockParam {
  return block.type === 'text' && typeof (block as { text?: unknown }).text === 'string';
}
