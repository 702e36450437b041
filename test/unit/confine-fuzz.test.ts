import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { PathError, resolveInWorkspace } from '../../src/core/workspace/confine';
import { STORE_DIR, WorkspaceRules } from '../../src/core/workspace/rules';
import { canonicalSegments, credentialKindOf, isShortName } from '../../src/core/workspace/secrets';

/**
 * Property-based fuzzing of path confinement. The unit suite runs a fixed seed with few cases; for a deep run:
 * `CONFINE_FUZZ_RUNS=10000 npx mocha --no-config --node-option import=tsx test/unit/confine-fuzz.test.ts`.
 */
const RUNS = Number(process.env.CONFINE_FUZZ_RUNS ?? 100);
const SEED = Number(process.env.CONFINE_FUZZ_SEED ?? 20261128);
const settings = { numRuns: RUNS, seed: SEED, endOnFailure: true };

const NAMES = ['src', 'a.ts', 'lib', '.git', 'config', STORE_DIR, 'plan.json', '.vscode', 'settings.json', '.env'];
NAMES.push('.npmrc', 'id_rsa', 'hard.txt', 'up', 'to-git', 'to-env', 'to-outside', 'loop', 'outside', 'secret.txt');

/** `.git`, the store folder or `.vscode/settings.json` as some file system would open them. */
function variant(name: string): fc.Arbitrary<string> {
  const cased = fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((up) => [...name].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
  const ignorable = fc.constantFrom('\u200c', '\u200d', '\u200e', '\u200f', '\u202a', '\u206a', '\ufeff');
  return fc
    .tuple(
      cased,
      fc.option(fc.tuple(fc.nat({ max: name.length }), ignorable)),
      fc.constantFrom('', '.', ' ', '. ', '..', '::$INDEX_ALLOCATION', '::$DATA', ':stream'),
      fc.constantFrom('NFC' as const, 'NFD' as const),
    )
    .map(([s, insert, tail, form]) => {
      const body = insert ? s.slice(0, insert[0]) + insert[1] + s.slice(insert[0]) : s;
      return body.normalize(form) + tail;
    });
}

const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NAMES, '..', '.', '') },
  { weight: 2, arbitrary: variant('.git') },
  { weight: 1, arbitrary: variant(STORE_DIR) },
  { weight: 1, arbitrary: variant('.env') },
  { weight: 1, arbitrary: fc.constantFrom('GIT~1', 'git~1', 'OPUS-O~1', 'VSCODE~1') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

interface Layout {
  base: string;
  ws: string;
  rules: WorkspaceRules | undefined;
}

async function write(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
}

/** A workspace with every kind of trap: .git, the store, editor settings, secrets, links out, links in, a hard link. */
async function makeLayout(): Promise<Layout> {
  const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'confine-fuzz-')));
  const ws = path.join(base, 'ws');
  for (const rel of ['src/a.ts', 'lib/a.ts', '.git/config', `${STORE_DIR}/plan.json`, '.vscode/settings.json']) {
    await write(path.join(ws, rel), 'x\n');
  }
  for (const rel of ['.env', 'src/.npmrc', 'id_rsa']) {
    await write(path.join(ws, rel), 'TOKEN=1\n');
  }
  await write(path.join(base, 'outside/secret.txt'), 'outside\n');
  await fs.link(path.join(base, 'outside/secret.txt'), path.join(ws, 'hard.txt'));
  await fs.symlink('..', path.join(ws, 'up'));
  await fs.symlink('.git', path.join(ws, 'to-git'));
  await fs.symlink('../.env', path.join(ws, 'src', 'to-env'));
  await fs.symlink(path.join(base, 'outside'), path.join(ws, 'lib', 'to-outside'));
  await fs.symlink('loop', path.join(ws, 'loop'));
  return { base, ws, rules: await WorkspaceRules.load(ws) };
}

/** What no accepted path may ever be, checked on the answer itself. */
async function checkAccepted(layout: Layout, candidate: string, abs: string, rel: string): Promise<void> {
  const inside = path.relative(layout.ws, abs);
  assert.ok(!inside.startsWith('..') && !path.isAbsolute(inside), `${JSON.stringify(candidate)} → ${abs} is outside`);
  const real = await fs.realpath(abs).catch(() => abs);
  assert.equal(real, abs, `${JSON.stringify(candidate)} answered a path that is not real`);
  const segments = canonicalSegments(rel);
  assert.ok(!segments.includes('.git'), `${JSON.stringify(candidate)} → ${rel} is in .git`);
  assert.ok(!segments.includes(STORE_DIR), `${JSON.stringify(candidate)} → ${rel} is in the store`);
  assert.ok(!rel.split('/').some(isShortName), `${JSON.stringify(candidate)} → ${rel} is a short name`);
  assert.equal(credentialKindOf(rel), undefined, `${JSON.stringify(candidate)} → ${rel} is a credential`);
  assert.ok(!segments.join('/').startsWith('.vscode/settings.json'), `${JSON.stringify(candidate)} → editor settings`);
  const stat = await fs.stat(abs).catch(() => undefined);
  assert.ok(!stat?.isFile() || stat.nlink === 1, `${JSON.stringify(candidate)} → ${rel} is hard-linked`);
}

