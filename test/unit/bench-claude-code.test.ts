import assert from 'node:assert/strict';
import { MODEL_TABLE } from '../../src/core/models';
import { buildRepoMap } from '../../src/core/plan/repoMap';
import { textReply, toolUseReply } from '../fake-anthropic/replies';
import { API_RULES, Meter, extraPromptTokens, outputTokensOf } from '../bench/claudeCode/apiRules';
import { READ_LINES, leanTurns } from '../bench/claudeCode/claudeRun';
import { THINKING, expectedFiles, jobOf, thinkingOf } from '../bench/claudeCode/job';
import { generateLibRepo, libFiles } from '../bench/claudeCode/libRepo';
import { plannerTurns, workerTurns } from '../bench/claudeCode/productRun';
import type { PromptBody } from '../bench/promptCache';
import { PromptCache, promptTokensOf } from '../bench/promptCache';

const marker = { type: 'ephemeral' };
const EDITOR = [{ type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' }];
const files = libFiles();
const lines = (rel: string): number => (files.get(rel) ?? '').split('\n').length;

describe('bench: Claude Code side by side', () => {
  describe('the generated library and job', () => {
    it('has source files of realistic size: clients of 1,000–3,000 lines, long types, tests and READMEs', () => {
      for (const pkg of ['http', 'stream', 'upload', 'socket']) {
        const client = lines(`packages/${pkg}/src/client.ts`);
        assert.ok(client >= 1000 && client <= 3000, `${pkg} client has ${client} lines`);
        assert.ok(lines(`packages/${pkg}/src/types.ts`) >= 1000);
        assert.ok(lines(`packages/${pkg}/test/client.test.ts`) >= 500);
        assert.ok(lines(`packages/${pkg}/README.md`) >= 300);
      }
    });

    it('touches 5 files with 6 edits per package, at 1×, 2× and 4×', () => {
      for (const size of [1, 2, 4]) {
        const job = jobOf(size, files);
        assert.equal(job.edits.length, 6 * size);
        assert.equal(new Set(job.edits.map((e) => e.path)).size, 5 * size);
        assert.deepEqual(
          job.plan.subtasks.map((s) => s.model),
          ['sonnet', 'sonnet', 'haiku'],
        );
        // Every edited file is in exactly one subtask's scope.
        const scoped = job.plan.subtasks.flatMap((s) => s.files.map((f) => f.path)).sort();
        assert.deepEqual(scoped, [...new Set(job.edits.map((e) => e.path))].sort());
      }
    });

    it('anchors every edit on text found exactly once, at the line it names', () => {
      const job = jobOf(4, files);
      for (const e of job.edits) {
        const text = files.get(e.path) as string;
        assert.equal(text.split(e.oldStr).length, 2, `${e.path}: old text must occur once`);
        const first = e.oldStr.split('\n')[0] as string;
        assert.equal(text.split('\n')[e.line - 1], first, `${e.path}:${e.line}`);
      }
      const expected = expectedFiles(job, files);
      assert.equal(expected.size, 20);
      for (const [rel, text] of expected) {
        assert.ok(text.includes('requestTimeoutMs') || text.includes("'TimeoutError'"), rel);
      }
    });
  });

  describe('the scripts of both sides', () => {
    it('gives Claude Code one Grep, one turn of ranged Reads around every site, one turn of all Edits, an answer', () => {
      const job = jobOf(2, files);
      const turns = leanTurns(job, '/ws');
      assert.equal(turns.length, 4);
      const calls = turns.map((t) => t.content.filter((b) => b.type === 'tool_use'));
      assert.deepEqual(
        calls.map((c) => c.length),
        [1, 12, 12, 0],
      );
      calls[1]?.forEach((b, i) => {
        const input = (b as { input: { offset: number; limit: number; file_path: string } }).input;
        const site = job.edits[i]?.line as number;
        assert.equal(input.limit, READ_LINES);
        assert.ok(input.limit >= 40 && input.limit <= 80);
        assert.ok(input.offset <= site && site < input.offset + input.limit, `read ${input.offset} covers ${site}`);
        assert.ok(input.file_path.startsWith('/ws/'));
      });
      assert.ok(turns.every((t) => t.content[0]?.type === 'thinking'));
    });

    it('thinks the same per edit on both sides, and each worker makes its edits in one turn', () => {
      const job = jobOf(1, files);
      const thinking = (t: { content: { type: string; thinking?: string }[] }): number =>
        t.content.filter((b) => b.type === 'thinking').reduce((n, b) => n + (b.thinking?.length ?? 0), 0);
      const claudeEdits = thinking(leanTurns(job, '/ws')[2] as never);
      const workerEdits = job.plan.subtasks
        .map((s) => thinking(workerTurns(job, s)[0] as never))
        .reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(claudeEdits - workerEdits) <= 3 * 3.5 * 2, `${claudeEdits} vs ${workerEdits} characters`);
      const block = thinkingOf(THINKING.perEdit, 'x');
      assert.equal(block.type === 'thinking' ? block.thinking.length : 0, THINKING.perEdit * 3.5);
      for (const s of job.plan.subtasks) {
        const [edits] = workerTurns(job, s);
        const calls = edits?.content.filter((b) => b.type === 'tool_use') as Array<{ name: string }> | undefined;
        // Every edit of its files, then finish: no closing turn.
        assert.equal(calls?.length, job.edits.filter((e) => s.files.some((f) => f.path === e.path)).length + 1);
        assert.equal(calls?.at(-1)?.name, 'finish');
        assert.equal(workerTurns(job, s).length, 1);
      }
    });
  });

  describe('the scripted product side', () => {
    it('plans after one search when its map names no place, thinking as much as Claude Code locating', () => {
      const job = jobOf(2, files);
      const { turns, searched } = plannerTurns(job, '# Repository map\n\n## Files\npackages/ (40 files)\n');
      assert.equal(searched, true);
      const thinking = (t: { content: { type: string; thinking?: string }[] }): number =>
        t.content.filter((b) => b.type === 'thinking').reduce((n, b) => n + (b.thinking?.length ?? 0), 0);
      const claude = leanTurns(job, '/ws');
      assert.equal(
        turns.reduce((n, t) => n + thinking(t as never), 0),
        thinking(claude[0] as never) + thinking(claude[1] as never),
      );
      assert.equal(turns[0]?.content.filter((b) => b.type === 'tool_use').length, 1);
      for (const s of job.plan.subtasks) {
        assert.ok(s.effort, `${s.id} has an effort`);
        assert.equal(s.oneReply, true, `${s.id}: its scripted worker edits and finishes in one reply`);
        for (const f of s.files) {
          const lines = f.focus?.lines ?? [];
          for (const e of job.edits.filter((x) => x.path === f.path && lines.length > 0)) {
            assert.ok(
              lines.some((r) => r.start <= e.line && e.line <= r.end),
              `${f.path}: the focus shows ${e.line}`,
            );
          }
        }
      }
    });

    it('plans straight from the map when the map it is sent names the test and README places', async () => {
      const repo = await generateLibRepo();
      try {
        for (const size of [1, 2]) {
          const job = jobOf(size, files);
          const map = await buildRepoMap({ root: repo.root, task: job.task });
          const { turns, plan, searched } = plannerTurns(job, map.text);
          assert.equal(searched, false, `at ${size}× the map names the places:\n${map.text}`);
          assert.equal(turns.length, 1);
          assert.equal(turns[0]?.content.filter((b) => b.type === 'tool_use').length, 0);
          // The lines come from the map's entries, and they hold the edit sites of the tests and the READMEs.
          for (const e of job.edits.filter((x) => x.path.endsWith('.test.ts') || x.path.endsWith('README.md'))) {
            const focus = plan.subtasks.flatMap((s) => s.files).find((f) => f.path === e.path)?.focus;
            const range = focus?.lines[0];
            assert.ok(
              range && range.start <= e.line && e.line <= range.end,
              `${e.path}:${e.line} in ${JSON.stringify(range)}`,
            );
            const entry = map.text
              .split('\n')
              .find((l) => l.includes(` L${range.start}-${range.end}`) && /## Options|it\('retries a 503/.test(l));
            assert.ok(entry, `L${range.start}-${range.end} is the lines of a map entry`);
          }
          // The same map without those entries: the planner searches first.
          const blind = map.text
            .split('\n')
            .filter((l) => !l.includes('## Options') && !l.includes("it('retries a 503"))
            .join('\n');
          assert.equal(plannerTurns(job, blind).searched, true);
        }
      } finally {
        await repo.cleanup();
      }
    });

    it('makes a worker read with view_range what its slices leave out, before it edits', () => {
      const job = jobOf(1, files);
      const tests = job.plan.subtasks.find((s) => s.id === 'timeout-tests');
      assert.ok(tests);
      const [view, edits, after] = workerTurns(job, tests, () => '');
      const call = view?.content.find((b) => b.type === 'tool_use') as { input: { view_range: number[] } } | undefined;
      const site = job.edits.find((e) => e.path.endsWith('.test.ts'))?.line as number;
      assert.ok(call && call.input.view_range[0]! <= site && site <= call.input.view_range[1]!);
      const calls = edits?.content.filter((b) => b.type === 'tool_use') as Array<{ name: string }> | undefined;
      assert.deepEqual(
        calls?.map((c) => c.name),
        ['str_replace_based_edit_tool', 'finish'],
      );
      assert.equal(after, undefined, 'the edits end the run');
      assert.equal(workerTurns(job, tests).length, 1, 'nothing to read when everything is shown');
    });
  });

  describe('counting', () => {
    it('adds the tool-use system prompt and the text editor tool to a request with tools', () => {
      const body: PromptBody = { model: MODEL_TABLE.sonnet.id, tools: EDITOR, messages: [] };
      assert.equal(extraPromptTokens(body), API_RULES.toolUseSystemPrompt.sonnet + 700);
      assert.equal(extraPromptTokens({ model: MODEL_TABLE.opus.id, messages: [] }), 0);
    });

    it('counts output from thinking, text and tool inputs', () => {
      const reply = toolUseReply([{ name: 'Edit', input: { a: 'b' } }]);
      const thinking = {
        ...textReply('x'.repeat(35)),
        content: [thinkingOf(10, 't'), ...textReply('y'.repeat(35)).content],
      };
      assert.equal(outputTokensOf(reply), Math.ceil(JSON.stringify({ a: 'b' }).length / 3.5));
      assert.equal(outputTokensOf(thinking), 20);
    });

    it('caches each model by its own minimum prefix', () => {
      const cache = new PromptCache({ minTokens: (m) => (m === 'small' ? 512 : 4096) });
      const text = 'p'.repeat(3.5 * 2000);
      const body = (model: string): PromptBody => ({
        model,
        messages: [{ role: 'user', content: [{ type: 'text', text, cache_control: marker }] }],
      });
      cache.account(body('small'));
      assert.equal(cache.account(body('small')).cacheRead, promptTokensOf(body('small')));
      cache.account(body('large'));
      assert.equal(cache.account(body('large')).cacheRead, 0);
    });

    it('forgets an entry five minutes after its last use, and a read keeps it alive', () => {
      const cache = new PromptCache({ minTokens: () => 512, ttlMs: API_RULES.ttlMs });
      const body: PromptBody = {
        model: 'm',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'q'.repeat(7000), cache_control: marker }] }],
      };
      cache.account(body, 0);
      assert.ok(cache.account(body, 4 * 60_000).cacheRead > 0);
      assert.ok(cache.account(body, 8 * 60_000).cacheRead > 0, 'the read at 4 min renewed it');
      assert.equal(cache.account(body, 14 * 60_000).cacheRead, 0);
    });

    it('puts the API’s additions in front: cached with the prefix and counted in the total', () => {
      const cache = new PromptCache({ minTokens: () => 512, extraTokens: () => 1000 });
      const body: PromptBody = {
        model: 'm',
        system: [{ type: 'text', text: 's'.repeat(3500), cache_control: marker }],
        messages: [{ role: 'user', content: 'hello' }],
      };
      const first = cache.account(body);
      assert.equal(first.input + first.cacheRead + first.cacheWrite, promptTokensOf(body) + 1000);
      assert.ok(first.cacheWrite >= 2000);
      assert.equal(cache.account(body).cacheRead, first.cacheWrite);
    });

    it('reads a message back when it is re-sent as a string after its breakpoint moved on', () => {
      // Claude Code sends a message as a marked text block, then as plain string content on later turns.
      const cache = new PromptCache(512);
      const text = 'e'.repeat(7000);
      const first: PromptBody = {
        model: 'm',
        messages: [{ role: 'user', content: [{ type: 'text', text, cache_control: marker }] }],
      };
      const written = cache.account(first).cacheWrite;
      const later: PromptBody = {
        model: 'm',
        messages: [
          { role: 'user', content: text },
          { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
          { role: 'user', content: [{ type: 'text', text: 'next', cache_control: marker }] },
        ],
      };
      assert.ok(cache.account(later).cacheRead >= written - 1);
    });

    it('meters both sides alike: the same request and reply cost the same on two meters', () => {
      const body: PromptBody = {
        model: MODEL_TABLE.opus.id,
        tools: [{ name: 'Read', description: 'r'.repeat(4000), input_schema: { type: 'object' } }],
        system: [{ type: 'text', text: 'sys', cache_control: marker }],
        messages: [{ role: 'user', content: 'go' }],
      };
      const reply = textReply('done');
      const a = new Meter().measure(body, reply, 0);
      const b = new Meter().measure(body, reply, 0);
      assert.deepEqual(a, b);
      assert.ok(a.cost > 0);
      assert.equal(a.prompt, promptTokensOf(body) + API_RULES.toolUseSystemPrompt.opus);
    });
  });
});
