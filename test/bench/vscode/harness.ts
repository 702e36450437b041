import { build } from 'esbuild';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { diskIO } from '../../../src/cli/diskIO';
import { LlmClient } from '../../../src/core/llm/client';
import { Orchestrator } from '../../../src/core/orchestrator';
import { Store } from '../../../src/core/store/store';
import type { RecordedBody, RecordedRequest, Responder } from '../../fake-anthropic/server';
import type { MessageReply } from '../../fake-anthropic/replies';
import { jsonReply, textReply, toolUseReply } from '../../fake-anthropic/replies';
import { startFakeAnthropic } from '../../fake-anthropic/server';
import { launchBrowser, openWorkbench } from '../../runner/browser';
import { cleanupAll } from '../../runner/cleanup';
import { startCodeServer, withTimeout } from '../../runner/code-server';
import { createFixtureRepo } from '../../runner/fixture';
import { ensureTestEnvironment } from '../../runner/install';
import { messageText } from '../responder';
import type { StagedExtension } from '../stage';
import type { WindowControl, WindowResult } from './protocol';
import { BENCH_RESULT_MARKER, CONTROL_ENV, ENGINE_PROBE, LOAD_PROBE, VIEWS_PROBE } from './protocol';

export interface HarnessOptions {
  /**
   * Windows that measure activation; the gauge and the tree at scale are measured in one more window of their own (its
   * page watches the workbench's DOM, load that activation must not carry).
   */
  windows: number;
  gaugeSamples: number;
  scaleSubtasks: number;
  log(message: string): void;
}

/** A row description as the workbench rendered it: Date.now() of the DOM change, the row's label and text. */
export interface DomDescription {
  at: number;
  label: string;
  text: string;
}

export interface HarnessResult {
  version: string;
  windows: WindowResult[];
  /** Gauge descriptions seen in the workbench's DOM during the last window. */
  dom: DomDescription[];
  /** Subtasks in the stored plan the extension restores while it activates. */
  storedPlanSubtasks: number;
}

const EDIT_TOOL = 'str_replace_based_edit_tool';
const ACTIVATION_WINDOW_MS = 120_000;
const LAST_WINDOW_MS = 600_000;
/** One streamed event every this many ms: about 100 output tokens a second per subtask, a model's usual pace. */
const SCALE_CHUNK_MS = 40;