async function attempt(layout: Layout, candidate: string, forWrite: boolean): Promise<void> {
  try {
    const { abs, rel } = await resolveInWorkspace(layout.ws, candidate, { rules: layout.rules, forWrite });
    await checkAccepted(layout, candidate, abs, rel);
  } catch (err) {
    if (!(err instanceof PathError)) {
      throw err;
    }
  }
}

describe(`path confinement under fuzzing (${RUNS} cases per property, seed ${SEED})`, function () {
  this.timeout(Math.max(60_000, RUNS * 100));
  let layout: Layout;
  before(async () => {
    layout = await makeLayout();
  });
  after(async () => {
    await fs.rm(layout.base, { recursive: true, force: true });
  });

  it('accepts nothing outside the workspace, in .git or the store, a credential, editor settings or a hard link', async () => {
    const candidate = fc.tuple(
      fc.constantFrom('', 'ws-abs', 'base-abs', '/'),
      fc.array(segment, { minLength: 1, maxLength: 6 }),
      fc.constantFrom('/', '\\'),
      fc.boolean(),
    );
    await fc.assert(
      fc.asyncProperty(candidate, async ([prefix, parts, sep, forWrite]) => {
        const start = prefix === 'ws-abs' ? `${layout.ws}/` : prefix === 'base-abs' ? `${layout.base}/` : prefix;
        await attempt(layout, start + parts.join(sep), forWrite);
      }),
      settings,
    );
  });

  it('refuses every case, Unicode and Windows variant of .git, the store folder and .vscode/settings.json', async () => {
    const protectedPath = fc.oneof(
      fc.tuple(variant('.git'), fc.constantFrom('config', 'HEAD', 'hooks/pre-commit')).map(([g, r]) => `${g}/${r}`),
      fc.tuple(variant(STORE_DIR), fc.constantFrom('plan.json', 'x')).map(([s, r]) => `${s}/${r}`),
      fc.tuple(variant('.vscode'), variant('settings.json')).map(([v, s]) => `${v}/${s}`),
      fc.tuple(fc.constantFrom('src/', 'lib/', ''), variant('.git')).map(([d, g]) => `${d}${g}/config`),
    );
    await fc.assert(
      fc.asyncProperty(protectedPath, fc.boolean(), async (candidate, forWrite) => {
        await assert.rejects(resolveInWorkspace(layout.ws, candidate, { rules: layout.rules, forWrite }), PathError);
      }),
      settings,
    );
  });

  it('stays inside through random symbolic-link layouts made on disk', async () => {
    const target = fc.constantFrom('..', '../..', '.git', '../.env', '.env', 'src', 'src/a.ts', '/', '/etc', 'self');
    const links = fc.array(fc.tuple(fc.constantFrom('l1', 'l2', 'src/l3', 'lib/l4'), target), { maxLength: 4 });
    const query = fc.array(fc.constantFrom('l1', 'l2', 'src', 'l3', 'lib', 'l4', 'a.ts', 'config', '..', '.env'), {
      minLength: 1,
      maxLength: 4,
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(links, query, fc.boolean(), async (made, parts, forWrite) => {
        const ws = path.join(layout.base, `links-${n++}`);
        await write(path.join(ws, 'src/a.ts'), 'x\n');
        await write(path.join(ws, 'lib/b.ts'), 'x\n');
        await write(path.join(ws, '.git/config'), 'x\n');
        await write(path.join(ws, '.env'), 'TOKEN=1\n');
        for (const [at, to] of made) {
          await fs.symlink(to === 'self' ? path.basename(at) : to, path.join(ws, at)).catch(() => undefined);
        }
        // No ignore rules here: links, .git and credentials are refused by confinement itself.
        await attempt({ base: layout.base, ws, rules: undefined }, parts.join('/'), forWrite);
        await fs.rm(ws, { recursive: true, force: true });
      }),
      settings,
    );
  });
});
