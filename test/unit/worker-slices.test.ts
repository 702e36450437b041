import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { executeEditorCall } from '../../src/core/edits/editorTool';
import { Overlay } from '../../src/core/edits/overlay';
import { LlmClient } from '../../src/core/llm/client';
import { modelFor } from '../../src/core/models';
import type { Subtask } from '../../src/core/plan/schema';
import { WorkspaceRules } from '../../src/core/workspace/rules';
import { describeFocus } from '../../src/core/worker/focusText';
import { SLICE_RULES, mergeRanges, viewOfFile } from '../../src/core/worker/slices';
import { runWorker } from '../../src/core/worker/worker';
import { textReply, toolUseReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

const KEY = 'sk-ant-test-slices-0123456789';
const TOOL = 'str_replace_based_edit_tool';

/** A TypeScript file of about 700 lines: a class with many methods, then two functions. */
function bigSource(): string {
  const lines = ["import { sleep } from './time';", '', '/** A client. */', 'export class Client {'];
  lines.push('  private readonly retries = 2;', '');
  for (let i = 0; i < 60; i++) {
    lines.push(
      `  /** Fetches item ${i}. */`,
      `  async item${i}(id: string): Promise<string> {`,
      `    const url = '/items/${i}/' + id;`,
      `    await sleep(${i});`,
      '    return url;',
      '  }',
      '',
    );
  }
  lines.push(
    '  private async request(path: string): Promise<string> {',
    '    for (let attempt = 0; ; attempt++) {',
    '      const signal = undefined;',
    '      if (attempt >= this.retries) {',
    '        return path;',
    '      }',
    '    }',
    '  }',
    '}',
    '',
  );
  for (let i = 0; i < 30; i++) {
    lines.push(`export const LIMIT_${i} = ${i * 10};`);
  }
  lines.push(
    '',
    '/** Turns a failure into an error. */',
    'export function normalizeError(err: unknown): Error {',
    '  if (err instanceof Error) {',
    '    return err;',
    '  }',
    '  return new Error(String(err));',
    '}',
    '',
  );
  return lines.join('\n');
}

const BIG = bigSource();
const LINES = BIG.split('\n');
const lineOf = (needle: string): number => LINES.findIndex((l) => l.includes(needle)) + 1;

describe('worker slices', () => {
  it('merges ranges widened by context, clamped to the file', () => {
    assert.deepEqual(
      mergeRanges(
        [
          { start: 50, end: 60 },
          { start: 1, end: 2 },
          { start: 64, end: 70 },
          { start: 95, end: 120 },
        ],
        100,
        2,
        1,
      ),
      [
        { start: 1, end: 4 },
        { start: 48, end: 72 },
        { start: 93, end: 100 },
      ],
    );
  });

  it('shows named symbols with line numbers as view shows them, and outlines the rest with line ranges', async () => {
    const file = {
      path: 'src/client.ts',
      text: BIG,
      create: false,
      focus: { symbols: ['Client.request', 'normalizeError'], lines: [] },
    };
    const view = await viewOfFile(file);
    assert.equal(view.whole, false);
    const request = lineOf('private async request');
    const normalize = lineOf('export function normalizeError');
    assert.deepEqual(
      view.shown.map((r) => [r.start, r.end]),
      [
        [request - SLICE_RULES.contextLines, request + 7 + SLICE_RULES.contextLines],
        [normalize - SLICE_RULES.contextLines, LINES.length - 1],
      ],
    );
    // The numbered lines are exactly what the editor tool's view gives for the same range.
    const overlay = new Overlay(async () => BIG);
    const { start, end } = view.shown[0] as { start: number; end: number };
    const viewed = await executeEditorCall(
      overlay,
      { command: 'view', path: 'src/client.ts', view_range: [start, end] },
      async (p) => p,
    );
    assert.ok(view.block.includes(viewed.content), 'slice lines = view lines');
    assert.match(view.block, /\[L1-\d+ not shown\]/);
    assert.ok(!view.block.includes('async item30('), 'a method far from the slices is not shown');
    // The outline gives the enclosing class and nearby members with their ranges; the rest is counted.
    assert.match(view.block, /\nL4-\d+ export class Client\n/);
    assert.match(view.block, /\n {2}L\d+-\d+ async item59\(id: string\): Promise<string>\n/);
    assert.match(view.block, /… \d+ more definitions in L\d+-\d+/);
    assert.ok(view.reads.every((r) => r.path === 'src/client.ts' && r.tokens > 0));
  });

  it('shows a small file, a file without focus and a file mostly covered by its focus whole', async () => {
    const small = 'export const A = 1;\n';
    const focus = { symbols: ['A'], lines: [] };
    assert.equal(
      (await viewOfFile({ path: 'a.ts', text: small, create: false, focus })).block,
      `<file path="a.ts">\n${small}</file>`,
    );
    const noFocus = await viewOfFile({ path: 'b.ts', text: BIG, create: false, focus: { symbols: [], lines: [] } });
    assert.equal(noFocus.whole, true);
    assert.ok(noFocus.block.includes(BIG));
    const most = await viewOfFile({
      path: 'c.ts',
      text: BIG,
      create: false,
      focus: { symbols: [], lines: [{ start: 1, end: Math.ceil(LINES.length * 0.7) }] },
    });
    assert.equal(most.whole, true);
  });

  it('falls back to line ranges for a file without an outline, and says which symbols it no longer defines', async () => {
    const readme = Array.from(
      { length: 400 },
      (_, i) => `| option${i} | number | ${i} | What option ${i} does. |`,
    ).join('\n');
    const md = await viewOfFile({
      path: 'README.md',
      text: `${readme}\n`,
      create: false,
      focus: { symbols: [], lines: [{ start: 200, end: 204 }] },
    });
    assert.deepEqual(md.shown, [{ start: 197, end: 207 }]);
    assert.match(md.block, /\[L1-196 not shown\][\s\S]* {3}200\t\| option199[\s\S]*\[L208-400 not shown\]/);
    assert.ok(!md.block.includes('Outline'));

    const gone = await viewOfFile({
      path: 'src/client.ts',
      text: BIG,
      create: false,
      focus: { symbols: ['normalizeError', 'Client.retryLater'], lines: [] },
    });
    assert.deepEqual(gone.missing, ['Client.retryLater']);
    assert.match(gone.block, /Not found in the file as it is now: Client\.retryLater/);
  });

  it('describes a focus for a tree row', () => {
    assert.equal(
      describeFocus({ symbols: ['parseArgs'], lines: [{ start: 120, end: 180 }] }),
      'L120\u2013180, parseArgs',
    );
    assert.equal(describeFocus({ symbols: [], lines: [] }), '');
    assert.equal(describeFocus(undefined), '');
  });
});

describe('a worker on slices, over the local Messages API', () => {
  let fake: FakeAnthropic;
  let root: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'slices-'));
    await simpleGit(root).init();
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src', 'client.ts'), BIG);
    await fs.writeFile(path.join(root, 'src', 'other.ts'), 'export const OTHER = 1;\n');
    fake = await startFakeAnthropic({ apiKey: KEY });
  });

  afterEach(async () => {
    await fake.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  const SUBTASK: Subtask = {
    id: 'timeout',
    title: 'Abort each attempt after a timeout',
    instructions: 'In Client.request, make the signal time out.',
    model: 'sonnet',
    files: [{ path: 'src/client.ts', create: false, focus: { symbols: ['Client.request'], lines: [] } }],
    acceptanceCriteria: ['each attempt has its own timeout'],
    dependsOn: [],
  };

  it('sends the slice, reads more with view_range, refuses other files, and applies edits outside the slice exactly', async () => {
    const item30 = lineOf('async item30(');
    fake.enqueue(
      toolUseReply([
        { name: TOOL, input: { command: 'view', path: 'src/client.ts', view_range: [item30, item30 + 5] } },
        { name: TOOL, input: { command: 'view', path: 'src/other.ts' } },
      ]),
      toolUseReply([
        {
          name: TOOL,
          input: {
            command: 'str_replace',
            path: 'src/client.ts',
            old_str: '      const signal = undefined;\n',
            new_str: '      const signal = AbortSignal.timeout(1000);\n',
          },
        },
        {
          name: TOOL,
          input: {
            command: 'str_replace',
            path: 'src/client.ts',
            old_str: "    const url = '/items/30/' + id;\n",
            new_str: '    const url = `/items/30/${id}`;\n',
          },
        },
      ]),
      textReply('Done.'),
    );
    const result = await runWorker({
      llm: new LlmClient({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 }),
      model: modelFor('sonnet'),
      goal: 'Time out requests.',
      subtask: SUBTASK,
      read: (rel) => fs.readFile(path.join(root, rel), 'utf8').catch(() => null),
      root,
      rules: await WorkspaceRules.load(root),
      maxTokens: 4000,
      owner: SUBTASK.id,
      attempt: 1,
    });
    const first = JSON.stringify(fake.requests[0]?.body.messages);
    assert.ok(first.includes('      const signal = undefined;'), 'the named method is shown');
    assert.ok(!first.includes('/items/30/'), 'a far method is not');
    assert.ok(first.length < BIG.length / 2, `the first request holds a fraction of the file (${first.length} chars)`);

    const results = JSON.stringify((fake.requests[1]?.body.messages ?? []).at(-1));
    assert.ok(results.includes(`${String(item30 + 1).padStart(6)}\\t    const url = '/items/30/' + id;`));
    assert.match(results, /outside this subtask's scope/);

    const expected = BIG.replace(
      '      const signal = undefined;\n',
      '      const signal = AbortSignal.timeout(1000);\n',
    ).replace("    const url = '/items/30/' + id;\n", '    const url = `/items/30/${id}`;\n');
    assert.deepEqual(result.files, [{ path: 'src/client.ts', base: BIG, target: expected }]);
    assert.deepEqual(
      result.work.reads.map((r) => [r.path, r.start, r.end]),
      [
        ['src/client.ts', lineOf('private async request') - 3, lineOf('private async request') + 10],
        ['src/client.ts', item30, item30 + 5],
      ],
    );
    assert.equal(result.work.edits.length, 2);
  });
});