/** The bench suite as one CommonJS file the extension host loads; only `vscode` is left to the host. */
async function buildSuite(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'suite.js');
  await build({
    entryPoints: [path.join(__dirname, 'suite.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    sourcesContent: false,
    external: ['vscode'],
    logLevel: 'warning',
  });
  return path.join(outDir, 'suite');
}

/**
 * The staged extension as its .vsix installs it (manifest, bundle, media, readme, licence), copied into the
 * development folder; build inputs are left behind.
 */
async function copyExtension(staged: StagedExtension, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  // What the .vsix ships of dist/: the bundles activation evaluates, the engine it loads on first use, the parsers.
  const bundles = (await fs.readdir(path.join(staged.dir, 'dist')))
    .filter((f) => f.endsWith('.js') || f.endsWith('.wasm'))
    .map((f) => `dist/${f}`);
  for (const name of ['package.json', 'README.md', 'LICENSE', ...bundles, 'media']) {
    const from = path.join(staged.dir, name);
    const exists = await fs.stat(from).then(
      () => true,
      () => false,
    );
    if (exists) {
      await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await fs.cp(from, path.join(dir, name), { recursive: true });
    }
  }
  // The extension also activates when the window has started (to open its walkthrough on first run); the bench
  // activates it itself, so that activate() is timed. What activate() does is the same whatever woke it.
  const manifestFile = path.join(dir, 'package.json');
  const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { activationEvents?: string[] };
  manifest.activationEvents = (manifest.activationEvents ?? []).filter((e) => e !== 'onStartupFinished');
  await fs.writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  await fs.copyFile(path.join(dir, 'dist', 'extension.js'), path.join(dir, 'dist', LOAD_PROBE));
  await fs.copyFile(path.join(dir, 'dist', 'views.js'), path.join(dir, 'dist', VIEWS_PROBE));
  await fs.copyFile(path.join(dir, 'dist', 'engine.js'), path.join(dir, 'dist', ENGINE_PROBE));
}

/** Empty extensions activated in each window: several samples of the yardstick beside each one of ours. */
const EMPTY_PER_WINDOW = 4;

/**
 * An extension that does nothing when activated: the yardstick for the extension host's own activation cost. With
 * `body`, activate() runs that instead (e.g. only loading the `vscode` API).
 */
async function emptyExtension(dir: string, name: string, body = '  return {};'): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const manifest = {
    name,
    publisher: 'bench',
    version: '0.0.1',
    engines: { vscode: '^1.90.0' },
    main: './extension.js',
    activationEvents: [],
  };
  await fs.writeFile(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await fs.writeFile(
    path.join(dir, 'extension.js'),
    `'use strict';\nexports.activate = function () {\n${body}\n};\nexports.deactivate = function () {};\n`,
  );
  return `bench.${name}`;
}

/** A six-subtask plan made by the real planner path on a fixture workspace, stored the way the extension finds it. */
async function storedPlan(dir: string): Promise<{ file: string; subtasks: number }> {
  const root = await createFixtureRepo(path.join(dir, 'plan-workspace'));
  const fake = await startFakeAnthropic();
  const ids = ['greet-locale', 'main-flags', 'docs', 'tests', 'config', 'cleanup'];
  fake.enqueue(
    jsonReply({
      goal: 'Localise the greeting and add command-line flags',
      subtasks: ids.map((id, i) => ({
        id,
        title: `Step ${i + 1}: ${id}`,
        instructions: `Carry out ${id}: change only the files in scope and keep existing exports.`,
        model: i % 2 === 0 ? 'sonnet' : 'haiku',
        files:
          i < 2
            ? [{ path: i === 0 ? 'src/greet.ts' : 'src/main.ts', create: false }]
            : [{ path: `src/${id}.ts`, create: true }],
        acceptanceCriteria: [`${id} is done and the existing exports are unchanged.`],
        dependsOn: i >= 2 ? [ids[i - 2] as string] : [],
      })),
    }),
  );
  try {
    const llm = new LlmClient({ apiKey: 'sk-ant-bench-not-a-key', baseURL: fake.url, maxRetries: 0 });
    const orchestrator = new Orchestrator({ root, llm, store: new Store(root), io: diskIO(root) });
    const state = await orchestrator.plan('Localise the greeting and add command-line flags');
    await orchestrator.flush();
    // The whole store folder: plan.json holds the plan, each subtask's state has a file of its own.
    const file = path.join(dir, 'stored-plan');
    // The store's lock can still be held (it lingers a moment after the last save): a folder at rest has none.
    await fs.cp(path.join(root, '.opus-orchestrator'), file, {
      recursive: true,
      filter: (from) => path.basename(from) !== 'lock',
    });
    return { file, subtasks: state.plan.subtasks.length };
  } finally {
    await fake.close();
  }
}

function subtaskIdOf(body: RecordedBody): string | undefined {
  return /<subtask id="([^"]+)">/.exec(messageText(body.messages?.[0]))?.[1];
}

/**
 * The Messages API for the tree-at-scale run, outside the extension host so that serving 300 streams does not load
 * the loop being measured: the planner gets `count` independent subtasks, each worker streams a remark and a
 * `create` call, then a closing summary, one event every SCALE_CHUNK_MS.
 */
