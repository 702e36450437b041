import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { dependentsOf, findCycle, scopesOverlap, topoOrder } from '../../src/core/plan/graph';
import type { Plan, Subtask } from '../../src/core/plan/schema';
import { effortOf, focusOf, oneReplyOf } from '../../src/core/plan/schema';
import { PlanStateSchema } from '../../src/core/store/schemas';
import { validatePlan } from '../../src/core/plan/validate';
import { WorkspaceRules } from '../../src/core/workspace/rules';

function subtask(id: string, over: Partial<Subtask> = {}): Subtask {
  return {
    id,
    title: `Do ${id}`,
    instructions: `Carry out ${id}.`,
    model: 'sonnet',
    files: [{ path: 'src/a.ts', create: false }],
    acceptanceCriteria: [`${id} is done`],
    dependsOn: [],
    ...over,
  };
}

function plan(...subtasks: Subtask[]): Plan {
  return { goal: 'Improve the app.', subtasks };
}

describe('plan validation', () => {
  let root: string;
  let rules: WorkspaceRules;

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'plan-validate-'));
    await simpleGit(root).init();
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n');
    await fs.writeFile(path.join(root, 'src', 'b.ts'), 'export const b = 2;\n');
    await fs.writeFile(path.join(root, '.gitignore'), 'build/\n');
    await fs.mkdir(path.join(root, 'build'));
    await fs.writeFile(path.join(root, 'build', 'out.js'), 'compiled\n');
    await fs.writeFile(path.join(root, '.env'), 'TOKEN=secret\n');
    rules = await WorkspaceRules.load(root);
  });

  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function errorsOf(raw: unknown): Promise<string[]> {
    const result = await validatePlan(raw, { root, rules });
    assert.equal(result.ok, false, 'the plan should be refused');
    return result.ok ? [] : result.errors;
  }

  it('accepts a good plan and normalises its paths to workspace-relative form', async () => {
    const raw = plan(
      subtask('add-parser', {
        files: [
          { path: './src/a.ts', create: false },
          { path: 'src\\b.ts', create: false },
          { path: 'src/parser.ts', create: true },
        ],
      }),
      subtask('use-parser', { files: [{ path: `${root}/src/b.ts`, create: false }], dependsOn: ['add-parser'] }),
    );
    const result = await validatePlan(raw, { root, rules });
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    assert.deepEqual(
      result.plan.subtasks[0]?.files.map((f) => f.path),
      ['src/a.ts', 'src/b.ts', 'src/parser.ts'],
    );
    assert.deepEqual(result.plan.subtasks[1]?.files, [{ path: 'src/b.ts', create: false }]);
  });

  it('reports schema errors with the field path', async () => {
    const raw = plan(subtask('one'), subtask('two'), { ...subtask('three'), model: 'gpt' } as unknown as Subtask);
    const errors = await errorsOf(raw);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^subtasks\[2\]\.model: /);
    const missing = await errorsOf({ goal: 'x' });
    assert.match(missing[0] ?? '', /^subtasks: /);
  });

  it('requires at least one subtask', async () => {
    const errors = await errorsOf(plan());
    assert.match(errors.join('\n'), /no subtasks/);
  });

  it('refuses duplicate and badly formed ids', async () => {
    const errors = await errorsOf(plan(subtask('same'), subtask('same'), subtask('Bad Id')));
    assert.ok(errors.some((e) => /"same".*more than one subtask/.test(e)));
    assert.ok(errors.some((e) => /"Bad Id".*lowercase letters, digits and dashes/.test(e)));
  });

  it('refuses unknown dependencies and a subtask depending on itself', async () => {
    const errors = await errorsOf(plan(subtask('a', { dependsOn: ['ghost'] }), subtask('b', { dependsOn: ['b'] })));
    assert.ok(errors.some((e) => /subtask "a": dependsOn names "ghost", which is not a subtask/.test(e)));
    assert.ok(errors.some((e) => /subtask "b": dependsOn names the subtask itself/.test(e)));
  });

  it('names a dependency cycle', async () => {
    const errors = await errorsOf(
      plan(subtask('a', { dependsOn: ['b'] }), subtask('b', { dependsOn: ['c'] }), subtask('c', { dependsOn: ['a'] })),
    );
    assert.ok(
      errors.some((e) => e.includes('a → b → c → a')),
      errors.join('\n'),
    );
  });

  it('requires at least one file per subtask', async () => {
    const errors = await errorsOf(plan(subtask('empty', { files: [] })));
    assert.ok(errors.some((e) => /subtask "empty": no files in scope/.test(e)));
  });

  it('refuses paths outside the workspace, in .git, secret or ignored, naming subtask and path', async () => {
    const cases: Array<[string, RegExp]> = [
      ['../outside.ts', /outside the workspace/],
      ['.git/config', /inside \.git/],
      ['.env', /credential file/],
      ['build/out.js', /excluded by \.gitignore/],
    ];
    for (const [p, why] of cases) {
      const errors = await errorsOf(plan(subtask('leaky', { files: [{ path: p, create: false }] })));
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.ok(errors[0]?.startsWith('subtask "leaky": '), errors[0]);
      assert.ok(errors[0]?.includes(JSON.stringify(p)), errors[0]);
      assert.match(errors[0] ?? '', why);
    }
  });

  it('requires existing files to exist and new files not to', async () => {
    const errors = await errorsOf(
      plan(
        subtask('edit-ghost', { files: [{ path: 'src/ghost.ts', create: false }] }),
        subtask('recreate', { files: [{ path: 'src/a.ts', create: true }] }),
        subtask('folder', { files: [{ path: 'src', create: false }] }),
      ),
    );
    assert.ok(errors.some((e) => /"edit-ghost": "src\/ghost\.ts" does not exist; set create to true/.test(e)));
    assert.ok(errors.some((e) => /"recreate": "src\/a\.ts" already exists; set create to false/.test(e)));
    assert.ok(errors.some((e) => /"folder": "src" is not a file/.test(e)));
  });

  it('lets a subtask edit a file created by a subtask it depends on, and no other', async () => {
    const make = subtask('make', { files: [{ path: 'src/new.ts', create: true }] });
    const good = await validatePlan(
      plan(make, subtask('edit', { files: [{ path: 'src/new.ts', create: false }], dependsOn: ['make'] })),
      { root, rules },
    );
    assert.ok(good.ok, good.ok ? '' : good.errors.join('\n'));
    const errors = await errorsOf(plan(make, subtask('edit', { files: [{ path: 'src/new.ts', create: false }] })));
    assert.ok(errors.some((e) => /"edit": "src\/new\.ts" does not exist/.test(e)));
  });

  describe('limits', () => {
    it('caps the length of ids, in a message the repair round can act on', async () => {
      const long = `fix-${'a'.repeat(196)}`;
      const errors = await errorsOf(plan(subtask(long, { title: 'Fix a', acceptanceCriteria: ['a is fixed'] })));
      assert.equal(errors.length, 1);
      assert.match(errors[0] ?? '', /^subtask "fix-a+…": the id is 200 characters; use at most 64/);
      assert.ok((errors[0] ?? '').length < 200, errors[0]);
    });

    it('refuses a path past the length limits with a short message instead of a system error', async () => {
      const deep = `src/${'d'.repeat(300)}/a.ts`;
      const long = `src/${'abcdefgh/'.repeat(600)}a.ts`;
      const errors = await errorsOf(
        plan(
          subtask('one', { files: [{ path: deep, create: true }] }),
          subtask('two', { files: [{ path: long, create: true }] }),
        ),
      );
      assert.equal(errors.length, 2, errors.join('\n'));
      assert.match(
        errors[0] ?? '',
        /subtask "one": the path "src\/d+…" has a name of 300 bytes; names have at most 255/,
      );
      assert.match(
        errors[1] ?? '',
        /subtask "two": the path "src\/abcdefgh\/.*…" is 5,408 bytes long; paths have at most 1,024/,
      );
      for (const e of errors) {
        assert.ok(e.length < 250 && !/ENAMETOOLONG/.test(e), e);
      }
    });

    it('refuses a plan of thousands of subtasks without checking each one', async () => {
      const many = Array.from({ length: 5000 }, (_, i) => subtask(`s${i}`));
      const errors = await errorsOf(plan(...many));
      assert.deepEqual(errors, ['subtasks: the plan has 5,000 subtasks; use at most 500 (merge small ones).']);
    });

    it('caps files, criteria and dependencies per subtask and the length of every text', async () => {
      const files = Array.from({ length: 60 }, (_, i) => ({ path: `src/gen${i}.ts`, create: true }));
      const errors = await errorsOf(
        plan(
          subtask('wide', { files }),
          subtask('wordy', {
            title: 't'.repeat(1000),
            instructions: 'i'.repeat(200_000),
            acceptanceCriteria: Array.from({ length: 40 }, (_, i) => `criterion ${i}`),
          }),
          subtask('vague', { acceptanceCriteria: ['c'.repeat(5000)] }),
        ),
      );
      assert.deepEqual(errors, [
        'subtask "wide": 60 files in scope; use at most 50 (split the subtask).',
        'subtask "wordy": the title is 1,000 characters; use at most 200.',
        'subtask "wordy": the instructions are 200,000 characters; use at most 20,000.',
        'subtask "wordy": 40 acceptance criteria; use at most 20.',
        'subtask "vague": acceptance criterion 1 is 5,000 characters; use at most 1,000.',
      ]);
    });

    it('refuses binary files and files over the size limit in scope; a Latin-1 text file is fine', async () => {
      await fs.writeFile(path.join(root, 'src', 'logo.png'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
      await fs.writeFile(path.join(root, 'src', 'huge.json'), `${'["a large generated file"],\n'.repeat(90_000)}`);
      await fs.writeFile(path.join(root, 'src', 'latin.txt'), Buffer.from('caf\xe9\n', 'latin1'));
      const errors = await errorsOf(
        plan(
          subtask('art', { files: [{ path: 'src/logo.png', create: false }] }),
          subtask('data', { files: [{ path: 'src/huge.json', create: false }] }),
        ),
      );
      assert.deepEqual(errors, [
        'subtask "art": src/logo.png is a binary file; only text files can be read or edited.',
        'subtask "data": src/huge.json is 2.4 MB, over the 2 MB limit for a file a model reads or edits; ' +
          'leave it out of scope, or name a smaller file.',
      ]);
      const ok = await validatePlan(plan(subtask('notes', { files: [{ path: 'src/latin.txt', create: false }] })), {
        root,
        rules,
      });
      assert.equal(ok.ok, true, ok.ok ? '' : ok.errors.join('\n'));
    });
  });
});

