import Anthropic from '@anthropic-ai/sdk';
import type { MessageStreamParams } from '@anthropic-ai/sdk/resources/messages/messages';
import { performance } from 'node:perf_hooks';
import type { FakeAnthropic, RecordedRequest } from '../../fake-anthropic/server';
import { PromptCache } from '../promptCache';
import { isPlannerRequest, scenarioResponder, subtaskOf } from '../responder';
import type { Scenario } from '../transcripts';

export interface FloorReplay {
  /** From the first replayed request to the last one's answer. */
  wallMs: number;
  /** The subtask of each request, in the order the server received them. */
  order: string[];
}

/**
 * A session's model calls with nothing between them: every worker request it sent, replayed through the SDK to the
 * local server that answered them (it knows the thinking blocks it issued), answered as before (same replies, same
 * latency), each subtask's calls one after the other and each subtask started the moment its dependencies' last calls
 * have answered. What this takes beyond the model time is HTTP, the SDK and the local server on this machine: the part
 * of the scheduling ratio no orchestrator can remove.
 */
export async function replayModelCalls(
  fake: FakeAnthropic,
  scenario: Scenario,
  requests: readonly RecordedRequest[],
  latencyMs: number,
): Promise<FloorReplay> {
  const bySubtask = new Map<string, RecordedRequest[]>();
  for (const req of requests) {
    const id = isPlannerRequest(req.body) ? undefined : subtaskOf(req.body, scenario);
    if (id) {
      bySubtask.set(id, [...(bySubtask.get(id) ?? []), req]);
    }
  }
  const order: string[] = [];
  const respond = scenarioResponder(scenario, { latencyMs, cache: new PromptCache() });
  fake.setResponder(async (req) => {
    order.push(subtaskOf(req.body, scenario) ?? '?');
    // The requests carry the thinking blocks the session was sent; a new one would replace them on the server.
    return { ...(await respond(req)), thinking: false };
  });
  const client = new Anthropic({ apiKey: 'bench-not-a-key', baseURL: fake.url, maxRetries: 0 });
  const done = new Map<string, Promise<void>>();
  const run = (id: string): Promise<void> => {
    let running = done.get(id);
    if (!running) {
      const spec = scenario.plan.subtasks.find((s) => s.id === id);
      running = Promise.all((spec?.dependsOn ?? []).map(run)).then(async () => {
        for (const req of bySubtask.get(id) ?? []) {
          const params = { ...req.body } as unknown as MessageStreamParams & { stream?: boolean };
          delete params.stream;
          await client.messages.stream(params).finalMessage();
        }
      });
      done.set(id, running);
    }
    return running;
  };
  const t0 = performance.now();
  await Promise.all(scenario.plan.subtasks.map((s) => run(s.id)));
  return { wallMs: performance.now() - t0, order };
}
