import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { LlmClient } from '../../src/core/llm/client';
import { LlmError } from '../../src/core/llm/errors';
import { modelFor } from '../../src/core/models';
import type { Subtask } from '../../src/core/plan/schema';
import { Ledger } from '../../src/core/usage/ledger';
import type { Usage } from '../../src/core/usage/usage';
import { WorkspaceRules } from '../../src/core/workspace/rules';
import { WorkerError, runWorker } from '../../src/core/worker/worker';
import { FINISH_TOOL } from '../../src/core/worker/context';
import type { WorkerInput } from '../../src/core/worker/worker';
import {
  refusalReply,
  textReply,
  thinkingBlock,
  toolUseReply,
  truncatedThinkingReply,
} from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

const KEY = 'sk-ant-test-worker-0123456789';
const TOOL = 'str_replace_based_edit_tool';
const A_TS = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';
const B_TS = 'export const NAME = "b";\r\nexport const COUNT = 1;\r\n';
const GUARD = "  if (!Number.isFinite(a) || !Number.isFinite(b)) {\n    throw new RangeError('not finite');\n  }\n";
/** The edit that guards add: one str_replace in src/a.ts. */
const GUARD_EDIT = {
  name: TOOL,
  input: { command: 'str_replace', path: 'src/a.ts', old_str: '  return a + b;', new_str: `${GUARD}  return a + b;` },
};
const OUT_OF_SCOPE = 'export const SECRET_PLAN = "do not show this to the worker";\n';

const SUBTASK: Subtask = {
  id: 'checked-add',
  title: 'Reject non-finite numbers in add',
  instructions: 'Make add throw a RangeError when either argument is not finite.',
  model: 'sonnet',
  files: [
    { path: 'src/a.ts', create: false },
    { path: 'src/b.ts', create: false },
    { path: 'src/new.ts', create: true },
  ],
  acceptanceCriteria: ['add(Infinity, 1) throws RangeError', 'add(1, 2) returns 3'],
  dependsOn: [],
};

interface Block {
  type: string;
  text?: string;
  cache_control?: unknown;
  [key: string]: unknown;
}
interface Msg {
  role: string;
  content: string | Block[];
}
interface Body {
  system: Block[];
  tools: Block[];
  messages: Msg[];
}

function blocksOf(m: Msg | undefined): Block[] {
  assert.ok(m && Array.isArray(m.content), 'message content is a block list');
  return m.content as Block[];
}

