import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { diskIO } from '../../src/cli/diskIO';
import { LlmClient } from '../../src/core/llm/client';
import { Orchestrator, OrchestratorError } from '../../src/core/orchestrator';
import { Store } from '../../src/core/store/store';
import { jsonReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

const PLAN = {
  goal: 'Tidy.',
  subtasks: [
    {
      id: 'tidy',
      title: 'Tidy the module',
      instructions: 'Tidy a.ts.',
      model: 'haiku',
      files: [{ path: 'src/a.ts', create: false }],
      acceptanceCriteria: ['tidy'],
      dependsOn: [],
    },
  ],
};

describe('Edit Files in Scope refuses what a plan may not name', function () {
  this.timeout(30_000);
  let fake: FakeAnthropic;
  let base: string;
  let root: string;

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'opus-scope-')));
    root = path.join(base, 'ws');
    for (const rel of ['src/a.ts', '.aws/credentials', '.vscode/settings.json', 'infra/prod.tfstate']) {
      await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await fs.writeFile(path.join(root, rel), 'x = 1\n');
    }
    await fs.writeFile(path.join(base, 'elsewhere.ts'), 'export const x = 1;\n');
    await fs.link(path.join(base, 'elsewhere.ts'), path.join(root, 'src/linked.ts'));
    await simpleGit(root).init();
  });

  afterEach(async () => {
    await fake.close();
    await fs.rm(base, { recursive: true, force: true });
  });

  it('names the rule for credentials, and refuses editor settings, hard links and .git aliases', async () => {
    const orch = new Orchestrator({
      root,
      llm: new LlmClient({ apiKey: 'sk-ant-unit', baseURL: fake.url, maxRetries: 0 }),
      store: new Store(root),
      io: diskIO(root),
    });
    fake.enqueue(jsonReply(PLAN));
    await orch.plan('Tidy');
    const cases: Array<[string, RegExp]> = [
      ['.aws/credentials', /credential file \(AWS credentials; rule "aws-credentials"\)/],
      ['infra/prod.tfstate', /rule "terraform-state"/],
      ['.vscode/settings.json', /is protected/],
      ['src/linked.ts', /has 2 hard links/],
      ['GIT~1/config', /inside \.git/],
    ];
    for (const [p, message] of cases) {
      await assert.rejects(orch.setFiles('tidy', [{ path: p, create: false }]), (e: unknown) => {
        assert.ok(e instanceof OrchestratorError && e.code === 'invalid', String(e));
        assert.match(e.message, message);
        return true;
      });
    }
    assert.deepEqual(orch.subtask('tidy')?.spec.files, [{ path: 'src/a.ts', create: false }], 'nothing changed');
  });
});
