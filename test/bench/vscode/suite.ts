import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import * as vscode from 'vscode';
import type { PlanState } from '../../../src/core/plan/state';
import { PlanStateSchema } from '../../../src/core/store/schemas';
import type { ExtensionApi } from '../../../src/extension';
import { requireCached } from '../../../src/vscode/codeCache';
import type { Reply } from '../../fake-anthropic/replies';
import { jsonReply, textReply, toolUseReply } from '../../fake-anthropic/replies';
import type { FakeAnthropic } from '../../fake-anthropic/server';
import { startFakeAnthropic } from '../../fake-anthropic/server';
import type {
  ActivationResult,
  ActivationTime,
  GaugeSample,
  ScaleResult,
  WindowControl,
  WindowResult,
} from './protocol';
import { BENCH_RESULT_MARKER, CONTROL_ENV, ENGINE_PROBE, LOAD_PROBE, VIEWS_PROBE } from './protocol';

const EDIT_TOOL = 'str_replace_based_edit_tool';
/** Time to first token the gauge samples wait for: the 'running' row is drawn well before the usage arrives. */
const GAUGE_HOLD_MS = 400;
const LAG_RESOLUTION_MS = 10;
const SCALE_TIMEOUT_MS = 420_000;
/**
 * Subtasks running at once in the tree-at-scale run: the `opusOrchestrator.concurrency` setting at the largest value
 * it takes, as a user would set it. OPUS_BENCH_SCALE_CONCURRENCY=<n> sets the orchestrator's limit past the
 * setting's range instead (e.g. every subtask at once), a load the editor never puts on the host.
 */
const SCALE_CONCURRENCY_ENV = 'OPUS_BENCH_SCALE_CONCURRENCY';
const SETTLE_LIMIT_MS = 10_000;
const SETTLE_SAMPLE_MS = 500;
/** Lag (ms, p99 over a sample) under which the host counts as quiet: idle hosts on a busy machine show 10-25 ms. */
const QUIET_LAG_MS = 30;
/** Share of one core the host may use during a sample and count as quiet. */
const QUIET_CPU_SHARE = 0.05;

/** A monitorEventLoopDelay figure (ns) as lag in ms: the delay beyond the sampling interval. */
const lagMs = (ns: number): number => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    throw new Error('no workspace folder is open');
  }
  return folder.uri.fsPath;
}

function extension<T>(id: string): vscode.Extension<T> {
  const ext = vscode.extensions.getExtension<T>(id);
  if (!ext) {
    const loaded = vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id);
    throw new Error(`${id} is not loaded in this window (loaded: ${loaded.join(', ')})`);
  }
  return ext;
}

