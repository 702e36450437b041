import assert from 'node:assert/strict';
import { runSoak } from '../soak/soak';

describe('Soak (small): plan, dispatch and accept cycles on one workspace', function () {
  this.timeout(60_000);

  it('every cycle lands its changes, the ledger matches the API, another engine reads the same store', async () => {
    const stats = await runSoak({ cycles: 6, subtasks: 4 });
    assert.equal(stats.cycles, 6);
    assert.equal(stats.accepts, 6 * 4);
    assert.equal(stats.rejects, 3, 'every second cycle rejects one proposal and retries it');
    assert.equal(stats.apiErrors, 2, 'every third cycle meets one overloaded answer and dispatches again');
  });
});
