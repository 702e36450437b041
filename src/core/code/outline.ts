/*
 * Code outlines for the repository map and the workers' context. The pieces, each small:
 *   outline.ts      this entry: limits, cache, parse, references
 *   definitions.ts  definitions from the query matches: containers, locality, line ranges
 *   signature.ts    one-line declaration heads without bodies, initialisers or string values
 *   markdown.ts     Markdown headings and the sections they span (no grammar: markdown-it's block parser)
 *   lang/*.ts       per-language queries and rules; languages.ts maps extensions to them
 *   runtime.ts      loads the WebAssembly runtime once and each grammar on first use
 *   cache.ts        content-hash LRU, serialisable to JSON
 */
import type { Node, Query } from '@vscode/tree-sitter-wasm';
import { OutlineCache, outlineKey } from './cache';
import { definitionsOf } from './definitions';
import { outlineLanguageOf } from './languages';
import { markdownDefinitions } from './markdown';
import { loadLanguage } from './runtime';
import type { CodeOutline, Definition } from './types';

/** Larger files are not parsed: they are generated or data far more often than code worth a map entry. */
export const MAX_OUTLINE_CHARS = 1_000_000;
/** Minified code: a line this long, or lines this long on average, is not worth an outline. */
export const MAX_LINE_CHARS = 20_000;
export const MAX_MEAN_LINE_CHARS = 200;
/**
 * A parse still running after this is given up. A 1 MB TypeScript file took 2–6 s in all (parse, queries) on a
 * shared, loaded 2-core machine; the limit is there for pathological input, not for large files.
 */
const PARSE_TIME_LIMIT_MS = 10_000;

const defaultCache = new OutlineCache();

/** The cache `outlineOf` uses unless it is given one: serialise and restore it to keep outlines across runs. */
export function sharedOutlineCache(): OutlineCache {
  return defaultCache;
}

/** Whether `outlineOf` would answer for this text from the cache, parsing nothing. */
export function hasCachedOutline(path: string, text: string, cache: OutlineCache = defaultCache): boolean {
  const language = outlineLanguageOf(path);
  return language !== undefined && cache.get(outlineKey(language, text)) !== undefined;
}

/**
 * The definitions and references of a source file, parsed with tree-sitter; the language comes from the path's
 * extension (TypeScript, TSX, JavaScript, Python, Go, Rust, Java, C#). Test blocks of TS/JS (`describe`, `it`, `test`,
 * `suite` with a title string) are definitions too, and a Markdown file's outline is its headings, so that a plan can
 * name places in tests and documentation the way it names code. `undefined` means "no outline, fall back": an
 * unknown extension, a file over MAX_OUTLINE_CHARS, minified code, or a parser failure. Syntax errors still give
 * what parses. Never throws. Outlines are cached by content hash and shared: treat them as read-only.
 */
export async function outlineOf(
  path: string,
  text: string,
  cache: OutlineCache = defaultCache,
): Promise<CodeOutline | undefined> {
  const language = outlineLanguageOf(path);
  // Prose keeps a paragraph on one line often enough: the minified-code test is for code only.
  if (!language || text.length > MAX_OUTLINE_CHARS || (language !== 'markdown' && looksMinified(text))) {
    return undefined;
  }
  const key = outlineKey(language, text);
  const cached = cache.get(key);
  if (cached) {
    return cached;
  }
  try {
    if (language === 'markdown') {
      const outline = { definitions: markdownDefinitions(text), references: [] };
      cache.set(key, outline);
      return outline;
    }
    const loaded = await loadLanguage(language);
    // Parsing is synchronous: no other call can use this language's parser until this one is done with it.
    const started = Date.now();
    const tree = loaded.parser.parse(text, null, {
      progressCallback: () => Date.now() - started > PARSE_TIME_LIMIT_MS,
    });
    if (!tree) {
      return undefined;
    }
    try {
      const definitions = definitionsOf(tree.rootNode, loaded.definitions, loaded.spec, text);
      const outline = { definitions, references: referencesOf(tree.rootNode, loaded.references, definitions) };
      cache.set(key, outline);
      return outline;
    } finally {
      tree.delete(); // trees live in WebAssembly memory, which the garbage collector does not reach
    }
  } catch {
    return undefined;
  }
}

/** Names used and not defined or bound here, sorted; one-letter names link nothing. */
function referencesOf(root: Node, query: Query, definitions: Definition[]): string[] {
  const used = new Set<string>();
  const bound = new Set<string>(definitions.map((d) => d.name));
  for (const capture of query.captures(root)) {
    (capture.name === 'local' ? bound : used).add(capture.node.text);
  }
  return [...used].filter((name) => name.length >= 2 && !bound.has(name)).sort();
}

function looksMinified(text: string): boolean {
  let lines = 1;
  let longest = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    longest = Math.max(longest, i - start);
    start = i + 1;
    lines++;
  }
  longest = Math.max(longest, text.length - start);
  return longest > MAX_LINE_CHARS || (text.length > 2_000 && text.length / lines > MAX_MEAN_LINE_CHARS);
}
