import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { LlmClient } from '../../src/core/llm/client';
import { LlmError } from '../../src/core/llm/errors';
import { modelFor } from '../../src/core/models';
import { PlanError, planTask } from '../../src/core/plan/planner';
import type { PlannerInput } from '../../src/core/plan/planner';
import { plannerSystemPrompt } from '../../src/core/plan/prompts';
import type { Plan } from '../../src/core/plan/schema';
import { effortOf, focusOf, oneReplyOf } from '../../src/core/plan/schema';
import { Ledger } from '../../src/core/usage/ledger';
import type { Usage } from '../../src/core/usage/usage';
import { WorkspaceRules } from '../../src/core/workspace/rules';
import type { PlannerToolEvent } from '../../src/core/plan/tools';
import { jsonReply, refusalReply, textReply, toolUseReply, truncatedThinkingReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

const KEY = 'sk-ant-test-planner-0123456789';
const TASK = 'Add a --verbose flag to the CLI.';
const REPO_MAP =
  'src/\n  cli.ts: export function main(argv: string[]): number\n  log.ts: export function log(msg: string)';

const GOOD_PLAN: Plan = {
  goal: 'Add a --verbose flag that turns on debug logging.',
  subtasks: [
    {
      id: 'add-flag',
      title: 'Parse --verbose',
      instructions: 'In main, accept --verbose and pass it to setVerbose.',
      model: 'sonnet',
      files: [
        { path: './src/cli.ts', create: false },
        { path: 'src/log.ts', create: false },
      ],
      acceptanceCriteria: ['main(["--verbose"]) enables debug logging'],
      dependsOn: [],
    },
    {
      id: 'document-flag',
      title: 'Document --verbose',
      instructions: 'Add the flag to the usage section.',
      model: 'haiku',
      files: [{ path: 'README.md', create: false }],
      acceptanceCriteria: ['README lists --verbose'],
      dependsOn: ['add-flag'],
      oneReply: true,
    },
  ],
};

interface Body {
  messages: Array<{ role: string; content: unknown }>;
  max_tokens?: number;
  output_config?: { format?: { type?: string; schema?: unknown } };
  [key: string]: unknown;
}

describe('planner over the local Messages API', () => {
  let fake: FakeAnthropic;
  let root: string;
  let rules: WorkspaceRules;
  let input: PlannerInput;
  let ledger: Ledger;

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'planner-'));
    await simpleGit(root).init();
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src', 'cli.ts'), 'export function main(argv: string[]): number {}\n');
    await fs.writeFile(path.join(root, 'src', 'log.ts'), 'export function log(msg: string) {}\n');
    await fs.writeFile(path.join(root, 'README.md'), '# cli\n');
    rules = await WorkspaceRules.load(root);
  });

  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    ledger = new Ledger();
    input = {
      llm: new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 }),
      model: modelFor('opus'),
      task: TASK,
      repoMap: REPO_MAP,
      root,
      rules,
      ledger,
    };
  });

  afterEach(async () => {
    await fake.close();
  });

  const bodies = (): Body[] => fake.requests.map((r) => r.body as unknown as Body);

  it('asks Opus for structured output with its read-only tools offered, and returns the validated plan', async () => {
    fake.enqueue(jsonReply(GOOD_PLAN, { input: 900, output: 300 }));
    const live: Usage[] = [];
    const plan = await planTask({ ...input, onUsage: (u) => live.push(u) });

    assert.equal(plan.goal, GOOD_PLAN.goal);
    assert.deepEqual(
      plan.subtasks.map((s) => s.id),
      ['add-flag', 'document-flag'],
    );
    assert.equal(plan.subtasks[0]?.files[0]?.path, 'src/cli.ts', 'paths come back workspace-relative');
    assert.deepEqual(focusOf(plan.subtasks[0]!.files[0]!), { symbols: [], lines: [] }, 'no focus: the whole file');
    assert.deepEqual(
      plan.subtasks.map(effortOf),
      ['medium', 'low'],
      'an answer without efforts gets the ones its models suggest',
    );
    assert.deepEqual(plan.subtasks.map(oneReplyOf), [false, true], 'an answer without oneReply expects no such thing');

    assert.equal(fake.requests.length, 1);
    const body = bodies()[0];
    assert.ok(body);
    assert.equal(body.model, 'claude-opus-5-5');
    assert.equal(body.output_config?.format?.type, 'json_schema');
    assert.equal(typeof body.output_config?.format?.schema, 'object');
    assert.equal(body.tool_choice, undefined, 'the model chooses whether to look');
    assert.deepEqual(
      (body.tools as Array<{ name: string }>).map((t) => t.name),
      ['list_folder', 'search', 'read_file'],
    );
    assert.equal(body.system, plannerSystemPrompt());
    const schema = JSON.stringify(body.output_config?.format?.schema);
    assert.match(schema, /"focus"/);
    assert.match(schema, /"effort"/);
    const defs = Object.values(
      (body.output_config?.format?.schema as { $defs: Record<string, { properties?: object; required?: string[] }> })
        .$defs,
    );
    const subtaskDef = defs.find((d) => d.properties && 'oneReply' in d.properties);
    assert.ok(subtaskDef?.required?.includes('oneReply'), 'the model must say whether a subtask ends in one reply');
    assert.ok(subtaskDef?.required?.includes('effort'));
    assert.match(JSON.stringify(subtaskDef?.properties), /"oneReply":\{"type":"boolean","description":"true when/);
    // Line numbers are integers, without the safe-integer range zod would have the SDK write into their descriptions.
    assert.match(schema, /"start":\{"type":"integer","description":"First line, 1-based."\}/);
    assert.doesNotMatch(schema, /9007199254740991/);
    const userText = JSON.stringify(body.messages[0]?.content);
    assert.ok(userText.includes(TASK) && userText.includes('log.ts: export function log'));
    assert.ok(
      !JSON.stringify(body).includes('cache_control'),
      'a plan made in one call writes no cache: nothing reads it back',
    );

    assert.deepEqual(
      ledger.entries().map((e) => [e.owner, e.model, e.usage.input, e.usage.output]),
      [['plan', 'claude-opus-5-5', 900, 300]],
    );
    assert.deepEqual(live.at(-1), { input: 900, output: 300, cacheRead: 0, cacheWrite: 0, phase: 'writing' });
  });

  it('looks with its tools, then answers; every call is reported with the budget left', async () => {
    fake.enqueue(
      toolUseReply([
        { name: 'search', input: { pattern: 'function main', path: '', ignore_case: false } },
        { name: 'read_file', input: { path: 'src/cli.ts', start_line: 1, end_line: 5 } },
      ]),
      jsonReply(GOOD_PLAN),
    );
    const events: PlannerToolEvent[] = [];
    const plan = await planTask({ ...input, tools: { onEvent: (e) => events.push(e) } });
    assert.equal(plan.subtasks.length, 2);
    assert.equal(fake.requests.length, 2);
    const second = bodies()[1];
    assert.ok(second);
    assert.equal(second.messages.length, 3);
    assert.equal(second.messages[1]?.role, 'assistant');
    const results = second.messages[2]?.content as Array<{ type: string; content: string; cache_control?: unknown }>;
    assert.deepEqual(
      results.map((r) => r.type),
      ['tool_result', 'tool_result'],
    );
    assert.match(results[0]?.content ?? '', /^1 matching lines in 1 files:\nsrc\/cli\.ts:1: export function main/);
    assert.match(results[1]?.content ?? '', /^src\/cli\.ts lines 1-1:\n1 {2}export function main\(argv/);
    assert.deepEqual(results[1]?.cache_control, { type: 'ephemeral' }, 'the conversation so far is cached');
    assert.equal(bodies()[0]?.messages.length, 1);
    assert.equal(second.output_config?.format?.type, 'json_schema', 'the answer is still structured output');
    assert.deepEqual(
      events.map((e) => [e.tool, e.calls, e.maxCalls, e.maxTokens]),
      [
        ['search', 1, 5, 8_000],
        ['read_file', 2, 5, 8_000],
      ],
    );
    assert.equal(events[1]?.summary, 'read_file src/cli.ts L1-1');
    assert.ok((events[1]?.tokensUsed ?? 0) > (events[0]?.tokensUsed ?? 0));
    assert.equal(ledger.entries().length, 2, 'both calls are billed to the plan');
  });

  it('asks for the plan without tools once the budget is spent', async () => {
    fake.enqueue(
      toolUseReply([{ name: 'list_folder', input: { path: '' } }]),
      toolUseReply([{ name: 'list_folder', input: { path: 'src' } }]),
      jsonReply(GOOD_PLAN),
    );
    const events: PlannerToolEvent[] = [];
    await planTask({ ...input, tools: { budget: { maxCalls: 1 }, onEvent: (e) => events.push(e) } });
    assert.equal(fake.requests.length, 3);
    assert.equal(bodies()[0]?.tool_choice, undefined);
    assert.deepEqual(bodies()[1]?.tool_choice, { type: 'none' });
    const refused = bodies()[2]?.messages[4]?.content as Array<{ is_error?: boolean; content: string }>;
    assert.equal(refused[0]?.is_error, true);
    assert.match(refused[0]?.content ?? '', /tool budget of this plan is used up \(1 calls/);
    assert.deepEqual(
      events.map((e) => [e.summary, e.refused]),
      [
        ['list_folder .', undefined],
        ['list_folder', 'budget used up'],
      ],
    );
  });

  it('answers a path the rules refuse with an error the model can act on, never the file', async () => {
    await fs.writeFile(path.join(root, '.env'), 'TOKEN=planner-secret-42\n');
    try {
      fake.enqueue(
        toolUseReply([{ name: 'read_file', input: { path: '.env', start_line: 1, end_line: 3 } }]),
        jsonReply(GOOD_PLAN),
      );
      await planTask(input);
      const result = (bodies()[1]?.messages[2]?.content as Array<{ is_error?: boolean; content: string }>)[0];
      assert.equal(result?.is_error, true);
      assert.match(result?.content ?? '', /credential file/);
      assert.ok(!JSON.stringify(fake.requests.map((r) => r.body)).includes('planner-secret-42'));
    } finally {
      await fs.rm(path.join(root, '.env'));
    }
  });

  it('plans from the map alone in one call when tools are off', async () => {
    fake.enqueue(jsonReply(GOOD_PLAN));
    await planTask({ ...input, tools: false });
    assert.equal(bodies()[0]?.tools, undefined);
    assert.equal(bodies()[0]?.system, plannerSystemPrompt({ tools: false }));
    assert.ok(!JSON.stringify(bodies()[0]).includes('cache_control'), 'a single call writes no cache');
  });

  it('repairs a plan that names a symbol the file does not define, offering the ones it does', async () => {
    const wrong = structuredClone(GOOD_PLAN);
    wrong.subtasks[0]!.files[0] = { path: 'src/cli.ts', create: false, focus: { symbols: ['parseFlags'], lines: [] } };
    fake.enqueue(jsonReply(wrong), jsonReply(GOOD_PLAN));
    await planTask(input);
    assert.match(
      String(bodies()[1]?.messages[2]?.content),
      /"src\/cli\.ts" defines no "parseFlags"; its definitions are: main/,
    );
  });

  it('repairs an invalid plan once, quoting the validator in the last user message', async () => {
    const bad: Plan = {
      ...GOOD_PLAN,
      subtasks: [{ ...GOOD_PLAN.subtasks[0]!, files: [{ path: 'src/missing.ts', create: false }] }],
    };
    fake.enqueue(jsonReply(bad, { input: 800, output: 200 }), jsonReply(GOOD_PLAN, { input: 1200, output: 250 }));
    const live: Usage[] = [];
    const plan = await planTask({ ...input, onUsage: (u) => live.push(u) });
    assert.equal(plan.subtasks.length, 2);

    assert.equal(fake.requests.length, 2);
    const repair = bodies()[1];
    assert.ok(repair);
    assert.equal(repair.messages.length, 3);
    assert.equal(repair.messages[1]?.role, 'assistant');
    const carried = repair.messages[1]?.content as Array<{ type: string; text?: string; signature?: string }>;
    assert.deepEqual(
      carried.map((b) => b.type),
      ['thinking', 'text'],
      'the rejected answer is carried back with its thinking',
    );
    assert.equal(carried[1]?.text, JSON.stringify(bad), 'unchanged');
    assert.ok((carried[0]?.signature ?? '').length > 20);
    const last = repair.messages[2];
    assert.equal(last?.role, 'user');
    assert.match(String(last?.content), /subtask "add-flag": "src\/missing\.ts" does not exist/);
    assert.equal(repair.output_config?.format?.type, 'json_schema');

    assert.equal(ledger.entries().length, 2);
    assert.ok(ledger.entries().every((e) => e.owner === 'plan'));
    assert.deepEqual(ledger.usageOf('plan'), { input: 2000, output: 450, cacheRead: 0, cacheWrite: 0 });
    assert.deepEqual(live.at(-1), { ...ledger.usageOf('plan'), phase: 'writing' }, 'live usage sums both calls');
  });

  it('repairs an answer that is not JSON', async () => {
    fake.enqueue(textReply('Here is my plan: add a flag.'), jsonReply(GOOD_PLAN));
    const plan = await planTask(input);
    assert.equal(plan.subtasks.length, 2);
    assert.match(String(bodies()[1]?.messages[2]?.content), /not valid JSON/);
  });

  it('gives up with a PlanError listing the errors when the repair is still invalid', async () => {
    const cyclic: Plan = {
      ...GOOD_PLAN,
      subtasks: [
        { ...GOOD_PLAN.subtasks[0]!, dependsOn: ['document-flag'] },
        { ...GOOD_PLAN.subtasks[1]!, dependsOn: ['add-flag'] },
      ],
    };
    fake.enqueue(jsonReply(cyclic), jsonReply(cyclic));
    const err = await planTask(input).then(
      () => assert.fail('planning should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof PlanError);
    assert.match(err.message, /add-flag → document-flag → add-flag/);
    assert.ok(err.errors.length >= 1);
    assert.equal(fake.requests.length, 2, 'exactly one repair round');
    assert.equal(ledger.entries().length, 2);
  });

  it('caps the error list in the message at five', async () => {
    const many: Plan = {
      goal: 'x',
      subtasks: Array.from({ length: 7 }, (_, i) => ({
        ...GOOD_PLAN.subtasks[0]!,
        id: `s${i}`,
        files: [{ path: `src/ghost${i}.ts`, create: false }],
      })),
    };
    fake.enqueue(jsonReply(many), jsonReply(many));
    const err = await planTask(input).catch((e: unknown) => e);
    assert.ok(err instanceof PlanError);
    assert.equal(err.errors.length, 7);
    assert.equal(err.message.match(/^- subtask/gm)?.length, 5);
    assert.match(err.message, /… and 2 more/);
  });

  it('retries a plan cut off while Opus was thinking with twice the budget, then fails saying so', async () => {
    fake.enqueue(truncatedThinkingReply(), truncatedThinkingReply(), jsonReply(GOOD_PLAN));
    const err = await planTask(input).catch((e: unknown) => e);
    assert.ok(err instanceof LlmError, String(err));
    assert.equal(err.kind, 'max_tokens');
    assert.match(err.message, /while thinking, before it answered/);
    assert.match(err.message, /opusOrchestrator\.maxOutputTokens/);
    assert.deepEqual(
      bodies().map((b) => b.max_tokens),
      [16_000, 32_000],
    );
    assert.ok(!JSON.stringify(bodies()).includes('(no answer)'), 'no made-up assistant turn');
    assert.equal(ledger.entries().length, 2, 'both cut-off calls are billed');
  });

  it('plans from the retry when the doubled budget is enough', async () => {
    fake.enqueue(truncatedThinkingReply(), jsonReply(GOOD_PLAN));
    const plan = await planTask(input);
    assert.equal(plan.subtasks.length, 2);
    assert.equal(fake.requests.length, 2);
    assert.equal(bodies()[1]?.messages.length, 1, 'the retry asks afresh, not as a repair');
  });

  it('says what to do when Opus declines to plan', async () => {
    fake.enqueue(refusalReply('', { category: 'cyber', explanation: null }));
    const err = await planTask(input).catch((e: unknown) => e);
    assert.ok(err instanceof LlmError);
    assert.equal(err.kind, 'refusal');
    assert.equal(err.fallback, 'sonnet');
    assert.match(err.message, /Opus declined to plan this task \(cyber\)/);
    assert.match(err.message, /[Rr]ephrase/);
    assert.match(err.message, /opusOrchestrator\.models\.opus/);
    assert.equal(fake.requests.length, 1);
  });

  it('fails with a clear error instead of waiting forever on a stream that only pings', async () => {
    fake.enqueue({ stall: 'pings', pingEveryMs: 20 }, { stall: 'after-message-start' });
    const llm = new LlmClient({
      apiKey: KEY,
      baseURL: fake.url,
      maxRetries: 0,
      streamTimeouts: { responseMs: 300, idleMs: 300 },
    });
    const started = Date.now();
    const err = await planTask({ ...input, llm }).catch((e: unknown) => e);
    process.stdout.write(`      (planning stalled: failed after ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    assert.ok(err instanceof LlmError, String(err));
    assert.equal(err.kind, 'stalled');
    assert.match(err.message, /OPUS_ORCHESTRATOR_STREAM_IDLE_TIMEOUT/);
    assert.equal(fake.requests.length, 2);
  });

  it('passes API errors through as LlmError', async () => {
    fake.enqueue({ httpError: 404 });
    const err = await planTask(input).catch((e: unknown) => e);
    assert.ok(err instanceof LlmError);
    assert.equal(err.kind, 'not_found');
  });
});
