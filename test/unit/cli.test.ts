import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import type { RecordedRequest, Responder } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import type { FakeAnthropic } from '../fake-anthropic/server';
import type { Reply } from '../fake-anthropic/replies';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';
import { makeRepo as makeGitRepo } from '../soak/harness';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const KEY = 'sk-ant-cli-test-key-000000';
const CANARY = 'CLI_ENV_CANARY_91d2';

const GREET = ['export function greet(name: string): string {', '  return `Hello, ${name}!`;', '}', ''].join('\n');
const MAIN = [
  "import { greet } from './greet';",
  '',
  'export function main(argv: string[]): void {',
  "  console.log(greet(argv[0] ?? 'world'));",
  '}',
  '',
].join('\n');

const PLAN = {
  goal: 'Greet politely and say goodbye.',
  subtasks: [
    {
      id: 'polite-greeting',
      title: 'Make the greeting polite',
      instructions: 'Change greet() to say "Good day" instead of "Hello".',
      model: 'sonnet',
      files: [{ path: 'src/greet.ts', create: false }],
      acceptanceCriteria: ['greet("Ann") returns "Good day, Ann!"'],
      dependsOn: [],
    },
    {
      id: 'farewell',
      title: 'Add a farewell',
      instructions: 'Print "Bye" after the greeting in main().',
      model: 'haiku',
      files: [{ path: 'src/main.ts', create: false }],
      acceptanceCriteria: ['main() prints Bye last'],
      dependsOn: ['polite-greeting'],
    },
    {
      id: 'readme-note',
      title: 'Document the greeting',
      instructions: 'Add a usage line to README.md.',
      model: 'haiku',
      files: [{ path: 'README.md', create: false }],
      acceptanceCriteria: ['README.md shows how to call greet'],
      dependsOn: [],
      oneReply: true,
    },
  ],
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

function makeRepo(): Promise<string> {
  const files = {
    'src/greet.ts': GREET,
    'src/main.ts': MAIN,
    'README.md': '# demo\n',
    '.gitignore': '.env\n',
    '.env': `SECRET=${CANARY}\n`,
  };
  return makeGitRepo(files, 'opus-cli-');
}

const isPlanner = (req: RecordedRequest): boolean => req.body.output_config?.format !== undefined;
const lastUserText = (req: RecordedRequest): string => JSON.stringify(req.body.messages?.at(-1) ?? '');

/** A worker that edits the first in-scope file with one str_replace and then finishes. */
function workerResponder(edits: Record<string, { path: string; old: string; new: string }>): Responder {
  return (req) => {
    const body = JSON.stringify(req.body.messages?.[0] ?? '');
    const id = Object.keys(edits).find((k) => body.includes(k)) ?? '';
    const edit = edits[id];
    if (!edit) {
      return textReply('I do not know this subtask.');
    }
    const turns = req.body.messages?.length ?? 0;
    if (turns === 1) {
      return toolUseReply([
        {
          name: 'str_replace_based_edit_tool',
          input: { command: 'str_replace', path: edit.path, old_str: edit.old, new_str: edit.new },
        },
      ]);
    }
    return textReply(`Done: ${id}.`);
  };
}

describe('CLI (dist/cli.js over the real SDK and a local Messages API)', function () {
  this.timeout(120_000);
  let fake: FakeAnthropic;
  let repo: string;
  let env: Record<string, string>;

  before(async function () {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['esbuild.js', '--only=cli'], { cwd: REPO, stdio: 'inherit' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`esbuild exited with ${code}`))));
    });
  });

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    repo = await makeRepo();
    env = { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url };
  });

  afterEach(async () => {
    await fake.close();
    await fs.rm(repo, { recursive: true, force: true });
  });

  const ws = (...args: string[]): string[] => [...args, '--workspace', repo];
  const read = (rel: string): Promise<string> => fs.readFile(path.join(repo, rel), 'utf8');

  async function planned(): Promise<void> {
    fake.enqueue(jsonReply(PLAN, { input: 5200, output: 900 }));
    const r = await runCli(ws('plan', 'Greet politely and say goodbye'), env);
    assert.equal(r.code, 0, r.stderr);
  }

  const politeEdit = {
    'readme-note': { path: 'README.md', old: '# demo', new: '# demo\n\nUsage: `greet(name)`.' },
    'polite-greeting': { path: 'src/greet.ts', old: 'return `Hello, ${name}!`;', new: 'return `Good day, ${name}!`;' },
    farewell: {
      path: 'src/main.ts',
      old: "  console.log(greet(argv[0] ?? 'world'));",
      new: "  console.log(greet(argv[0] ?? 'world'));\n  console.log('Bye');",
    },
  };

  it('plans with Opus from a repository map, stores the plan and touches no workspace file', async () => {
    await planned();
    const req = fake.requests.find(isPlanner) as RecordedRequest;
    assert.equal(req.body.model, 'claude-opus-5-5');
    assert.equal(req.body.tool_choice, undefined);
    assert.match(JSON.stringify(req.body), /greet\.ts/, 'the repository map names the files');
    assert.ok(!JSON.stringify(req.body).includes(CANARY), 'an ignored .env never enters a prompt');
    const stored = JSON.parse(await fs.readFile(path.join(repo, '.opus-orchestrator', 'plan.json'), 'utf8'));
    assert.equal(stored.version, 2);
    assert.deepEqual(
      stored.data.plan.subtasks.map((s: { id: string }) => s.id),
      ['polite-greeting', 'farewell', 'readme-note'],
    );
    const status = await simpleGit(repo).status();
    assert.deepEqual(status.files, [], 'the store ignores itself and nothing else changed');
  });

  it("prints the planner's looks on stderr as they happen (not with --json), and show lists them", async () => {
    const look = toolUseReply([{ name: 'search', input: { pattern: 'greet', path: 'src', ignore_case: false } }]);
    fake.enqueue(look, jsonReply(PLAN));
    const r = await runCli(ws('plan', 'Greet politely and say goodbye'), env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Opus looked \(1\/5\): search \/greet\/ in src \u00b7 \d+ tok$/m, r.stderr);
    const shown = await runCli(ws('show'), env);
    assert.match(shown.stdout, /^Planner \(Opus\): .*\(looked 1\/5 \u00b7 \d+ tok\)$/m, shown.stdout);
    assert.match(shown.stdout, /^ {2}search \/greet\/ in src \u00b7 \d+ tok$/m);
    const data = JSON.parse((await runCli(ws('show', '--json'), env)).stdout);
    assert.equal(data.planner.looks.calls, 1);
    assert.deepEqual(
      data.planner.looks.looks.map((l: { summary: string }) => l.summary),
      ['search /greet/ in src'],
    );

    fake.enqueue(look, jsonReply(PLAN));
    const quiet = await runCli(ws('plan', 'Greet politely and say goodbye', '--json'), env);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '', 'machine-readable runs print nothing else');
    assert.equal(JSON.parse(quiet.stdout).planner.looks.calls, 1);
  });

  it("keeps the map's scans for the next run: a re-plan reads them, and rescans only a changed file", async () => {
    const scans = path.join(repo, '.opus-orchestrator', 'cache', 'map-scans.json');
    fake.enqueue(jsonReply(PLAN));
    assert.equal((await runCli(ws('plan', 'Greet politely and say goodbye'), env)).code, 0);
    const saved = JSON.parse(await fs.readFile(scans, 'utf8')) as { entries: Record<string, unknown> };
    assert.ok('src/greet.ts' in saved.entries && 'src/main.ts' in saved.entries, Object.keys(saved.entries).join());
    const first = await fs.stat(scans);

    // Nothing changed: the next run takes every scan from the cache and has nothing to write back.
    fake.enqueue(jsonReply(PLAN));
    assert.equal((await runCli(ws('plan', 'Greet politely and say goodbye'), env)).code, 0);
    assert.equal((await fs.stat(scans)).ino, first.ino, 'the cache was not rewritten');

    // A changed file is scanned afresh: the map shows what it declares now.
    await fs.appendFile(
      path.join(repo, 'src/greet.ts'),
      'export function farewell(name: string): string {\n  return name;\n}\n',
    );
    fake.enqueue(jsonReply(PLAN));
    assert.equal((await runCli(ws('plan', 'Greet politely and say goodbye'), env)).code, 0);
    assert.notEqual((await fs.stat(scans)).ino, first.ino);
    assert.match(JSON.stringify(fake.requests.filter(isPlanner).at(-1)?.body), /farewell/);
  });

  it('show --json reports statuses, estimates, the planner spend and the Opus-only estimate', async () => {
    await planned();
    const r = await runCli(ws('show', '--json'), env);
    assert.equal(r.code, 0, r.stderr);
    const data = JSON.parse(r.stdout);
    assert.deepEqual(
      data.subtasks.map((s: { id: string; status: string; model: string }) => [s.id, s.status, s.model]),
      [
        ['polite-greeting', 'ready', 'sonnet'],
        ['farewell', 'pending', 'haiku'],
        ['readme-note', 'ready', 'haiku'],
      ],
    );
    assert.equal(data.planner.usage.input, 5200);
    assert.equal(data.planner.usage.output, 900);
    assert.ok(data.planner.cost > 0);
    for (const s of data.subtasks) {
      assert.ok(s.estimate.inputTokens > 0 && s.estimate.cost > 0, `${s.id} has an estimate`);
    }
    const scoped = data.subtasks.reduce((n: number, s: { estimate: { cost: number } }) => n + s.estimate.cost, 0);
    assert.ok(data.opusOnlyEstimate.cost > scoped, 'Opus alone costs more than the scoped workers');
    assert.deepEqual(
      data.subtasks.map((s: { oneReply: boolean }) => s.oneReply),
      [false, false, true],
    );
    const text = await runCli(ws('show'), env);
    assert.match(text.stdout, /of which read from cache 0 tok, written to cache 0 tok/);
    assert.match(text.stdout, /^readme-note .*Document the greeting {2}\(one reply expected\)$/m);
    assert.doesNotMatch(text.stdout, /^polite-greeting .*one reply/m);
  });

  it('prices the figures of a run with --prices or OPUS_ORCHESTRATOR_PRICES, and refuses a bad price list', async () => {
    const planWith = async (args: string[], extra: Record<string, string>) => {
      fake.enqueue(jsonReply(PLAN, { input: 5200, output: 900 }));
      const r = await runCli(ws('plan', 'Greet politely and say goodbye', '--json', ...args), { ...env, ...extra });
      assert.equal(r.code, 0, r.stderr);
      const data = JSON.parse(r.stdout);
      const readme = (data.subtasks as Array<{ id: string; estimate: { cost: number } }>).find(
        (s) => s.id === 'readme-note',
      );
      return { planner: data.planner.cost as number, haikuEstimate: readme?.estimate.cost ?? 0 };
    };
    const table = await planWith([], {});
    assert.ok(Math.abs(table.planner - (5200 * 4 + 900 * 20) / 1e6) < 1e-9, 'Opus at the table: $4 / $20');

    const prices = '{"opus":{"input":1},"haiku":{"input":10,"output":50}}';
    const flag = await planWith(['--prices', prices], {});
    assert.ok(Math.abs(flag.planner - (5200 * 1 + 900 * 20) / 1e6) < 1e-9, 'the planner call at $1 input');
    assert.ok(flag.haikuEstimate > 50 * table.haikuEstimate, 'estimates follow the flag');
    const fromEnv = await planWith([], { OPUS_ORCHESTRATOR_PRICES: prices });
    assert.deepEqual(fromEnv, flag, 'the environment variable works the same');

    const bad = await runCli(ws('show', '--prices', '{"sonnet":{"cacheRead":-1}}'), env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--prices: sonnet\.cacheRead/);
    const badEnv = await runCli(ws('show'), { ...env, OPUS_ORCHESTRATOR_PRICES: 'cheap' });
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr, /OPUS_ORCHESTRATOR_PRICES: not valid JSON/);
    const badTimeout = await runCli(ws('show'), { ...env, OPUS_ORCHESTRATOR_STREAM_IDLE_TIMEOUT: 'soon' });
    assert.equal(badTimeout.code, 2);
    assert.match(badTimeout.stderr, /OPUS_ORCHESTRATOR_STREAM_IDLE_TIMEOUT takes a number of seconds/);
  });

  it('dispatch runs independent subtasks in parallel on scoped context; apply writes; the dependent follows', async () => {
    await planned();
    const windows: Record<string, [number, number]> = {};
    const respond = workerResponder(politeEdit);
    fake.setResponder(async (req) => {
      const first = (req.body.messages?.length ?? 0) === 1;
      const id = Object.keys(politeEdit).find((k) => JSON.stringify(req.body.messages?.[0] ?? '').includes(k)) ?? '?';
      if (first) {
        windows[id] = [Date.now(), 0];
        await new Promise((r) => setTimeout(r, 400));
        (windows[id] as [number, number])[1] = Date.now();
      }
      return respond(req);
    });
    const d = await runCli(ws('dispatch', '--all'), env);
    assert.equal(d.code, 0, d.stderr);
    const [g, r] = [windows['polite-greeting'], windows['readme-note']];
    assert.ok(g && r && g[0] < r[1] && r[0] < g[1], 'the two independent subtasks ran at the same time');
    assert.equal(windows.farewell, undefined, 'the dependent waits');
    assert.equal(await read('src/greet.ts'), GREET, 'nothing reaches disk before apply');
    assert.equal(await read('README.md'), '# demo\n');

    const workers = fake.requests.filter((q) => !isPlanner(q));
    const firstOf = (id: string): string =>
      JSON.stringify(workers.find((q) => JSON.stringify(q.body.messages?.[0] ?? '').includes(id))?.body ?? '');
    const greetReq = firstOf('polite-greeting');
    const readmeReq = firstOf('readme-note');
    assert.match(greetReq, /"model":"claude-sonnet-5-5"/);
    assert.match(readmeReq, /"model":"claude-haiku-5-5"/);
    assert.ok(greetReq.includes('Hello, ${name}'), 'its in-scope file is in the context');
    assert.ok(!greetReq.includes('console.log(greet(') && !greetReq.includes('# demo'), 'other files are not');
    assert.ok(readmeReq.includes('# demo') && !readmeReq.includes('Hello, ${name}'));
    // The Haiku docs run is followed by the Haiku farewell, which reads its system prompt and tools from the cache;
    // no Sonnet run follows the greeting's. With no run recorded yet, the greeting's first message is marked for a
    // second turn; the docs run, which the planner expects to end in one reply, is not.
    const systemOf = (body: string): string => JSON.stringify(JSON.parse(body).system);
    assert.match(systemOf(readmeReq), /"cache_control":\{"type":"ephemeral"/, 'the shared prefix, for a later run');
    assert.doesNotMatch(systemOf(greetReq), /cache_control/, 'no later run would read it');
    const firstMessage = (body: string): string => JSON.stringify(JSON.parse(body).messages[0].content.at(-1));
    assert.match(
      firstMessage(greetReq),
      /"cache_control":\{"type":"ephemeral"/,
      'the first message, for a second turn',
    );
    assert.doesNotMatch(firstMessage(readmeReq), /cache_control/, 'one reply expected: nothing to read it back');
    for (const body of [greetReq, readmeReq]) {
      assert.ok(!body.includes(CANARY), 'no .env content');
      assert.match(
        body,
        /"name":"str_replace_based_edit_tool","type":"text_editor_20250728"|"type":"text_editor_20250728","name":"str_replace_based_edit_tool"/,
      );
    }
    let show = JSON.parse((await runCli(ws('show', '--json'), env)).stdout);
    const byId = (data: { subtasks: Array<{ id: string }> }, id: string) =>
      data.subtasks.find((x) => x.id === id) as unknown as {
        status: string;
        usage: { input: number };
        proposal: unknown;
      };
    assert.equal(byId(show, 'polite-greeting').status, 'review');
    assert.deepEqual(byId(show, 'polite-greeting').proposal, {
      id: 'polite-greeting-1',
      status: 'open',
      files: [{ path: 'src/greet.ts', added: 1, removed: 1 }],
    });
    assert.ok(byId(show, 'polite-greeting').usage.input > 0);

    const a = await runCli(ws('apply', 'polite-greeting'), env);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(await read('src/greet.ts'), GREET.replace('Hello', 'Good day'));
    assert.equal((await runCli(ws('apply', 'readme-note'), env)).code, 0);
    assert.equal(await read('README.md'), '# demo\n\nUsage: `greet(name)`.\n');
    show = JSON.parse((await runCli(ws('show', '--json'), env)).stdout);
    assert.deepEqual(
      show.subtasks.map((x: { id: string; status: string }) => [x.id, x.status]),
      [
        ['polite-greeting', 'accepted'],
        ['farewell', 'ready'],
        ['readme-note', 'accepted'],
      ],
    );
    const second = await runCli(ws('dispatch', '--all'), env);
    assert.equal(second.code, 0, second.stderr);
    const farewell = fake.requests.filter((q) => !isPlanner(q)).at(-1) as RecordedRequest;
    assert.equal(farewell.body.model, 'claude-haiku-5-5');
    assert.ok(JSON.stringify(farewell.body).includes("console.log(greet(argv[0] ?? 'world'))"));
  });

  it('reject leaves the file byte-identical', async () => {
    await planned();
    fake.setResponder(workerResponder(politeEdit));
    assert.equal((await runCli(ws('dispatch', 'polite-greeting'), env)).code, 0);
    const r = await runCli(ws('reject', 'polite-greeting'), env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await read('src/greet.ts'), GREET);
    const show = JSON.parse((await runCli(ws('show', '--json'), env)).stdout);
    assert.equal(show.subtasks[0].status, 'rejected');
    assert.equal(show.subtasks[1].status, 'blocked');
  });

  it('refuses to apply a proposal whose file changed since dispatch, and keeps the user’s change', async () => {
    await planned();
    fake.setResponder(workerResponder(politeEdit));
    assert.equal((await runCli(ws('dispatch', 'polite-greeting'), env)).code, 0);
    const mine = `${GREET}// my own edit\n`;
    await fs.writeFile(path.join(repo, 'src/greet.ts'), mine);
    const r = await runCli(ws('apply', 'polite-greeting'), env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /changed since .* ran.*Re-dispatch/);
    assert.equal(reasonLines(r.stderr).length, 1, 'one line with the reason');
    assert.equal(await read('src/greet.ts'), mine);
  });

  it('a wrong key fails with one line that says what to do, without the key', async () => {
    const r = await runCli(ws('plan', 'anything'), { ...env, ANTHROPIC_API_KEY: 'sk-ant-wrong-key-123456' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /API key/i);
    assert.ok(!r.stderr.includes('sk-ant-wrong-key-123456'));
    assert.equal(reasonLines(r.stderr).length, 1, 'one line with the reason');
    await assert.rejects(fs.access(path.join(repo, '.opus-orchestrator', 'plan.json')));
  });

  it('no key at all: a clear error before any request', async () => {
    const r = await runCli(ws('plan', 'anything'), { ANTHROPIC_BASE_URL: fake.url });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No Anthropic API key/);
    assert.equal(fake.requests.length, 0);
  });

  it('a plan that stays invalid after one repair round fails clearly and keeps the previous plan', async () => {
    await planned();
    const before = await fs.readFile(path.join(repo, '.opus-orchestrator', 'plan.json'), 'utf8');
    const outside = structuredClone(PLAN);
    outside.subtasks[0]!.files = [{ path: '../../etc/passwd', create: false }];
    fake.enqueue(jsonReply(outside), jsonReply(outside));
    const r = await runCli(ws('plan', 'Do something risky'), env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /passwd/);
    const planner = fake.requests.filter(isPlanner);
    assert.equal(planner.length, 3, 'first plan, then one try and one repair round');
    assert.match(lastUserText(planner[2] as RecordedRequest), /passwd/, 'the repair round quotes the error');
    assert.equal(await fs.readFile(path.join(repo, '.opus-orchestrator', 'plan.json'), 'utf8'), before);
  });

  it('rides out 429, 529 and a mid-stream overload, and records what was billed', async () => {
    fake.enqueue(
      { httpError: 429, retryAfterMs: 10 } as Reply,
      { httpError: 529, retryAfterMs: 10 } as Reply,
      { streamError: 'overloaded_error' } as Reply,
    );
    fake.enqueue(jsonReply(PLAN, { input: 4000, output: 700 }));
    const r = await runCli(ws('plan', 'Greet politely'), env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fake.requests.length, 4);
    const show = JSON.parse((await runCli(ws('show', '--json'), env)).stdout);
    assert.ok(show.planner.usage.input >= 4000 && show.planner.usage.output >= 700, 'the billed call is in the ledger');
  });

  it('a worker error marks the subtask failed, exits non-zero with the reason, and writes nothing', async () => {
    await planned();
    fake.enqueue({ httpError: 404, errorType: 'not_found_error', message: 'model: claude-sonnet-5-5' } as Reply);
    const r = await runCli(ws('dispatch', 'polite-greeting'), env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /polite-greeting failed/);
    assert.equal(await read('src/greet.ts'), GREET);
    const show = JSON.parse((await runCli(ws('show', '--json'), env)).stdout);
    assert.equal(show.subtasks[0].status, 'failed');
    assert.match(show.subtasks[0].error, /model/i);
  });

  it('Ctrl-C during dispatch cancels the run and leaves the workspace as it was', async () => {
    await planned();
    fake.setResponder(() => ({
      ...toolUseReply([{ name: 'str_replace_based_edit_tool', input: { command: 'view', path: 'src/greet.ts' } }]),
      latencyMs: 5000,
    }));
    const child = spawn(process.execPath, [CLI, ...ws('dispatch', 'polite-greeting')], {
      env: { PATH: process.env.PATH, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => fake.requests.length >= 2);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.notEqual(code, 0, stderr);
    assert.equal(await read('src/greet.ts'), GREET);
    const show = JSON.parse((await runCli(ws('show', '--json'), env)).stdout);
    assert.equal(show.subtasks[0].status, 'cancelled');
  });

  /** A one-subtask plan over `file`, whose worker replaces `old` with `new` in it. */
  async function editOne(file: string, old: string, replacement: string): Promise<void> {
    const one = {
      goal: 'Edit one file.',
      subtasks: [{ ...PLAN.subtasks[0], id: 'edit-one', files: [{ path: file, create: false }] }],
    };
    fake.enqueue(jsonReply(one));
    const p = await runCli(ws('plan', 'Edit one file'), env);
    assert.equal(p.code, 0, p.stderr);
    fake.setResponder(workerResponder({ 'edit-one': { path: file, old, new: replacement } }));
    const d = await runCli(ws('dispatch', 'edit-one'), env);
    assert.equal(d.code, 0, d.stderr);
    const a = await runCli(ws('apply', 'edit-one'), env);
    assert.equal(a.code, 0, a.stderr);
  }

  it('plan, dispatch and apply keep a Latin-1 file byte for byte outside the edit', async () => {
    const base = Buffer.from('# Caf\xe9\r\nprix: 5 \xe9cus\r\n', 'latin1');
    await fs.writeFile(path.join(repo, 'notes.md'), base);
    await editOne('notes.md', 'prix: 5 écus', 'prix: 6 écus');
    assert.deepEqual(
      await fs.readFile(path.join(repo, 'notes.md')),
      Buffer.from('# Caf\xe9\r\nprix: 6 \xe9cus\r\n', 'latin1'),
    );
  });

  it('plan, dispatch and apply change only the edited line of a file with mixed line endings', async () => {
    await fs.writeFile(path.join(repo, 'mixed.txt'), 'a\r\nb\nc\r\nd\n');
    await editOne('mixed.txt', 'c', 'C');
    assert.equal(await read('mixed.txt'), 'a\r\nb\nC\r\nd\n');
  });

  it('a plan naming a binary, huge or impossibly long file is refused with a short reason, files untouched', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
    await fs.writeFile(path.join(repo, 'logo.png'), png);
    await fs.writeFile(path.join(repo, 'big.log'), 'log line\n'.repeat(2_500_000));
    const bad = {
      goal: 'Touch odd files.',
      subtasks: [
        { ...PLAN.subtasks[0], id: 'art', files: [{ path: 'logo.png', create: false }] },
        { ...PLAN.subtasks[0], id: 'logs', files: [{ path: 'big.log', create: false }] },
        { ...PLAN.subtasks[0], id: 'deep', files: [{ path: `${'x'.repeat(6000)}.ts`, create: true }] },
      ],
    };
    fake.enqueue(jsonReply(bad), jsonReply(bad));
    const r = await runCli(ws('plan', 'Touch odd files'), env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has a name of 6,003 bytes; names have at most 255/);
    assert.ok(!/ENAMETOOLONG/.test(r.stderr) && r.stderr.length < 1500, r.stderr);
    const repair = lastUserText(fake.requests.filter(isPlanner).at(-1) as RecordedRequest);
    assert.match(repair, /has a name of 6,003 bytes/, 'the repair round is told what to fix');

    const good = { goal: 'Touch odd files.', subtasks: bad.subtasks.slice(0, 2) };
    fake.enqueue(jsonReply(good), jsonReply(good));
    const again = await runCli(ws('plan', 'Touch odd files'), env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /logo\.png is a binary file/);
    assert.match(again.stderr, /big\.log is 21\.5 MB, over the 2 MB limit/);
    assert.deepEqual(await fs.readFile(path.join(repo, 'logo.png')), png);
    const asked = fake.requests.filter((q) => !isPlanner(q));
    assert.equal(asked.length, 0, 'no worker call was made');
  });

  it('--workspace pointing at a file says it is not a folder', async () => {
    const file = path.join(repo, 'README.md');
    const r = await runCli(['show', '--workspace', file], env);
    assert.equal(r.code, 2);
    assert.match(reasonLines(r.stderr)[0] ?? '', /--workspace .*README\.md is a file, not a folder/);
    const none = await runCli(['show', '--workspace', path.join(repo, 'nowhere')], env);
    assert.equal(none.code, 2);
    assert.match(reasonLines(none.stderr)[0] ?? '', /--workspace .*nowhere does not exist/);
  });

  it('usage errors and a missing plan exit non-zero with one line', async () => {
    const none = await runCli(ws('show'), env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No plan/);
    const bad = await runCli(ws('frobnicate'), env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown command/);
  });
});

const reasonLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('opus-orchestrator:'));

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error('timed out waiting');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
