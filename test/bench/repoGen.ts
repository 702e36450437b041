import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { Rng } from './random';
import type { ModuleSpec } from './tsSource';
import { generateModule, generateTest } from './tsSource';

/** A source module of a generated repository, with the lines a scripted edit can safely target. */
export interface RepoModule {
  path: string;
  domain: string;
  anchors: string[];
  lines: number;
}

export interface GeneratedRepo {
  root: string;
  /** Every file written, workspace-relative. */
  files: string[];
  modules: RepoModule[];
  cleanup(): Promise<void>;
}

const DOMAINS = [
  'billing',
  'auth',
  'orders',
  'inventory',
  'search',
  'users',
  'reports',
  'shipping',
  'catalog',
  'audit',
  'payments',
  'notifications',
  'pricing',
  'returns',
  'loyalty',
  'accounts',
  'analytics',
  'content',
  'media',
  'scheduling',
  'support',
  'tenants',
  'webhooks',
  'exports',
  'imports',
  'ledger',
  'tax',
  'quotes',
  'vendors',
  'fleet',
];
const LAYERS = ['service', 'api', 'model', 'store', 'events', 'jobs', 'util', 'view'];
const NOUNS = [
  'invoice',
  'record',
  'summary',
  'session',
  'batch',
  'filter',
  'handle',
  'entry',
  'policy',
  'rule',
  'cursor',
  'snapshot',
  'window',
  'bucket',
  'token',
  'ticket',
  'report',
  'digest',
  'plan',
  'quota',
  'limit',
  'schedule',
];
const SUFFIXES = ['', 'Store', 'Index', 'Mapper', 'Builder', 'Cache', 'Client', 'Guard', 'Reader', 'Writer'];
/** A canary that must never appear in any request body. */
export const SECRET_CANARY = 'BENCH_SECRET_CANARY_5d1e';
/** Above this many files per folder the generator nests a level, as real code bases do. */
const PER_DIR = 16;

function moduleSpecs(count: number, rng: Rng): ModuleSpec[] {
  const domains = Math.max(2, Math.min(DOMAINS.length, Math.ceil(count / 60)));
  const specs: ModuleSpec[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const domain = DOMAINS[i % domains] as string;
    const layer = LAYERS[Math.floor(i / domains) % LAYERS.length] as string;
    const group = Math.floor(i / (domains * LAYERS.length * PER_DIR));
    const layerDir = group > 0 ? `${layer}/part${group}` : layer;
    let name = `${rng.pick(NOUNS)}${rng.pick(SUFFIXES)}`;
    while (used.has(`${domain}/${layerDir}/${name}`)) {
      name = `${rng.pick(NOUNS)}${rng.pick(SUFFIXES)}${rng.int(2, 99)}`;
    }
    used.add(`${domain}/${layerDir}/${name}`);
    specs.push({ domain, layer: layerDir, name, imports: [] });
  }
  // Imports point at modules of the same folder, so the generated code reads like one package's internals.
  const byDir = new Map<string, ModuleSpec[]>();
  for (const s of specs) {
    const key = `${s.domain}/${s.layer}`;
    byDir.set(key, [...(byDir.get(key) ?? []), s]);
  }
  for (const s of specs) {
    const siblings = (byDir.get(`${s.domain}/${s.layer}`) ?? []).filter((o) => o !== s);
    for (let k = Math.min(siblings.length, rng.int(0, 3)); k > 0; k--) {
      s.imports.push(`./${rng.pick(siblings).name}`);
    }
    s.imports = [...new Set(s.imports)];
  }
  return specs;
}

function configFiles(domains: string[]): Record<string, string> {
  const pkg = {
    name: 'shop-platform',
    private: true,
    type: 'module',
    scripts: { build: 'tsc -p .', test: 'vitest run' },
    devDependencies: { typescript: '^5.9.0', vitest: '^3.2.0' },
  };
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022' } }, null, 2)}\n`,
    '.gitignore': 'node_modules/\ndist/\ncoverage/\n',
    'README.md': `# Shop platform\n\nServices for ${domains.join(', ')}.\n\n## Development\n\nnpm test\n`,
    'src/shared/runtime.ts': [
      'export interface Logger { debug(...args: unknown[]): void; warn(...args: unknown[]): void; }',
      'export interface Store<T> {',
      '  list(filter: Partial<T> & { limit?: number }): Promise<T[]>;',
      '  flush(): Promise<void>;',
      '}',
      'export interface EventBus { emit(name: string, payload: unknown): void; }',
      'export interface Queue { enqueue(job: { kind: string; ids: string[] }): Promise<void>; }',
      '',
    ].join('\n'),
    '.env': `DATABASE_URL=postgres://app:${SECRET_CANARY}@db/app\n`,
  };
}

async function writeAll(root: string, files: Map<string, string>): Promise<void> {
  const dirs = new Set([...files.keys()].map((rel) => path.dirname(path.join(root, rel))));
  for (const dir of dirs) {
    await fs.mkdir(dir, { recursive: true });
  }
  const entries = [...files.entries()];
  // Bounded parallelism: thousands of concurrent writes only make the kernel queue longer.
  for (let i = 0; i < entries.length; i += 200) {
    await Promise.all(entries.slice(i, i + 200).map(([rel, text]) => fs.writeFile(path.join(root, rel), text)));
  }
}

/**
 * A git repository of about `fileCount` files of realistic TypeScript (80% modules, 15% tests, config and docs) in a
 * new temporary folder, committed once. The layout is deterministic for a given seed.
 */
export async function generateRepo(fileCount: number, seed = 7): Promise<GeneratedRepo> {
  const rng = new Rng(seed * 1_000_003 + fileCount);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), `bench-repo-${fileCount}-`));
  const moduleCount = Math.round(fileCount * 0.8);
  const specs = moduleSpecs(moduleCount, rng);
  const files = new Map<string, string>();
  const modules: RepoModule[] = [];
  for (const spec of specs) {
    const rel = `src/${spec.domain}/${spec.layer}/${spec.name}.ts`;
    const mod = generateModule(rng, spec);
    files.set(rel, mod.text);
    modules.push({ path: rel, domain: spec.domain, anchors: mod.anchors, lines: mod.text.split('\n').length });
  }
  const domains = [...new Set(specs.map((s) => s.domain))];
  for (const [rel, text] of Object.entries(configFiles(domains))) {
    files.set(rel, text);
  }
  const testCount = Math.max(1, Math.round(fileCount * 0.15));
  for (let i = 0; i < testCount; i++) {
    const spec = specs[(i * 7) % specs.length] as ModuleSpec;
    files.set(`test/${spec.domain}/${spec.layer}/${spec.name}.test.ts`, generateTest(rng, spec));
  }
  for (let i = 0; files.size < fileCount; i++) {
    const domain = domains[i % domains.length] as string;
    files.set(`docs/${domain}/notes-${i}.md`, `# ${domain} notes ${i}\n\nDecisions and runbooks for ${domain}.\n`);
  }
  await writeAll(root, files);
  const git = simpleGit(root);
  await git.init();
  await git.addConfig('user.email', 'bench@example.com');
  await git.addConfig('user.name', 'Bench');
  await git.addConfig('commit.gpgsign', 'false');
  // Thousands of loose objects would start a detached `git gc --auto` after the commit, still writing into .git when
  // the bench removes the repository (ENOTEMPTY).
  await git.addConfig('gc.auto', '0');
  await git.add('.');
  await git.commit('Initial import');
  return {
    root,
    files: [...files.keys()],
    modules,
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
}
