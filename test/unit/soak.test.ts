import assert from 'node:assert/strict';
import { runSoak } from '../soak/soak';

describe('Soak (small): plan, dispatch and accept cycles on one workspace', function () {
  this.timeout(60_000);

  it('every cycle lands its changes through an API fault, the ledger matches the API, another engine reads the store', async () => {
    const stats = await runSoak({ cycles: 6, subtasks: 4 });
    assert.equal(stats.cycles, 6);
    assert.equal(stats.accepts, 6 * 4);
    assert.equal(stats.rejects, 3, 'every second cycle rejects one proposal and retries it');
    assert.deepEqual(Object.keys(stats.faults), [
      '529 overloaded',
      '429 rate limited',
      'error event mid-stream',
      'connection dropped before headers',
      'connection dropped mid-stream',
      'max_tokens inside a tool call',
    ]);
    assert.equal(
      stats.apiErrors,
      5,
      'an error answer fails the run, which is dispatched again; a cut-off is retried in it',
    );
  });
});
