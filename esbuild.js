// @ts-check
const esbuild = require('esbuild');
const fs = require('node:fs/promises');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').Plugin} */
const problemMatcher = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) {
          console.error(`    ${location.file}:${location.line}:${location.column}:`);
        }
      }
      console.log('[watch] build finished');
    });
  },
};

/**
 * The core edits UTF-8, UTF-16 and single-byte encodings only (src/core/edits/encoding.ts refuses double-byte ones),
 * so iconv-lite's Chinese, Japanese and Korean tables (about 400 KB) stay out of the bundles.
 * @type {import('esbuild').Plugin}
 */
const withoutDoubleByteTables = {
  name: 'iconv-lite-without-double-byte-tables',
  setup(build) {
    build.onLoad({ filter: /iconv-lite[\\/]encodings[\\/]dbcs-data\.js$/ }, () => ({
      contents: 'module.exports = {};',
      loader: 'js',
    }));
  },
};

/**
 * zod's error messages come in some forty languages, all reachable from its `locales` export and so all bundled
 * (about 260 KB); the extension sets no locale and shows zod's default, English, so the other tables stay out.
 * @type {import('esbuild').Plugin}
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: "export { default as en } from './en.js';",
      loader: 'js',
    }));
  },
};

/**
 * The Bedrock and Vertex clients (AWS signing and credentials, Google auth: more than the rest of the extension) are
 * built into files of their own, loaded only when a role runs on that platform; the bundles leave their import to
 * run time, from the file beside them.
 * @type {import('esbuild').Plugin}
 */
const platformsApart = {
  name: 'platform-clients-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/(bedrock|vertex)Sdk$/ }, (args) => ({
      path: `./providers/${args.path.slice(2, -3)}.js`,
      external: true,
    }));
  },
};

/**
 * Inside those files, the Anthropic SDK is the one of the bundle that loads them (src/core/llm/providers/sharedSdk.ts):
 * one copy, so that its error and stream classes are the ones the bundle checks for.
 * @type {import('esbuild').Plugin}
 */
const hostSdk = {
  name: 'host-anthropic-sdk',
  setup(build) {
    build.onResolve({ filter: /^@anthropic-ai\/sdk(\/.*)?$/ }, (args) => ({ path: args.path, namespace: 'host-sdk' }));
    build.onLoad({ filter: /.*/, namespace: 'host-sdk' }, (args) => ({
      contents:
        `const shared = globalThis[Symbol.for('opus-orchestrator.anthropic-sdk')];\n` +
        `const m = shared && shared[${JSON.stringify(args.path)}];\n` +
        `if (!m) { throw new Error('The platform client needs ${args.path} from the bundle that loads it.'); }\n` +
        'module.exports = m;\n',
      loader: 'js',
    }));
  },
};

/**
 * `import * as vscode from 'vscode'` makes esbuild copy the API object the extension host hands the bundle (some 450
 * members) into a namespace object of its own, a getter per member, when the bundle is evaluated at activation.
 * Instead every import of `vscode` resolves to one module that reads each member by itself: one binding per value the
 * API declares (@types/vscode), each a pure call, so the build keeps only the members the bundle uses.
 * @type {import('esbuild').Plugin}
 */
const vscodeMembers = {
  name: 'vscode-members',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-members'
        ? { path: 'vscode', external: true }
        : { path: 'vscode', namespace: 'vscode-members' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-members' }, async () => {
      const types = await fs.readFile(require.resolve('@types/vscode/index.d.ts'), 'utf8');
      const names = new Set(
        [...types.matchAll(/^\texport (?:namespace|class|enum|function|const|let|var) (\w+)/gm)].map((m) => m[1]),
      );
      const members = [...names].map((n) => `export const ${n} = /* @__PURE__ */ member(${JSON.stringify(n)});`);
      return {
        contents: `const api = require('vscode');\nconst member = (name) => api[name];\n${members.join('\n')}\n`,
        loader: 'js',
      };
    });
    // A member missing from that list would be undefined at run time: fail the build instead.
    build.onEnd((result) => {
      const missing = result.warnings.filter((w) => w.text.includes('vscode-members'));
      for (const w of missing) {
        console.error(`✘ [ERROR] ${w.text}${w.location ? ` (${w.location.file}:${w.location.line})` : ''}`);
      }
      if (missing.length > 0) {
        process.exitCode = 1;
      }
    });
  },
};

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  plugins: watch
    ? [withoutDoubleByteTables, zodEnglishOnly, problemMatcher]
    : [withoutDoubleByteTables, zodEnglishOnly],
};

/**
 * The tree-sitter runtime and the grammars that src/core/code loads at run time (its `SPECS`), copied beside the
 * bundles, where it looks for them first. Only these: the package ships grammars the extension does not use.
 */
const WASM_FILES = [
  'tree-sitter.wasm',
  'tree-sitter-typescript.wasm',
  'tree-sitter-tsx.wasm',
  'tree-sitter-javascript.wasm',
  'tree-sitter-python.wasm',
  'tree-sitter-go.wasm',
  'tree-sitter-rust.wasm',
  'tree-sitter-java.wasm',
  'tree-sitter-c-sharp.wasm',
];

async function copyWasm() {
  const from = path.dirname(require.resolve('@vscode/tree-sitter-wasm'));
  await fs.mkdir('dist', { recursive: true });
  await Promise.all(WASM_FILES.map((file) => fs.copyFile(path.join(from, file), path.join('dist', file))));
}

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

const targets = [
  {
    name: 'extension',
    ...common,
    entryPoints: {
      // The entry VS Code loads, a few lines; the views and commands' handlers, loaded right after activation; the
      // core, the model client and the diff review, loaded on first use. Each is required from its file by the one
      // before (src/vscode/codeCache.ts), never bundled into it.
      extension: 'src/extension.ts',
      views: 'src/vscode/views.ts',
      engine: 'src/vscode/engine.ts',
    },
    outdir: 'dist',
    external: ['vscode'],
    // `import()` of a platform's client becomes a plain require, which the extension host's module loader serves.
    supported: { 'dynamic-import': false },
    plugins: [...common.plugins, platformsApart, vscodeMembers],
  },
  {
    name: 'cli',
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [...common.plugins, platformsApart],
  },
  ...['bedrock', 'vertex'].map((platform) => ({
    name: platform,
    ...common,
    entryPoints: [`src/core/llm/providers/${platform}Sdk.ts`],
    outfile: `dist/providers/${platform}.js`,
    plugins: [...common.plugins, hostSdk],
  })),
]
  .filter(
    (t) => !only || t.name === only || (['cli', 'extension'].includes(only) && ['bedrock', 'vertex'].includes(t.name)),
  )
  .map(({ name: _name, ...options }) => options);

async function main() {
  await copyWasm();
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
