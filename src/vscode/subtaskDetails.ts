import type { ModelRole } from '../core/models';
import { MODEL_TABLE } from '../core/models';
import type { SubtaskState, UsageEntry } from '../core/plan/state';
import type { Usage } from '../core/usage/usage';
import { ZERO_USAGE, addUsage, totalTokens } from '../core/usage/usage';
import { formatCost, formatTokens } from './gauge';
import { escapeMarkdown } from './markdown';

/**
 * The parts of a subtask row that come from the review loop: the menu flags in its contextValue, the history of its
 * attempts with what each cost, and the files it shares with other subtasks. Pure functions over the plan state.
 */

/** Another subtask whose declared files overlap this one's. */
export interface Overlap {
  id: string;
  paths: string[];
}

/**
 * `subtask.<status>` plus space-separated flags the menus match: ` escalate-sonnet` / ` escalate-opus` when a retry
 * one model up is worth offering, ` revertible` when accepted changes can be undone.
 */
export function subtaskContextValue(state: SubtaskState, escalation: ModelRole | undefined): string {
  const flags = [`subtask.${state.status}`];
  if (escalation) {
    flags.push(`escalate-${escalation}`);
  }
  if ((state.checkpoint ?? []).length > 0) {
    flags.push('revertible');
  }
  return flags.join(' ');
}

/** Tokens and dollars billed to one attempt of a subtask: its worker calls and Opus's reviews of it. */
export function attemptUsage(
  entries: readonly UsageEntry[],
  owner: string,
  attempt: number,
): {
  usage: Usage;
  cost: number;
} {
  const mine = entries.filter((e) => e.owner === owner && e.attempt === attempt);
  return {
    usage: mine.reduce<Usage>((sum, e) => addUsage(sum, e.usage), { ...ZERO_USAGE }),
    cost: mine.reduce((sum, e) => sum + e.cost, 0),
  };
}

/** The "Attempts" table of the tooltip: one row per finished attempt, oldest first; undefined before the first. */
export function attemptsMarkdown(state: SubtaskState, entries: readonly UsageEntry[]): string | undefined {
  const history = state.history ?? [];
  if (history.length === 0) {
    return undefined;
  }
  const rows = history.map((h) => {
    const { usage, cost } = attemptUsage(entries, state.id, h.attempt);
    const reviewed = h.review ? ` (review ${h.review.pass ? '\u2713' : '\u2717'})` : '';
    const reasons = (h.rejections ?? []).filter((r) => r.reason).length;
    const why = reasons > 0 ? ` \u00b7 ${reasons} reason${reasons === 1 ? '' : 's'} given` : '';
    return (
      `| ${h.attempt} | ${MODEL_TABLE[h.model].label} | ${h.outcome}${reviewed}${why} | ` +
      `${formatTokens(totalTokens(usage))} | ${formatCost(cost)} |`
    );
  });
  return ['**Attempts**', '', '| # | Model | Outcome | Tokens | Cost |', '|---:|---|---|---:|---:|', ...rows].join(
    '\n',
  );
}

/** The label of an overlap row: "Shares files with other (src/a.ts, src/b.ts)". */
export function overlapLabel(overlap: Overlap): string {
  return `Shares files with ${overlap.id} (${overlap.paths.join(', ')})`;
}

/** Why the overlap matters, for the tooltip: the scheduler keeps the two apart. */
export function overlapExplanation(id: string, overlap: Overlap): string {
  return (
    `${id} and ${overlap.id} both change ${overlap.paths.join(', ')}, so they never run at the same time: ` +
    'one waits until the other has finished.'
  );
}

/** The tooltip lines of a subtask that shares files; undefined when it shares none. */
export function overlapsMarkdown(id: string, overlaps: readonly Overlap[]): string | undefined {
  if (overlaps.length === 0) {
    return undefined;
  }
  const lines = overlaps.map((o) => `- \`${o.id}\`: ${o.paths.map((p) => `\`${p}\``).join(', ')}`);
  return [
    '**Shares files**',
    '',
    ...lines,
    '',
    `${escapeMarkdown(id)} never runs at the same time as a subtask it shares files with.`,
  ].join('\n');
}
