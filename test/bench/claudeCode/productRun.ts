import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ShowJson } from '../../../src/cli/show';
import type { Subtask } from '../../../src/core/plan/schema';
import type { MessageReply } from '../../fake-anthropic/replies';
import { jsonReply, textReply, toolUseReply } from '../../fake-anthropic/replies';
import type { RecordedBody } from '../../fake-anthropic/server';
import { startFakeAnthropic } from '../../fake-anthropic/server';
import { messageText } from '../responder';
import { runCommand } from '../stage';
import { Meter } from './apiRules';
import type { Exchange, SideRecord } from './exchange';
import { lastToolResults, otherRequestsOf, turnOf } from './exchange';
import type { Job } from './job';
import { THINKING, editsOf, thinkingOf } from './job';

/** The CLI bundle as `npm run build` makes it, built in a private folder so a concurrent build cannot interfere. */
export interface BuiltCli {
  cli: string;
  cleanup(): Promise<void>;
}

export async function buildCli(root: string): Promise<BuiltCli> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-cli-'));
  const cleanup = (): Promise<void> => fs.rm(dir, { recursive: true, force: true });
  try {
    for (const name of ['src', 'node_modules', 'package.json']) {
      await fs.symlink(path.join(root, name), path.join(dir, name));
    }
    await runCommand(process.execPath, [path.join(root, 'esbuild.js'), '--only=cli'], dir);
    return { cli: path.join(dir, 'dist', 'cli.js'), cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** The worker's turns: every edit of its subtask as parallel editor calls, then its one-paragraph summary. */
export function workerTurns(job: Job, subtask: Subtask): MessageReply[] {
  const edits = editsOf(job, subtask);
  const calls = toolUseReply(
    edits.map((e) => ({
      name: 'str_replace_based_edit_tool',
      input: { command: 'str_replace', path: e.path, old_str: e.oldStr, new_str: e.newStr },
    })),
  );
  const summary = textReply(
    `${subtask.title}: done in ${[...new Set(edits.map((e) => e.path))].join(', ')}. ` +
      `${subtask.acceptanceCriteria.join(' ')} Nothing outside these files was touched.`,
  );
  return [
    {
      ...calls,
      content: [thinkingOf(THINKING.perEdit * edits.length, 'Make every edit in one turn.'), ...calls.content],
    },
    { ...summary, content: [thinkingOf(THINKING.closing, 'Summarise.'), ...summary.content] },
  ];
}

/** The planner's answer: its thinking, then the plan as structured output. */
export function plannerReply(job: Job): MessageReply {
  const plan = jsonReply(job.plan);
  return { ...plan, content: [thinkingOf(THINKING.planner, 'Locate the option and split the work.'), ...plan.content] };
}

function subtaskOf(job: Job, body: RecordedBody): Subtask | undefined {
  const first = messageText(body.messages?.[0]);
  return job.plan.subtasks.find((s) => first.includes(s.instructions));
}

export interface ProductRun extends SideRecord {
  /** `plan --json`: the plan and the Opus-alone figure the product shows before anything is dispatched. */
  before: ShowJson;
  /** `show --json` once every proposal is applied. */
  after: ShowJson;
}

async function cli(cliPath: string, args: string[], workspace: string, env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [cliPath, ...args, '--workspace', workspace], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    throw new Error(`opus-orchestrator ${args[0]} exited with ${code}: ${err.trim().slice(-800)}`);
  }
  return out;
}

/**
 * The product on the same job, as a user runs its CLI: plan, dispatch every ready subtask, apply each proposal,
 * show. The local server answers the planner with the scripted plan and each worker with its scripted turns, and
 * meters every request by the shared rules (it also reports that usage, so the product's own ledger agrees).
 */
export async function runProduct(cliPath: string, job: Job, workspace: string): Promise<ProductRun> {
  const fake = await startFakeAnthropic();
  const meter = new Meter();
  const exchanges: Exchange[] = [];
  const scripts = new Map(job.plan.subtasks.map((s) => [s.id, workerTurns(job, s)]));
  let problem: Error | undefined;
  fake.setResponder((req) => {
    let reply: MessageReply;
    let label: string;
    try {
      if (req.body.output_config?.format !== undefined) {
        reply = plannerReply(job);
        label = 'plan';
      } else {
        const subtask = subtaskOf(job, req.body);
        const turn = turnOf(req.body);
        const next = subtask ? scripts.get(subtask.id)?.[turn] : undefined;
        if (!subtask || !next) {
          throw new Error(`a worker request matches no scripted subtask turn (turn ${turn + 1})`);
        }
        const failed = lastToolResults(req.body).find((r) => r.isError);
        if (failed) {
          throw new Error(`an edit of ${subtask.id} failed in the product: ${failed.text.slice(0, 300)}`);
        }
        reply = next;
        label = `${subtask.id} turn ${turn + 1}`;
      }
    } catch (err) {
      problem ??= err as Error;
      throw err;
    }
    exchanges.push({ label, body: req.body, reply, call: meter.measure(req.body, reply) });
    return { ...reply, usage: exchanges.at(-1)?.call.usage };
  });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: path.join(path.dirname(workspace), 'product-home'),
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: 'sk-ant-bench-not-a-key',
  };
  const started = Date.now();
  try {
    const run = async (args: string[]): Promise<string> => {
      try {
        return await cli(cliPath, args, workspace, env);
      } catch (err) {
        throw problem ?? err;
      }
    };
    const before = JSON.parse(await run(['plan', job.task, '--json'])) as ShowJson;
    await run(['dispatch', '--all', '--json']);
    for (const s of job.plan.subtasks) {
      await run(['apply', s.id, '--json']);
    }
    const after = JSON.parse(await run(['show', '--json'])) as ShowJson;
    return { exchanges, otherRequests: otherRequestsOf(fake.requests), wallMs: Date.now() - started, before, after };
  } finally {
    await fake.close();
  }
}
