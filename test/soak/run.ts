import { runSoak } from './soak';

/**
 * `npm run soak`: the soak at full size (SOAK_CYCLES cycles of SOAK_SUBTASKS subtasks; 100 × 6 unless set). The unit
 * suite runs it small (test/unit/soak.test.ts).
 */
async function main(): Promise<void> {
  const cycles = Number(process.env.SOAK_CYCLES ?? 100);
  const subtasks = Number(process.env.SOAK_SUBTASKS ?? 6);
  if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(subtasks) || subtasks < 1) {
    throw new Error('SOAK_CYCLES and SOAK_SUBTASKS must be whole numbers of at least 1.');
  }
  const stats = await runSoak({
    cycles,
    subtasks,
    onCycle: (cycle, s) => {
      if (cycle % 10 === 0 || cycle === cycles) {
        console.log(`cycle ${cycle}/${cycles}: ${s.dispatches} dispatches, ${s.accepts} accepts, ${s.ms} ms`);
      }
    },
  });
  const injected = Object.values(stats.faults).reduce((a, b) => a + b, 0);
  const kinds = Object.entries(stats.faults)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const rss = Math.round(process.memoryUsage().rss / 1e6);
  const tenth = Math.max(1, Math.floor(stats.cycleMs.length / 10));
  const mean = (xs: number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  console.log(
    `soak passed: ${stats.cycles} cycles, ${stats.dispatches} dispatches, ${stats.accepts} accepts, ` +
      `${stats.rejects} rejected and retried, ${injected} faults injected (${kinds}), ${stats.apiErrors} runs failed ` +
      `by them and dispatched again, 0 bytes lost, 0 bad states, ${stats.requests} requests, ` +
      `${(stats.ms / 1000).toFixed(1)} s, ${rss} MB resident; a cycle took ${mean(stats.cycleMs.slice(0, tenth))} ms ` +
      `in the first tenth, ${mean(stats.cycleMs.slice(-tenth))} ms in the last; ${stats.storeFiles} files in the store`,
  );
}

main().catch((err: Error) => {
  console.error(`soak failed: ${err.message}`);
  process.exit(1);
});
