import type { Row } from '../report';
import { fmt, median, quantile } from '../stats';
import type { HarnessResult } from '../vscode/harness';
import type { ActivationResult, GaugeSample, ScaleResult } from '../vscode/protocol';

export const ACTIVATION_GOAL = '≤ 1.5×';
export const GAUGE_GOAL = '≤ 250 ms';
export const SCALE_GOAL = 'lag p99 ≤ 20 ms';

function missing(id: string, metric: string, goal: string, why: string): Row {
  return { id, metric, value: 'not measured', goal, verdict: 'ERROR', detail: why, reason: why };
}

function windowErrors(result: HarnessResult, prefix: string): string {
  const errors = result.windows.flatMap((w) => w.errors.filter((e) => e.startsWith(prefix)));
  return errors.map((e) => e.split('\n').slice(0, 2).join(' ')).join('; ') || 'no result was reported';
}

/**
 * activate() of this extension ÷ activate() of an empty one. Each window (a fresh extension host) activates ours once
 * among several empty extensions, the host left to settle before each; a window's ratio is ours over the median of
 * its empty ones, measured seconds apart under the same machine load, and the row is the median of the windows'
 * ratios. Every activation is timed the same way, with the stored plan in the workspace.
 */
export function activationRow(result: HarnessResult): Row {
  const runs = result.windows.map((w) => w.activation).filter((a): a is ActivationResult => a !== undefined);
  if (runs.length === 0) {
    return missing('activation', 'activation vs empty extension', ACTIVATION_GOAL, windowErrors(result, 'activation'));
  }
  const windowEmpty = runs.map((r) => median(r.empty.map((e) => e.ms)));
  const ratios = runs.map((r, i) => r.ours.ms / (windowEmpty[i] as number));
  const ratio = median(ratios);
  const ours = median(runs.map((r) => r.ours.ms));
  const allEmpty = runs.flatMap((r) => r.empty.map((e) => e.ms));
  const empty = median(allEmpty);
  const apiOnly = median(runs.map((r) => r.apiOnly.ms));
  const oursCpu = median(runs.map((r) => r.ours.cpuMs));
  const emptyCpu = median(runs.flatMap((r) => r.empty.map((e) => e.cpuMs)));
  const apiCpu = median(runs.map((r) => r.apiOnly.cpuMs));
  const parts = {
    entry: median(runs.map((r) => r.parts.entryMs)),
    views: median(runs.map((r) => r.parts.viewsMs)),
    engine: median(runs.map((r) => r.parts.engineMs ?? Number.NaN)),
    secret: median(runs.map((r) => r.parts.secretMs)),
    restore: median(runs.map((r) => r.parts.restoreMs)),
  };
  const ready = median(runs.map((r) => r.oursReadyMs ?? Number.NaN));
  const perWindow = runs
    .map(
      (r, i) =>
        `${fmt(r.ours.ms, 1)} [slot ${r.oursAt + 1}] / ${r.empty.map((e) => fmt(e.ms, 1)).join(' ')} → ${fmt(ratios[i] as number, 2)}×`,
    )
    .join('; ');
  const pass = ratio <= 1.5;
  return {
    id: 'activation',
    metric: 'activation vs empty extension',
    value: `${fmt(ratio, 1)}× (${fmt(ours, 1)} vs ${fmt(empty, 1)} ms)`,
    goal: ACTIVATION_GOAL,
    verdict: pass ? 'PASS' : 'MISS',
    detail:
      `Wall time of getExtension(id).activate() until its promise settles (the host loading the entry bundle, building ` +
      `the extension's context and the vscode API object for it, and activate() itself: the Plan view and every ` +
      `command registered; the views bundle is loaded a turn after it returned), in the extension host, with the ` +
      `stored ${runs[0]?.planSubtasks ?? 0}-subtask plan in the workspace as a user has it. ${runs.length} window(s), ` +
      `each a fresh extension host: after a warm-up extension has taken the host's first activation (median ` +
      `${fmt(median(runs.map((r) => r.warmupMs)), 0)} ms), ours is activated once among ` +
      `${runs[0]?.empty.length ?? 0} empty extensions (its slot moves from window to window), the host left to settle ` +
      `(event loop not held up, under 5% of a core) before each (median ${fmt(median(runs.map((r) => r.settleMs)), 0)} ms) and ours's stored-plan ` +
      `restore, started after activate() returned, awaited before the next (ready, views and plan shown, ${fmt(ready, 0)} ms after ` +
      `activate() started). Ratio: per window, ours ÷ the median of its empty extensions, then the median over the ` +
      `windows (ours/empty ms: ${perWindow}); the value's ms are the medians of all samples. An extension whose ` +
      `activate() only loads the vscode API takes ${fmt(apiOnly, 1)} ms. Host CPU during activate(): ours ` +
      `${fmt(oursCpu, 1)}, empty ${fmt(emptyCpu, 1)}, API only ${fmt(apiCpu, 1)} ms. Timed again afterwards (warm): ` +
      `evaluation of the entry ${fmt(parts.entry, 1)} ms; views bundle loaded as after activation ` +
      `${fmt(parts.views, 1)} ms (per window: ${runs.map((r) => fmt(r.parts.viewsMs, 1)).join(', ')}; V8's code ` +
      `cache of it is written two seconds after a window's first load, so the first window's figure may be without ` +
      `it), engine bundle (on first use, with its code cache once written) ${fmt(parts.engine, 0)} ms, key read from ` +
      `secret storage ${fmt(parts.secret, 0)} ms, orchestrator + plan restore ${fmt(parts.restore, 0)} ms`,
    ...(pass
      ? {}
      : {
          reason:
            `activate() takes ${fmt(ours - empty, 1)} ms more than an empty extension's, of which the host's building ` +
            `of the vscode API object for an extension that uses it is about ${fmt(apiOnly - empty, 1)} ms. ` +
            `Evaluating the entry takes ${fmt(parts.entry, 1)} ms warm; activate() awaits nothing else (the views, the ` +
            `key read and the engine come after it). Timings also carry the machine load given above.`,
        }),
    data: { runs },
  };
}

