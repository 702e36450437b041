import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startFakeBedrock } from '../fake-anthropic/bedrock';
import type { PlatformServer } from '../fake-anthropic/platform';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';
import type { FakeAnthropic, RecordedRequest } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';
import type { FakeVertex } from '../fake-anthropic/vertex';
import { startFakeVertex } from '../fake-anthropic/vertex';
import { makeRepo as makeGitRepo } from '../soak/harness';
import { FINISH_TOOL } from '../../src/core/worker/context';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const AWS = { accessKeyId: 'AKIAOPUSTESTKEY00001', secretAccessKey: 'opus-test-secret-access-key-0000000000000' };

const PLAN = {
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
    {
      id: 'readme-note',
      title: 'Document the greeting',
      instructions: 'Add a usage line to README.md.',
      model: 'haiku',
      files: [{ path: 'README.md', create: false }],
      acceptanceCriteria: ['README.md shows how to call greet'],
      dependsOn: [],
    },
  ],
};

const EDITS: Record<string, { path: string; old: string; new: string }> = {
  'polite-greeting': { path: 'src/greet.ts', old: 'return `Hello, ${name}!`;', new: 'return `Good day, ${name}!`;' },
  'readme-note': { path: 'README.md', old: '# demo', new: '# demo\n\nUsage: `greet(name)`.' },
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

function makeRepo(): Promise<string> {
  const files = {
    'src/greet.ts': 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n',
    'README.md': '# demo\n',
  };
  return makeGitRepo(files, 'opus-providers-');
}

const isWorker = (req: RecordedRequest): boolean =>
  JSON.stringify(req.body.tools ?? []).includes('"name":"str_replace_based_edit_tool"');

/** The planner answers with the plan at once; a worker edits its file with one str_replace, then finishes. */
function script(fake: FakeAnthropic): void {
  fake.setResponder((req) => {
    if (!isWorker(req)) {
      return jsonReply(PLAN, { input: 4000, output: 600 });
    }
    const first = JSON.stringify(req.body.messages?.[0] ?? '');
    const id = Object.keys(EDITS).find((k) => first.includes(`subtask id=\\"${k}\\"`)) ?? '';
    const edit = EDITS[id];
    if (!edit) {
      return textReply('I do not know this subtask.');
    }
    if ((req.body.messages?.length ?? 0) === 1) {
      return toolUseReply([
        {
          name: 'str_replace_based_edit_tool',
          input: { command: 'str_replace', path: edit.path, old_str: edit.old, new_str: edit.new },
        },
      ]);
    }
    return textReply(`Done: ${id}.`);
  });
}

/** A bare environment: the platform's own variables and a scratch HOME, nothing of the machine's. */
function baseEnv(home: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home };
}

