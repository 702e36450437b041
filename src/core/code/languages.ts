import { GO } from './lang/go';
import { CSHARP, JAVA } from './lang/jvm';
import { PYTHON } from './lang/python';
import { RUST } from './lang/rust';
import type { LanguageSpec } from './lang/spec';
import { JAVASCRIPT, TSX, TYPESCRIPT } from './lang/typescript';
import type { CodeLanguage, OutlineLanguage } from './types';

const BY_EXTENSION: Record<string, CodeLanguage> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  py: 'python',
  pyi: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  cs: 'csharp',
};

export const SPECS: Record<CodeLanguage, LanguageSpec> = {
  typescript: TYPESCRIPT,
  tsx: TSX,
  javascript: JAVASCRIPT,
  python: PYTHON,
  go: GO,
  rust: RUST,
  java: JAVA,
  csharp: CSHARP,
};

const MARKDOWN_EXTENSIONS = new Set(['md', 'markdown', 'mdx']);

function extensionOf(path: string): string | undefined {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? undefined : base.slice(dot + 1).toLowerCase();
}

/** The language a path's extension names, or `undefined` when there is no grammar for it. */
export function codeLanguageOf(path: string): CodeLanguage | undefined {
  const ext = extensionOf(path);
  return ext === undefined ? undefined : BY_EXTENSION[ext];
}

/** What `outlineOf` makes an outline of for a path: a grammar's language, Markdown, or nothing. */
export function outlineLanguageOf(path: string): OutlineLanguage | undefined {
  const ext = extensionOf(path);
  return ext !== undefined && MARKDOWN_EXTENSIONS.has(ext) ? 'markdown' : codeLanguageOf(path);
}

/** Every grammar file the outline can load, for bundling them next to the code. */
export const GRAMMAR_FILES: readonly string[] = [...new Set(Object.values(SPECS).map((s) => s.grammar))];
