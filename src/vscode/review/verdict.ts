import type { SubtaskReview, SubtaskState } from '../../core/plan/state';
import { escapeMarkdown } from '../markdown';

/**
 * How Opus's verdict on a proposal reads wherever it is shown: the notification after a review, the CodeLens above
 * the diff, the subtask row and its tooltip. One set of words, so the user recognises the same verdict everywhere.
 */

/** Criteria Opus found not met, and how many there were. */
export function criteriaCount(review: SubtaskReview): { unmet: number; total: number } {
  return { unmet: review.criteria.filter((c) => !c.met).length, total: review.criteria.length };
}

/** "1 of 2 criteria not met", or "failed" when every criterion is met but Opus still failed the diff. */
function failure(review: SubtaskReview): string {
  const { unmet, total } = criteriaCount(review);
  return unmet > 0 ? `${unmet} of ${total} ${total === 1 ? 'criterion' : 'criteria'} not met` : 'failed';
}

/** The notification after a review: "Opus review passed: …" or "Opus review: 1 of 2 criteria not met — …". */
export function verdictMessage(review: SubtaskReview): string {
  const summary = review.summary.trim();
  if (review.pass) {
    return `Opus review passed: ${summary}`;
  }
  return `Opus review: ${failure(review)}${summary ? ` \u2014 ${summary}` : ''}`;
}

/** The CodeLens above the first change of a reviewed proposal. */
export function verdictLensTitle(review: SubtaskReview): string {
  return review.pass ? 'Opus review: \u2713 passed' : `Opus review: \u2717 ${failure(review)}`;
}

/** What the subtask row adds after its gauge: "· reviewing…", "· review ✓" or "· review ✗ 1/2". */
export function verdictSuffix(state: SubtaskState): string | undefined {
  if (state.reviewing) {
    return '\u00b7 reviewing\u2026';
  }
  const review = state.review;
  if (state.status !== 'review' || !review) {
    return undefined;
  }
  if (review.pass) {
    return '\u00b7 review \u2713';
  }
  const { unmet, total } = criteriaCount(review);
  return unmet > 0 ? `\u00b7 review \u2717 ${unmet}/${total}` : '\u00b7 review \u2717';
}

/** One line per criterion, for the modal that a click on the verdict lens opens. */
export function verdictDetail(review: SubtaskReview): string {
  const lines = review.criteria.map((c) => `${c.met ? '\u2713' : '\u2717'} ${c.criterion}: ${c.reason}`);
  return [review.summary.trim(), '', ...lines].join('\n').trim();
}

/** The "Opus review" section of a subtask's tooltip: the verdict, its summary, and each criterion with its reason. */
export function verdictMarkdown(review: SubtaskReview): string {
  const head = review.pass ? '\u2713 passed' : `\u2717 ${failure(review)}`;
  const lines = [`**Opus review** ${head} (attempt ${review.attempt})`, '', escapeMarkdown(review.summary.trim())];
  if (review.criteria.length > 0) {
    lines.push('');
    for (const c of review.criteria) {
      lines.push(`- ${c.met ? '\u2713' : '\u2717'} ${escapeMarkdown(c.criterion)} \u2014 ${escapeMarkdown(c.reason)}`);
    }
  }
  return lines.join('\n');
}
