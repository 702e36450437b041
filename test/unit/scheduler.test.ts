import assert from 'node:assert/strict';
import { Scheduler } from '../../src/core/runner/scheduler';

/** A job that records when it starts and ends and finishes when told to (or when aborted). */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Scheduler', () => {
  it('runs at most `limit` jobs at once, in submission order', async () => {
    const s = new Scheduler(2);
    const gates = ['a', 'b', 'c', 'd'].map((id) => ({ id, ...gate() }));
    const started: string[] = [];
    const done = gates.map((g) =>
      s.submit({
        id: g.id,
        scope: [`${g.id}.ts`],
        run: async () => {
          started.push(g.id);
          await g.opened;
        },
      }),
    );
    await tick();
    assert.deepEqual(started, ['a', 'b']);
    assert.deepEqual(s.queued(), ['c', 'd']);
    gates[1]?.open();
    await tick();
    await tick();
    assert.deepEqual(started, ['a', 'b', 'c']);
    gates.forEach((g) => g.open());
    assert.deepEqual(await Promise.all(done), ['ran', 'ran', 'ran', 'ran']);
    assert.deepEqual(started, ['a', 'b', 'c', 'd']);
  });

  it('never runs two jobs whose scopes share a file, but lets later free jobs pass', async () => {
    const s = new Scheduler(3);
    const g = { a: gate(), b: gate(), c: gate() };
    const started: string[] = [];
    const job = (id: 'a' | 'b' | 'c', scope: string[]) =>
      s.submit({
        id,
        scope,
        run: async () => {
          started.push(id);
          await g[id].opened;
        },
      });
    const all = [job('a', ['src/x.ts', 'src/y.ts']), job('b', ['./src/y.ts']), job('c', ['src/z.ts'])];
    await tick();
    assert.deepEqual(started, ['a', 'c'], 'b shares src/y.ts with a and waits; c does not');
    g.a.open();
    await tick();
    await tick();
    assert.deepEqual(started, ['a', 'c', 'b']);
    g.b.open();
    g.c.open();
    await Promise.all(all);
  });

  it('cancels a queued job without running it, and aborts a running one', async () => {
    const s = new Scheduler(1);
    let aborted = false;
    const first = s.submit({
      id: 'first',
      scope: [],
      run: (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          });
        }),
    });
    let ranSecond = false;
    const second = s.submit({
      id: 'second',
      scope: [],
      run: async () => {
        ranSecond = true;
      },
    });
    await tick();
    assert.equal(s.cancel('second'), true);
    assert.equal(await second, 'cancelled');
    assert.equal(s.cancel('first'), true);
    assert.equal(await first, 'ran');
    assert.equal(aborted, true);
    assert.equal(ranSecond, false);
    assert.equal(s.cancel('nobody'), false);
  });

  it('a job that throws does not stall the queue', async () => {
    const s = new Scheduler(1);
    const a = s.submit({
      id: 'a',
      scope: [],
      run: async () => {
        throw new Error('boom');
      },
    });
    const b = s.submit({ id: 'b', scope: [], run: async () => undefined });
    assert.deepEqual(await Promise.all([a, b]), ['ran', 'ran']);
  });
});
