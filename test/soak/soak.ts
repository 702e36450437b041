import fs from 'node:fs/promises';
import path from 'node:path';
import { diskIO } from '../../src/cli/diskIO';
import { LlmClient } from '../../src/core/llm/client';
import { Orchestrator } from '../../src/core/orchestrator';
import { Store } from '../../src/core/store/store';
import type { Reply } from '../fake-anthropic/replies';
import type { RecordedRequest } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import {
  jsonReply,
  textReply,
  toolUseReply,
  truncatedThinkingReply,
  truncatedToolUseReply,
} from '../fake-anthropic/replies';
import { filePath, isPlanner, makeRepo, subtaskOf } from './harness';

/**
 * The soak: many plan → dispatch → accept cycles on one workspace, in process, through the real engine, the real SDK
 * over HTTP to the local Messages API, and a real git repository. Every cycle changes one line of each file; some
 * cycles reject a proposal and retry it, and every cycle meets one fault of the API (FAULTS, in turn): the engine
 * recovers within the call or the subtask fails and is dispatched again. After each cycle the files on
 * disk, the subtask statuses, the ledger (one entry per request served) and a second engine reading the same store
 * must all agree; at the end no accept journal is left behind.
 */

export interface SoakOptions {
  cycles: number;
  /** Subtasks (and files) per plan; every other one depends on the one before it. */
  subtasks: number;
  /** Called after each cycle, for progress output. */
  onCycle?: (cycle: number, stats: SoakStats) => void;
}

export interface SoakStats {
  cycles: number;
  dispatches: number;
  accepts: number;
  rejects: number;
  apiErrors: number;
  /** Faults the API was made to show, by kind. */
  faults: Record<string, number>;
  requests: number;
  ms: number;
  /** Milliseconds each cycle took, in order: a run that slows as the store grows shows here. */
  cycleMs: number[];
  /** Files in the store folder at the end. */
  storeFiles: number;
}

const LINES = 12;
/** The value line 4 of every file holds after `cycle` cycles. */
const valueAfter = (cycle: number): number => (cycle === 0 ? 3 : 3000 + cycle);
const line = (n: number, value: number): string => `export const v${n}_3 = ${value};`;

function fileText(n: number, value: number): string {
  return Array.from({ length: LINES }, (_, i) => (i === 3 ? line(n, value) : `export const v${n}_${i} = ${i};`))
    .map((l) => `${l}\n`)
    .join('');
}

const idOf = (cycle: number, k: number): string => `c${cycle}s${k}`;

function planFor(cycle: number, count: number): unknown {
  return {
    goal: `Set line 4 of each file to ${valueAfter(cycle)}.`,
    subtasks: Array.from({ length: count }, (_, k) => ({
      id: idOf(cycle, k),
      title: `Change ${filePath(k)}`,
      instructions: `In ${filePath(k)}, set the constant on line 4 to ${valueAfter(cycle)} (${idOf(cycle, k)}).`,
      model: k % 2 === 0 ? 'haiku' : 'sonnet',
      files: [{ path: filePath(k), create: false }],
      acceptanceCriteria: [`line 4 says ${valueAfter(cycle)}`],
      dependsOn: k % 2 === 1 ? [idOf(cycle, k - 1)] : [],
    })),
  };
}

/**
 * What the API does wrong once per cycle, to the first request of one subtask. `billed`: whether the answer is a
 * finished message the ledger must hold (an error answer bills nothing; a stream cut after message_start may be kept
 * with the usage it reported, or not).
 */
const FAULTS: Array<{ kind: string; billed: boolean | 'maybe'; reply: () => Reply }> = [
  { kind: '529 overloaded', billed: false, reply: () => ({ httpError: 529, retryAfterMs: 5 }) },
  { kind: '429 rate limited', billed: false, reply: () => ({ httpError: 429, retryAfterMs: 5 }) },
  {
    kind: 'error event mid-stream',
    billed: 'maybe',
    reply: () => ({ streamError: 'overloaded_error', afterContent: true }),
  },
  { kind: 'connection dropped before headers', billed: false, reply: () => ({ drop: 'before-headers' }) },
  { kind: 'connection dropped mid-stream', billed: 'maybe', reply: () => ({ drop: 'mid-stream' }) },
  {
    kind: 'max_tokens inside a tool call',
    billed: true,
    reply: () => truncatedToolUseReply('str_replace_based_edit_tool', '{"command":"str_replace","path":"src/f'),
  },
  { kind: 'max_tokens inside thinking', billed: true, reply: () => truncatedThinkingReply() },
];

