import type { Row } from '../report';
import { fmt, fmtUsd } from '../stats';
import { API_RULES_TEXT } from './apiRules';
import type { Exchange } from './exchange';
import { CLAUDE_CODE_VERSION } from './install';
import { THINKING_RULE } from './job';
import type { SizeResult } from './measure';
import { CONTEXT_DEFINITION, runOf } from './measure';
import { GREP_PATTERN, READ_LINES, claudeArgs } from './claudeRun';

const signedUsd = (n: number): string => (n < 0 ? `−${fmtUsd(-n)}` : fmtUsd(n));
const tok = (n: number): string => Math.round(n).toLocaleString('en-US');
const bySize = (results: SizeResult[], f: (r: SizeResult) => string): string =>
  results.map((r) => `${r.size}×: ${f(r)}`).join(' · ');

export const LEAN_SCRIPT_TEXT =
  `Claude Code ${CLAUDE_CODE_VERSION}, \`claude ${claudeArgs('<task>')
    .map((a, i) => (i === 1 ? '"<task>"' : a))
    .join(' ')}\` with a scratch HOME, against the local Messages API. Lean script: turn 1 one Grep ` +
  `(\`${GREP_PATTERN}\`, content mode with line numbers, over the packages of the job); turn 2 one ranged Read per ` +
  `edit site (${READ_LINES} lines around it) as parallel calls; turn 3 every Edit as parallel calls; turn 4 a short ` +
  'answer. The product: `plan` (scripted Opus planner, deciding from the map it is sent: when the map names the ' +
  'places in the tests and the README — the retry test block, the Options heading — it plans in one call with their ' +
  'line ranges; otherwise one search for them first; a plan of Sonnet code, Sonnet tests and Haiku docs that names ' +
  'what each worker sees and an effort), `dispatch --all`, ' +
  '`apply` each subtask, `show` — each worker reads with view_range what its slices leave out (when they do), makes ' +
  'all its edits in one turn of parallel editor calls, then answers.';

function breakdown(side: string, exchanges: Exchange[]): string[] {
  const lines = [
    `**${side}**`,
    '',
    '| request | model | input | cache read | cache write | output | cost |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const e of exchanges) {
    const u = e.call.usage;
    lines.push(
      `| ${e.label} | ${e.call.role} | ${tok(u.input)} | ${tok(u.cacheRead)} | ${tok(u.cacheWrite)} | ${tok(u.output)} | ` +
        `${fmtUsd(e.call.cost)} |`,
    );
  }
  const sum = (f: (e: Exchange) => number): number => exchanges.reduce((n, e) => n + f(e), 0);
  lines.push(
    `| **total** | | ${tok(sum((e) => e.call.usage.input))} | ${tok(sum((e) => e.call.usage.cacheRead))} | ` +
      `${tok(sum((e) => e.call.usage.cacheWrite))} | ${tok(sum((e) => e.call.usage.output))} | ` +
      `**${fmtUsd(sum((e) => e.call.cost))}** |`,
    '',
  );
  return lines;
}

/** The per-request tables of both sides at every size, with the rules they were counted by. */
export function breakdownMarkdown(results: SizeResult[]): string {
  const out = [
    LEAN_SCRIPT_TEXT,
    '',
    `Counted by one set of rules on both sides, from the recorded request bodies: tokens = characters of the JSON of ` +
      `system + tools + messages ÷ 3.5; ${API_RULES_TEXT}; output = the scripted thinking, text and tool inputs ` +
      `(characters ÷ 3.5); ${THINKING_RULE} — Claude Code asks for thinking with display "omitted", and gets the ` +
      'text anyway so that its later prompts carry the blocks at their real size; prices from src/core/models.ts. ' +
      'Every request, its scripted reply and its count are in bench-output/claude-code/<size>x-<side>.json.',
    '',
  ];
  for (const r of results) {
    out.push(
      `### ${r.size}× (${r.files} files, ${r.edits} edits; Claude Code ${fmtUsd(r.ccTotals.cost)} in ` +
        `${(r.cc.wallMs / 1000).toFixed(1)} s, product ${fmtUsd(r.productTotals.cost)} in ` +
        `${(r.product.wallMs / 1000).toFixed(1)} s)`,
      '',
    );
    out.push(...breakdown('Claude Code (Opus)', r.cc.exchanges));
    const missed = r.cc.exchanges.filter(
      (e, i) => i > 0 && e.call.usage.cacheRead < 0.9 * (r.cc.exchanges[i - 1]?.call.prompt ?? 0),
    );
    if (missed.length > 0) {
      out.push(
        `${missed.map((e) => e.label).join(' and ')} did not read the previous turn from cache: Claude Code moves one ` +
          'breakpoint to the newest block each turn, and the previous turn’s breakpoint lies more than 20 blocks ' +
          'back (parallel tool calls and their results), past the API’s 20-block lookback.',
        '',
      );
    }
    out.push(...breakdown('Opus Orchestrator', r.product.exchanges));
  }
  return out.join('\n');
}