function scaleResponder(count: number): Responder {
  const ids = Array.from({ length: count }, (_, i) => `s-${i + 1}`);
  const plan = {
    goal: `Create ${count} modules`,
    subtasks: ids.map((id) => ({
      id,
      title: `Create module ${id}`,
      instructions: `Create scale/${id}.ts exporting a constant and a function, following the project's style.`,
      model: 'haiku',
      files: [{ path: `scale/${id}.ts`, create: true }],
      acceptanceCriteria: [`scale/${id}.ts exports the constant and the function.`],
      dependsOn: [],
    })),
  };
  const remark = (id: string): string =>
    `I will create scale/${id}.ts with a constant and a small function that uses it, following the existing ` +
    'style: named exports, strict types, single quotes, and a short comment saying why the constant exists. ' +
    'Nothing else in the workspace needs to change for this subtask, so the edit is a single create call. ' +
    'After the file is written I will check it against the acceptance criteria and summarise the change.';
  const summary = (id: string): string =>
    `Created scale/${id}.ts. It exports the constant and a function that returns it doubled, with a JSDoc comment ` +
    'that says why the value exists. The file follows the project style (named exports, strict types, single ' +
    'quotes) and nothing outside the subtask scope was touched, so the acceptance criterion holds.';
  return (req: RecordedRequest): MessageReply => {
    if (req.body.output_config?.format !== undefined) {
      return jsonReply(plan, { input: 20_000, output: 60 * count });
    }
    const id = subtaskIdOf(req.body) ?? 'unknown';
    const turn = (req.body.messages ?? []).filter((m) => (m as { role?: string }).role === 'assistant').length;
    if (turn === 0) {
      const file = `/** Why ${id} exists. */\nexport const VALUE = ${id.length};\n\nexport function doubled(): number {\n  return VALUE * 2;\n}\n`;
      const call = toolUseReply([
        { name: EDIT_TOOL, input: { command: 'create', path: `scale/${id}.ts`, file_text: file } },
      ]);
      return { ...call, content: [{ type: 'text', text: remark(id) }, ...call.content], chunkDelayMs: SCALE_CHUNK_MS };
    }
    return { ...textReply(summary(id)), chunkDelayMs: SCALE_CHUNK_MS };
  };
}

/**
 * Runs in the workbench page: reports every tree-row description that looks like a gauge ("… tok …") when it
 * changes, with the time of the change, through the exposed `benchDescription` function.
 */
