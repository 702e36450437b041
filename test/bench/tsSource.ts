import type { Rng } from './random';

/** One generated TypeScript module and the lines in it that occur exactly once (safe `old_str` anchors). */
export interface GeneratedModule {
  text: string;
  anchors: string[];
}

export interface ModuleSpec {
  domain: string;
  layer: string;
  /** File name without extension, camelCase. */
  name: string;
  /** Paths (relative to this file, without extension) it may import from. */
  imports: string[];
}

const FIELDS = [
  'id: string',
  'createdAt: Date',
  'updatedAt: Date',
  'ownerId: string',
  'status: Status',
  'amount: number',
  'currency: string',
  'tags: string[]',
  'notes?: string',
  'version: number',
  'archived: boolean',
  'priority: number',
  'region: string',
  'metadata: Record<string, string>',
];
const STATUSES = ['draft', 'open', 'pending', 'active', 'paid', 'closed', 'failed', 'archived'];
const VERBS = ['load', 'save', 'find', 'list', 'update', 'remove', 'validate', 'compute', 'format', 'merge', 'sync'];
const HELPERS = ['retry', 'chunk', 'debounce', 'normalize', 'compare', 'summarize', 'toDto', 'fromDto', 'clamp'];

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function methodBody(rng: Rng, entity: string, indent: string): string[] {
  const v = entity.charAt(0).toLowerCase() + entity.slice(1);
  const pool: string[][] = [
    [`const ${v}s = await this.store.list({ ...filter, limit: this.options.pageSize });`],
    [`if (${v}s.length === 0) {`, `  return [];`, `}`],
    [`for (const item of ${v}s) {`, `  this.cache.set(item.id, item);`, `}`],
    [`const started = Date.now();`],
    [`this.log.debug('${v} lookup took', Date.now() - started, 'ms');`],
    [`if (!${v}s.every((item) => item.version > 0)) {`, `  throw new ${entity}Error('version missing');`, `}`],
    [`const byOwner = new Map<string, ${entity}[]>();`],
    [
      `for (const item of ${v}s) {`,
      `  const list = byOwner.get(item.ownerId) ?? [];`,
      `  list.push(item);`,
      `  byOwner.set(item.ownerId, list);`,
      `}`,
    ],
    [`const total = ${v}s.reduce((sum, item) => sum + item.amount, 0);`],
    [`this.events.emit('${v}.changed', { count: ${v}s.length, total });`],
    [`await this.store.flush();`],
    [
      `try {`,
      `  await this.queue.enqueue({ kind: '${v}', ids: ${v}s.map((item) => item.id) });`,
      `} catch (err) {`,
      `  this.log.warn('could not enqueue ${v}s', err);`,
      `}`,
    ],
  ];
  const lines: string[] = [];
  const count = rng.int(3, 7);
  lines.push(...(pool[0] as string[]));
  for (let i = 0; i < count; i++) {
    lines.push(...rng.pick(pool.slice(1)));
  }
  lines.push(`return ${v}s.filter((item) => item.status !== 'archived');`);
  return lines.map((l) => indent + l);
}

function functionBody(rng: Rng, entity: string): string[] {
  const pool: string[][] = [
    [`if (input === undefined || input === null) {`, `  return fallback;`, `}`],
    [`const parts = String(input).split(',').map((p) => p.trim());`],
    [`const seen = new Set<string>();`],
    [`for (const part of parts) {`, `  if (!seen.has(part)) {`, `    seen.add(part);`, `  }`, `}`],
    [`const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));`],
    [`const result = [...seen].slice(0, limit).join(', ');`],
    [`if (result.length > 200) {`, `  return result.slice(0, 197) + '...';`, `}`],
  ];
  const lines: string[] = [];
  for (let i = rng.int(2, 6); i > 0; i--) {
    lines.push(...rng.pick(pool));
  }
  lines.push(`return (result as unknown as ${entity}) ?? fallback;`);
  return lines.map((l) => `  ${l}`);
}

