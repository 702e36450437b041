import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { EDITOR_TOOL, executeEditorCall } from '../../src/core/edits/editorTool';
import type { EditorSecrets } from '../../src/core/edits/editorTool';
import { Overlay } from '../../src/core/edits/overlay';
import { LlmClient } from '../../src/core/llm/client';
import { redactKey } from '../../src/core/llm/errors';
import { modelFor } from '../../src/core/models';
import { forgetConfiguredSecret, rememberConfiguredSecret } from '../../src/core/secrets/known';
import type { RedactionEvent } from '../../src/core/secrets/redactor';
import { containsMarker, Redactor } from '../../src/core/secrets/redactor';
import { redactRequest } from '../../src/core/secrets/request';
import { configureSecrets, credentialKindOf } from '../../src/core/workspace/secrets';
import { textReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

const key = (n = 30): string => randomBytes(n).toString('base64').replace(/[+/=]/g, 'x');
const PRIVATE_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  // A real key's DER starts with a SEQUENCE, "MI…" in Base64; secretlint checks that to skip placeholders.
  `MIIEpAIBAAKCAQEA${randomBytes(36).toString('base64')}`,
  ...Array.from({ length: 3 }, () => randomBytes(48).toString('base64')),
  '-----END RSA PRIVATE KEY-----',
].join('\n');

describe('credential files by kind', () => {
  afterEach(() => configureSecrets({ patterns: [], allowHardLinks: false }));

  const kinds: Array<[string, string]> = [
    ['.env', 'dotenv'],
    ['app/.env.production', 'dotenv'],
    ['.envrc', 'dotenv'],
    ['.env-production', 'dotenv'],
    ['.env_local', 'dotenv'],
    ['deploy/id_rsa', 'ssh-key'],
    ['id_ecdsa', 'ssh-key'],
    ['home/.ssh/config', 'ssh-dir'],
    ['tls/server.key', 'private-key'],
    ['certs/server.pem', 'private-key'],
    ['android/release.jks', 'private-key'],
    ['store.pfx', 'private-key'],
    ['.aws/credentials', 'aws-credentials'],
    ['ci/.aws/config', 'aws-credentials'],
    ['service-account.json', 'gcp-credentials'],
    ['.config/gcloud/application_default_credentials.json', 'gcp-credentials'],
    ['.azure/accessTokens.json', 'azure-credentials'],
    ['.docker/config.json', 'docker-config'],
    ['.kube/config', 'kubeconfig'],
    ['k8s/secrets.yaml', 'kubernetes-secret'],
    ['charts/app/templates/db-secret.yml', 'kubernetes-secret'],
    ['.npmrc', 'package-registry-token'],
    ['.pypirc', 'package-registry-token'],
    ['.gem/credentials', 'package-registry-token'],
    ['.cargo/credentials.toml', 'package-registry-token'],
    ['.netrc', 'login-file'],
    ['.git-credentials', 'login-file'],
    ['.pgpass', 'login-file'],
    ['infra/terraform.tfstate', 'terraform-state'],
    ['infra/terraform.tfstate.backup', 'terraform-state'],
    ['prod.auto.tfvars', 'terraform-state'],
    ['config/secret_token.rb', 'app-secret'],
    ['credentials.json', 'credentials-file'],
  ];
  for (const [rel, rule] of kinds) {
    it(`${rel} is ${rule}`, () => assert.equal(credentialKindOf(rel)?.rule, rule));
  }

  it('leaves source and documentation alone, even when named after secrets', () => {
    for (const rel of ['src/secrets.ts', 'src/credentials/index.ts', 'docs/credentials.md', 'src/env.ts', 'keys.ts']) {
      assert.equal(credentialKindOf(rel), undefined, rel);
    }
  });

  it('sees the name Windows and macOS would open: case, trailing dots and spaces, streams, ignorable characters', () => {
    for (const rel of ['.ENV', '.env.', '.env  ', '.env::$DATA', '.e\u200cnv', 'config\\.npmrc', 'ID_RSA']) {
      assert.ok(credentialKindOf(rel), JSON.stringify(rel));
    }
  });

  it('adds the user’s patterns, which cannot take a built-in kind away', () => {
    configureSecrets({ patterns: ['*.local.yml', '!.env'] });
    assert.equal(credentialKindOf('config/app.local.yml')?.rule, 'secretPatterns setting');
    assert.equal(credentialKindOf('.env')?.rule, 'dotenv');
  });
});

