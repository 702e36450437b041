import type { RecordedBody, RecordedRequest, Responder } from '../fake-anthropic/server';
import type { MessageReply } from '../fake-anthropic/replies';
import { jsonReply } from '../fake-anthropic/replies';
import type { PromptCache } from './promptCache';
import type { Scenario } from './transcripts';

/** All the text of a message's content (a string, or its text blocks joined). */
export function messageText(message: unknown): string {
  const content = (message as { content?: unknown } | undefined)?.content;
  if (typeof content === 'string') {
    return content;
  }
  if (!Array.isArray(content)) {
    return '';
  }
  return content.map((b: { type?: string; text?: string }) => (b.type === 'text' ? (b.text ?? '') : '')).join('\n');
}

/** The planner asks for structured output; workers never do. */
export function isPlannerRequest(body: RecordedBody): boolean {
  return body.output_config?.format !== undefined;
}

/** Which subtask a worker request belongs to: the one whose instructions its first user message carries. */
export function subtaskOf(body: RecordedBody, scenario: Scenario): string | undefined {
  const first = messageText(body.messages?.[0]);
  const match = scenario.plan.subtasks.find((s) => first.includes(s.instructions));
  return match?.id ?? scenario.plan.subtasks.find((s) => first.includes(s.title))?.id;
}

export interface ResponderOptions {
  /** Delay before each response's headers: a model call's time to first token. */
  latencyMs: number;
  plannerLatencyMs?: number;
  cache: PromptCache;
}

/**
 * Answers the planner with the scenario's plan and each worker with its next scripted turn (its turn number is the
 * count of assistant messages already in the request). Usage reports the prompt split into fresh input, cache reads
 * and cache writes, the way the API would for the request's cache_control breakpoints.
 */
export function scenarioResponder(scenario: Scenario, opts: ResponderOptions): Responder {
  return (req: RecordedRequest) => {
    const body = req.body;
    const usage = opts.cache.account(body);
    if (isPlannerRequest(body)) {
      return { ...jsonReply(scenario.plan, usage), latencyMs: opts.plannerLatencyMs ?? opts.latencyMs };
    }
    const id = subtaskOf(body, scenario);
    const turns = id === undefined ? undefined : scenario.turns.get(id);
    if (!turns) {
      throw new Error('a worker request names no subtask of the scenario');
    }
    const turn = (body.messages ?? []).filter((m) => (m as { role?: string }).role === 'assistant').length;
    const reply: MessageReply | undefined = turns[turn] ?? turns.at(-1);
    if (!reply) {
      throw new Error(`subtask ${id} has no scripted turns`);
    }
    return { ...reply, usage, latencyMs: opts.latencyMs };
  };
}
