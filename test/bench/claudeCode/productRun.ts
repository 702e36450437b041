import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ShowJson } from '../../../src/cli/show';
import type { Plan, Subtask } from '../../../src/core/plan/schema';
import type { MessageReply } from '../../fake-anthropic/replies';
import { jsonReply, toolUseReply } from '../../fake-anthropic/replies';
import type { RecordedBody } from '../../fake-anthropic/server';
import { startFakeAnthropic } from '../../fake-anthropic/server';
import { messageText } from '../responder';
import { runCommand } from '../stage';
import { Meter } from './apiRules';
import type { Exchange, SideRecord } from './exchange';
import { lastToolResults, otherRequestsOf, turnOf } from './exchange';
import type { Job } from './job';
import type { PlacesOf } from './job';
import { MAP_PLACES, PLANNER_SEARCH, THINKING, editsOf, planOf, plannerSearchPath, thinkingOf } from './job';
import { packageFiles } from './libRepo';
import { mapEntries, placeInMap } from './mapPlaces';
import { READ_BEFORE, READ_LINES } from './claudeRun';

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

/**
 * The text of `path` a worker's request has shown it so far: the file block of its first message (a whole file as
 * it is; slices without their line numbers, a gap between slices breaking any match), and every `view` result since.
 */
export function seenText(body: RecordedBody, path: string): string {
  const parts: string[] = [];
  const messages = (body.messages ?? []) as { role: string; content: unknown }[];
  const blocks = (m: { content: unknown } | undefined): { type?: string; text?: string; content?: unknown }[] =>
    Array.isArray(m?.content) ? (m.content as { type?: string; text?: string; content?: unknown }[]) : [];
  for (const b of blocks(messages[0])) {
    const text = b.text ?? '';
    if (!text.startsWith(`<file path="${path}"`)) {
      continue;
    }
    parts.push(/^<file [^>]*shown="/.test(text) ? unnumbered(text) : text.slice(text.indexOf('\n') + 1));
  }
  const viewed = new Set<string>();
  for (const m of messages) {
    for (const b of blocks(m)) {
      if (b.type === 'tool_use' && (b as { input?: { command?: string; path?: string } }).input?.path === path) {
        viewed.add((b as { id?: string }).id ?? '');
      }
      if (b.type === 'tool_result' && viewed.has((b as { tool_use_id?: string }).tool_use_id ?? '')) {
        parts.push(unnumbered(typeof b.content === 'string' ? b.content : JSON.stringify(b.content)));
      }
    }
  }
  return parts.join('\u0000');
}

/** Lines numbered as `view` numbers them, without the numbers; a jump in the numbering becomes a break. */
function unnumbered(text: string): string {
  const out: string[] = [];
  let last = -1;
  for (const line of text.split('\n')) {
    const m = /^ *(\d+)\t(.*)$/.exec(line);
    if (!m) {
      continue;
    }
    const n = Number(m[1]);
    out.push(last >= 0 && n !== last + 1 ? `\u0000${m[2]}` : (m[2] as string));
    last = n;
  }
  return `${out.join('\n')}\n`;
}

/**
 * The worker's turns, given what its first request shows (`seen`; everything when left out). Where an edit's old
 * text is not shown, the worker first reads around it with `view` and a view_range — the same window the lean
 * session's Read takes, thinking as much as a locating turn — then it makes every edit in one turn of parallel
 * editor calls that ends with finish and its summary (no closing turn).
 */
export function workerTurns(job: Job, subtask: Subtask, seen?: (path: string) => string): MessageReply[] {
  const edits = editsOf(job, subtask);
  const unseen = seen ? edits.filter((e) => !seen(e.path).includes(e.oldStr)) : [];
  const turns: MessageReply[] = [];
  if (unseen.length > 0) {
    const views = toolUseReply(
      unseen.map((e) => {
        const start = Math.max(1, e.line - READ_BEFORE);
        return { name: TOOL, input: { command: 'view', path: e.path, view_range: [start, start + READ_LINES - 1] } };
      }),
    );
    turns.push({
      ...views,
      content: [thinkingOf(THINKING.locatePerTurn, 'Read around what the slices left out.'), ...views.content],
    });
  }
  const summary =
    `${subtask.title}: done in ${[...new Set(edits.map((e) => e.path))].join(', ')}. ` +
    `${subtask.acceptanceCriteria.join(' ')} Nothing outside these files was touched.`;
  const calls = toolUseReply([
    ...edits.map((e) => ({
      name: TOOL,
      input: { command: 'str_replace', path: e.path, old_str: e.oldStr, new_str: e.newStr },
    })),
    { name: 'finish', input: { summary } },
  ]);
  turns.push({
    ...calls,
    content: [
      thinkingOf(THINKING.perEdit * edits.length, 'Make every edit in one turn, then finish.'),
      ...calls.content,
    ],
  });
  return turns;
}

const TOOL = 'str_replace_based_edit_tool';

/**
 * The planner's calls, decided from the map it was sent (`map`, the text of its first request): when the map names
 * the test and README places of every package (MAP_PLACES), one call that plans straight from the map, with the
 * lines its entries give and both locating turns' thinking; otherwise a search for the places (see PLANNER_SEARCH),
 * then the plan, each with a locating turn's thinking — together the locating Claude Code does in its search and
 * read turns.
 */
export function plannerTurns(job: Job, map = ''): { turns: MessageReply[]; plan: Plan; searched: boolean } {
  const entries = mapEntries(map);
  const places: PlacesOf = (pkg, path) =>
    placeInMap(entries, path, path === packageFiles(pkg).test ? MAP_PLACES.test : MAP_PLACES.readme);
  const named = job.packages.every((p) => {
    const at = packageFiles(p);
    return places(p, at.test) !== undefined && places(p, at.readme) !== undefined;
  });
  if (named) {
    const plan = planOf(job.packages, job.task, places);
    const reply = jsonReply(plan);
    const thinking = thinkingOf(2 * THINKING.locatePerTurn, 'Split the work; the map names every place.');
    return { turns: [{ ...reply, content: [thinking, ...reply.content] }], plan, searched: false };
  }
  const search = toolUseReply([
    { name: 'search', input: { ...PLANNER_SEARCH, path: plannerSearchPath(job.packages) } },
  ]);
  const plan = jsonReply(job.plan);
  const turns = [
    {
      ...search,
      content: [thinkingOf(THINKING.locatePerTurn, 'Find the places the map cannot name.'), ...search.content],
    },
    { ...plan, content: [thinkingOf(THINKING.locatePerTurn, 'Split the work.'), ...plan.content] },
  ];
  return { turns, plan: job.plan, searched: true };
}

/** The repository map in the planner's first request. */
export function mapOf(body: RecordedBody): string {
  const text = messageText(body.messages?.[0]);
  const start = text.indexOf('<repository_map>');
  const end = text.indexOf('</repository_map>');
  return start >= 0 && end > start ? text.slice(start, end) : '';
}

/** The planner plans only from what its search showed it: the line of every test and README place it names. */
function checkSearch(job: Job, body: RecordedBody): void {
  const results = lastToolResults(body);
  const text = results.map((r) => r.text).join('\n');
  const named = job.edits.filter((e) => e.path.endsWith('.test.ts') || e.path.endsWith('README.md'));
  const missing = named.filter((e) => !text.includes(`${e.path}:${e.line}:`));
  if (results.some((r) => r.isError) || missing.length > 0) {
    throw new Error(
      `the planner's search did not show ${missing.map((e) => `${e.path}:${e.line}`).join(', ')}: ${text.slice(0, 300)}`,
    );
  }
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
  const scripts = new Map<string, MessageReply[]>();
  let planner: ReturnType<typeof plannerTurns> | undefined;
  let problem: Error | undefined;
  fake.setResponder((req) => {
    let reply: MessageReply;
    let label: string;
    try {
      if (req.body.output_config?.format !== undefined) {
        const turn = turnOf(req.body);
        if (turn === 0) {
          planner = plannerTurns(job, mapOf(req.body));
        } else if (planner?.searched) {
          checkSearch(job, req.body);
        }
        const next = planner?.turns[turn];
        if (!planner || !next) {
          throw new Error(`the planner asked for call ${turn + 1}; the script has ${planner?.turns.length ?? 0}`);
        }
        reply = next;
        label = turn < planner.turns.length - 1 ? 'plan search' : 'plan';
      } else {
        const subtask = subtaskOf(job, req.body);
        const turn = turnOf(req.body);
        if (subtask && turn === 0) {
          scripts.set(
            subtask.id,
            workerTurns(job, subtask, (p) => seenText(req.body, p)),
          );
        }
        const next = subtask ? scripts.get(subtask.id)?.[turn] : undefined;
        if (!subtask || !next) {
          throw new Error(`a worker request matches no scripted subtask turn (turn ${turn + 1})`);
        }
        const failed = lastToolResults(req.body).find((r) => r.isError);
        if (failed) {
          throw new Error(`an edit of ${subtask.id} failed in the product: ${failed.text.slice(0, 300)}`);
        }
        const blind = editsOf(job, subtask).filter(
          (e) =>
            next.content.some((b) => b.type === 'tool_use' && (b.input as { old_str?: string }).old_str === e.oldStr) &&
            !seenText(req.body, e.path).includes(e.oldStr),
        );
        if (blind.length > 0) {
          throw new Error(
            `the ${subtask.id} script edits text its worker was never shown: ${blind[0]?.path}:${blind[0]?.line}`,
          );
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
