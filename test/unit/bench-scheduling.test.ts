import assert from 'node:assert/strict';
import type { Subtask } from '../../src/core/plan/schema';
import type { RecordedRequest } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { textReply } from '../fake-anthropic/replies';
import { overheads } from '../bench/metrics/scheduling';
import { replayModelCalls } from '../bench/metrics/schedulingFloor';
import type { TimelineEvent } from '../bench/session';
import type { Scenario } from '../bench/transcripts';

const at = (ms: number, id: string, what: string): TimelineEvent => ({ at: ms, id, what });

/** The scheduling row names where a dispatch → review → accept cycle loses time beyond its 300 ms model calls. */
describe('bench scheduling breakdown', () => {
  it('splits a subtask cycle into start, between calls, finish, accept and hand-off', () => {
    const timeline = [
      at(0, 'a', 'running'),
      at(20, 'a', 'request'),
      at(330, 'a', 'request'),
      at(660, 'a', 'review'),
      at(690, 'a', 'accepted'),
      at(700, 'b', 'running'),
      at(740, 'b', 'request'),
      at(1_040, 'b', 'request'),
      at(1_350, 'b', 'review'),
      at(1_360, 'b', 'accepted'),
    ];
    const deps = new Map([
      ['a', []],
      ['b', ['a']],
    ]);
    // a: start 20, between 10, finish 30, accept 30, hand-off 0; b: start 40, between 0, finish 10, accept 10, 10.
    assert.deepEqual(overheads(timeline, deps), { start: 30, between: 5, finish: 20, accept: 20, handoff: 5 });
  });

  it('leaves out a subtask that never reached acceptance', () => {
    const timeline = [at(0, 'a', 'running'), at(10, 'a', 'request'), at(400, 'a', 'failed')];
    const result = overheads(timeline, new Map([['a', []]]));
    assert.ok(Number.isNaN(result.start));
  });
});

/** The floor beside the scheduling ratio: the session's model calls again, with nothing between them. */
describe('bench scheduling floor', () => {
  const spec = (id: string, dependsOn: string[]): Subtask => ({
    id,
    title: `Step ${id}`,
    model: 'sonnet',
    files: [{ path: `${id}.ts`, create: false }],
    dependsOn,
    instructions: `Change ${id}.ts for step ${id}.`,
    acceptanceCriteria: [`${id}.ts is changed.`],
  });
  const request = (id: string, turn: number): RecordedRequest => ({
    method: 'POST',
    path: '/v1/messages',
    headers: {},
    body: {
      model: 'claude-sonnet-5-5',
      max_tokens: 1000,
      stream: true,
      messages: [
        { role: 'user', content: `Change ${id}.ts for step ${id}.` },
        ...(turn > 0
          ? [
              { role: 'assistant', content: 'Looking.' },
              { role: 'user', content: 'Go on.' },
            ]
          : []),
      ],
    },
  });

  it('sends every worker request again, a subtask only after its dependencies have had their answers', async () => {
    const scenario: Scenario = {
      name: 'chain',
      task: 'Change a, then b and c.',
      plan: { goal: 'Change a, then b and c.', subtasks: [spec('a', []), spec('b', ['a']), spec('c', ['a'])] },
      turns: new Map(['a', 'b', 'c'].map((id) => [id, [textReply(`Looking at ${id}.`), textReply('Done.')]])),
    };
    // Recorded out of order: the replay follows the plan's dependencies, not the order they were recorded in.
    const recorded = [request('b', 0), request('c', 0), request('a', 0), request('b', 1), request('a', 1)];
    const server = await startFakeAnthropic();
    try {
      const replay = await replayModelCalls(server, scenario, recorded, 5);
      assert.equal(replay.order.length, recorded.length);
      assert.deepEqual(replay.order.slice(0, 2), ['a', 'a']);
      assert.deepEqual([...replay.order.slice(2)].sort(), ['b', 'b', 'c']);
      assert.ok(replay.wallMs > 0);
    } finally {
      await server.close();
    }
  });
});