describe('Redactor (secretlint and the secret-assignment rule)', () => {
  it('replaces vendor tokens, keys, basic-auth URLs and secret assignments with markers naming their kind', async () => {
    const aws = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const gh = `ghp_${randomBytes(18).toString('hex').slice(0, 36)}`;
    const assigned = key();
    const text = [
      `const id = "${aws}";`,
      `const gh = "${gh}";`,
      `const url = "https://deploy:${key(9)}@git.example.com/repo.git";`,
      `export const AWS_SECRET = "${assigned}";`,
      `DB_PASSWORD=${key(12)}`,
      PRIVATE_KEY,
      'const keep = "unchanged";',
    ].join('\n');
    const out = await new Redactor().redact(text);
    assert.match(out, /const id = "«secret redacted: aws-access-key»";/);
    assert.match(out, /const gh = "«secret redacted: github-token»";/);
    assert.match(out, /«secret redacted: basic-auth»/);
    assert.match(out, /AWS_SECRET = "«secret redacted: secret-assignment»";/);
    assert.match(out, /DB_PASSWORD=«secret redacted: secret-assignment»/);
    assert.match(out, /«secret redacted: private-key»/);
    assert.ok(!out.includes(assigned) && !out.includes(aws) && !out.includes('BEGIN RSA PRIVATE KEY-----\n'));
    assert.ok(out.endsWith('const keep = "unchanged";'));
  });

  it('finds an assignment wherever its name holds the keyword, after names and lines that do not match', async () => {
    const [a, b, c, d, e] = [key(), key(), key(), key(), key()];
    const text = [
      `const tokenizer = makeTokenizer(); const password = '${a}';`,
      `config.db.secretToken: "${b}", other.tokens = "short",`,
      'const ordinary = 1;',
      `  export X_AUTH_KEY=${c}`,
      `apiKeyHeader := \`${d}\``,
      `run --flag API_TOKEN=${e}`,
    ].join('\n');
    const out = await new Redactor().redact(text);
    for (const value of [a, b, c, d]) {
      assert.ok(!out.includes(value), `${value} is left in:\n${out}`);
    }
    assert.match(out, /const tokenizer = makeTokenizer\(\); const password = '«secret redacted: secret-assignment»';/);
    assert.match(out, /other\.tokens = "short"/);
    assert.match(out, /^ {2}export X_AUTH_KEY=«secret redacted: secret-assignment»$/m);
    assert.ok(out.endsWith(`run --flag API_TOKEN=${e}`), 'an unquoted value counts only on a line of its own');
  });

  it('keeps no timing record per scan, so a long session does not slow down or grow', async () => {
    const redactor = new Redactor();
    const before = performance.getEntries().length;
    for (let i = 0; i < 50; i++) {
      await redactor.redact(`const value${i} = compute(${i}); // line ${i} of a file`);
    }
    assert.equal(performance.getEntries().length - before, 0, 'each scan left marks in the performance timeline');
  });

  it('leaves placeholders, environment lookups and ordinary hashes alone', async () => {
    const text = [
      'password = "changeme"',
      'const token = process.env.GITHUB_TOKEN;',
      'API_KEY: "${API_KEY}"',
      'const sha = "3f786850e387550fdab836ed7e6dc881de23001b";',
      'const secretKeyName = "aws-secret-key-id";',
    ].join('\n');
    assert.equal(await new Redactor().redact(text), text);
  });

  it('redacts a configured credential of any shape', async () => {
    const odd = `gw-${randomBytes(8).toString('hex')}`;
    rememberConfiguredSecret(odd);
    try {
      assert.equal(await new Redactor().redact(`auth ${odd} ok`), 'auth «secret redacted: configured-key» ok');
      assert.equal(redactKey(`echo ${odd}`), 'echo [redacted key]');
    } finally {
      forgetConfiguredSecret(odd);
    }
  });

  it('counts distinct secrets per owner, tells listeners, and logs file and rule but never the value', async () => {
    const r = new Redactor();
    const lines: string[] = [];
    const events: RedactionEvent[] = [];
    r.log = (_level, message) => lines.push(message);
    r.onRedaction((e) => events.push(e));
    const secret = key();
    const text = `export const API_TOKEN = "${secret}";\n`;
    await r.redact(text, { owner: 'add-auth', file: 'src/config.ts' });
    await r.redact(text, { owner: 'add-auth', file: 'src/config.ts' });
    await r.redact(text, { owner: 'plan', file: 'src/config.ts' });
    assert.deepEqual(r.counts(), { 'add-auth': 1, plan: 1 });
    assert.deepEqual(
      events.map((e) => [e.owner, e.file, e.rule, e.total]),
      [
        ['add-auth', 'src/config.ts', 'secret-assignment', 1],
        ['plan', 'src/config.ts', 'secret-assignment', 1],
      ],
    );
    assert.equal(lines.length, 2);
    assert.match(
      lines[0] ?? '',
      /^src\/config\.ts: a secret \(secret-assignment\) was redacted before it reached subtask add-auth/,
    );
    assert.ok(lines.every((l) => !l.includes(secret)));
  });

  it('scans a text once, however many turns send it again', () => {
    const r = new Redactor();
    const text = `history ${key()}`;
    assert.equal(r.findings(text), r.findings(text));
  });

  it('redacts many texts in one scan and names each file', async () => {
    const r = new Redactor();
    const files: string[] = [];
    r.log = (_l, m) => files.push(m.split(':')[0] ?? '');
    const [a, b] = await r.redactMany(
      [
        { text: `export const A_TOKEN = "${key()}";`, file: 'a.ts' },
        { text: 'export function f(): void;', file: 'b.ts' },
      ],
      'plan',
    );
    assert.equal(a, 'export const A_TOKEN = "«secret redacted: secret-assignment»";');
    assert.equal(b, 'export function f(): void;');
    assert.deepEqual(files, ['a.ts']);
  });

  it('sweeps a request: system, user text and tool results, never the assistant turns', async () => {
    const secret = key();
    const thinking = { type: 'thinking' as const, thinking: `API_TOKEN="${secret}"`, signature: 'sig' };
    const messages: MessageParam[] = [
      { role: 'user', content: `CLIENT_SECRET=${secret}` },
      { role: 'assistant', content: [thinking] },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 't1', content: `const password = "${secret}";` }],
      },
    ];
    const req = { system: `token: "${secret}"`, messages };
    const out = await redactRequest(req, new Redactor(), 'x');
    assert.notEqual(out, req);
    assert.ok(!JSON.stringify([out.system, out.messages[0], out.messages[2]]).includes(secret));
    assert.equal(out.messages[1], messages[1], 'the assistant turn goes back exactly as received');
    const clean = { messages: [{ role: 'user' as const, content: 'hello there, nothing to hide' }] };
    assert.equal(await redactRequest(clean, new Redactor()), clean, 'nothing found: the same object');
  });
});

