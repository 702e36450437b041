import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const CORE = path.join(ROOT, 'src/core');
const MAX_FILE_LINES = 400;
const MAX_CLASS_LINES = 300;
/** Files over the line limit that are being reworked elsewhere; each comes off this list once it is split. */
const KNOWN_LONG_FILES = new Set<string>([]);

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...(await sourceFiles(full)));
    } else if (entry.name.endsWith('.ts')) {
      out.push(full);
    }
  }
  return out;
}

/** A relative module specifier resolved to its file under src/. */
function resolveSpecifier(file: string, spec: string): string {
  const base = path.resolve(path.dirname(file), spec);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f)) ?? base;
}

/** Every relative module `file` names (imports, re-exports, dynamic imports), type-only ones included. */
function importsOf(file: string, text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => resolveSpecifier(file, spec));
}

/** The relative modules `file` needs at run time: type-only imports and re-exports are erased, so they are left out. */
function runtimeImportsOf(file: string, source: ts.SourceFile): string[] {
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const onlyTypes =
        clause?.isTypeOnly ||
        (clause && !clause.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly));
      if (!onlyTypes) {
        specs.push(node.moduleSpecifier.text);
      }
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) {
        specs.push(node.moduleSpecifier.text);
      }
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) {
        specs.push(arg.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specs.filter((spec) => spec.startsWith('.')).map((spec) => resolveSpecifier(file, spec));
}

/** Every cycle found by a depth-first walk of the import graph, each as the files around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        found.push([...stack.slice(stack.indexOf(next)), next]);
      } else if (!state.has(next) && graph.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) {
    if (!state.has(file)) {
      visit(file);
    }
  }
  return found;
}

/** Each core file's text and syntax tree, parsed once for every check below. */
const parsed = new Map<string, { text: string; source: ts.SourceFile }>();

async function coreFiles(): Promise<Array<{ file: string; text: string; source: ts.SourceFile }>> {
  const out = [];
  for (const file of await sourceFiles(CORE)) {
    let entry = parsed.get(file);
    if (!entry) {
      const text = await fs.readFile(file, 'utf8');
      entry = { text, source: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true) };
      parsed.set(file, entry);
    }
    out.push({ file, ...entry });
  }
  return out;
}

describe('layering', function () {
  // Parsing every core file takes a few seconds on a busy machine.
  this.timeout(20_000);
  for (const layer of ['src/core', 'src/cli']) {
    it(`${layer} runs in plain Node: no file imports vscode`, async () => {
      const files = await sourceFiles(path.join(ROOT, layer));
      assert.ok(files.length > 0, `${layer} has no sources`);
      const offenders: string[] = [];
      for (const file of files) {
        const text = await fs.readFile(file, 'utf8');
        if (/from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\)/.test(text)) {
          offenders.push(path.relative(ROOT, file));
        }
      }
      assert.deepEqual(offenders, []);
    });
  }

  it('src/core imports nothing from src/cli or src/vscode, and no module of it needs itself at run time', async () => {
    const graph = new Map<string, string[]>();
    const outward: string[] = [];
    for (const { file, text, source } of await coreFiles()) {
      for (const target of importsOf(file, text).filter((t) => !t.startsWith(`${CORE}${path.sep}`))) {
        outward.push(`${path.relative(ROOT, file)} → ${path.relative(ROOT, target)}`);
      }
      graph.set(file, runtimeImportsOf(file, source));
    }
    assert.deepEqual(outward, []);
    const shown = cycles(graph).map((c) => c.map((f) => path.relative(CORE, f)).join(' → '));
    assert.deepEqual(shown, []);
  });

  it(`src/core has no file over ${MAX_FILE_LINES} lines and no class over ${MAX_CLASS_LINES}`, async () => {
    const big: string[] = [];
    for (const { file, text, source } of await coreFiles()) {
      const lines = text.split('\n').length;
      if (lines > MAX_FILE_LINES && !KNOWN_LONG_FILES.has(path.relative(ROOT, file).split(path.sep).join('/'))) {
        big.push(`${path.relative(ROOT, file)}: ${lines} lines`);
      }
      const walk = (node: ts.Node): void => {
        if (ts.isClassDeclaration(node)) {
          const from = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const to = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (to - from + 1 > MAX_CLASS_LINES) {
            big.push(`${path.relative(ROOT, file)}: class ${node.name?.text ?? '?'} is ${to - from + 1} lines`);
          }
        }
        ts.forEachChild(node, walk);
      };
      walk(source);
    }
    assert.deepEqual(big, []);
  });
});