const DOM_WATCH = `(() => {
  const seen = new Map();
  const scan = () => {
    for (const el of document.querySelectorAll('.monaco-list-row .label-description')) {
      const text = el.textContent || '';
      if (!text.includes(' tok')) { continue; }
      const row = el.closest('.monaco-list-row');
      const label = (row && row.querySelector('.label-name') && row.querySelector('.label-name').textContent) || '';
      if (seen.get(label) !== text) {
        seen.set(label, text);
        window.benchDescription(Date.now(), label, text);
      }
    }
  };
  new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

function parseResult(line: string): WindowResult | undefined {
  return line.startsWith(BENCH_RESULT_MARKER)
    ? (JSON.parse(line.slice(BENCH_RESULT_MARKER.length)) as WindowResult)
    : undefined;
}

/**
 * Runs the bench suite in the real VS Code (code-server's workbench in Chromium, its remote extension host) once
 * per window, each on a fresh fixture workspace, with the staged extension, empty ones, an API-only one and a warm-up
 * one loaded in development mode.
 */
export async function runVscodeBench(staged: StagedExtension, opts: HarnessOptions): Promise<HarnessResult> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-vscode-'));
  try {
    const install = await ensureTestEnvironment();
    opts.log(`  ${install.version}; chromium ${install.chromium}`);
    const suite = await buildSuite(path.join(tmp, 'suite'));
    // One development folder holding several extensions: VS Code scans each subfolder as an extension (several
    // extensionDevelopmentPath entries in the URL payload keep only the last one).
    const devRoot = path.join(tmp, 'extensions');
    await copyExtension(staged, path.join(devRoot, 'opus-orchestrator'));
    const emptyIds: string[] = [];
    for (let i = 1; i <= EMPTY_PER_WINDOW; i++) {
      emptyIds.push(await emptyExtension(path.join(devRoot, `empty-${i}`), `bench-empty-${i}`));
    }
    const apiOnlyId = await emptyExtension(
      path.join(devRoot, 'api-only'),
      'bench-api-only',
      "  require('vscode');\n  return {};",
    );
    const warmupId = await emptyExtension(path.join(devRoot, 'warmup'), 'bench-warmup');
    const manifest = JSON.parse(await fs.readFile(path.join(staged.dir, 'package.json'), 'utf8')) as {
      publisher: string;
      name: string;
    };
    const extensionId = `${manifest.publisher}.${manifest.name}`;
    const plan = await storedPlan(tmp);
    const scaleFake = await startFakeAnthropic();
    scaleFake.setResponder(scaleResponder(opts.scaleSubtasks));
    const controlFile = path.join(tmp, 'control.json');
    const server = await startCodeServer({
      install,
      tmp: path.join(tmp, 'server'),
      env: {
        [CONTROL_ENV]: controlFile,
        ANTHROPIC_BASE_URL: scaleFake.url,
        ANTHROPIC_API_KEY: 'sk-ant-bench-not-a-key',
      },
    });
    const browser = await launchBrowser(install.chromium);
    const windows: WindowResult[] = [];
    const dom: DomDescription[] = [];
    try {
      const heavy = opts.gaugeSamples > 0 || opts.scaleSubtasks > 0;
      const count = opts.windows + (heavy ? 1 : 0);
      for (let k = 0; k < count; k++) {
        const last = heavy && k === count - 1;
        const control: WindowControl = {
          extensionId,
          warmupId,
          emptyIds,
          apiOnlyId,
          measureActivation: !last,
          oursAt: k % (emptyIds.length + 1),
          storedPlan: plan.file,
          gaugeSamples: last ? opts.gaugeSamples : 0,
          scaleSubtasks: last ? opts.scaleSubtasks : 0,
        };
        await fs.writeFile(controlFile, JSON.stringify(control));
        opts.log(`  window ${k + 1}/${count}: ${last ? 'gauge and tree at scale' : 'activation'}`);
        const workspace = await createFixtureRepo(path.join(tmp, `workspace-${k}`));
        const url = server.workbenchUrl(workspace, [
          ['extensionDevelopmentPath', server.remoteUri(devRoot)],
          ['extensionTestsPath', server.remoteUri(suite)],
        ]);
        let result: WindowResult | undefined;
        const recent: string[] = [];
        const t0 = Date.now();
        const workbench = await openWorkbench(browser, url, {
          onLog: (line) => {
            result ??= parseResult(line);
            recent.push(line);
            recent.splice(0, recent.length - 30);
            if (line.startsWith('[bench]') || process.env.OPUS_VERBOSE === '1') {
              opts.log(`    ${((Date.now() - t0) / 1000).toFixed(1)}s ${line.replace(/^\[bench\] /, '')}`);
            }
          },
        });
        if (last) {
          await workbench.page.exposeFunction('benchDescription', (at: number, label: string, text: string) => {
            dom.push({ at, label, text });
          });
          await workbench.page.evaluate(DOM_WATCH);
        }
        try {
          const limit = last ? LAST_WINDOW_MS : ACTIVATION_WINDOW_MS;
          await withTimeout(Promise.race([workbench.exitCode, server.died]), limit, () => {
            return `window ${k + 1} did not finish within ${limit / 1000} s; last output:\n${recent.join('\n')}`;
          });
        } finally {
          await workbench.close();
        }
        if (!result) {
          throw new Error(`window ${k + 1} ended without a result; last output:\n${recent.join('\n')}`);
        }
        const a = result.activation;
        opts.log(
          `  window ${k + 1}/${count} (${((Date.now() - t0) / 1000).toFixed(1)} s): ` +
            (a
              ? `activation ${a.ours.ms.toFixed(1)} ms (slot ${a.oursAt + 1}) vs empty ` +
                `${a.empty.map((e) => e.ms.toFixed(1)).join(', ')} ms, API only ${a.apiOnly.ms.toFixed(1)} ms`
              : 'no activation') +
            (result.errors.length > 0 ? `; errors: ${result.errors.map((e) => e.split('\n')[0]).join('; ')}` : ''),
        );
        windows.push(result);
      }
    } finally {
      await browser.close().catch(() => undefined);
      await server.stop();
      await scaleFake.close();
    }
    return { version: install.version, windows, dom, storedPlanSubtasks: plan.subtasks };
  } finally {
    await cleanupAll();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
