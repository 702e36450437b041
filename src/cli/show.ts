import { lineStats } from '../core/edits/proposal';
import { modelFor } from '../core/models';
import type { Orchestrator } from '../core/orchestrator';
import type { PlannerLooks } from '../core/plan/looks';
import { oneReplyOf } from '../core/plan/schema';
import { lookLine, plannerFacts } from '../core/plan/looks';
import type { Estimate } from '../core/plan/state';
import { redactedText } from '../core/secrets/counts';
import type { Usage } from '../core/usage/usage';
import { formatTokens } from '../core/usage/format';
import { totalTokens } from '../core/usage/usage';

export interface SubtaskJson {
  id: string;
  title: string;
  model: string;
  modelId: string;
  status: string;
  attempt: number;
  dependsOn: string[];
  files: Array<{ path: string; create: boolean }>;
  acceptanceCriteria: string[];
  /** The planner expects the worker to make every edit and finish in its first reply. */
  oneReply: boolean;
  estimate: Estimate;
  usage: Usage;
  cost: number;
  proposal?: { id: string; status: string; files: Array<{ path: string; added: number; removed: number }> };
  error?: string;
  /** Distinct secrets kept out of its requests. */
  redactions: number;
}

export interface ShowJson {
  task: string;
  goal: string;
  subtasks: SubtaskJson[];
  planner: { usage: Usage; cost: number; looks?: PlannerLooks; redactions: number };
  totals: { usage: Usage; cost: number; projected: number; byRole: Record<string, { usage: Usage; cost: number }> };
  opusOnlyEstimate: Estimate;
  saved: number;
}

/** Everything `show --json` prints: the plan, per-subtask status, tokens and $, totals and the Opus-only baseline. */
export function showJson(orch: Orchestrator): ShowJson {
  const state = orch.state;
  if (!state) {
    throw new Error('No plan.');
  }
  const ledger = orch.ledger();
  const totals = orch.totals();
  return {
    task: state.task,
    goal: state.plan.goal,
    subtasks: orch.subtasks().map(({ spec, state: st }) => {
      const proposal = st.proposalId ? orch.proposalSnapshot(spec.id) : undefined;
      return {
        id: spec.id,
        title: spec.title,
        model: st.model,
        modelId: modelFor(st.model).id,
        status: st.status,
        attempt: st.attempt,
        dependsOn: spec.dependsOn,
        files: spec.files,
        acceptanceCriteria: spec.acceptanceCriteria,
        oneReply: oneReplyOf(spec),
        estimate: st.estimate,
        usage: ledger.usageOf(spec.id),
        cost: ledger.costOf(spec.id),
        ...(proposal
          ? {
              proposal: {
                id: proposal.id,
                status: proposal.status,
                files: proposal.files.filter((f) => f.hunks.length > 0).map((f) => ({ path: f.path, ...lineStats(f) })),
              },
            }
          : {}),
        ...(st.error ? { error: st.error } : {}),
        redactions: st.redactions ?? 0,
      };
    }),
    planner: {
      usage: ledger.usageOf('plan'),
      cost: ledger.costOf('plan'),
      ...(state.looks ? { looks: state.looks } : {}),
      redactions: state.redactions ?? 0,
    },
    totals: { usage: totals.usage, cost: totals.cost, projected: totals.projected, byRole: totals.byRole },
    opusOnlyEstimate: totals.opusOnly,
    saved: totals.saved,
  };
}

/** The same, for a terminal. */
export function renderShow(orch: Orchestrator): string {
  const data = showJson(orch);
  const lines = [`Plan: ${data.goal}`, ''];
  const width = Math.max(...data.subtasks.map((s) => s.id.length), 2);
  for (const s of data.subtasks) {
    const used = totalTokens(s.usage);
    const figures =
      used > 0
        ? `${formatTokens(used)} tok  ${dollars(s.cost)}`
        : `~${formatTokens(s.estimate.inputTokens + s.estimate.outputTokens)} tok  ~${dollars(s.estimate.cost)}`;
    lines.push(
      `${s.id.padEnd(width)}  ${s.status.padEnd(11)} ${s.model.padEnd(6)} ${figures}  ${s.title}` +
        (s.oneReply ? '  (one reply expected)' : ''),
    );
    if (s.dependsOn.length > 0) {
      lines.push(`${' '.repeat(width)}  after: ${s.dependsOn.join(', ')}`);
    }
    for (const f of s.proposal?.files ?? []) {
      lines.push(`${' '.repeat(width)}  ${f.path}  +${f.added} -${f.removed}`);
    }
    if (s.error) {
      lines.push(`${' '.repeat(width)}  error: ${s.error}`);
    }
    if (s.redactions > 0) {
      lines.push(`${' '.repeat(width)}  ${redactedText(s.redactions)}`);
    }
  }
  lines.push('');
  const { looks, redactions } = data.planner;
  const facts = plannerFacts({ looks, redactions });
  lines.push(
    `Planner (Opus): ${formatTokens(totalTokens(data.planner.usage))} tok  ${dollars(data.planner.cost)}` +
      (facts ? `  (${facts})` : ''),
  );
  lines.push(...(looks?.looks ?? []).map((l) => `  ${lookLine(l)}`));
  const u = data.totals.usage;
  lines.push(
    `Total so far: ${formatTokens(totalTokens(u))} tok  ${dollars(data.totals.cost)}` +
      `  (projected ${dollars(data.totals.projected)})`,
    `  of which read from cache ${formatTokens(u.cacheRead)} tok, written to cache ${formatTokens(u.cacheWrite)} tok`,
  );
  lines.push(
    `Opus alone (estimate): ~${formatTokens(data.opusOnlyEstimate.inputTokens + data.opusOnlyEstimate.outputTokens)} tok  ` +
      `~${dollars(data.opusOnlyEstimate.cost)}  → ` +
      (data.saved >= 0 ? `saved ~${dollars(data.saved)}` : `~${dollars(-data.saved)} more than Opus alone`),
  );
  return lines.join('\n');
}

function dollars(n: number): string {
  return `$${n.toFixed(n < 0.1 ? 4 : 2)}`;
}
