import type { MessageReply } from '../fake-anthropic/replies';
import { textReply, toolUseReply } from '../fake-anthropic/replies';
import type { Plan, Subtask } from '../../src/core/plan/schema';
import { Rng } from './random';
import type { GeneratedRepo, RepoModule } from './repoGen';

export const EDITOR_TOOL_NAME = 'str_replace_based_edit_tool';

/** A plan Opus returns and, per subtask, the worker's turns in order (the last one ends the run). */
export interface Scenario {
  name: string;
  task: string;
  plan: Plan;
  turns: Map<string, MessageReply[]>;
}

const SNIPPETS: string[][] = [
  ['const remaining = Math.max(0, amount - 1);'],
  ['if (options.dryRun === true) {', '  return true;', '}'],
  ['const key = id.trim().toLowerCase();', 'if (key.length === 0) {', '  return false;', '}'],
  ['const note = `refund ${id} of ${amount} after ${Date.now() - started} ms`;', 'void note;'],
  ['if (amount > 10_000) {', '  return false;', '}'],
];

/** A block of code of realistic size to add next to an anchor line: a method inside a class, else a function. */
function codeBlock(rng: Rng, anchor: string, label: string): string {
  const indent = /^\s/.test(anchor) ? '  ' : '';
  const params = 'id: string, amount: number, options: { dryRun?: boolean } = {}';
  const head = indent
    ? `async ${label}(${params}): Promise<boolean> {`
    : `export function ${label}(${params}): boolean {`;
  const body = [
    'const started = Date.now();',
    'if (!Number.isFinite(amount) || amount <= 0) {',
    `  throw new RangeError(\`${label}: amount must be positive, got \${amount}\`);`,
    '}',
  ];
  for (let i = rng.int(2, 8); i > 0; i--) {
    body.push(...rng.pick(SNIPPETS));
  }
  body.push('return true;');
  return [`${indent}${head}`, ...body.map((l) => `${indent}  ${l}`), `${indent}}`].join('\n');
}

/** The worker's turns for a subtask: a short remark and one edit per file, then a one-paragraph summary. */
function workerTurns(rng: Rng, sub: Subtask, modules: Map<string, RepoModule>): MessageReply[] {
  const turns: MessageReply[] = [];
  sub.files.forEach((f, i) => {
    const label = `${sub.id.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Step${i}`;
    const mod = modules.get(f.path);
    const say = { type: 'text' as const, text: `I'll update ${f.path} for "${sub.title}" (${label}).` };
    let input: Record<string, unknown>;
    if (f.create || !mod) {
      input = { command: 'create', path: f.path, file_text: `${codeBlock(rng, 'export', label)}\n` };
    } else {
      const anchor = mod.anchors[i % mod.anchors.length] as string;
      input = {
        command: 'str_replace',
        path: f.path,
        old_str: anchor,
        new_str: `${codeBlock(rng, anchor, label)}\n\n${anchor}`,
      };
    }
    const reply = toolUseReply([{ name: EDITOR_TOOL_NAME, input }]);
    turns.push({ ...reply, content: [say, ...reply.content] });
  });
  const files = sub.files.map((f) => f.path).join(', ');
  turns.push(
    textReply(
      `Done: ${sub.title}. I changed ${files}. ${sub.acceptanceCriteria.join(' ')} ` +
        'Each new code path validates its amount and returns early on a dry run; nothing outside the listed files ' +
        'was touched, and the existing exports keep their signatures.',
    ),
  );
  return turns;
}

function subtask(
  id: string,
  title: string,
  model: 'sonnet' | 'haiku',
  files: Subtask['files'],
  dependsOn: string[],
): Subtask {
  return {
    id,
    title,
    model,
    files,
    dependsOn,
    instructions:
      `${title}. Work only in the listed files. Keep the existing public signatures; add new functions next to the ` +
      `code they extend, validate amounts (positive, finite) and honour dryRun. Task step ${id}.`,
    acceptanceCriteria: [
      `${title} is implemented in ${files.map((f) => f.path).join(' and ')}.`,
      'Amounts that are not positive and finite are rejected with a RangeError.',
      'Existing exports are unchanged.',
    ],
  };
}

function pickModules(repo: GeneratedRepo, count: number): RepoModule[] {
  const pool = repo.modules.filter((m) => m.anchors.length >= 3).sort((a, b) => a.path.localeCompare(b.path));
  const domain = pool[0]?.domain;
  const same = pool.filter((m) => m.domain === domain);
  const chosen = (same.length >= count ? same : pool).slice(0, count);
  if (chosen.length < count) {
    throw new Error(`the generated repository has only ${chosen.length} usable modules; ${count} are needed`);
  }
  return chosen;
}

const edit = (m: RepoModule) => ({ path: m.path, create: false });

/** A six-subtask feature (two with dependencies) over 11 existing files and one new one. */
export function featureScenario(repo: GeneratedRepo, seed = 11): Scenario {
  const m = pickModules(repo, 11);
  const dir = (m[0] as RepoModule).path.split('/').slice(0, 2).join('/');
  const at = (i: number) => edit(m[i] as RepoModule);
  const subtasks = [
    subtask('refund-model', 'Add refund fields to the records', 'sonnet', [at(0), at(1)], []),
    subtask('refund-service', 'Compute partial refunds in the services', 'sonnet', [at(2), at(3), at(4)], []),
    subtask(
      'refund-api',
      'Expose refunds through the API',
      'sonnet',
      [at(5), { path: `${dir}/refundRoutes.ts`, create: true }],
      [],
    ),
    subtask('refund-events', 'Emit an event when a refund is issued', 'haiku', [at(6)], []),
    subtask('refund-jobs', 'Retry failed refunds in the nightly job', 'sonnet', [at(7), at(8)], ['refund-service']),
    subtask(
      'refund-tests',
      'Cover refunds in the helpers and their checks',
      'haiku',
      [at(9), at(10)],
      ['refund-model', 'refund-api'],
    ),
  ];
  return build(
    'feature',
    'Support partial refunds end to end: data, service, API, events, retries and checks.',
    subtasks,
    repo,
    seed,
  );
}

/** Twelve subtasks, width 4 and depth 3: level n+1 subtask k depends on level n subtasks k and k+1 (mod 4). */
export function dagScenario(repo: GeneratedRepo, seed = 12): Scenario {
  const m = pickModules(repo, 12);
  const subtasks: Subtask[] = [];
  for (let level = 1; level <= 3; level++) {
    for (let k = 0; k < 4; k++) {
      const deps = level === 1 ? [] : [`l${level - 1}-${k}`, `l${level - 1}-${(k + 1) % 4}`];
      subtasks.push(
        subtask(
          `l${level}-${k}`,
          `Level ${level} change ${k}`,
          'sonnet',
          [edit(m[(level - 1) * 4 + k] as RepoModule)],
          deps,
        ),
      );
    }
  }
  return build('dag', 'Roll out the refund flag layer by layer.', subtasks, repo, seed);
}

function build(name: string, task: string, subtasks: Subtask[], repo: GeneratedRepo, seed: number): Scenario {
  const rng = new Rng(seed);
  const modules = new Map(repo.modules.map((mod) => [mod.path, mod]));
  const turns = new Map(subtasks.map((s) => [s.id, workerTurns(rng, s, modules)]));
  return { name, task, plan: { goal: task, subtasks }, turns };
}
