import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import type { FakeAnthropic, RecordedRequest, Responder } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const KEY = 'sk-ant-secrets-test-key-0000';

const canary = (name: string): string => `CANARY_${name}_${randomBytes(6).toString('hex')}`;
/** A value that looks like a real key, so that only content scanning (not a path rule) can keep it out. */
const randomKey = (): string => randomBytes(30).toString('base64').replace(/[+/=]/g, 'x');

/** Every credential kind a user may have in a repository, each with a value that must never reach a model. */
const CREDENTIAL_FILES = [
  '.env.production',
  'config/secrets.json',
  'deploy/id_rsa',
  '.npmrc',
  'certs/server.pem',
  'credentials.json',
  'tls/server.key',
  '.aws/credentials',
  '.netrc',
  '.git-credentials',
  '.docker/config.json',
  '.kube/config',
  'infra/terraform.tfstate',
  '.pgpass',
  'k8s/secrets.yaml',
  '.envrc',
  '.env-production',
  '.env_local',
  'id_ecdsa',
  'id_dsa',
  '.pypirc',
  'service-account.json',
  'secrets.yaml',
  'keys/app.p12',
  'keys/release.jks',
  '.cargo/credentials.toml',
  '.config/gcloud/application_default_credentials.json',
  '.azure/accessTokens.json',
  '.ssh/config',
  'infra/terraform.tfvars',
];
const GIT_ALIASES = ['.GIT/config', '.git./config', '.git::$INDEX_ALLOCATION/config', 'GIT~1/config', '.git /config'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

async function write(root: string, rel: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await fs.writeFile(path.join(root, rel), text);
}

/** Every file of the store folder, the map's cache included, less those under `skip`. */
async function storeText(repo: string, skip: string[] = []): Promise<string> {
  const dir = path.join(repo, '.opus-orchestrator');
  const files = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  let out = '';
  for (const f of files.filter((name) => !skip.some((s) => name.startsWith(`${s}${path.sep}`)))) {
    out += await fs.readFile(path.join(dir, f), 'utf8').catch(() => '');
  }
  return out;
}

const isPlanner = (req: RecordedRequest): boolean =>
  req.body.output_config?.format !== undefined && !JSON.stringify(req.body.messages).includes('<subtask id=');
const isReview = (req: RecordedRequest): boolean => req.body.output_config?.format !== undefined && !isPlanner(req);
const toolResults = (req: RecordedRequest): string => JSON.stringify(req.body.messages?.at(-1) ?? '');

describe('secrets never reach a model (dist/cli.js end to end)', function () {
  this.timeout(180_000);
  let fake: FakeAnthropic;
  let base: string;
  let repo: string;
  let env: Record<string, string | undefined>;
  let canaries: string[];
  let logs: string;

  before(async function () {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['esbuild.js', '--only=cli'], { cwd: REPO, stdio: 'inherit' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`esbuild exited with ${code}`))));
    });
  });

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'opus-secrets-')));
    repo = path.join(base, 'repo');
    canaries = [];
    logs = '';
    const remember = (value: string): string => {
      canaries.push(value);
      return value;
    };
    for (const rel of CREDENTIAL_FILES) {
      await write(repo, rel, `token = ${remember(canary(rel.replace(/\W/g, '')))}\n`);
    }
    await write(repo, '.vscode/settings.json', `{ "sqltools.password": "${remember(canary('VSCODE'))}" }\n`);
    await write(
      repo,
      'src/config.ts',
      `export const AWS_SECRET = "${remember(randomKey())}";\n` +
        `export const AWS_KEY_ID = "${remember(`AKIA${randomBytes(8).toString('hex').toUpperCase()}`)}";\n` +
        "export const REGION = 'eu-west-1';\n",
    );
    await write(
      repo,
      'src/greet.ts',
      'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n',
    );
    await write(repo, 'scratch/local.ts', `export const LOCAL_NOTE = '${remember(canary('EXCLUDE'))}';\n`);
    await write(repo, 'scratch/global.ts', `export const GLOBAL_NOTE = '${remember(canary('GLOBAL'))}';\n`);
    await write(repo, '.gitignore', 'config/secrets.json\n');
    // A hard link to a file outside the workspace: realpath sees nothing outside.
    await write(base, 'outside/notes.txt', `${remember(canary('HARDLINK'))}\n`);
    await fs.mkdir(path.join(repo, 'docs'), { recursive: true });
    await fs.link(path.join(base, 'outside/notes.txt'), path.join(repo, 'docs/notes.txt'));

    await write(base, 'global-ignore', 'scratch/global.ts\n');
    await write(base, 'gitconfig', `[core]\n\texcludesFile = ${path.join(base, 'global-ignore')}\n`);
    env = {
      PATH: process.env.PATH,
      HOME: base,
      GIT_CONFIG_GLOBAL: path.join(base, 'gitconfig'),
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: fake.url,
    };
    const git = simpleGit(repo);
    await git.init();
    await git.addConfig('user.name', 'Test');
    await git.addConfig('user.email', 'test@example.invalid');
    await fs.appendFile(path.join(repo, '.git/info/exclude'), 'scratch/local.ts\n');
    await git.add(['src', '.gitignore']);
    await git.commit('init');
  });

  afterEach(async () => {
    await fake.close();
    await fs.rm(base, { recursive: true, force: true });
  });

  const ws = (...args: string[]): string[] => [...args, '--workspace', repo];
  const cli = async (...args: string[]): Promise<Run> => {
    const r = await runCli(ws(...args), env);
    logs += r.stdout + r.stderr;
    return r;
  };
  const leaks = (text: string): string[] => canaries.filter((c) => text.includes(c));

  function assertNothingLeaked(): void {
    assert.ok(fake.requests.length > 0);
    for (const [i, req] of fake.requests.entries()) {
      assert.deepEqual(leaks(JSON.stringify(req.body)), [], `request ${i} holds no secret`);
    }
    assert.deepEqual(leaks(logs), [], 'the output and the log hold no secret');
  }

  it('refuses every credential kind, excluded file, hard link, .vscode settings and .git alias at plan time', async () => {
    const bad = [...CREDENTIAL_FILES, 'scratch/local.ts', 'scratch/global.ts', 'docs/notes.txt'];
    bad.push('.vscode/settings.json', ...GIT_ALIASES);
    const plan = {
      goal: 'Read the configuration.',
      subtasks: [
        {
          id: 'read-config',
          title: 'Use the configuration',
          instructions: 'Wire the configuration values into greet().',
          model: 'sonnet',
          files: [{ path: 'src/greet.ts', create: false }, ...bad.map((p) => ({ path: p, create: false }))],
          acceptanceCriteria: ['greet uses the configured region'],
          dependsOn: [],
        },
      ],
    };
    fake.enqueue(jsonReply(plan), jsonReply(plan));
    const r = await cli('plan', 'Use the configuration');
    assert.equal(r.code, 1, r.stderr);
    const planner = fake.requests.filter(isPlanner);
    assert.equal(planner.length, 2, 'the plan and its repair round');
    const repair = String((planner[1]?.body.messages?.at(-1) as { content: string }).content);
    for (const rel of CREDENTIAL_FILES) {
      assert.ok(repair.includes(`The path "${rel}" is a credential file (`), rel);
    }
    assert.ok(repair.includes('"scratch/local.ts" is excluded by .gitignore, .git/info/exclude'));
    assert.ok(repair.includes('"scratch/global.ts" is excluded by'));
    assert.ok(repair.includes('"docs/notes.txt" has 2 hard links'));
    assert.ok(repair.includes('".vscode/settings.json" is protected'));
    for (const alias of GIT_ALIASES) {
      assert.ok(repair.includes(`The path "${alias}" is inside .git/`), alias);
    }
    const map = JSON.stringify(planner[0]?.body);
    assert.ok(!map.includes('scratch/local.ts') && !map.includes('global.ts'), 'excluded files are not in the map');
    // The map shows a declaration with its lines and never its value.
    assert.match(map, /export const AWS_SECRET L\d+-\d+/, 'the declaration is kept, not its value');
    assert.match(map, /export const AWS_KEY_ID L\d+-\d+/);
    assertNothingLeaked();
    assert.deepEqual(leaks(await storeText(repo)), []);
  });

  it('plans, dispatches, reviews and retries with no secret in any request, the store or the log', async () => {
    const plan = {
      goal: 'Greet politely.',
      subtasks: [
        {
          id: 'polite-greeting',
          title: 'Make the greeting polite',
          instructions: 'Say "Good day" instead of "Hello".',
          model: 'sonnet',
          files: [{ path: 'src/greet.ts', create: false }],
          acceptanceCriteria: ['greet("Ann") returns "Good day, Ann!"'],
          dependsOn: [],
        },
      ],
    };
    fake.enqueue(jsonReply(plan));
    assert.equal((await cli('plan', 'Greet politely')).code, 0);
    let reviews = 0;
    const worker: Responder = (req) => {
      if (isReview(req)) {
        reviews += 1;
        const met = reviews > 1;
        const criteria = [{ criterion: 'greet("Ann") returns "Good day, Ann!"', met, reason: 'from the diff' }];
        return jsonReply({ criteria, pass: met, summary: met ? 'Done.' : 'Not yet.' });
      }
      const turn = req.body.messages?.length ?? 0;
      if (turn === 1) {
        return toolUseReply([
          { name: 'str_replace_based_edit_tool', input: { command: 'view', path: 'src/config.ts' } },
          {
            name: 'str_replace_based_edit_tool',
            input: { command: 'str_replace', path: 'src/greet.ts', old_str: 'Hello', new_str: 'Good day' },
          },
        ]);
      }
      return textReply('Done.');
    };
    fake.setResponder(worker);
    const first = await cli('dispatch', '--all', '--review');
    assert.equal(first.code, 0, first.stderr);
    assert.equal(reviews, 1, 'Opus reviewed the proposal');
    assert.equal((await cli('reject', 'polite-greeting')).code, 0);
    const retry = await cli('dispatch', 'polite-greeting', '--review');
    assert.equal(retry.code, 0, retry.stderr);
    const retried = fake.requests.filter((q) => !isPlanner(q) && !isReview(q)).at(-2) as RecordedRequest;
    assert.match(JSON.stringify(retried.body), /Good day/, 'the retry carries the previous attempt');
    assert.equal((await cli('apply', 'polite-greeting')).code, 0);
    assert.match(await fs.readFile(path.join(repo, 'src/greet.ts'), 'utf8'), /Good day/);
    assertNothingLeaked();
    assert.deepEqual(leaks(await storeText(repo)), [], 'the store holds no secret');
  });

  it('show tells how many secrets were kept from the planner and from each subtask', async () => {
    const key = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
    canaries.push(key);
    await simpleGit(repo).commit(`Rotate the deploy key ${key}`, ['--allow-empty']);
    const plan = {
      goal: 'Change the region.',
      subtasks: [
        {
          id: 'region',
          title: 'Move to us-east-1',
          instructions: 'Set REGION to us-east-1.',
          model: 'sonnet',
          files: [{ path: 'src/config.ts', create: false }],
          acceptanceCriteria: ['REGION is us-east-1'],
          dependsOn: [],
        },
      ],
    };
    fake.enqueue(jsonReply(plan));
    assert.equal((await cli('plan', 'Change the region')).code, 0);
    fake.setResponder((req) =>
      (req.body.messages?.length ?? 0) === 1
        ? toolUseReply([
            {
              name: 'str_replace_based_edit_tool',
              input: { command: 'str_replace', path: 'src/config.ts', old_str: 'eu-west-1', new_str: 'us-east-1' },
            },
          ])
        : textReply('Done.'),
    );
    assert.equal((await cli('dispatch', 'region')).code, 0);
    const shown = await cli('show');
    assert.match(shown.stdout, /^Planner \(Opus\): .*1 secret redacted\)$/m, shown.stdout);
    assert.match(shown.stdout, /^region .*\n\s+src\/config\.ts .*\n\s+2 secrets redacted$/m, shown.stdout);
    const json = JSON.parse((await cli('show', '--json')).stdout);
    assert.equal(json.planner.redactions, 1);
    assert.deepEqual(
      json.subtasks.map((s: { id: string; redactions: number }) => [s.id, s.redactions]),
      [['region', 2]],
    );
    assertNothingLeaked();
    // A proposal under review holds the file as it will be written, keys and all, as the file on disk does; the
    // plan, the subtasks with their history, and the map's cache hold none.
    assert.deepEqual(leaks(await storeText(repo, ['proposals'])), [], 'the store holds no secret');
  });
});