interface Faults {
  /** The subtask whose first request meets this cycle's fault, until it has. */
  target: string | undefined;
  fault: (typeof FAULTS)[number];
  /** Requests answered with an error: the API bills nothing for them. */
  unbilled: number;
  /** Requests cut off mid-stream, which the ledger may or may not hold. */
  maybe: number;
}

/** Answers the planner with this cycle's plan and each worker with its one edit, then its summary. */
function responder(cycle: number, count: number, faults: Faults) {
  const ids = Array.from({ length: count }, (_, k) => idOf(cycle, k));
  return (req: RecordedRequest): Reply => {
    if (isPlanner(req)) {
      return jsonReply(planFor(cycle, count));
    }
    const id = subtaskOf(req, ids);
    if (id === undefined) {
      return textReply('I do not know this subtask.');
    }
    if (faults.target === id) {
      faults.target = undefined;
      if (faults.fault.billed === false) {
        faults.unbilled += 1;
      } else if (faults.fault.billed === 'maybe') {
        faults.maybe += 1;
      }
      return faults.fault.reply();
    }
    const k = ids.indexOf(id);
    if ((req.body.messages?.length ?? 0) === 1) {
      const input = {
        command: 'str_replace',
        path: filePath(k),
        old_str: line(k, valueAfter(cycle - 1)),
        new_str: line(k, valueAfter(cycle)),
      };
      return toolUseReply([{ name: 'str_replace_based_edit_tool', input }]);
    }
    return textReply(`Done: ${id}.`);
  };
}

export async function runSoak(opts: SoakOptions): Promise<SoakStats> {
  const started = Date.now();
  const fake = await startFakeAnthropic();
  const repo = await makeRepo(
    Object.fromEntries(Array.from({ length: opts.subtasks }, (_, k) => [filePath(k), fileText(k, valueAfter(0))])),
    'opus-soak-',
  );
  const stats: SoakStats = {
    cycles: 0,
    dispatches: 0,
    accepts: 0,
    rejects: 0,
    apiErrors: 0,
    faults: {},
    requests: 0,
    ms: 0,
    cycleMs: [],
    storeFiles: 0,
  };
  const engine = (): Orchestrator =>
    new Orchestrator({
      root: repo,
      llm: new LlmClient({ apiKey: 'sk-ant-soak', baseURL: fake.url, maxRetries: 0 }),
      store: new Store(repo),
      io: diskIO(repo),
    });
  const orch = engine();
  try {
    for (let cycle = 1; cycle <= opts.cycles; cycle++) {
      const fault = FAULTS[(cycle - 1) % FAULTS.length] as (typeof FAULTS)[number];
      const faults: Faults = { target: idOf(cycle, 0), fault, unbilled: 0, maybe: 0 };
      fake.setResponder(responder(cycle, opts.subtasks, faults));
      const requestsBefore = fake.requests.length;
      const cycleStart = Date.now();
      await orch.plan(`Set line 4 to ${valueAfter(cycle)}`);
      await runCycle(orch, cycle, stats);
      await orch.flush();
      await check(orch, engine, repo, cycle, opts.subtasks);
      if (faults.target !== undefined) {
        throw new Error(`cycle ${cycle}: the fault "${fault.kind}" was never served`);
      }
      stats.faults[fault.kind] = (stats.faults[fault.kind] ?? 0) + 1;
      const served = fake.requests.length - requestsBefore - faults.unbilled;
      const billed = orch.ledger().entries().length;
      if (billed > served || billed < served - faults.maybe) {
        throw new Error(
          `cycle ${cycle} (${fault.kind}): the plan's ledger holds ${billed} calls, the API answered ${served}`,
        );
      }
      stats.requests += served;
      stats.cycles = cycle;
      stats.cycleMs.push(Date.now() - cycleStart);
      stats.ms = Date.now() - started;
      opts.onCycle?.(cycle, stats);
    }
    const leftover = await fs.stat(new Store(repo).journalFile()).then(
      () => true,
      () => false,
    );
    if (leftover) {
      throw new Error('an accept journal was left in the store after every accept finished');
    }
    await orch.flush();
    stats.storeFiles = await countFiles(path.join(repo, '.opus-orchestrator'));
    return stats;
  } finally {
    await orch.flush().catch(() => undefined);
    orch.dispose();
    await fake.close();
    await fs.rm(repo, { recursive: true, force: true });
  }
}

