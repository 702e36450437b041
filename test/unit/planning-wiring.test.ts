import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { diskIO } from '../../src/cli/diskIO';
import { LlmClient } from '../../src/core/llm/client';
import { Orchestrator } from '../../src/core/orchestrator';
import { looksText } from '../../src/core/plan/looks';
import type { PlannerToolEvent } from '../../src/core/plan/tools';
import { Redactor } from '../../src/core/secrets/redactor';
import { Store } from '../../src/core/store/store';
import type { FakeAnthropic, RecordedRequest } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';

const GREET = 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n';
/** A key that looks real: only content scanning keeps it out. */
const SECRET = randomBytes(30).toString('base64').replace(/[+/=]/g, 'x');
const KEY_ID = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
const CONFIG =
  `export const AWS_SECRET = "${SECRET}";\n` +
  `export const AWS_KEY_ID = "${KEY_ID}";\n` +
  "export const REGION = 'eu';\n";

const plan = (files: string[]) => ({
  goal: 'Greet politely.',
  subtasks: [
    {
      id: 'polite',
      title: 'Make the greeting polite',
      instructions: 'Say "Good day" instead of "Hello".',
      model: 'sonnet',
      files: files.map((p) => ({ path: p, create: false })),
      acceptanceCriteria: ['greet says Good day'],
      dependsOn: [],
    },
  ],
});

const isPlanner = (req: RecordedRequest): boolean => req.body.output_config !== undefined;

describe('Planning: the map, the planner tools and redaction wired through the session', function () {
  this.timeout(60_000);
  let fake: FakeAnthropic;
  let root: string;
  const made: Orchestrator[] = [];

  const make = (redactor = new Redactor()): Orchestrator => {
    const orch = new Orchestrator({
      root,
      llm: new LlmClient({ apiKey: 'sk-ant-unit', baseURL: fake.url, maxRetries: 0, redactor }),
      store: new Store(root),
      io: diskIO(root),
    });
    made.push(orch);
    return orch;
  };

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'opus-planwire-')));
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src/greet.ts'), GREET);
    await fs.writeFile(path.join(root, 'src/config.ts'), CONFIG);
    await simpleGit(root).init();
  });

  afterEach(async () => {
    await Promise.all(made.splice(0).map((o) => o.flush().catch(() => undefined)));
    await fake.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('shows each look while Opus plans, keeps them with the plan, and lists folders with the map definitions', async () => {
    const orch = make();
    fake.enqueue(toolUseReply([{ name: 'list_folder', input: { path: 'src' } }]), jsonReply(plan(['src/greet.ts'])));
    const looks: PlannerToolEvent[] = [];
    const shown: string[] = [];
    const sub = orch.onEvent((e) => {
      const live = orch.planLooks;
      if (e.kind === 'usage' && e.id === 'plan' && orch.planning && live) {
        shown.push(looksText(live));
      }
    });
    await orch.plan('Greet politely', { onLook: (e) => looks.push(e) });
    sub.dispose();
    assert.deepEqual(
      looks.map((e) => [e.summary, e.calls, e.maxCalls]),
      [['list_folder src/', 1, 5]],
    );
    const tokens = looks[0]?.tokens ?? 0;
    assert.ok(tokens > 0);
    assert.ok(shown.includes(`looked 1/5 \u00b7 ${tokens} tok`), `shown while planning: ${shown.join(' | ')}`);
    // The tools share the map's listing and outlines: the folder lists each file with its definitions and lines.
    const answer = JSON.stringify(fake.requests.filter(isPlanner)[1]?.body.messages?.at(-1));
    assert.match(answer, /greet\.ts: greet L1-3/);
    assert.equal(
      looksText(orch.planLooks ?? { calls: 0, maxCalls: 0, tokens: 0, maxTokens: 0, looks: [] }),
      `looked 1/5 \u00b7 ${tokens} tok`,
    );
    await orch.flush();

    const again = make();
    await again.load();
    assert.deepEqual(again.state?.looks, {
      calls: 1,
      maxCalls: 5,
      tokens,
      maxTokens: 8000,
      looks: [{ tool: 'list_folder', summary: 'list_folder src/', tokens }],
    });
  });

  it('counts secrets on the redactor it is given: the plan, each subtask, and a history diff stored redacted', async () => {
    const redactor = new Redactor();
    const orch = make(redactor);
    fake.enqueue(jsonReply(plan(['src/greet.ts', 'src/config.ts'])));
    await orch.plan('Greet politely', { selection: { path: 'src/config.ts', text: CONFIG } });
    assert.equal(redactor.count('plan'), 2, 'the map hid the selected keys from the planner');
    assert.ok(!JSON.stringify(fake.requests[0]?.body).includes(SECRET));
    assert.equal(orch.state?.redactions, redactor.count('plan'));

    fake.setResponder((req) =>
      (req.body.messages?.length ?? 0) === 1
        ? toolUseReply([
            {
              name: 'str_replace_based_edit_tool',
              input: { command: 'str_replace', path: 'src/config.ts', old_str: "'eu'", new_str: "'us'" },
            },
          ])
        : textReply('Done.'),
    );
    await orch.dispatch(['polite']);
    const state = orch.subtask('polite')?.state;
    assert.equal(state?.status, 'review', state?.error);
    assert.equal(state?.redactions, 2, 'two keys kept out of the worker requests');
    assert.equal(redactor.count('polite'), 2);
    const diff = state?.history?.at(-1)?.diff ?? '';
    assert.match(diff, /\+export const REGION = 'us';/);
    assert.match(diff, /«secret redacted: /, 'the context lines keep the markers');
    assert.ok(!diff.includes(SECRET) && !diff.includes(KEY_ID), 'no key in the stored diff');
    await orch.flush();
    const stored = await fs.readFile(path.join(root, '.opus-orchestrator', 'subtasks', 'polite.json'), 'utf8');
    assert.ok(!stored.includes(SECRET) && !stored.includes(KEY_ID), 'no key in the store');

    // A new plan counts afresh; a reloaded window reads the counts the plan saved.
    const again = make();
    await again.load();
    assert.equal(again.state?.redactions, orch.state?.redactions);
    assert.equal(again.subtask('polite')?.state.redactions, 2);
  });
});
