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
import { Ledger } from '../../src/core/usage/ledger';
import type { Usage } from '../../src/core/usage/usage';
import { WorkspaceRules } from '../../src/core/workspace/rules';
import { jsonReply, refusalReply, textReply, truncatedThinkingReply } from '../fake-anthropic/replies';
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

  it('asks Opus for structured output without forcing a tool, and returns the validated plan', async () => {
    fake.enqueue(jsonReply(GOOD_PLAN, { input: 900, output: 300 }));
    const live: Usage[] = [];
    const plan = await planTask({ ...input, onUsage: (u) => live.push(u) });

    assert.equal(plan.goal, GOOD_PLAN.goal);
    assert.deepEqual(
      plan.subtasks.map((s) => s.id),
      ['add-flag', 'document-flag'],
    );
    assert.equal(plan.subtasks[0]?.files[0]?.path, 'src/cli.ts', 'paths come back workspace-relative');

    assert.equal(fake.requests.length, 1);
    const body = bodies()[0];
    assert.ok(body);
    assert.equal(body.model, 'claude-opus-5-5');
    assert.equal(body.output_config?.format?.type, 'json_schema');
    assert.equal(typeof body.output_config?.format?.schema, 'object');
    assert.equal(body.tool_choice, undefined);
    assert.equal(body.tools, undefined);
    assert.equal(body.system, plannerSystemPrompt());
    const userText = String(body.messages[0]?.content);
    assert.ok(userText.includes(TASK) && userText.includes('log.ts: export function log'));

    assert.deepEqual(
      ledger.entries().map((e) => [e.owner, e.model, e.usage.input, e.usage.output]),
      [['plan', 'claude-opus-5-5', 900, 300]],
    );
    assert.deepEqual(live.at(-1), { input: 900, output: 300, cacheRead: 0, cacheWrite: 0, phase: 'writing' });
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