/** Files under `dir`, leaving out the store lock (the engine may still hold it for a moment after its last change). */
async function countFiles(dir: string): Promise<number> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  let n = 0;
  for (const e of entries) {
    if (e.isDirectory() && e.name !== 'lock') {
      n += await countFiles(path.join(dir, e.name));
    } else if (e.isFile()) {
      n += 1;
    }
  }
  return n;
}

/**
 * Dispatches what is ready and accepts what comes to review until every subtask is accepted. The first proposal of
 * subtask 1 in every second cycle is rejected and the subtask retried; a failed subtask (the API was overloaded) is
 * dispatched again.
 */
async function runCycle(orch: Orchestrator, cycle: number, stats: SoakStats): Promise<void> {
  const rejectFirst = cycle % 2 === 0 ? new Set([idOf(cycle, 1)]) : new Set<string>();
  for (let round = 0; round < 20; round++) {
    const views = orch.subtasks();
    if (views.every((s) => s.state.status === 'accepted')) {
      return;
    }
    for (const { spec, state } of views) {
      if (state.status === 'review' && rejectFirst.delete(spec.id)) {
        await orch.rejectProposal(spec.id, 'try again');
        stats.rejects += 1;
        await orch.retry(spec.id);
        stats.dispatches += 1;
      } else if (state.status === 'review') {
        await orch.acceptProposal(spec.id);
        stats.accepts += 1;
      } else if (state.status === 'failed') {
        stats.apiErrors += 1;
        await orch.retry(spec.id);
        stats.dispatches += 1;
      }
    }
    stats.dispatches += (await orch.dispatchAllReady()).length;
  }
  const stuck = orch
    .subtasks()
    .filter((s) => s.state.status !== 'accepted')
    .map((s) => `${s.spec.id}: ${s.state.status}${s.state.error ? ` (${s.state.error})` : ''}`);
  throw new Error(`cycle ${cycle}: subtasks never reached accepted: ${stuck.join('; ')}`);
}

/** The files hold this cycle's value, and a second engine reading the store sees every subtask accepted. */
async function check(
  orch: Orchestrator,
  engine: () => Orchestrator,
  repo: string,
  cycle: number,
  count: number,
): Promise<void> {
  for (let k = 0; k < count; k++) {
    const text = await fs.readFile(path.join(repo, filePath(k)), 'utf8');
    if (text !== fileText(k, valueAfter(cycle))) {
      throw new Error(`cycle ${cycle}: ${filePath(k)} does not hold the accepted change:\n${text}`);
    }
  }
  const reader = engine();
  try {
    const loaded = await reader.load();
    const statuses = reader.subtasks().map((s) => s.state.status);
    if (loaded?.id !== orch.state?.id || statuses.length !== count || statuses.some((s) => s !== 'accepted')) {
      throw new Error(`cycle ${cycle}: another engine reads the store as ${statuses.join(', ')}`);
    }
    if (Math.abs(reader.totals().cost - orch.totals().cost) > 1e-9) {
      throw new Error(`cycle ${cycle}: the stored ledger costs ${reader.totals().cost}, not ${orch.totals().cost}`);
    }
  } finally {
    // A load may save what it found; those writes land before the next cycle (or the folder's removal).
    await reader.flush();
    reader.dispose();
  }
}
