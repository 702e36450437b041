import { Language, Parser, Query } from '@vscode/tree-sitter-wasm';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { SPECS } from './languages';
import type { LanguageSpec } from './lang/spec';
import type { CodeLanguage } from './types';

/** The tree-sitter runtime's own WebAssembly file; the grammars sit beside it. */
export const RUNTIME_WASM = 'tree-sitter.wasm';

/** A language ready to parse: one parser and its two queries, made once per process. */
export interface LoadedLanguage {
  spec: LanguageSpec;
  parser: Parser;
  definitions: Query;
  references: Query;
}

let folder: string | undefined;
let runtime: Promise<void> | undefined;
const languages = new Map<CodeLanguage, Promise<LoadedLanguage>>();

/**
 * Where the .wasm files are: beside the running bundle (dist/, where esbuild.js copies them), else in the
 * package in node_modules (tests and scripts run from source).
 */
export function wasmFolder(): string {
  if (folder === undefined) {
    const candidates = [__dirname];
    try {
      candidates.push(path.dirname(require.resolve('@vscode/tree-sitter-wasm')));
    } catch {
      // A bundle ships without node_modules: only its own folder counts.
    }
    const found = candidates.find((dir) => existsSync(path.join(dir, RUNTIME_WASM)));
    if (!found) {
      throw new Error(`${RUNTIME_WASM} was not found in ${candidates.join(' or ')}: reinstall or rebuild.`);
    }
    folder = found;
  }
  return folder;
}

function initRuntime(): Promise<void> {
  runtime ??= Parser.init({ locateFile: (file: string) => path.join(wasmFolder(), file) }).catch((e: unknown) => {
    runtime = undefined; // let a later call try again rather than keep a rejected promise forever
    throw e;
  });
  return runtime;
}

async function load(language: CodeLanguage): Promise<LoadedLanguage> {
  await initRuntime();
  const spec = SPECS[language];
  const grammar = await Language.load(await fs.readFile(path.join(wasmFolder(), spec.grammar)));
  const parser = new Parser();
  parser.setLanguage(grammar);
  return {
    spec,
    parser,
    definitions: new Query(grammar, spec.definitions),
    references: new Query(grammar, spec.references),
  };
}

/** The parser and queries of a language, loaded on first use and kept for the life of the process. */
export function loadLanguage(language: CodeLanguage): Promise<LoadedLanguage> {
  let loaded = languages.get(language);
  if (!loaded) {
    loaded = load(language);
    languages.set(language, loaded);
    loaded.catch(() => languages.delete(language));
  }
  return loaded;
}
