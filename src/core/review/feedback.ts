import type { AttemptRecord } from '../plan/state';

/**
 * What a re-dispatched worker is told about its previous attempt: the diff it proposed, the parts the developer
 * rejected (with their reasons) and the acceptance criteria Opus found unmet. Accepted parts are already in the files
 * the worker reads, so they are only mentioned, not repeated.
 */
export function feedbackFor(previous: AttemptRecord | undefined): string | undefined {
  if (!previous) {
    return undefined;
  }
  const lines: string[] = [`This is a new attempt. Your previous attempt (${previous.attempt}) did not get through.`];
  if (previous.diff) {
    lines.push('', 'Its proposal was this diff:', '<previous_diff>', previous.diff.trimEnd(), '</previous_diff>');
  }
  const rejections = previous.rejections ?? [];
  if (rejections.length > 0) {
    lines.push('', 'The developer rejected these parts:');
    for (const r of rejections) {
      lines.push(`- in ${r.path}:`, '```diff', ...r.lines, '```', `  Reason: ${r.reason?.trim() || '(none given)'}`);
    }
  }
  const unmet = previous.review?.criteria.filter((c) => !c.met) ?? [];
  if (unmet.length > 0) {
    lines.push('', "Opus's review found these acceptance criteria not met:");
    for (const c of unmet) {
      lines.push(`- ${c.criterion}: ${c.reason}`);
    }
  }
  if (previous.error) {
    lines.push('', `It failed with: ${previous.error}`);
  }
  lines.push(
    '',
    'Parts of that diff the developer accepted are already in the files shown below. Make a new proposal that ' +
      'addresses the feedback; do not reintroduce rejected changes.',
  );
  return lines.join('\n');
}
