import type { Orchestrator } from '../core/orchestrator';
import { MODEL_ROLES, MODEL_TABLE } from '../core/models';
import { totalTokens } from '../core/usage/usage';
import { formatCost, formatTokens } from './gauge';

/** What the status bar says and its tooltip: part of the engine bundle, which prices the figures. */

/**
 * What the status bar shows, given the plan: how many subtasks run, how many proposals await review, and what the
 * plan has cost: `$(hubot) 2 running · 3 to review · $0.41`.
 */
export function statusText(orchestrator: Orchestrator | undefined, toReview = 0): string | undefined {
  if (!orchestrator?.state) {
    return undefined;
  }
  const running = orchestrator.subtasks().filter((s) => s.state.status === 'running').length;
  const parts = [
    ...(running > 0 ? [`${running} running`] : []),
    ...(toReview > 0 ? [`${toReview} to review`] : []),
    formatCost(orchestrator.totals().cost),
  ];
  return `$(hubot) ${parts.join(' \u00b7 ')}`;
}

/** The totals per model and the saving against Opus alone, as Markdown for tooltips. */
export function totalsMarkdown(orchestrator: Orchestrator): string {
  const totals = orchestrator.totals();
  const lines = ['| Model | Tokens | Cost |', '|---|---:|---:|'];
  for (const role of MODEL_ROLES) {
    const t = totals.byRole[role];
    lines.push(`| ${MODEL_TABLE[role].label} | ${formatTokens(totalTokens(t.usage))} | ${formatCost(t.cost)} |`);
  }
  lines.push(`| **Plan** | **${formatTokens(totalTokens(totals.usage))}** | **${formatCost(totals.cost)}** |`);
  const opus = totals.opusOnly;
  const pct = opus.cost > 0 ? Math.round((totals.saved / opus.cost) * 100) : 0;
  lines.push(
    '',
    `Projected plan cost ${formatCost(totals.projected)}; Opus alone, est. ` +
      `${formatTokens(opus.inputTokens + opus.outputTokens)} tok \u00b7 ${formatCost(opus.cost)}.`,
    totals.saved >= 0
      ? `Saved about ${formatCost(totals.saved)} (${pct}%).`
      : `Costs about ${formatCost(-totals.saved)} more than Opus alone (${-pct}%).`,
  );
  return lines.join('\n');
}