describe('plan validation of what each worker sees', () => {
  let root: string;
  let rules: WorkspaceRules;
  const PARSER = [
    'export interface Options {',
    '  strict: boolean;',
    '}',
    '',
    'export function parseArgs(argv: string[]): Options {',
    '  return { strict: argv.includes("--strict") };',
    '}',
    '',
    'export class Lexer {',
    '  next(): string {',
    "    return '';",
    '  }',
    '}',
    '',
  ].join('\n');

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'plan-focus-'));
    await simpleGit(root).init();
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src', 'parser.ts'), PARSER);
    await fs.writeFile(path.join(root, 'notes.txt'), 'one\ntwo\n');
    rules = await WorkspaceRules.load(root);
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const focused = (focus: unknown, p = 'src/parser.ts', create = false): unknown =>
    plan(subtask('edit', { files: [{ path: p, create, focus } as never] }));

  it('accepts named symbols and ranges within the file, and keeps them', async () => {
    const focus = { symbols: ['parseArgs', 'Lexer'], lines: [{ start: 1, end: 3 }] };
    const result = await validatePlan(focused(focus), { root, rules });
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    assert.deepEqual(result.plan.subtasks[0]?.files[0]?.focus, focus);
  });

  it('names the symbols a file does define when the plan names one it does not', async () => {
    const result = await validatePlan(focused({ symbols: ['parseArguments'], lines: [] }), { root, rules });
    assert.equal(result.ok, false);
    const [error] = result.ok ? [] : result.errors;
    assert.match(error ?? '', /^subtask "edit": "src\/parser\.ts" defines no "parseArguments"; its definitions are: /);
    for (const name of ['Options', 'parseArgs', 'Lexer']) {
      assert.ok(error?.includes(name), `${name} is not offered in: ${error}`);
    }
  });

  it('refuses line ranges outside the file, saying how long it is', async () => {
    const result = await validatePlan(
      focused({
        symbols: [],
        lines: [
          { start: 10, end: 40 },
          { start: 5, end: 2 },
          { start: 0, end: 3 },
        ],
      }),
      { root, rules },
    );
    const errors = result.ok ? [] : result.errors;
    assert.equal(errors.length, 3, errors.join('\n'));
    assert.match(errors[0] ?? '', /lines 10-40: the file has 13 lines; give 1-based ranges within 1-13/);
    assert.match(errors[1] ?? '', /lines 5-2: the range ends before it starts/);
  });

  it('refuses a focus on a file the subtask creates', async () => {
    const result = await validatePlan(focused({ symbols: ['x'], lines: [] }, 'src/new.ts', true), { root, rules });
    assert.match(result.ok ? '' : (result.errors[0] ?? ''), /"src\/new\.ts" does not exist yet.*leave its focus empty/);
  });

  it('asks for line ranges where the file has no outline', async () => {
    const result = await validatePlan(focused({ symbols: ['one'], lines: [] }, 'notes.txt'), { root, rules });
    assert.match(result.ok ? '' : (result.errors[0] ?? ''), /give focus\.lines instead of symbols/);
    const lines = await validatePlan(focused({ symbols: [], lines: [{ start: 1, end: 2 }] }, 'notes.txt'), {
      root,
      rules,
    });
    assert.ok(lines.ok);
  });

  it('loads a plan stored before focus and effort existed, defaulting them', async () => {
    const stored = {
      goal: 'Old plan.',
      subtasks: [
        { ...subtask('a', { files: [{ path: 'src/parser.ts', create: false }] }), model: 'haiku' },
        { ...subtask('b', { files: [{ path: 'src/parser.ts', create: false }], dependsOn: ['a'] }), model: 'opus' },
      ],
    };
    const state = PlanStateSchema.parse({
      id: 'p1',
      task: 'old',
      createdAt: new Date(0).toISOString(),
      plan: stored,
      subtasks: {},
      ledger: [],
      opusOnlyEstimate: { inputTokens: 0, outputTokens: 0, cost: 0 },
    });
    assert.deepEqual(focusOf(state.plan.subtasks[0]!.files[0]!), { symbols: [], lines: [] });
    assert.deepEqual(state.plan.subtasks.map(effortOf), ['low', 'high']);
    assert.deepEqual(state.plan.subtasks.map(oneReplyOf), [false, false], 'no one-reply expectation');
    const result = await validatePlan(state.plan, { root, rules });
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    assert.deepEqual(
      result.plan.subtasks.map((s) => [effortOf(s), focusOf(s.files[0]!), oneReplyOf(s)]),
      [
        ['low', { symbols: [], lines: [] }, false],
        ['high', { symbols: [], lines: [] }, false],
      ],
    );
    assert.ok(
      result.plan.subtasks.every((s) => !('oneReply' in s)),
      'left out, not filled in',
    );
  });

  it('keeps the planner’s one-reply expectation through the checks and the store', async () => {
    const made = plan(
      { ...subtask('a', { files: [{ path: 'src/parser.ts', create: false }] }), oneReply: true },
      { ...subtask('b', { files: [{ path: 'notes.txt', create: false }] }), oneReply: false },
    );
    const result = await validatePlan(made, { root, rules });
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    const state = PlanStateSchema.parse({
      id: 'p1',
      task: 'new',
      createdAt: new Date(0).toISOString(),
      plan: JSON.parse(JSON.stringify(result.plan)),
      subtasks: {},
      ledger: [],
      opusOnlyEstimate: { inputTokens: 0, outputTokens: 0, cost: 0 },
    });
    assert.deepEqual(state.plan.subtasks.map(oneReplyOf), [true, false]);
  });
});

