import os from 'node:os';
import path from 'node:path';
import { PRICES_AS_OF } from '../../src/core/models';
import { CLAUDE_CODE_STEP } from './claudeCode/step';
import { ESTIMATE_FORMULA } from '../../src/core/usage/estimate';
import { BASELINE_FORMULA } from './opusAlone';
import { headerLines, machineDescription, toConsole, writeReport } from './report';
import type { ReportHeader, Row } from './report';
import { MAP_STEP } from './map/step';
import { CORE_STEP, VSCODE_STEP } from './steps';
import type { Step } from './steps';
import type { StagedExtension } from './stage';
import { stageExtension } from './stage';
import { chooseCounter } from './tokens';

const USAGE = `npm run bench [-- --repeats N] [-- --steps core,map,vscode,claude-code]
  core:        context, cost, scheduling and edits against the local Messages API; the production bundle and .vsix.
  map:         repository-map recall on real npm packages' code (pinned, installed into ~/.cache/opus-orchestrator
               on first use), and planning time and memory on a 10,000-file repository.
  vscode:      activation, gauge latency and a 300-subtask Plan view in the real VS Code (code-server + Chromium).
  claude-code: the product and Claude Code (Opus, a lean scripted session) side by side on the same job at 1×, 2×
               and 4× its size, both against the local Messages API; installs a pinned Claude Code on first use.
  Writes bench-output/report.md and bench-output/report.json. BENCH_COUNT_TOKENS=1 with ANTHROPIC_API_KEY set counts
  prompt tokens with the API's count_tokens instead of the offline estimate. OPUS_VERBOSE=1 shows the workbench log.`;

interface Args {
  repeats: number;
  steps: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { repeats: 5, steps: ['core', 'map', 'vscode', 'claude-code'] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repeats') {
      args.repeats = Math.max(1, Number.parseInt(argv[++i] ?? '', 10) || 5);
    } else if (a === '--steps') {
      args.steps = (argv[++i] ?? '').split(',').filter(Boolean);
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`Unknown argument ${a}.\n${USAGE}`);
      process.exit(2);
    }
  }
  return args;
}

const STEPS: Step[] = [CORE_STEP, MAP_STEP, VSCODE_STEP, CLAUDE_CODE_STEP];

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const root = process.cwd();
  const started = Date.now();
  const loadBefore = os.loadavg()[0] ?? 0;
  const counter = chooseCounter();
  const log = (m: string): void => console.log(`[bench] ${m}`);
  const rows: Row[] = [];
  let staged: Promise<StagedExtension> | undefined;
  const extension = (): Promise<StagedExtension> => {
    staged ??= stageExtension(root);
    return staged;
  };
  try {
    for (const step of STEPS.filter((s) => args.steps.includes(s.name))) {
      log(`step ${step.name}`);
      rows.push(...(await step.run({ root, repeats: args.repeats, counter, log, extension })));
    }
  } finally {
    await staged?.then(
      (s) => s.cleanup(),
      () => undefined,
    );
  }
  const header: ReportHeader = {
    date: new Date().toISOString(),
    machine: machineDescription(),
    node: process.version,
    tokenEstimate: counter.label,
    estimateFormula: ESTIMATE_FORMULA,
    baselineFormula: BASELINE_FORMULA,
    repeats: args.repeats,
    prices: `src/core/models.ts, as of ${PRICES_AS_OF}`,
    load: `${loadBefore.toFixed(1)} at start, ${(os.loadavg()[0] ?? 0).toFixed(1)} at end`,
    durationS: (Date.now() - started) / 1000,
  };
  const files = await writeReport(path.join(root, 'bench-output'), header, rows);
  console.log('');
  console.log(headerLines(header).join('\n'));
  console.log('');
  console.log(toConsole(rows));
  for (const r of rows.filter((x) => x.reason)) {
    console.log(`\n${r.verdict} ${r.metric}: ${r.reason}`);
  }
  console.log(`\nWrote ${path.relative(root, files.md)} and ${path.relative(root, files.json)}.`);
}

main().catch((err: unknown) => {
  console.error(`The benchmark stopped: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