describe('worker over the local Messages API', () => {
  let fake: FakeAnthropic;
  let root: string;
  let input: WorkerInput;
  let ledger: Ledger;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'worker-'));
    await simpleGit(root).init();
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src', 'a.ts'), A_TS);
    await fs.writeFile(path.join(root, 'src', 'b.ts'), B_TS);
    await fs.writeFile(path.join(root, 'src', 'plan.ts'), OUT_OF_SCOPE);
    fake = await startFakeAnthropic({ apiKey: KEY });
    ledger = new Ledger();
    input = {
      llm: new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 }),
      model: modelFor('sonnet'),
      goal: 'Make arithmetic helpers safe.',
      subtask: SUBTASK,
      read: (rel) => fs.readFile(path.join(root, rel), 'utf8').catch(() => null),
      root,
      rules: await WorkspaceRules.load(root),
      maxTokens: 4000,
      ledger,
      owner: SUBTASK.id,
      attempt: 1,
    };
  });

  afterEach(async () => {
    await fake.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  const bodies = (): Body[] => fake.requests.map((r) => r.body as unknown as Body);

  it('sends only the subtask and its in-scope files, behind a cached prefix with the editor tool', async () => {
    fake.enqueue(textReply('Nothing to change.'));
    await runWorker({ ...input, feedback: 'The last attempt forgot NaN.' });
    const body = bodies()[0];
    assert.ok(body);
    const sent = JSON.stringify(body);
    assert.ok(!sent.includes('SECRET_PLAN'), 'an out-of-scope file never reaches the prompt');
    assert.ok(!sent.includes('src/plan.ts'));

    assert.deepEqual(body.tools, [{ type: 'text_editor_20250728', name: TOOL }, FINISH_TOOL]);
    assert.deepEqual(body.system.at(-1)?.cache_control, { type: 'ephemeral' });

    assert.equal(body.messages.length, 1);
    const first = blocksOf(body.messages[0]);
    assert.deepEqual(first.at(-1)?.cache_control, { type: 'ephemeral' }, 'the first turn is cached for later turns');
    const text = first.map((b) => b.text ?? '').join('\n');
    assert.ok(text.includes('Make arithmetic helpers safe.'));
    assert.ok(text.includes(SUBTASK.instructions));
    assert.ok(text.includes('add(Infinity, 1) throws RangeError'));
    assert.ok(text.includes(`<file path="src/a.ts">\n${A_TS}</file>`));
    assert.ok(text.includes('export const NAME = "b";\nexport const COUNT = 1;\n'), 'the model sees LF text');
    assert.ok(!text.includes('\r'));
    assert.match(text, /<file path="src\/new\.ts" new="true">/);
    assert.ok(text.includes('The last attempt forgot NaN.'));
  });

  it('applies a str_replace turn and sends the assistant turn back unchanged, thinking included', async () => {
    const thinking = thinkingBlock('Guard both arguments before adding.');
    const edit = toolUseReply([GUARD_EDIT]);
    fake.enqueue({ ...edit, content: [thinking, ...edit.content] }, textReply('add now rejects non-finite input.'));
    const result = await runWorker(input);

    assert.equal(result.turns, 2);
    assert.equal(result.summary, 'add now rejects non-finite input.');
    assert.deepEqual(result.files, [
      {
        path: 'src/a.ts',
        base: A_TS,
        target: `export function add(a: number, b: number): number {\n${GUARD}  return a + b;\n}\n`,
      },
    ]);
    assert.equal(await fs.readFile(path.join(root, 'src', 'a.ts'), 'utf8'), A_TS, 'nothing touches disk');

    const second = bodies()[1];
    assert.ok(second);
    assert.equal(second.messages.length, 3);
    assert.equal(second.messages[1]?.role, 'assistant');
    const assistant = blocksOf(second.messages[1]);
    assert.deepEqual(
      assistant.map((b) => b.type),
      ['thinking', 'tool_use'],
    );
    assert.equal(assistant[0]?.thinking, '', 'the default display sends no thinking text');
    assert.equal(assistant[0]?.signature, thinking.type === 'thinking' ? thinking.signature : '');
    const call = edit.content[0];
    assert.ok(call?.type === 'tool_use');
    assert.equal(assistant[1]?.id, call.id);
    assert.deepEqual(assistant[1]?.input, call.input);

    const [toolResult] = blocksOf(second.messages[2]);
    assert.equal(toolResult?.type, 'tool_result');
    assert.equal(toolResult?.tool_use_id, call.id);
    assert.notEqual(toolResult?.is_error, true);
    assert.match(String(toolResult?.content), /Edited src\/a\.ts/);
    assert.deepEqual(second.system, bodies()[0]?.system, 'the cached prefix is identical on every turn');
  });

  /** The guard edit on src/a.ts, and finish with `summary`, in one reply. */
  /** The guard edit, and finish with `summary`, in one reply. */
  const guardAndFinish = (summary: string): ReturnType<typeof toolUseReply> =>
    toolUseReply([GUARD_EDIT, { name: 'finish', input: { summary } }]);

  it('ends the run with the turn whose edits all apply beside a finish call: one request, no closing turn', async () => {
    const turn = guardAndFinish('add rejects non-finite input with a RangeError.');
    fake.enqueue({ ...turn, content: [thinkingBlock('Guard, then finish.'), ...turn.content] });
    const result = await runWorker(input);
    assert.equal(fake.requests.length, 1, 'no request carries the results back for a closing answer');
    assert.equal(result.turns, 1);
    assert.equal(result.summary, 'add rejects non-finite input with a RangeError.');
    assert.equal(
      result.files[0]?.target,
      `export function add(a: number, b: number): number {\n${GUARD}  return a + b;\n}\n`,
    );
    assert.equal(result.work.edits.length, 1);
    assert.equal(result.work.thinking.answer, 0, 'there was no closing turn to think on');
    assert.ok(result.work.answer > 0, 'the summary stands for the closing answer');
  });

  it('goes on when an edit beside finish fails: the finish call is answered as not finished', async () => {
    const miss = toolUseReply([
      {
        name: TOOL,
        input: { command: 'str_replace', path: 'src/a.ts', old_str: '  return a - b;', new_str: '  return 0;' },
      },
      { name: 'finish', input: { summary: 'done' } },
    ]);
    fake.enqueue(miss, guardAndFinish('Guarded add.'));
    const result = await runWorker(input);
    assert.equal(fake.requests.length, 2);
    assert.equal(result.summary, 'Guarded add.');
    const results = blocksOf(bodies()[1]?.messages[2]);
    assert.equal(results.length, 2);
    assert.equal(results[0]?.is_error, true, 'the failed edit is reported');
    assert.equal(results[1]?.is_error, true);
    assert.match(String(results[1]?.content), /Not finished: a call of this response failed/);
    assert.equal(result.files.length, 1);
  });

  it('keeps a CRLF file CRLF and creates the new file', async () => {
    fake.enqueue(
      toolUseReply([
        {
          name: TOOL,
          input: { command: 'str_replace', path: 'src/b.ts', old_str: 'COUNT = 1;', new_str: 'COUNT = 2;' },
        },
        { name: TOOL, input: { command: 'create', path: './src/new.ts', file_text: 'export const N = 1;\n' } },
      ]),
      textReply('Done.'),
    );
    const result = await runWorker(input);
    assert.deepEqual(result.files, [
      { path: 'src/b.ts', base: B_TS, target: 'export const NAME = "b";\r\nexport const COUNT = 2;\r\n' },
      { path: 'src/new.ts', base: null, target: 'export const N = 1;\n' },
    ]);
    const results = blocksOf(bodies()[1]?.messages[2]);
    assert.equal(results.length, 2, 'all tool results of a turn go back in one user message');
  });

  it('refuses reads and writes outside the scope as tool errors and leaves files unchanged', async () => {
    fake.enqueue(
      toolUseReply([
        { name: TOOL, input: { command: 'view', path: 'src/plan.ts' } },
        {
          name: TOOL,
          input: { command: 'str_replace', path: 'src/plan.ts', old_str: 'SECRET_PLAN', new_str: 'LEAKED' },
        },
        { name: TOOL, input: { command: 'create', path: '../escape.ts', file_text: 'x' } },
        { name: TOOL, input: { command: 'view', path: 'src' } },
        { name: 'bash', input: { command: 'cat src/plan.ts' } },
      ]),
      textReply('I could not reach that file.'),
    );
    const result = await runWorker(input);
    assert.deepEqual(result.files, []);
    assert.equal(await fs.readFile(path.join(root, 'src', 'plan.ts'), 'utf8'), OUT_OF_SCOPE);

    const [viewOut, writeOut, escape, listing, unknown] = blocksOf(bodies()[1]?.messages[2]);
    for (const refused of [viewOut, writeOut]) {
      assert.equal(refused?.is_error, true);
      assert.match(String(refused?.content), /src\/plan\.ts is outside this subtask's scope \(files: src\/a\.ts/);
    }
    assert.equal(escape?.is_error, true);
    assert.match(String(escape?.content), /outside the workspace/);
    assert.notEqual(listing?.is_error, true);
    assert.match(String(listing?.content), /src\/a\.ts/);
    assert.ok(!String(listing?.content).includes('plan.ts'), 'a folder listing shows only in-scope files');
    assert.equal(unknown?.is_error, true);
    assert.match(String(unknown?.content), /Unknown tool "bash"/);
    assert.ok(!JSON.stringify(bodies()).includes('do not show this'), 'the refused file never reached the model');
  });

  it('stops with a WorkerError at the turn limit', async () => {
    fake.setResponder(() => toolUseReply([{ name: TOOL, input: { command: 'view', path: 'src/a.ts' } }]));
    const err = await runWorker({ ...input, maxTurns: 3 }).catch((e: unknown) => e);
    assert.ok(err instanceof WorkerError);
    assert.match(err.message, /stopped after 3 turns without finishing/);
    assert.equal(fake.requests.length, 3);
  });

  it('rejects when cancelled mid-stream', async () => {
    fake.enqueue({ ...textReply('x'.repeat(4000)), chunkDelayMs: 20 });
    const controller = new AbortController();
    const run = runWorker({ ...input, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const err = await run.catch((e: unknown) => e);
    assert.ok(err instanceof LlmError);
    assert.equal(err.kind, 'cancelled');
  });

  const editA = (from: string, to: string) =>
    toolUseReply([{ name: TOOL, input: { command: 'str_replace', path: 'src/a.ts', old_str: from, new_str: to } }]);

  it('never takes a turn cut off inside thinking for a finished run, even after edits', async () => {
    fake.enqueue(
      editA('  return a + b;', `${GUARD}  return a + b;`),
      editA('export function add', 'export function checkedAdd'),
      truncatedThinkingReply(),
      truncatedThinkingReply(),
    );
    const err = await runWorker(input).then(
      () => assert.fail('a run cut off mid-thought must not come back as a result'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof LlmError);
    assert.equal(err.kind, 'max_tokens');
    assert.match(err.message, /while thinking/);
    assert.deepEqual(
      fake.requests.map((r) => r.body.max_tokens),
      [4000, 4000, 4000, 8000],
      'the cut-off turn was retried once with twice the budget',
    );
    assert.equal(await fs.readFile(path.join(root, 'src', 'a.ts'), 'utf8'), A_TS);
  });

  it('goes on with the run when the retry of a cut-off first turn has room to finish', async () => {
    fake.enqueue(
      truncatedThinkingReply(),
      editA('  return a + b;', `${GUARD}  return a + b;`),
      textReply('Guarded add.'),
    );
    const result = await runWorker(input);
    assert.equal(result.summary, 'Guarded add.');
    assert.equal(result.files.length, 1);
    assert.deepEqual(
      fake.requests.map((r) => r.body.max_tokens),
      [4000, 8000, 4000],
    );
    const retried = bodies()[1];
    assert.equal(retried?.messages.length, 1, 'the cut-off turn is not sent back to the model');
  });

  it('rejects with the refusal, its stop_details and the model to retry on', async () => {
    fake.enqueue(refusalReply('', { category: 'cyber', explanation: 'Possible malware.' }));
    const err = await runWorker(input).catch((e: unknown) => e);
    assert.ok(err instanceof LlmError);
    assert.equal(err.kind, 'refusal');
    assert.equal(err.fallback, 'opus');
    assert.equal(err.stopDetails?.category, 'cyber');
  });

  it('says live what the model is doing: thinking, then calling a tool, then writing', async () => {
    const slow = { chunkDelayMs: 5 };
    fake.enqueue(
      { ...editA('  return a + b;', `${GUARD}  return a + b;`), ...slow },
      { ...textReply('Done, with the guard in place.'), ...slow },
    );
    const phases: string[] = [];
    await runWorker({
      ...input,
      onUsage: (u) => {
        const phase = 'phase' in u ? String(u.phase) : 'none';
        if (phases.at(-1) !== phase) {
          phases.push(phase);
        }
      },
    });
    assert.deepEqual(phases, ['starting', 'thinking', 'tool', 'starting', 'thinking', 'writing']);
  });

  it('sums usage over the run, live and in the ledger', async () => {
    fake.enqueue(
      toolUseReply([{ name: TOOL, input: { command: 'view', path: 'src/a.ts' } }], {
        input: 1000,
        output: 50,
        cacheWrite: 900,
      }),
      textReply('Viewed only.', { input: 200, output: 30, cacheRead: 900 }),
    );
    const live: Usage[] = [];
    const result = await runWorker({ ...input, attempt: 2, onUsage: (u) => live.push(u) });
    const expected = { input: 1200, output: 80, cacheRead: 900, cacheWrite: 900 };
    assert.deepEqual(result.usage, expected);
    assert.deepEqual(live.at(-1), { ...expected, phase: 'writing' }, 'the last live figure is the final count');
    for (let i = 1; i < live.length; i += 1) {
      assert.ok((live[i]?.output ?? 0) >= (live[i - 1]?.output ?? 0), 'the live count never goes down');
    }
    assert.deepEqual(ledger.usageOf(SUBTASK.id), expected);
    assert.deepEqual(
      ledger.entries().map((e) => [e.owner, e.attempt, e.model]),
      [
        [SUBTASK.id, 2, 'claude-sonnet-5-5'],
        [SUBTASK.id, 2, 'claude-sonnet-5-5'],
      ],
    );
  });
  it('answers a repeated identical call with a note instead of running it, then stops a run that keeps repeating', async () => {
    const view = { name: TOOL, input: { command: 'view', path: 'src/a.ts' } };
    fake.setResponder(() => toolUseReply([view]));
    const err = await runWorker({ ...input, maxTurns: 30 }).catch((e: unknown) => e);
    assert.ok(err instanceof WorkerError);
    assert.match(err.message, /repeated the same view of src\/a\.ts 5 times/);
    assert.equal(fake.requests.length, 5, 'stopped at the fifth identical call, long before the turn limit');
    const third = blocksOf(bodies()[3]?.messages.at(-1));
    assert.equal(third[0]?.is_error, true);
    assert.match(String(third[0]?.content), /made this exact call 3 times.*nothing changed.*finish/s);
  });

  it('a successful edit between two identical views makes the second one new again', async () => {
    const view = { name: TOOL, input: { command: 'view', path: 'src/a.ts' } };
    const edit = (n: number) => ({
      name: TOOL,
      input: {
        command: 'str_replace',
        path: 'src/a.ts',
        old_str: `return a + b${n === 0 ? '' : ` + ${n - 1}`};`,
        new_str: `return a + b + ${n};`,
      },
    });
    const turns = [view, view, edit(0), view, view, edit(1), view, view].map((c) => toolUseReply([c]));
    fake.enqueue(...turns, textReply('Done.'));
    const result = await runWorker(input);
    assert.equal(result.turns, 9);
    assert.match(result.files[0]?.target ?? '', /return a \+ b \+ 1;/);
  });

  it('stops a run past the tool-call limit with a message that says what to do', async () => {
    let n = 0;
    fake.setResponder(() =>
      toolUseReply(
        Array.from({ length: 30 }, () => ({
          name: TOOL,
          input: { command: 'view', path: 'src/a.ts', view_range: [1, ++n] },
        })),
      ),
    );
    const err = await runWorker(input).catch((e: unknown) => e);
    assert.ok(err instanceof WorkerError);
    assert.match(err.message, /made 100 tool calls.*the most one run may make.*Split the subtask/s);
    assert.ok(fake.requests.length <= 4, `${fake.requests.length} requests`);
  });

  it('stops a run whose model sends a tool call larger than any file, instead of sending it back', async () => {
    const huge = 'x'.repeat(3 * 1024 * 1024);
    fake.enqueue(toolUseReply([{ name: TOOL, input: { command: 'create', path: 'src/new.ts', file_text: huge } }]));
    const err = await runWorker(input).catch((e: unknown) => e);
    assert.ok(err instanceof WorkerError);
    assert.match(err.message, /sent a 3\.0 MB tool call, larger than any file it may edit \(2 MB\)/);
    assert.equal(fake.requests.length, 1, 'the oversized call was never sent back');
  });

  it('refuses, before any request, a subtask whose first request cannot fit in the model’s context window', async () => {
    const err = await runWorker({ ...input, model: { ...modelFor('sonnet'), contextWindow: 300 } }).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkerError);
    assert.match(
      err.message,
      /first request of subtask "checked-add" is about [\d,]+ tokens.*300-token context window/,
    );
    assert.equal(fake.requests.length, 0, 'nothing was sent, nothing was paid for');
  });
});
