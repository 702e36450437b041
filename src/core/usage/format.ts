import type { Usage } from './usage';

/** 950, 14k, 12.3k, 1.2M: short enough for a tree row, precise enough to compare two subtasks. */
export function formatTokens(n: number): string {
  const v = Math.max(0, Math.round(n));
  if (v < 1000) {
    return String(v);
  }
  if (v < 999_500) {
    const k = v / 1000;
    return `${trimZero(k < 100 ? k.toFixed(1) : k.toFixed(0))}k`;
  }
  return `${trimZero((v / 1_000_000).toFixed(1))}M`;
}

function trimZero(s: string): string {
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}

/** A call's tokens as the log shows them. */
export function describeUsage(u: Usage): string {
  return `in ${u.input} out ${u.output} cache-read ${u.cacheRead} cache-write ${u.cacheWrite}`;
}