describe('CLI on Amazon Bedrock and Google Vertex AI (dist/cli.js, their SDKs, local platform servers)', function () {
  this.timeout(120_000);
  let fake: FakeAnthropic;
  let repo: string;
  let home: string;
  let platform: PlatformServer | undefined;

  before(async function () {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['esbuild.js', '--only=cli'], { cwd: REPO, stdio: 'inherit' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`esbuild exited with ${code}`))));
    });
  });

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    script(fake);
    repo = await makeRepo();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'opus-providers-home-'));
  });

  afterEach(async () => {
    await platform?.close();
    platform = undefined;
    await fake.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });

  const ws = (...args: string[]): string[] => [...args, '--workspace', repo];
  const read = (rel: string): Promise<string> => fs.readFile(path.join(repo, rel), 'utf8');

  /** plan → dispatch --all → apply both, as a user runs it; returns the `show --json` after the plan. */
  async function flow(env: Record<string, string>, provider: string[]): Promise<{ planned: Run }> {
    const planned = await runCli(ws('plan', 'Greet politely', ...provider, '--json'), env);
    assert.equal(planned.code, 0, planned.stderr);
    const dispatched = await runCli(ws('dispatch', '--all', ...provider), env);
    assert.equal(dispatched.code, 0, dispatched.stderr);
    for (const id of ['polite-greeting', 'readme-note']) {
      const applied = await runCli(ws('apply', id, ...provider), env);
      assert.equal(applied.code, 0, applied.stderr);
    }
    assert.match(await read('src/greet.ts'), /Good day, \$\{name\}!/);
    assert.match(await read('README.md'), /Usage: `greet\(name\)`/);
    return { planned };
  }

  it('Bedrock: plan, dispatch and apply over SigV4-signed invoke-with-response-stream with Bedrock model ids', async () => {
    platform = await startFakeBedrock(fake, { credentials: AWS });
    const env = {
      ...baseEnv(home),
      AWS_REGION: 'eu-west-3',
      AWS_ACCESS_KEY_ID: AWS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: AWS.secretAccessKey,
      ANTHROPIC_BEDROCK_BASE_URL: platform.url,
    };
    const { planned } = await flow(env, ['--provider', 'bedrock']);
    const requests = platform.requests;
    assert.ok(requests.length >= 5, `planner + two workers of two turns each (got ${requests.length})`);
    const paths = new Set(requests.map((r: RecordedRequest) => r.path));
    assert.deepEqual([...paths].sort(), [
      '/model/global.anthropic.claude-haiku-5-5/invoke-with-response-stream',
      '/model/global.anthropic.claude-opus-5-5/invoke-with-response-stream',
      '/model/global.anthropic.claude-sonnet-5-5/invoke-with-response-stream',
    ]);
    for (const r of requests) {
      assert.equal(typeof r.body.anthropic_version, 'string', 'the API version travels in the body');
      assert.equal(r.body.model, undefined, 'the model is in the path, not the body');
      assert.match(
        r.headers.authorization ?? '',
        /^AWS4-HMAC-SHA256 Credential=AKIAOPUSTESTKEY00001\/\d{8}\/eu-west-3\/bedrock\//,
      );
      assert.ok(r.headers['x-amz-date'], 'signed with a date');
    }
    const plannerReq = requests[0] as RecordedRequest;
    assert.ok(plannerReq.body.output_config, 'structured output is tried on Bedrock');
    const worker = requests.find(isWorker);
    assert.deepEqual(worker?.body.tools, [
      { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
      FINISH_TOOL,
    ]);
    // Costs at Bedrock's global-endpoint prices, the same list prices as Anthropic's.
    const show = JSON.parse(planned.stdout) as { planner?: { cost?: number } } & Record<string, unknown>;
    assert.ok(
      JSON.stringify(show).includes('0.028'),
      `planner cost 4000 in + 600 out at Opus prices: ${planned.stdout}`,
    );
    const subtasks = (show as { subtasks?: Array<{ modelId: string }> }).subtasks ?? [];
    assert.deepEqual(
      subtasks.map((t) => t.modelId),
      ['global.anthropic.claude-sonnet-5-5', 'global.anthropic.claude-haiku-5-5'],
      'show names the ids the provider runs',
    );
    assert.ok(!(planned.stderr + planned.stdout).includes(AWS.secretAccessKey));
  });

  it('Bedrock: a named AWS profile from the shared credentials file signs the requests', async () => {
    platform = await startFakeBedrock(fake, { credentials: AWS });
    const creds = path.join(home, 'aws-credentials');
    await fs.writeFile(
      creds,
      `[opus-test]\naws_access_key_id = ${AWS.accessKeyId}\naws_secret_access_key = ${AWS.secretAccessKey}\n`,
    );
    const env = {
      ...baseEnv(home),
      AWS_REGION: 'us-east-1',
      AWS_PROFILE: 'opus-test',
      AWS_SHARED_CREDENTIALS_FILE: creds,
      AWS_CONFIG_FILE: path.join(home, 'aws-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ANTHROPIC_BEDROCK_BASE_URL: platform.url,
    };
    const planned = await runCli(ws('plan', 'Greet politely', '--provider', 'bedrock'), env);
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(platform.requests[0]?.headers.authorization ?? '', /Credential=AKIAOPUSTESTKEY00001\//);
  });

  it('Bedrock: wrong AWS credentials fail with a message about AWS credentials, not an Anthropic key', async () => {
    platform = await startFakeBedrock(fake, { credentials: AWS });
    const env = {
      ...baseEnv(home),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: AWS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'not-the-right-secret-key-000000000000000',
      ANTHROPIC_BEDROCK_BASE_URL: platform.url,
    };
    const planned = await runCli(ws('plan', 'Greet politely', '--provider', 'bedrock'), env);
    assert.equal(planned.code, 1);
    assert.match(planned.stderr, /Amazon Bedrock refused access|Amazon Bedrock rejected the credentials/);
    assert.match(planned.stderr, /AWS/);
    assert.doesNotMatch(planned.stderr, /Anthropic API key|Set Anthropic API Key/);
    assert.ok(!planned.stderr.includes('not-the-right-secret-key'), 'the secret key is never echoed');
  });

  async function vertexEnv(v: FakeVertex, extra: Record<string, string> = {}): Promise<Record<string, string>> {
    return {
      ...baseEnv(home),
      CLOUDSDK_CONFIG: path.join(home, 'gcloud'),
      GCE_METADATA_HOST: v.metadataHost,
      METADATA_SERVER_DETECTION: 'assume-present',
      ANTHROPIC_VERTEX_PROJECT_ID: 'opus-test-project',
      CLOUD_ML_REGION: 'europe-west1',
      ANTHROPIC_VERTEX_BASE_URL: `${v.url}/v1`,
      ...extra,
    };
  }

  it('Vertex: plan, dispatch and apply over streamRawPredict with a token from the metadata server', async () => {
    const v = await startFakeVertex(fake, { projectId: 'opus-test-project' });
    platform = v;
    const { planned } = await flow(await vertexEnv(v), ['--provider', 'vertex']);
    const models = v.requests.filter((r) => r.path.includes('/publishers/'));
    assert.ok(models.length >= 5, `planner + two workers of two turns each (got ${models.length})`);
    for (const r of models) {
      assert.match(
        r.path,
        /^\/v1\/projects\/opus-test-project\/locations\/europe-west1\/publishers\/anthropic\/models\/claude-(opus|sonnet|haiku)-5-5:streamRawPredict$/,
      );
      assert.equal(typeof r.body.anthropic_version, 'string', 'the API version travels in the body');
      assert.equal(r.headers.authorization, `Bearer ${v.accessToken}`);
    }
    assert.ok(
      v.requests.some((r) => r.path.endsWith('/service-accounts/default/token')),
      'ADC asked the metadata server',
    );
    // europe-west1 is a regional endpoint: 10% over the global price (4000 × $4.40 + 600 × $22 per million).
    assert.ok(planned.stdout.includes('0.0308'), `regional Opus prices: ${planned.stdout}`);
  });

  it('Vertex: structured outputs refused by the organisation policy fall back to a plain JSON plan', async () => {
    const v = await startFakeVertex(fake, { projectId: 'opus-test-project', rejectStructuredOutputs: true });
    platform = v;
    // The model answers in prose around a fenced JSON document, as models do without structured output.
    fake.setResponder(() => textReply(`Here is the plan:\n\`\`\`json\n${JSON.stringify(PLAN)}\n\`\`\`\nLet me know.`));
    const planned = await runCli(ws('plan', 'Greet politely', '--provider', 'vertex'), await vertexEnv(v));
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stderr, /Google Vertex AI refused structured output.*plain JSON/);
    const models = v.requests.filter((r) => r.path.includes('/publishers/'));
    assert.equal(models.length, 2, 'one refused request, one plain request');
    assert.ok(models[0]?.body.output_config);
    assert.equal(models[1]?.body.output_config, undefined);
    assert.match(JSON.stringify(models[1]?.body.system), /JSON Schema/);
    const stored = JSON.parse(await read('.opus-orchestrator/plan.json')) as {
      data: { plan: { subtasks: unknown[] } };
    };
    assert.equal(stored.data.plan.subtasks.length, 2);
  });

  it('refuses vscode-lm and unknown providers on the command line with the reason', async () => {
    const lm = await runCli(ws('plan', 'x', '--provider', 'vscode-lm'), baseEnv(home));
    assert.equal(lm.code, 2);
    assert.match(lm.stderr, /vscode-lm runs only inside VS Code/);
    const bad = await runCli(ws('plan', 'x', '--provider', 'opus=azure'), baseEnv(home));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown provider "azure"/);
  });
});