/** Milliseconds from the wire write to the rendered row in the workbench, per sample (undefined when not seen). */
function domLatencies(result: HarnessResult, samples: GaugeSample[]): Array<number | undefined> {
  return samples.map((s) => {
    // The first change of the row after the write that no longer shows the pre-usage text; the workbench may skip
    // straight to a later figure when two refreshes arrive within one frame.
    const seen = result.dom.find((d) => d.label === s.title && d.at >= s.wireEpoch - 1 && d.text !== s.before);
    return seen ? Math.max(0, seen.at - s.wireEpoch) : undefined;
  });
}

/** Usage event written by the local server → the subtask row's new description, in the extension host and on screen. */
export function gaugeRow(result: HarnessResult): Row {
  const samples = result.windows.flatMap((w) => w.gauge ?? []);
  if (samples.length === 0) {
    return missing('gauge-latency', 'gauge latency', GAUGE_GOAL, windowErrors(result, 'gauge'));
  }
  const host = samples.map((s) => s.hostMs);
  const dom = domLatencies(result, samples);
  const domSeen = dom.filter((d): d is number => d !== undefined);
  const useDom = domSeen.length === samples.length;
  const figures = useDom ? domSeen : host;
  const p95 = quantile(figures, 0.95);
  const pass = p95 <= 250;
  const where = useDom ? 'rendered in the workbench' : 'in the extension host';
  return {
    id: 'gauge-latency',
    metric: 'gauge latency',
    value: `p50 ${fmt(median(figures), 0)} / p95 ${fmt(p95, 0)} ms`,
    goal: GAUGE_GOAL,
    verdict: pass ? 'PASS' : 'MISS',
    detail:
      `${samples.length} dispatches; the local server (in the extension host) writes the worker reply whose ` +
      `message_start carries the usage 400 ms after the request; figures are to the row's new description ${where}` +
      ` ("${samples[0]?.before ?? ''}" → "${samples[0]?.after ?? ''}"). In the extension host (the tree ` +
      `provider's refresh, throttle included): p50 ${fmt(median(host), 1)} / max ${fmt(Math.max(...host), 1)} ms; ` +
      `in the workbench DOM: ${
        domSeen.length > 0
          ? `p50 ${fmt(median(domSeen), 0)} / max ${fmt(Math.max(...domSeen), 0)} ms (${domSeen.length}/${samples.length} seen)`
          : 'not seen'
      }`,
    ...(pass
      ? {}
      : {
          reason: useDom
            ? `the row took up to ${fmt(Math.max(...figures), 0)} ms to show new usage on screen. In the extension ` +
              `host the refreshed item was ready within ${fmt(Math.max(...host), 0)} ms, so the rest is the item's ` +
              "way to the workbench and its render there, slowed by the machine's load (see above)."
            : `the extension host took up to ${fmt(Math.max(...host), 0)} ms from the usage event to the refreshed ` +
              'item (the workbench DOM was not observed for every sample).',
        }),
    data: { samples, dom },
  };
}

