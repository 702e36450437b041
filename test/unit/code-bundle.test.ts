import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { GRAMMAR_FILES } from '../../src/core/code/languages';
import { RUNTIME_WASM } from '../../src/core/code/runtime';

const REPO = path.resolve(__dirname, '../..');
const DIST = path.join(REPO, 'dist');

/** One snippet per grammar: the bundle must find and load every .wasm file that esbuild.js copied. */
const PROBE = `
import { outlineOf } from './src/core/code/outline';
import { wasmFolder } from './src/core/code/runtime';
const snippets: Record<string, string> = {
  'a.ts': 'export function f(): void {}',
  'a.tsx': 'export const App = () => <div />;',
  'a.js': 'export class C { m() {} }',
  'a.py': 'def f():\\n    pass',
  'a.go': 'package a\\nfunc F() {}',
  'a.rs': 'pub fn f() {}',
  'a.java': 'class A { void m() {} }',
  'a.cs': 'class A { void M() {} }',
};
(async () => {
  const names: Record<string, string[]> = {};
  for (const [file, text] of Object.entries(snippets)) {
    names[file] = (await outlineOf(file, text))?.definitions.map((d) => d.name) ?? [];
  }
  console.log(JSON.stringify({ folder: wasmFolder(), names }));
})();
`;

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe('code outline in the esbuild bundles (dist/)', function () {
  this.timeout(120_000);
  const probe = path.join(DIST, `.code-outline-probe-${process.pid}.js`);

  before(async () => {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['esbuild.js', '--only=cli'], { cwd: REPO, stdio: 'inherit' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`esbuild exited with ${code}`))));
    });
  });

  after(() => fs.rm(probe, { force: true }));

  it('esbuild.js copies exactly the runtime and the grammars the outline loads into dist/', async () => {
    const wasm = (await fs.readdir(DIST)).filter((f) => f.endsWith('.wasm')).sort();
    assert.deepEqual(wasm, [RUNTIME_WASM, ...GRAMMAR_FILES].sort());
  });

  it('a bundle in dist/ loads the grammars from beside itself, away from node_modules', async () => {
    // Bundled like dist/cli.js and dist/extension.js, and run from a folder with no node_modules above it.
    await build({
      stdin: { contents: PROBE, resolveDir: REPO, loader: 'tsx' },
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      minify: true,
      outfile: probe,
      logLevel: 'silent',
    });
    const elsewhere = await fs.mkdtemp(path.join(os.tmpdir(), 'opus-outline-'));
    try {
      const result = JSON.parse(await run(process.execPath, [probe], elsewhere)) as {
        folder: string;
        names: Record<string, string[]>;
      };
      assert.equal(result.folder, DIST);
      assert.deepEqual(result.names, {
        'a.ts': ['f'],
        'a.tsx': ['App'],
        'a.js': ['C', 'm'],
        'a.py': ['f'],
        'a.go': ['F'],
        'a.rs': ['f'],
        'a.java': ['A', 'm'],
        'a.cs': ['A', 'M'],
      });
    } finally {
      await fs.rm(elsewhere, { recursive: true, force: true });
    }
  });
});