/** A module in the style of a mid-sized TypeScript service: types, a class with methods, a few helpers. */
export function generateModule(rng: Rng, spec: ModuleSpec): GeneratedModule {
  const entity = `${pascal(spec.domain)}${pascal(spec.name)}`;
  const out: string[] = [];
  if (rng.chance(0.4)) {
    out.push(`/**`, ` * ${pascal(spec.layer)} for ${spec.domain}: keeps ${spec.name} records consistent.`, ` */`);
  }
  for (const imp of spec.imports) {
    const sym = pascal(imp.split('/').pop() ?? 'dep');
    out.push(rng.chance(0.5) ? `import type { ${sym} } from '${imp}';` : `import { ${sym} } from '${imp}';`);
  }
  out.push(`import type { Logger, Store, EventBus, Queue } from '../../shared/runtime';`, '');
  const statuses = STATUSES.filter(() => rng.chance(0.6)).map((s) => `'${s}'`);
  out.push(`export type Status = ${(statuses.length > 0 ? statuses : [`'open'`]).join(' | ')};`, '');
  out.push(`export const DEFAULT_${spec.name.toUpperCase()}_PAGE_SIZE = ${rng.int(10, 200)};`, '');
  out.push(`export interface ${entity} {`);
  for (const f of FIELDS.filter(() => rng.chance(0.55))) {
    out.push(`  ${f};`);
  }
  out.push(`  id: string;`, `  ownerId: string;`, `  amount: number;`, `  version: number;`, `}`, '');
  out.push(`export interface ${entity}Options {`, `  pageSize: number;`, `  strict?: boolean;`, `}`, '');
  out.push(`export class ${entity}Error extends Error {}`, '');
  out.push(`export class ${entity}Service {`);
  out.push(`  private readonly cache = new Map<string, ${entity}>();`, '');
  out.push(`  constructor(`, `    private readonly store: Store<${entity}>,`, `    private readonly events: EventBus,`);
  out.push(`    private readonly queue: Queue,`, `    private readonly log: Logger,`);
  out.push(
    `    private readonly options: ${entity}Options = { pageSize: DEFAULT_${spec.name.toUpperCase()}_PAGE_SIZE },`,
  );
  out.push(`  ) {}`, '');
  const methods = rng.int(2, 6);
  for (let m = 0; m < methods; m++) {
    const verb = VERBS[m % VERBS.length] as string;
    out.push(`  async ${verb}${entity}s${m}(filter: Partial<${entity}> = {}): Promise<${entity}[]> {`);
    out.push(...methodBody(rng, entity, '    '), `  }`, '');
  }
  out.pop();
  out.push(`}`, '');
  const helpers = rng.int(1, 4);
  for (let h = 0; h < helpers; h++) {
    const name = `${HELPERS[(h + spec.name.length) % HELPERS.length]}${entity}${h}`;
    out.push(
      `export function ${name}(input: unknown, fallback: ${entity}, options: { limit?: number } = {}): ${entity} {`,
    );
    out.push(...functionBody(rng, entity), `}`, '');
  }
  const text = out.join('\n');
  const anchors = out.filter((l) => /^\s*(export (class|function|interface)|async )/.test(l) && once(text, l));
  return { text, anchors };
}

function once(text: string, line: string): boolean {
  const first = text.indexOf(line);
  return first >= 0 && text.indexOf(line, first + 1) < 0;
}

/** A vitest-style test file for a module. */
export function generateTest(rng: Rng, spec: ModuleSpec): string {
  const entity = `${pascal(spec.domain)}${pascal(spec.name)}`;
  const out = [`import { describe, expect, it } from 'vitest';`];
  out.push(`import { ${entity}Service } from '../../src/${spec.domain}/${spec.layer}/${spec.name}';`, '');
  out.push(`describe('${entity}Service', () => {`);
  for (let i = rng.int(2, 6); i > 0; i--) {
    out.push(`  it('handles case ${i} of ${spec.name}', async () => {`);
    out.push(`    const service = new ${entity}Service(memoryStore(), bus(), queue(), silentLog());`);
    out.push(`    const items = await service.load${entity}s0({ ownerId: 'u${i}' });`);
    out.push(`    expect(items).toHaveLength(0);`, `  });`, '');
  }
  out.pop();
  out.push(`});`, '');
  return out.join('\n');
}
