import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MODEL_TABLE } from '../../../src/core/models';
import type { MessageReply } from '../../fake-anthropic/replies';
import { textReply, toolUseReply } from '../../fake-anthropic/replies';
import type { RecordedRequest } from '../../fake-anthropic/server';
import { startFakeAnthropic } from '../../fake-anthropic/server';
import { Meter } from './apiRules';
import type { Exchange, SideRecord } from './exchange';
import { lastToolResults, otherRequestsOf, turnOf } from './exchange';
import type { ClaudeCodeInstall } from './install';
import type { Job } from './job';
import { THINKING, thinkingOf } from './job';

/** Lines each ranged Read takes, and how many of them come before the edit site. */
export const READ_LINES = 60;
export const READ_BEFORE = 25;
export const GREP_PATTERN = 'maxRetries|normalizeError';

/** The command line the side-by-side runs, as a user would type it (the task is the last argument of -p). */
export function claudeArgs(task: string): string[] {
  return [
    '-p',
    task,
    '--model',
    MODEL_TABLE.opus.id,
    '--permission-mode',
    'acceptEdits',
    '--allowedTools',
    'Read,Edit,Write,Glob,Grep,Bash',
  ];
}

function grepInput(job: Job): Record<string, unknown> {
  const input: Record<string, unknown> = {
    pattern: GREP_PATTERN,
    path: 'packages',
    output_mode: 'content',
    '-n': true,
  };
  if (job.packages.length === 1) {
    input.path = `packages/${job.packages[0]?.name}`;
  } else if (job.packages.length < 4) {
    input.glob = `{${job.packages.map((p) => p.name).join(',')}}/**`;
  }
  return input;
}

/**
 * The leanest realistic Claude Code session for the job: one Grep, one turn of ranged Reads around every edit site,
 * one turn of all the Edits as parallel tool calls, then a short answer, with thinking on every turn.
 */
export function leanTurns(job: Job, workspace: string): MessageReply[] {
  const abs = (rel: string): string => path.join(workspace, rel);
  const withThinking = (reply: MessageReply, tokens: number, topic: string): MessageReply => ({
    ...reply,
    content: [thinkingOf(tokens, topic), ...reply.content],
  });
  const grep = toolUseReply([{ name: 'Grep', input: grepInput(job) }]);
  const reads = toolUseReply(
    job.edits.map((e) => ({
      name: 'Read',
      input: { file_path: abs(e.path), offset: Math.max(1, e.line - READ_BEFORE), limit: READ_LINES },
    })),
  );
  const edits = toolUseReply(
    job.edits.map((e) => ({
      name: 'Edit',
      input: { file_path: abs(e.path), old_string: e.oldStr, new_string: e.newStr },
    })),
  );
  const files = [...new Set(job.edits.map((e) => e.path))];
  const done = textReply(
    `Added \`requestTimeoutMs\` (default 30000) to ${job.packages.map((p) => p.clientClass).join(', ')}: declared in ` +
      'ClientOptions, defaulted in DEFAULT_OPTIONS, each attempt of request() now aborts after it (0 turns it off) ' +
      `and normalizeError reports it as a TimeoutError; tests and the README rows are in place. Files: ${files.join(', ')}.`,
  );
  return [
    withThinking(grep, THINKING.locatePerTurn, 'Find where maxRetries is declared, defaulted and used.'),
    withThinking(reads, THINKING.locatePerTurn, 'Read around each of those places before editing.'),
    withThinking(edits, THINKING.perEdit * job.edits.length, 'Make every edit in one turn.'),
    withThinking(done, THINKING.closing, 'Summarise.'),
  ];
}

/** What each turn's request must show of the previous turn's tools, or the script has gone off the rails. */
function checkResults(job: Job, turn: number, req: RecordedRequest): void {
  const results = lastToolResults(req.body);
  const failed = results.find((r) => r.isError);
  if (failed) {
    throw new Error(`a tool call of turn ${turn} failed in Claude Code: ${failed.text.slice(0, 300)}`);
  }
  if (turn === 1) {
    const text = results.map((r) => r.text).join('\n');
    const missing = [...new Set(job.edits.map((e) => e.path))].filter((p) => !text.includes(`${p}:`));
    if (missing.length > 0) {
      throw new Error(`Claude Code's Grep found nothing in ${missing.join(', ')}: ${text.slice(0, 300)}`);
    }
  } else if (turn === 2) {
    const missing = job.edits.filter((e) => !results.some((r) => r.text.includes(e.oldStr.split('\n')[0] as string)));
    if (results.length !== job.edits.length || missing.length > 0) {
      throw new Error(
        `Claude Code's ranged Reads did not show ${missing.map((e) => `${e.path}:${e.line}`).join(', ')}`,
      );
    }
  } else if (turn === 3) {
    const ok = results.filter((r) => /updated successfully/.test(r.text)).length;
    if (ok !== job.edits.length) {
      throw new Error(`${ok} of Claude Code's ${job.edits.length} edits were applied`);
    }
  }
}

/** The environment of the claude process: nothing of this one's, so no real key, proxy or setting leaks in. */
function claudeEnv(home: string, baseUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'sk-ant-bench-not-a-key',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  };
}

async function runProcess(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-6000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
    return { code, output };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `claude -p` in the workspace against a local Messages-API server that answers with the lean script and
 * meters every request by the shared rules. Requests the script does not expect (another model, a side call) are
 * answered with a short text and metered too, so nothing Claude Code sends goes uncounted.
 */
export async function runClaudeCode(install: ClaudeCodeInstall, job: Job, workspace: string): Promise<SideRecord> {
  const fake = await startFakeAnthropic();
  const meter = new Meter();
  const exchanges: Exchange[] = [];
  const turns = leanTurns(job, workspace);
  let problem: Error | undefined;
  fake.setResponder((req) => {
    const main = (req.body.tools ?? []).some((t) => (t as { name?: string }).name === 'Grep');
    const turn = turnOf(req.body);
    let reply: MessageReply;
    let label: string;
    try {
      if (!main || req.body.model !== MODEL_TABLE.opus.id) {
        reply = textReply('OK.');
        label = `side call (${req.body.model ?? 'no model'})`;
      } else {
        checkResults(job, turn, req);
        const next = turns[turn];
        if (!next) {
          throw new Error(`Claude Code asked for turn ${turn + 1}; the lean script has ${turns.length}`);
        }
        reply = next;
        label = `turn ${turn + 1}`;
      }
    } catch (err) {
      problem ??= err as Error;
      throw err;
    }
    exchanges.push({ label, body: req.body, reply, call: meter.measure(req.body, reply) });
    return { ...reply, usage: exchanges.at(-1)?.call.usage };
  });
  const home = path.join(path.dirname(workspace), 'claude-home');
  await fs.mkdir(home, { recursive: true });
  const started = Date.now();
  try {
    const { code, output } = await runProcess(
      install.bin,
      claudeArgs(job.task),
      workspace,
      claudeEnv(home, fake.url),
      180_000,
    );
    if (problem) {
      throw problem;
    }
    if (code !== 0) {
      throw new Error(`claude -p exited with ${code}: ${output.trim().slice(-800)}`);
    }
    const other = otherRequestsOf(fake.requests);
    const unanswered = fake.requests.filter((r) => r.path !== '/v1/messages' && r.path !== '/v1/messages/count_tokens');
    if (unanswered.length > 0) {
      throw new Error(
        `Claude Code called routes the local server does not serve: ${otherRequestsOf(unanswered).join(', ')}`,
      );
    }
    return { exchanges, otherRequests: other, wallMs: Date.now() - started };
  } finally {
    await fake.close();
  }
}
