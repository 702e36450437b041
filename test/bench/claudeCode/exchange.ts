import type { MessageReply } from '../../fake-anthropic/replies';
import type { RecordedBody, RecordedRequest } from '../../fake-anthropic/server';
import type { MeteredCall } from './apiRules';

/** One model call of a side: the request as recorded, the scripted reply, and how the meter counted it. */
export interface Exchange {
  /** What the call was for: "turn 2", "plan", "timeout-option turn 1", … */
  label: string;
  body: RecordedBody;
  reply: MessageReply;
  call: MeteredCall;
}

/** Everything one side sent: its model calls, and every other request it made to the local server. */
export interface SideRecord {
  exchanges: Exchange[];
  /** Requests that were not a model call (count_tokens, a models list, …), as method and path. */
  otherRequests: string[];
  wallMs: number;
}

/** Tool results of the newest user message of a request, with their text. */
export function lastToolResults(body: RecordedBody): { id: string; text: string; isError: boolean }[] {
  const last = (body.messages ?? []).at(-1) as { role?: string; content?: unknown } | undefined;
  if (last?.role !== 'user' || !Array.isArray(last.content)) {
    return [];
  }
  return last.content
    .filter((b: { type?: string }) => b.type === 'tool_result')
    .map((b: { tool_use_id: string; content?: unknown; is_error?: boolean }) => ({
      id: b.tool_use_id,
      text:
        typeof b.content === 'string'
          ? b.content
          : Array.isArray(b.content)
            ? b.content.map((c: { text?: string }) => c.text ?? '').join('\n')
            : '',
      isError: b.is_error === true,
    }));
}

/** How many assistant messages a request already carries: the index of the turn it asks for. */
export function turnOf(body: RecordedBody): number {
  return (body.messages ?? []).filter((m) => (m as { role?: string }).role === 'assistant').length;
}

/** Requests other than model calls, for the record ("POST /v1/messages/count_tokens"). */
export function otherRequestsOf(requests: readonly RecordedRequest[]): string[] {
  return requests.filter((r) => r.path !== '/v1/messages').map((r) => `${r.method} ${r.path}`);
}