function costReason(results: SizeResult[]): string {
  const r = results[0] as SizeResult;
  const top = r.product.exchanges
    .filter((e) => runOf(e) !== 'plan')
    .sort((a, b) => b.call.cost - a.call.cost)
    .slice(0, 3);
  const plan = r.product.exchanges.filter((e) => runOf(e) === 'plan');
  const planner = plan.reduce((n, e) => n + e.call.cost, 0);
  return (
    `at 1× the product spends ${fmtUsd(r.productTotals.cost)} against Claude Code's ${fmtUsd(r.ccTotals.cost)}: ` +
    `the planner ${fmtUsd(planner)} in ${plan.length} call(s), and the dearest worker calls are ` +
    top
      .map((e) => `${e.label} (${e.call.role}, ${tok(e.call.prompt)} prompt tokens, ${fmtUsd(e.call.cost)})`)
      .join(', ') +
    (plan.length > 1
      ? '. The map did not name the places in the tests or the README, so the planner searched before it could give ' +
        'lines; '
      : '. The map named the places in the tests and the README, so the planner planned in one call; its cost is ' +
        `its prompt (${tok(plan[0]?.call.prompt ?? 0)} tokens, mostly the repository map) and its thinking and plan; `) +
    'the planner’s own Opus calls are a fixed part of every job.'
  );
}

function opusAloneReason(results: SizeResult[], which: 'before' | 'after'): string {
  const r = results[0] as SizeResult;
  const est = r.product[which].opusOnlyEstimate;
  return (
    `the product's Opus-alone figure at 1× is ${fmtUsd(est.cost)} (${tok(est.inputTokens)} input + ` +
    `${tok(est.outputTokens)} output tokens, uncached) where the lean Claude Code session costs ` +
    `${fmtUsd(r.ccTotals.cost)} (${tok(r.ccTotals.usage.output)} output tokens, ` +
    `${tok(r.ccTotals.usage.cacheRead)} of its prompt tokens read from cache). A model of one Opus session should ` +
    `count the agent's fixed prefix (${tok(r.prefix.systemAndTools + r.prefix.toolUseSystemPrompt)} tokens per ` +
    'request, cached), ranged reads instead of whole files, output near the edits’ size, and cache reads per turn.'
  );
}

/** What Claude Code sent: its model calls by kind, and any other route it called. */
function requestsOf(r: SizeResult): string {
  const side = r.cc.exchanges.filter((e) => !e.label.startsWith('turn ')).length;
  const other = r.cc.otherRequests.length > 0 ? r.cc.otherRequests.join(', ') : 'no other route';
  return `${r.cc.exchanges.length - side} scripted turns on Opus, ${side} side calls, ${other}`;
}

const laterShare = (r: SizeResult): number => Math.min(...r.laterTurns.map((t) => t.share));

function underMinimum(r: SizeResult): string {
  return r.laterTurns
    .filter((t) => t.previousUnderMinimum)
    .map((t) => `${t.label} (previous request ${tok(t.previousPrompt)} tokens)`)
    .join(', ');
}

/**
 * Why later turns fall short, told from the measured shares: a previous request under the minimum cacheable prefix
 * cannot be cached at all; a previous request read back whole leaves only what is new in this one — the model's own
 * previous reply (thinking, tool calls) and the tool results — which no breakpoint can have cached before it existed.
 */
function cacheLaterReason(results: SizeResult[]): string {
  const turns = results.flatMap((r) => r.laterTurns.map((t) => ({ ...t, size: r.size })));
  const small = turns.filter((t) => t.previousUnderMinimum);
  const cached = turns.filter((t) => !t.previousUnderMinimum);
  const readWhole = cached.every((t) => t.previousShare >= 0.99);
  const parts: string[] = [];
  if (small.length > 0) {
    parts.push(
      `${[...new Set(small.map((t) => t.label))].join(', ')}: the run's previous request ` +
        `(${small.map((t) => `${t.size}× ${tok(t.previousPrompt)}`).join(', ')} tokens) is under the model's minimum ` +
        'cacheable prefix (Haiku: 4,096 tokens), so the API caches none of it whatever the breakpoints; only a longer ' +
        'first request would change that, and lengthening it would cost more than the cache saves',
    );
  }
  if (cached.length > 0 && readWhole) {
    const low = Math.min(...cached.map((t) => t.share));
    parts.push(
      `every other later turn reads the whole previous request from cache (share of it ≥ 0.99: the breakpoint ` +
        `moves with each turn); the rest of its prompt (down to ${fmt(low, 3)} read) is what is new in it — the ` +
        'model’s own previous reply (thinking and tool calls) and the tool results — which exist only once that turn ' +
        'is answered, so no breakpoint can have cached them',
    );
  } else if (cached.length > 0) {
    parts.push(
      'a later turn does not read the whole previous request back: move a breakpoint onto the newest message each turn',
    );
  }
  return `${parts.join('; ')}.`;
}
const singleWrite = (r: SizeResult): number => r.singleCallWrites.reduce((n, w) => n + w.write, 0);