describe('plan graph', () => {
  const p = plan(
    subtask('docs', { dependsOn: ['api', 'ui'], files: [{ path: 'README.md', create: false }] }),
    subtask('ui', { dependsOn: ['api'], files: [{ path: './src/ui.ts', create: false }] }),
    subtask('api', {
      files: [
        { path: 'src/ui.ts', create: false },
        { path: 'src/api.ts', create: false },
      ],
    }),
    subtask('lint'),
  );

  it('orders subtasks after their dependencies, keeping plan order otherwise', () => {
    assert.deepEqual(topoOrder(p), ['api', 'ui', 'docs', 'lint']);
  });

  it('lists direct dependents', () => {
    assert.deepEqual(dependentsOf(p, 'api'), ['docs', 'ui']);
    assert.deepEqual(dependentsOf(p, 'lint'), []);
  });

  it('finds no cycle in an acyclic plan, and the cycle in order otherwise', () => {
    assert.equal(findCycle(p), undefined);
    const cyclic = plan(subtask('x', { dependsOn: ['y'] }), subtask('y', { dependsOn: ['x'] }));
    assert.deepEqual(findCycle(cyclic), ['x', 'y']);
  });

  it('reports shared paths after normalising ./', () => {
    const [, ui, api] = p.subtasks;
    assert.ok(ui && api);
    assert.deepEqual(scopesOverlap(ui, api), ['src/ui.ts']);
    assert.deepEqual(scopesOverlap(api, subtask('other', { files: [{ path: 'SRC/UI.ts', create: false }] })), []);
  });
});