describe('the editor tool around a redacted secret', () => {
  const secret = key();
  const FILE = `const REGION = 'eu';\nconst API_TOKEN = "${secret}";\nconst N = 1;\n`;
  const redactor = new Redactor();
  const secrets: EditorSecrets = {
    redact: (t, file) => redactor.redact(t, { file }),
    findings: (t) => redactor.findings(t),
  };
  const setup = () => new Overlay(async (rel) => (rel === 'a.ts' ? FILE : null));
  const call = (overlay: Overlay, input: Record<string, unknown>) =>
    executeEditorCall(overlay, { path: 'a.ts', ...input }, async (p) => p, secrets);

  it('shows the marker in view, and edits beside it apply to the real text', async () => {
    const overlay = setup();
    const view = await call(overlay, { command: 'view' });
    assert.ok(containsMarker(view.content) && !view.content.includes(secret));
    const edit = await call(overlay, {
      command: 'str_replace',
      old_str: "const REGION = 'eu';",
      new_str: "const REGION = 'us';",
    });
    assert.equal(edit.isError, false, edit.content);
    assert.ok(!edit.content.includes(secret), 'the snippet after the edit is redacted too');
    assert.equal(await overlay.read('a.ts'), FILE.replace("'eu'", "'us'"));
  });

  it('refuses an edit that copies a marker or covers the secret, and changes nothing', async () => {
    const overlay = setup();
    const marker = 'const API_TOKEN = "«secret redacted: secret-assignment»";';
    for (const input of [
      { command: 'str_replace', old_str: marker, new_str: 'const API_TOKEN = "";' },
      { command: 'str_replace', old_str: 'const N = 1;', new_str: `const N = 1;\n${marker}` },
      { command: 'insert', insert_line: 0, insert_text: marker },
      { command: 'str_replace', old_str: `const API_TOKEN = "${secret}";\n`, new_str: '' },
    ]) {
      const result = await call(overlay, input);
      assert.equal(result.isError, true, JSON.stringify(input));
      assert.match(result.content, /No change was made: .*(marker|redacted secret)/);
      assert.ok(!result.content.includes(secret));
    }
    assert.equal(await overlay.read('a.ts'), FILE);
    assert.deepEqual(await overlay.changes(), []);
    assert.equal(EDITOR_TOOL.name, 'str_replace_based_edit_tool');
  });
});

describe('the model client’s final sweep', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: 'sk-ant-sweep-test-0000' });
  });
  afterEach(() => fake.close());

  it('no request leaves with a secret, whatever built it, and the counts are per owner', async () => {
    const llm = new LlmClient({ apiKey: 'sk-ant-sweep-test-0000', baseURL: fake.url });
    llm.redactor = new Redactor();
    const secret = key();
    fake.enqueue(textReply('ok'));
    const messages: MessageParam[] = [
      { role: 'user', content: `Review this diff:\n+const CLIENT_SECRET = "${secret}";` },
    ];
    await llm.call({ model: modelFor('haiku'), messages, maxTokens: 100 }, { owner: 'fix-login' });
    const body = JSON.stringify(fake.requests[0]?.body);
    assert.ok(!body.includes(secret));
    assert.match(body, /CLIENT_SECRET = \\"«secret redacted: secret-assignment»\\"/);
    assert.equal(llm.redactor.count('fix-login'), 1);
    assert.equal(JSON.stringify(messages).includes(secret), true, 'the caller’s own messages are not changed');
  });
});
