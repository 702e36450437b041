import assert from 'node:assert/strict';
import { overheads } from '../bench/metrics/scheduling';
import type { TimelineEvent } from '../bench/session';

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