/** The side-by-side rows, each across the job sizes. */
export function sideBySideRows(results: SizeResult[], stepSeconds: number): Row[] {
  const first = results[0] as SizeResult;
  const cost = results.map((r) => r.productTotals.cost / r.ccTotals.cost);
  const context = results.map((r) => r.workerContext / r.ccContext);
  const before = results.map((r) => r.product.before.opusOnlyEstimate.cost / r.ccTotals.cost);
  const after = results.map((r) => r.product.after.opusOnlyEstimate.cost / r.ccTotals.cost);
  const laterMin = results.map(laterShare);
  const singleWrites = results.map(singleWrite);
  const within = (x: number): boolean => x >= 0.8 && x <= 1.25;
  const p = first.prefix;
  const rows: Row[] = [
    {
      id: 'cc-prefix',
      metric: `Claude Code ${CLAUDE_CODE_VERSION} fixed prefix per request`,
      value: `${tok(p.systemAndTools + p.toolUseSystemPrompt)} tokens`,
      goal: 'the same on every request',
      verdict: results.every((r) => r.prefix.stable) ? 'PASS' : 'MISS',
      detail:
        `system prompt + ${p.tools} tool definitions as sent: ${tok(p.systemAndTools)} tokens (JSON ÷ 3.5), of which ` +
        `the tool definitions ${tok(p.toolDefinitions)} (every default tool is sent whatever --allowedTools says); + the ` +
        `API's tool-use system prompt ${tok(p.toolUseSystemPrompt)}; the first turn also carries ` +
        `${tok(p.sessionMessages)} tokens of session messages around the task (attribution reminder, git status, ` +
        `environment and tool list). Source: the recorded requests of claude-code ${CLAUDE_CODE_VERSION}.`,
      data: {
        systemAndTools: p.systemAndTools,
        toolUseSystemPrompt: p.toolUseSystemPrompt,
        sessionMessages: p.sessionMessages,
      },
    },
    {
      id: 'cc-same-result',
      metric: 'both sides leave the same files',
      value: bySize(results, (r) => `${r.files} files, ${r.edits} edits`),
      goal: 'byte-identical',
      verdict: 'PASS',
      detail: 'git diff of the Claude Code copy equals the product copy’s and the job’s expected files, at every size.',
    },
    {
      id: 'cc-cost',
      metric: 'cost ÷ lean Claude Code (Opus)',
      value: bySize(results, (r) => fmt(r.productTotals.cost / r.ccTotals.cost, 2)),
      goal: '≤ 0.5 at 1×; 2× and 4× no higher',
      verdict: (cost[0] as number) <= 0.5 && cost.every((c) => c <= (cost[0] as number) + 0.005) ? 'PASS' : 'MISS',
      detail:
        bySize(
          results,
          (r) =>
            `${fmtUsd(r.productTotals.cost)} vs ${fmtUsd(r.ccTotals.cost)} (product ledger ${fmtUsd(r.ledgerCost)})`,
        ) +
        `. Claude Code's requests: ${bySize(results, requestsOf)}. One run per size (the scripts are ` +
        `deterministic); the whole step took ${stepSeconds.toFixed(0)} s.`,
      data: { ratios: cost, product: results.map((r) => r.productTotals), claudeCode: results.map((r) => r.ccTotals) },
      appendix: breakdownMarkdown(results),
    },
    {
      id: 'cc-context',
      metric: 'worker context ÷ lean Claude Code context',
      value: bySize(results, (r) => fmt(r.workerContext / r.ccContext, 2)),
      goal: '≤ 0.5',
      verdict: context.every((c) => c <= 0.5) ? 'PASS' : 'MISS',
      detail:
        `${CONTEXT_DEFINITION} ` +
        bySize(
          results,
          (r) =>
            `${tok(r.workerContext)} (${r.workerContextLabel}) vs ${tok(r.ccContext)}; Σ of worker peaks ` +
            `${tok(r.workerContextSum)}, planner ${tok(r.plannerContext)}`,
        ),
      data: { ratios: context },
    },
    {
      id: 'cc-opus-alone-before',
      metric: '"Opus alone" shown before dispatch ÷ Claude Code cost',
      value: bySize(results, (r) => fmt(r.product.before.opusOnlyEstimate.cost / r.ccTotals.cost, 2)),
      goal: '0.8–1.25',
      verdict: before.every(within) ? 'PASS' : 'MISS',
      detail:
        'PlanState.opusOnlyEstimate as `plan --json` prints it: ' +
        bySize(results, (r) => `${fmtUsd(r.product.before.opusOnlyEstimate.cost)} vs ${fmtUsd(r.ccTotals.cost)}`),
      data: { ratios: before },
    },
    {
      id: 'cc-opus-alone-after',
      metric: '"Opus alone" shown after the run ÷ Claude Code cost',
      value: bySize(results, (r) => fmt(r.product.after.opusOnlyEstimate.cost / r.ccTotals.cost, 2)),
      goal: '0.8–1.25',
      verdict: after.every(within) ? 'PASS' : 'MISS',
      detail:
        '`show --json` once every proposal is applied: ' +
        bySize(
          results,
          (r) =>
            `${fmtUsd(r.product.after.opusOnlyEstimate.cost)} (claims saved ${fmtUsd(r.product.after.saved)}; ` +
            `measured ${signedUsd(r.ccTotals.cost - r.productTotals.cost)})`,
        ),
      data: { ratios: after },
    },
    {
      id: 'cc-cache-later',
      metric: 'worker turns after the first: prompt read from cache',
      value: bySize(results, (r) => (r.laterTurns.length > 0 ? fmt(laterShare(r), 3) : 'no such turn')),
      goal: '≥ 0.80 on every such turn',
      verdict: laterMin.every((s) => s >= 0.8) ? 'PASS' : 'MISS',
      detail:
        (laterMin.every((s) => s === Number.POSITIVE_INFINITY)
          ? 'no worker made a turn after its first here: each ended with finish beside its edits, so nothing was ' +
            'sent again (the caching of later turns is measured by the core step’s cache-share row). '
          : '') +
        'the lowest share per size; ' +
        bySize(results, (r) => r.laterTurns.map((t) => `${t.label} ${fmt(t.share, 3)}`).join(', ') || 'none') +
        '. Share of the PREVIOUS request’s prompt read from cache (1.000: the breakpoint moved with the ' +
        'conversation and the whole previous request was read back): ' +
        bySize(results, (r) => r.laterTurns.map((t) => `${t.label} ${fmt(t.previousShare, 3)}`).join(', ') || 'none') +
        `. Previous request under its model's minimum cacheable prefix (nothing of it can be cached): ` +
        bySize(results, (r) => underMinimum(r) || 'none'),
      data: { turns: results.map((r) => r.laterTurns) },
    },
    {
      id: 'cc-cache-single',
      metric: 'cache writes in single-call runs',
      value: bySize(results, (r) => tok(singleWrite(r))),
      goal: '0 tokens',
      verdict: singleWrites.every((w) => w === 0) ? 'PASS' : 'MISS',
      detail:
        'a run of one call (the planner; a worker that ended with finish in its first turn) has nothing to read a ' +
        'cache write back: ' +
        bySize(results, (r) => r.singleCallWrites.map((w) => `${w.run} ${tok(w.write)}`).join(', ')),
    },
  ];
  const reasons: Record<string, string> = {
    'cc-prefix': 'system or tools changed between requests of one session, so the fixed prefix is not one number.',
    'cc-cost': costReason(results),
    'cc-context':
      `the largest worker request (${first.workerContextLabel}, ${tok(first.workerContext)} tokens at 1×) holds ` +
      `every in-scope file whole, against ${tok(first.ccContext)} for the whole lean session (its prefix plus ` +
      `${READ_LINES}-line reads); slices of the files would bring it under half.`,
    'cc-opus-alone-before': opusAloneReason(results, 'before'),
    'cc-opus-alone-after': opusAloneReason(results, 'after'),
    'cc-cache-later': cacheLaterReason(results),
    'cc-cache-single':
      'a single call marks a cache breakpoint and pays the write premium for nothing. ' +
      (results.some((r) => r.singleCallWrites.some((w) => w.run === 'plan' && w.write > 0))
        ? 'Here it is the planner, whose first request should carry no mark (src/core/plan/planner.ts).'
        : 'Here they are workers that ended with finish in their first turn. A one-reply subtask’s first message is ' +
          'marked only once the plan’s one-reply runs take second turns at the break-even of about one in five or ' +
          'more, any other first message until its kind of run shows second turns to be rarer (markFirstRequest in ' +
          'src/core/llm/cache.ts); the system prompt only when a later run on the model will read it ' +
          '(Runner.laterRunOn in src/core/runner/runner.ts). A missed read costs 0.9× of the prompt, an unread ' +
          'write 0.25×.'),
  };
  for (const row of rows) {
    if (row.verdict !== 'PASS') {
      row.reason = reasons[row.id];
    }
  }
  return rows;
}