/** How many ran at once: the editor's setting (at most its maximum), or a limit the bench forced past it. */
function runningAtOnce(r: ScaleResult): string {
  const limit = r.concurrency ?? r.subtasks;
  return r.concurrencyForced === false
    ? `${limit} running at a time (opusOrchestrator.concurrency at its maximum; OPUS_BENCH_SCALE_CONCURRENCY forces more)`
    : `${Math.min(limit, r.subtasks)} running at a time (OPUS_BENCH_SCALE_CONCURRENCY, past the setting's range)`;
}

/** Extension-host event-loop lag while `n` subtasks, dispatched at once, stream usage into the Plan view. */
export function scaleRow(result: HarnessResult): Row {
  const runs = result.windows.map((w) => w.scale).filter((s): s is ScaleResult => s !== undefined);
  const r = runs.at(-1);
  if (!r) {
    return missing('tree-scale', 'tree at scale (300 subtasks)', SCALE_GOAL, windowErrors(result, 'scale'));
  }
  const pass = r.lagP99 <= 20 && r.inReview === r.subtasks;
  return {
    id: 'tree-scale',
    metric: `tree at scale (${r.subtasks} subtasks)`,
    value: `lag p99 ${fmt(r.lagP99, 1)} ms`,
    goal: SCALE_GOAL,
    verdict: pass ? 'PASS' : 'MISS',
    detail:
      `${r.subtasks} subtasks dispatched at once with the Plan view open, ${runningAtOnce(r)}, each worker ` +
      'streaming two replies at ~100 tokens/s from a Messages API outside the extension host; ' +
      `monitorEventLoopDelay (10 ms resolution, resolution subtracted) over the ${fmt(r.durationMs / 1000, 1)} s ` +
      `until all left 'running': p50 ${fmt(r.lagP50, 1)}, p99 ${fmt(r.lagP99, 1)}, max ${fmt(r.lagMax, 0)} ms ` +
      `(idle before dispatch: p99 ${fmt(r.idleP99, 1)} ms); at most ${r.peakStreaming} streaming at the same ` +
      `moment; ${r.usageEvents.toLocaleString('en-US')} usage events, ` +
      `${r.treeRefreshes.toLocaleString('en-US')} tree refresh events naming ` +
      `${(r.treeRows ?? r.treeRefreshes).toLocaleString('en-US')} rows; ${r.inReview}/${r.subtasks} reached review; ` +
      `one plan save blocks ${fmt(r.saveBlockMs, 1)} ms` +
      (r.failed.length > 0 ? `; not in review: ${r.failed.join(', ')}` : ''),
    ...(pass
      ? {}
      : {
          reason:
            r.inReview !== r.subtasks
              ? `only ${r.inReview} of ${r.subtasks} subtasks reached review (${r.failed.join(', ')})`
              : `the extension host stalls up to ${fmt(r.lagMax, 0)} ms (p99 ${fmt(r.lagP99, 1)} ms) while ` +
                `${r.subtasks} subtasks stream. One save of the ${r.subtasks}-subtask plan blocks the loop for ` +
                `${fmt(r.saveBlockMs, 1)} ms (structured clone, schema check and JSON of ` +
                `${(r.planChars / 1000).toFixed(0)} kB, measured in the host). The Plan view refreshes once per ` +
                `frame (${r.treeRefreshes} events for ${r.usageEvents} usage events); the rest is the streams ` +
                `themselves: ${r.subtasks} subtasks set running in one go, their requests started one per turn of the ` +
                "event loop (VS Code's proxy-aware fetch and the secret sweep of each), " +
                `${r.subtasks} responses parsed, the garbage collector and the workbench connection's compression. ` +
                'OPUS_BENCH_CPU_PROFILE=<file> writes a CPU profile of this run.',
        }),
    data: { runs },
  };
}
