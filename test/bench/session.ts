import { performance } from 'node:perf_hooks';
import { simpleGit } from 'simple-git';
import { LlmClient } from '../../src/core/llm/client';
import { Orchestrator } from '../../src/core/orchestrator';
import type { PlanState, UsageEntry } from '../../src/core/plan/state';
import { Store } from '../../src/core/store/store';
import { diskIO } from '../../src/cli/diskIO';
import type { FakeAnthropic, RecordedRequest } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { PromptCache } from './promptCache';
import { isPlannerRequest, scenarioResponder, subtaskOf } from './responder';
import type { Scenario } from './transcripts';

export interface SessionOptions {
  concurrency: number;
  latencyMs: number;
  plannerLatencyMs?: number;
  /** Skip dispatch: only the planner runs. */
  planOnly?: boolean;
  timeoutMs?: number;
  /** A local server to use and leave open (by default one is started and closed with the session). */
  server?: FakeAnthropic;
}

export interface SessionResult {
  state: PlanState;
  requests: RecordedRequest[];
  ledger: UsageEntry[];
  planMs: number;
  /** From the first dispatch to the last subtask reaching review. */
  dispatchMs: number;
  /** Subtask id → final status. */
  statuses: Record<string, string>;
  /** Worker requests as they arrived and every subtask status change, in order (performance.now() times). */
  timeline: TimelineEvent[];
}

/** `what` is 'request' for a worker request reaching the server, else the subtask's new status. */
export interface TimelineEvent {
  at: number;
  id: string;
  what: string;
}

const TERMINAL = new Set(['accepted', 'rejected', 'failed', 'cancelled', 'interrupted']);

/** Puts a generated repository back to its commit: accepted edits, created files and the store are gone. */
export async function resetRepo(root: string): Promise<void> {
  const git = simpleGit(root);
  await git.reset(['--hard', '-q']);
  await git.clean('fdx');
}

/**
 * One session as a user would run it, through the real SDK over real HTTP to the local Messages API: plan, then
 * dispatch every ready subtask and accept each proposal the moment it arrives (dependents start as soon as their
 * dependencies are accepted), until every subtask is accepted or has failed.
 */
export async function runSession(root: string, scenario: Scenario, opts: SessionOptions): Promise<SessionResult> {
  await resetRepo(root);
  const fake = opts.server ?? (await startFakeAnthropic());
  const timeline: TimelineEvent[] = [];
  const respond = scenarioResponder(scenario, {
    latencyMs: opts.latencyMs,
    plannerLatencyMs: opts.plannerLatencyMs,
    cache: new PromptCache(),
  });
  fake.setResponder((req) => {
    const id = isPlannerRequest(req.body) ? undefined : subtaskOf(req.body, scenario);
    if (id) {
      timeline.push({ at: performance.now(), id, what: 'request' });
    }
    return respond(req);
  });
  const llm = new LlmClient({ apiKey: 'bench-not-a-key', baseURL: fake.url, maxRetries: 0 });
  const orch = new Orchestrator({ root, llm, store: new Store(root), io: diskIO(root), concurrency: opts.concurrency });
  const lastStatus = new Map<string, string>();
  const watch = orch.onEvent((e) => {
    const status = e.kind === 'subtask' ? orch.state?.subtasks[e.id]?.status : undefined;
    if (e.kind === 'subtask' && status && lastStatus.get(e.id) !== status) {
      lastStatus.set(e.id, status);
      timeline.push({ at: performance.now(), id: e.id, what: status });
    }
  });
  try {
    const t0 = performance.now();
    const state = await orch.plan(scenario.task);
    const planMs = performance.now() - t0;
    if (opts.planOnly) {
      return {
        state,
        requests: [...fake.requests],
        ledger: orch.ledger().entries(),
        planMs,
        dispatchMs: 0,
        statuses: {},
        timeline,
      };
    }
    const dispatchMs = await driveToCompletion(orch, opts.timeoutMs ?? 120_000);
    const final = orch.state as PlanState;
    const statuses = Object.fromEntries(Object.values(final.subtasks).map((s) => [s.id, s.status]));
    return {
      state: final,
      requests: [...fake.requests],
      ledger: orch.ledger().entries(),
      planMs,
      dispatchMs,
      statuses,
      timeline,
    };
  } finally {
    watch.dispose();
    // Saves follow the events they record: let them land before the repository is reset.
    await orch.flush().catch(() => undefined);
    if (!opts.server) {
      await fake.close();
    }
    await resetRepo(root);
  }
}

async function driveToCompletion(orch: Orchestrator, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let lastReview = started;
  const dispatched = new Set<string>();
  const accepted = new Set<string>();
  let inFlight = 0;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  const subtasks = () => Object.values(orch.state?.subtasks ?? {});
  const fail = (err: unknown): void => {
    failure ??= err;
  };

  const pump = (): void => {
    const ready = subtasks()
      .filter((s) => s.status === 'ready' && !dispatched.has(s.id))
      .map((s) => s.id);
    ready.forEach((id) => dispatched.add(id));
    if (ready.length > 0) {
      inFlight += 1;
      orch
        .dispatch(ready)
        .catch(fail)
        .finally(() => {
          inFlight -= 1;
        });
    }
  };
  const sub = orch.onEvent((e) => {
    const s = e.kind === 'subtask' ? orch.state?.subtasks[e.id] : undefined;
    if (s?.status === 'review' && !accepted.has(s.id)) {
      accepted.add(s.id);
      lastReview = performance.now();
      const id = s.id;
      chain = chain.then(() => orch.acceptProposal(id)).then(pump, fail);
    }
  });
  try {
    pump();
    const deadline = started + timeoutMs;
    for (;;) {
      if (failure !== undefined) {
        throw failure;
      }
      await chain;
      const open = subtasks().filter((s) => !TERMINAL.has(s.status));
      // Done when every subtask ended, or when nothing runs and nothing can start (a failure blocked its dependents).
      if (open.length === 0 || (inFlight === 0 && !open.some((s) => s.status === 'ready' || s.status === 'review'))) {
        break;
      }
      if (performance.now() > deadline) {
        throw new Error(
          `the session did not finish within ${timeoutMs} ms; still open: ` +
            open.map((s) => `${s.id}:${s.status}`).join(', '),
        );
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return lastReview - started;
  } finally {
    sub.dispose();
  }
}