describe('editing next to a redacted secret (dist/cli.js end to end)', function () {
  this.timeout(120_000);
  let fake: FakeAnthropic;
  let repo: string;
  const token = randomKey();
  const SETTINGS = [
    "export const REGION = 'eu-west-1';",
    `export const API_TOKEN = "${token}";`,
    'export const TIMEOUT_MS = 5000;',
    '',
  ].join('\r\n');

  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    repo = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'opus-redacted-')));
    await write(repo, 'src/settings.ts', SETTINGS);
  });

  afterEach(async () => {
    await fake.close();
    await fs.rm(repo, { recursive: true, force: true });
  });

  it('refuses an edit of the marker, applies the edit beside it exactly, and leaves the secret on disk as it was', async () => {
    const env = { PATH: process.env.PATH, HOME: repo, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url };
    const plan = {
      goal: 'Move to us-east-1.',
      subtasks: [
        {
          id: 'region',
          title: 'Change the region',
          instructions: 'Set REGION to us-east-1.',
          model: 'haiku',
          files: [{ path: 'src/settings.ts', create: false }],
          acceptanceCriteria: ['REGION is us-east-1'],
          dependsOn: [],
        },
      ],
    };
    fake.enqueue(jsonReply(plan));
    assert.equal((await runCli(['plan', 'Move region', '--workspace', repo], env)).code, 0);
    const shownLine = 'export const API_TOKEN = "«secret redacted: secret-assignment»";';
    fake.setResponder((req) => {
      if (isReview(req)) {
        const criteria = [{ criterion: 'REGION is us-east-1', met: true, reason: 'the diff sets it' }];
        return jsonReply({ criteria, pass: true, summary: 'Done.' });
      }
      const turn = req.body.messages?.length ?? 0;
      const edit = (old: string, now: string) =>
        toolUseReply([
          {
            name: 'str_replace_based_edit_tool',
            input: { command: 'str_replace', path: 'src/settings.ts', old_str: old, new_str: now },
          },
        ]);
      if (turn === 1) {
        return edit(
          `export const REGION = 'eu-west-1';\n${shownLine}`,
          `export const REGION = 'us-east-1';\n${shownLine}`,
        );
      }
      if (turn === 3) {
        return edit("export const REGION = 'eu-west-1';", "export const REGION = 'us-east-1';");
      }
      return textReply('Done.');
    });
    const d = await runCli(['dispatch', 'region', '--review', '--workspace', repo], env);
    assert.equal(d.code, 0, d.stderr);
    const workers = fake.requests.filter((q) => q.body.output_config?.format === undefined);
    const review = JSON.stringify(fake.requests.find(isReview)?.body);
    assert.match(review, /API_TOKEN = \\"«secret redacted: secret-assignment»\\"/, 'the review diff shows the marker');
    assert.ok(JSON.stringify(workers[0]?.body).includes(shownLine.replace(/"/g, '\\"')), 'the model sees the marker');
    assert.match(
      toolResults(workers[1] as RecordedRequest),
      /No change was made: old_str contains a «secret redacted» marker/,
    );
    assert.match(
      toolResults(workers[2] as RecordedRequest),
      /Edited src\/settings\.ts.*«secret redacted: secret-assignment»/,
    );
    for (const req of fake.requests) {
      assert.ok(!JSON.stringify(req.body).includes(token), 'no request holds the token');
    }
    assert.ok(!d.stderr.includes(token) && !d.stdout.includes(token));
    assert.match(
      d.stderr,
      /src\/settings\.ts: a secret \(secret-assignment\) was redacted before it reached subtask region/,
    );
    assert.match(d.stderr, /secrets redacted from model requests: region 1/);

    assert.equal((await runCli(['apply', 'region', '--workspace', repo], env)).code, 0);
    const after = await fs.readFile(path.join(repo, 'src/settings.ts'), 'utf8');
    assert.equal(after, SETTINGS.replace('eu-west-1', 'us-east-1'), 'only the edited line changed, CRLF kept');
    assert.ok(after.includes(`export const API_TOKEN = "${token}";\r\n`), 'the secret on disk is untouched');
  });

  it('errors that echo a configured credential of any shape show it redacted', async () => {
    const odd = `proxy-${randomBytes(9).toString('hex')}`;
    const open = await startFakeAnthropic();
    try {
      open.enqueue({ httpError: 400, message: `invalid credentials "${odd}" for this gateway` });
      const env = { PATH: process.env.PATH, HOME: repo, ANTHROPIC_API_KEY: odd, ANTHROPIC_BASE_URL: open.url };
      const r = await runCli(['plan', 'anything', '--workspace', repo], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /invalid credentials "\[redacted key\]"/);
      assert.ok(!r.stderr.includes(odd) && !r.stdout.includes(odd));

      // A gateway's password in the base URL is a credential too; the connection error quotes the URL.
      const gateway = new URL(open.url);
      gateway.username = 'gateway';
      gateway.password = `gw-${randomBytes(9).toString('hex')}`;
      const viaGateway = { ...env, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: gateway.toString() };
      const g = await runCli(['plan', 'anything', '--workspace', repo], viaGateway);
      assert.equal(g.code, 1);
      assert.match(g.stderr, /gateway:\[redacted key\]@/);
      assert.ok(!g.stderr.includes(gateway.password) && !g.stdout.includes(gateway.password));
    } finally {
      await open.close();
    }
  });

  it('--secret-pattern adds credential patterns of the user', async () => {
    const env = { PATH: process.env.PATH, HOME: repo, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url };
    await write(repo, 'config/app.local.yml', 'token: x\n');
    const plan = {
      goal: 'Tune.',
      subtasks: [
        {
          id: 'tune',
          title: 'Tune the app',
          instructions: 'Raise the timeout.',
          model: 'haiku',
          files: [{ path: 'config/app.local.yml', create: false }],
          acceptanceCriteria: ['timeout raised'],
          dependsOn: [],
        },
      ],
    };
    fake.enqueue(jsonReply(plan), jsonReply(plan), jsonReply(plan));
    const refused = await runCli(['plan', 'Tune', '--workspace', repo, '--secret-pattern', '*.local.yml'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /app\.local\.yml.*credential file .*rule "secretPatterns setting"/);
    const allowed = await runCli(['plan', 'Tune', '--workspace', repo], env);
    assert.equal(allowed.code, 0, allowed.stderr);
  });
});