async function timeActivation(id: string): Promise<ActivationTime> {
  const ext = extension(id);
  if (ext.isActive) {
    throw new Error(`${id} was already active before it was measured`);
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await ext.activate();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * Waits (up to SETTLE_LIMIT_MS) until the extension host has been quiet for two samples in a row: its event loop not
 * held up, and the process spending little CPU (the host is still activating built-in extensions when the tests
 * start, and the Git extension scans the workspace in short tasks: work that is neither extension's).
 */
async function settle(): Promise<number> {
  const t0 = performance.now();
  let quiet = 0;
  while (quiet < 2 && performance.now() - t0 < SETTLE_LIMIT_MS) {
    const h = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    const cpu0 = process.cpuUsage();
    const s0 = performance.now();
    h.enable();
    await sleep(SETTLE_SAMPLE_MS);
    h.disable();
    const cpu = process.cpuUsage(cpu0);
    const share = (cpu.user + cpu.system) / 1000 / (performance.now() - s0);
    quiet = lagMs(h.percentile(99)) < QUIET_LAG_MS && share < QUIET_CPU_SHARE ? quiet + 1 : 0;
  }
  return performance.now() - t0;
}

/** Puts the stored plan into the workspace, so that activation finds it as a user's does. */
function storePlan(control: WindowControl): void {
  if (control.storedPlan) {
    const dir = path.join(workspaceRoot(), '.opus-orchestrator');
    fs.mkdirSync(dir, { recursive: true });
    fs.cpSync(control.storedPlan, dir, { recursive: true });
  }
}

/**
 * activate() of the extension under test among several empty extensions (at the slot the control file says), then
 * of an extension that only loads the `vscode` API, after a warm-up extension has paid for the extension host's first
 * activation. Before each one the host is left to settle (what the previous one started, ours's stored-plan restore
 * included, is over), so that no slot is slowed by another's work. The stored plan is in the workspace first, as when
 * `workspaceContains` wakes the extension.
 */
async function measureActivation(control: WindowControl): Promise<ActivationResult> {
  storePlan(control);
  const settles = [await settle()];
  const warmupMs = (await timeActivation(control.warmupId)).ms;
  const sequence = [...control.emptyIds];
  sequence.splice(control.oursAt, 0, control.extensionId);
  sequence.push(control.apiOnlyId);
  const empty: ActivationTime[] = [];
  let ours: ActivationTime | undefined;
  let apiOnly: ActivationTime | undefined;
  let oursReadyMs = Number.NaN;
  for (const id of sequence) {
    settles.push(await settle());
    if (id === control.extensionId) {
      const profile = await startProfile('activation', 50);
      const t0 = performance.now();
      ours = await timeActivation(id);
      await profile?.stop();
      // What the extension does after activate() returned (the key, the stored plan) is over before anything else
      // is measured.
      await extension<ExtensionApi>(id).exports.ready;
      oursReadyMs = performance.now() - t0;
    } else if (id === control.apiOnlyId) {
      apiOnly = await timeActivation(id);
    } else {
      empty.push(await timeActivation(id));
    }
  }
  const loaded = extension<ExtensionApi>(control.extensionId);
  const planSubtasks = loaded.exports.controller.orchestrator?.subtasks().length ?? 0;
  if (control.storedPlan && planSubtasks === 0) {
    throw new Error('the extension became ready without the stored plan restored');
  }
  if (!ours || !apiOnly) {
    throw new Error('the extension under test or the API-only one was not in the sequence');
  }
  settles.sort((x, y) => x - y);
  return {
    ours,
    empty,
    apiOnly,
    settleMs: settles[Math.floor(settles.length / 2)] ?? Number.NaN,
    warmupMs,
    oursAt: control.oursAt,
    planSubtasks,
    oursReadyMs,
    parts: await activationParts(loaded),
  };
}

/** See ActivationResult.parts: each part of activation and of what follows it run again after the fact. */
async function activationParts(ours: vscode.Extension<ExtensionApi>): Promise<ActivationResult['parts']> {
  const t0 = performance.now();
  createRequire(__filename)(path.join(ours.extensionPath, 'dist', LOAD_PROBE));
  const t1 = performance.now();
  const viewsMs = cachedLoadMs(ours, 'views.js', VIEWS_PROBE);
  const t2 = performance.now();
  await ours.exports.keys.reload();
  const t3 = performance.now();
  await ours.exports.controller.restart();
  const t4 = performance.now();
  // The engine's second copy is timed last in the window (engineProbeMs): evaluating it starts module-level work.
  return { entryMs: t1 - t0, viewsMs, engineMs: Number.NaN, secretMs: t3 - t2, restoreMs: t4 - t3 };
}

/**
 * A copy of one of the bundles the extension loads through its code cache, loaded the same way, with a copy of the
 * cache the extension wrote for the bundle (none in a window before that was written: the load then compiles).
 */
function cachedLoadMs(ours: vscode.Extension<ExtensionApi>, bundle: string, copy: string): number {
  const dist = path.join(ours.extensionPath, 'dist');
  try {
    fs.copyFileSync(path.join(dist, `${bundle}.cache`), path.join(dist, `${copy}.cache`));
  } catch {
    fs.rmSync(path.join(dist, `${copy}.cache`), { force: true });
  }
  const t0 = performance.now();
  requireCached(path.join(dist, copy));
  return performance.now() - t0;
}

/** dist/engine.js loaded afresh as the extension loads it: the engine bundle's evaluation, which its first use costs. */
function engineProbeMs(ours: vscode.Extension<ExtensionApi>): number {
  return cachedLoadMs(ours, 'engine.js', ENGINE_PROBE);
}

function planReply(goal: string, ids: string[], dir: string): Reply {
  return jsonReply(
    {
      goal,
      subtasks: ids.map((id) => ({
        id,
        title: `Add ${id}`,
        instructions: `Create ${dir}/${id}.ts exporting a constant named after the subtask.`,
        model: 'sonnet',
        files: [{ path: `${dir}/${id}.ts`, create: true }],
        acceptanceCriteria: [`${dir}/${id}.ts exports the constant.`],
        dependsOn: [],
      })),
    },
    { input: 12_000, output: 150 * ids.length },
  );
}

async function planThroughCommand(task: string): Promise<void> {
  const result = await vscode.commands.executeCommand<{ ok: boolean; message?: string }>('opusOrchestrator.plan', {
    task,
    replace: true,
  });
  if (!result?.ok) {
    throw new Error(`planning through the command failed: ${result?.message ?? 'no result'}`);
  }
}

async function setBaseUrl(api: ExtensionApi, url: string | undefined): Promise<void> {
  const config = vscode.workspace.getConfiguration('opusOrchestrator');
  await config.update('baseUrl', url, vscode.ConfigurationTarget.Global);
  api.controller.applySettings();
}

async function clearPlan(api: ExtensionApi): Promise<void> {
  api.controller.orchestrator?.cancelAll();
  await vscode.commands.executeCommand('opusOrchestrator.clearPlan', { confirmed: true });
}

function describeRow(api: ExtensionApi, id: string): Promise<string> {
  const node = api.tree.subtaskNode(id);
  if (!node) {
    return Promise.resolve('');
  }
  return Promise.resolve(api.tree.getTreeItem(node)).then((item) => String(item.description ?? ''));
}

/**
 * One sample: the subtask is dispatched, its row turns 'running', then the local server writes the reply whose
 * message_start carries the usage. The sample is the time from that write to the first refresh of the row (an
 * onDidChangeTreeData the view acts on) whose item shows a new description.
 */
async function gaugeSample(api: ExtensionApi, fake: FakeAnthropic, id: string, dir: string): Promise<GaugeSample> {
  const orchestrator = api.controller.orchestrator;
  if (!orchestrator) {
    throw new Error('no orchestrator');
  }
  let wire: { at: number; epoch: number } | undefined;
  const refreshes: Array<{ at: number; text: string }> = [];
  const pending: Array<Promise<void>> = [];
  const sub = api.tree.onDidChangeTreeData((change) => {
    const row = api.tree.subtaskNode(id);
    if (change !== undefined && !(Array.isArray(change) ? change.includes(row as never) : change === row)) {
      return;
    }
    pending.push(describeRow(api, id).then((text) => void refreshes.push({ at: performance.now(), text })));
  });
  let calls = 0;
  fake.setResponder(async () => {
    calls += 1;
    if (calls > 1) {
      return textReply(`Created ${dir}/${id}.ts.`, { input: 4_300, output: 30 });
    }
    await sleep(GAUGE_HOLD_MS);
    wire = { at: performance.now(), epoch: Date.now() };
    const file = `export const ${id.replace(/-/g, '_')} = true;\n`;
    return {
      ...toolUseReply([{ name: EDIT_TOOL, input: { command: 'create', path: `${dir}/${id}.ts`, file_text: file } }]),
      usage: { input: 4_000, output: 120 },
      chunkDelayMs: 5,
    };
  });
  try {
    await orchestrator.dispatch([id]);
    await Promise.all(pending);
  } finally {
    sub.dispose();
    fake.setResponder(undefined);
  }
  if (!wire) {
    throw new Error(`${id}: the worker's reply was never sent`);
  }
  const sent = wire;
  const before = [...refreshes].reverse().find((r) => r.at <= sent.at)?.text ?? '';
  const after = refreshes.find((r) => r.at > sent.at && r.text !== before);
  if (!after) {
    throw new Error(`${id}: the row never showed the usage (refreshes: ${refreshes.map((r) => r.text).join(' | ')})`);
  }
  const title = orchestrator.subtask(id)?.spec.title ?? id;
  return { id, title, wireEpoch: sent.epoch, hostMs: after.at - sent.at, before, after: after.text };
}

async function measureGauge(api: ExtensionApi, samples: number): Promise<GaugeSample[]> {
  const fake = await startFakeAnthropic();
  await setBaseUrl(api, fake.url);
  const dir = 'bench-gauge';
  try {
    const ids = Array.from({ length: samples }, (_, i) => `gauge-${i + 1}`);
    fake.enqueue(planReply('Measure the gauge', ids, dir));
    await planThroughCommand('Measure the gauge');
    const out: GaugeSample[] = [];
    for (const id of ids) {
      out.push(await gaugeSample(api, fake, id, dir));
      console.log(`[bench] gauge ${id}: ${out.at(-1)?.hostMs.toFixed(1)} ms`);
    }
    return out;
  } finally {
    await clearPlan(api);
    await setBaseUrl(api, undefined);
    await fake.close();
  }
}

/**
 * The synchronous work of one plan save as the orchestrator and store do it (a structured clone, the store's schema
 * check, JSON with indentation), timed in the extension host on the given state; median of five.
 */
function saveBlock(state: PlanState | undefined): { ms: number; chars: number } {
  if (!state) {
    return { ms: 0, chars: 0 };
  }
  const times: number[] = [];
  let chars = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const copy = structuredClone(state);
    PlanStateSchema.safeParse(copy);
    chars = JSON.stringify({ version: 1, kind: 'plan', data: copy }, null, 2).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[2] ?? 0, chars };
}

/**
 * Plans `count` subtasks (the harness's Messages API answers, outside this process), dispatches them all at once
 * and samples the extension host's event-loop delay until every one has left 'running'.
 */
async function measureScale(api: ExtensionApi, count: number, extensionId: string): Promise<ScaleResult> {
  await setBaseUrl(api, undefined);
  await planThroughCommand(`Create ${count} modules`);
  const orchestrator = api.controller.orchestrator;
  if (!orchestrator || orchestrator.subtasks().length !== count) {
    throw new Error(`the scale plan has ${orchestrator?.subtasks().length ?? 0} subtasks, not ${count}`);
  }
  await sleep(1_000);
  const idle = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  idle.enable();
  await sleep(2_000);
  idle.disable();

  let usageEvents = 0;
  let treeRefreshes = 0;
  let treeRows = 0;
  const subs = [
    api.controller.onDidChange((e) => {
      usageEvents += e.kind === 'usage' ? 1 : 0;
    }),
    api.tree.onDidChangeTreeData((change) => {
      treeRefreshes += 1;
      treeRows += Array.isArray(change) ? change.length : 1;
    }),
  ];
  const limit = await scaleConcurrency(api, extensionId);
  orchestrator.updateSettings({ maxCostPerPlan: 0, maxCostPerSubtask: 0 });
  let peakStreaming = 0;
  const poll = setInterval(() => {
    const streaming = orchestrator.subtasks().filter((s) => s.state.live !== undefined).length;
    peakStreaming = Math.max(peakStreaming, streaming);
  }, 50);
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  const profile = await startProfile();
  lag.enable();
  const t0 = performance.now();
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the ${count} subtasks did not finish within ${SCALE_TIMEOUT_MS / 1000} s`)),
        SCALE_TIMEOUT_MS,
      );
    });
    await Promise.race([orchestrator.dispatch(orchestrator.ready()), timeout]).finally(() => clearTimeout(timer));
  } finally {
    lag.disable();
    await profile?.stop();
    clearInterval(poll);
    for (const s of subs) {
      s.dispose();
    }
  }
  const durationMs = performance.now() - t0;
  const views = orchestrator.subtasks();
  const save = saveBlock(orchestrator.state);
  const result: ScaleResult = {
    subtasks: count,
    ...limit,
    durationMs,
    lagP50: lagMs(lag.percentile(50)),
    lagP99: lagMs(lag.percentile(99)),
    lagMax: lagMs(lag.max),
    idleP99: lagMs(idle.percentile(99)),
    peakStreaming,
    usageEvents,
    treeRefreshes,
    treeRows,
    inReview: views.filter((s) => s.state.status === 'review').length,
    failed: views
      .filter((s) => s.state.status !== 'review')
      .slice(0, 5)
      .map((s) => `${s.spec.id}:${s.state.status}${s.state.error ? ` (${s.state.error.slice(0, 120)})` : ''}`),
    saveBlockMs: save.ms,
    planChars: save.chars,
  };
  await clearPlan(api);
  await vscode.workspace
    .getConfiguration('opusOrchestrator')
    .update('concurrency', undefined, vscode.ConfigurationTarget.Global);
  return result;
}

/** See SCALE_CONCURRENCY_ENV: the setting at its maximum, or the orchestrator's limit set past it. */
async function scaleConcurrency(
  api: ExtensionApi,
  extensionId: string,
): Promise<{ concurrency: number; concurrencyForced: boolean }> {
  const forced = Number.parseInt(process.env[SCALE_CONCURRENCY_ENV] ?? '', 10);
  const orchestrator = api.controller.orchestrator;
  if (Number.isInteger(forced) && forced > 0) {
    orchestrator?.updateSettings({ concurrency: forced });
    return { concurrency: forced, concurrencyForced: true };
  }
  const config = vscode.workspace.getConfiguration('opusOrchestrator');
  const max = settingMaximum(extensionId, 'concurrency');
  await config.update('concurrency', max, vscode.ConfigurationTarget.Global);
  api.controller.applySettings();
  return { concurrency: max, concurrencyForced: false };
}

/** The largest value the manifest lets a setting take. */
function settingMaximum(extensionId: string, name: string): number {
  const manifest = extension<ExtensionApi>(extensionId).packageJSON as {
    contributes?: { configuration?: { properties?: Record<string, { maximum?: number }> } };
  };
  const max = manifest.contributes?.configuration?.properties?.[`opusOrchestrator.${name}`]?.maximum;
  if (max === undefined) {
    throw new Error(`the manifest gives opusOrchestrator.${name} no maximum`);
  }
  return max;
}

/**
 * With OPUS_BENCH_CPU_PROFILE set to a file path, a CPU profile of the extension host over the tree-at-scale run is
 * written there (open it in Chrome DevTools or VS Code): where the stalls come from.
 */
async function startProfile(what = 'scale', intervalUs = 500): Promise<{ stop(): Promise<void> } | undefined> {
  const base = process.env.OPUS_BENCH_CPU_PROFILE;
  if (!base) {
    return undefined;
  }
  const file = what === 'scale' ? base : base.replace(/(\.cpuprofile)?$/, `.${what}.cpuprofile`);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.log(`[bench] CPU profile of the ${what} run: ${file}`);
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** Called by the extension host (`extensionTestsPath`): measures, then logs one result line for the harness. */
export async function run(): Promise<void> {
  const controlFile = process.env[CONTROL_ENV];
  if (!controlFile) {
    throw new Error(`${CONTROL_ENV} is not set`);
  }
  const control = JSON.parse(fs.readFileSync(controlFile, 'utf8')) as WindowControl;
  console.log('[bench] measuring in the extension host');
  const result: WindowResult = { errors: [] };
  try {
    if (control.measureActivation) {
      result.activation = await measureActivation(control);
    } else {
      storePlan(control);
      await extension<ExtensionApi>(control.extensionId).activate();
      await extension<ExtensionApi>(control.extensionId).exports.ready;
    }
    const api = extension<ExtensionApi>(control.extensionId).exports;
    if (control.gaugeSamples > 0) {
      try {
        result.gauge = await measureGauge(api, control.gaugeSamples);
      } catch (err) {
        result.errors.push(`gauge: ${errorText(err)}`);
      }
    }
    if (control.scaleSubtasks > 0) {
      try {
        result.scale = await measureScale(api, control.scaleSubtasks, control.extensionId);
      } catch (err) {
        result.errors.push(`scale: ${errorText(err)}`);
      }
    }
  } catch (err) {
    result.errors.push(`activation: ${errorText(err)}`);
  }
  if (result.activation) {
    result.activation.parts.engineMs = engineProbeMs(extension<ExtensionApi>(control.extensionId));
  }
  console.log(`${BENCH_RESULT_MARKER} ${JSON.stringify(result)}`);
}
