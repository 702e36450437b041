import type { Node } from '@vscode/tree-sitter-wasm';
import type { Found, LanguageSpec } from './lang/spec';

export const SIGNATURE_LIMIT = 110;
/** Source read for a head at most: what comes after would be cut off anyway. */
const HEAD_SOURCE_LIMIT = 2_000;

/** Kinds whose `= value` is an initialiser, never shown (a function value keeps its head instead). */
const VALUE_KINDS = new Set(['variable', 'constant', 'field', 'property']);

/** Strings in a type (`'a' | 'b'`) are part of the type, not a value. */
const TYPE_LITERAL_PARENTS = new Set(['literal_type']);

const isString = (type: string): boolean => /string|^text_block$/.test(type) && !/_content$|_fragment$/.test(type);
const isComment = (type: string): boolean => type === 'comment' || type.endsWith('_comment');

/**
 * The declaration head of a definition on one line: its wrappers' leading tokens (`export const`, Java modifiers
 * and type), then the declaration up to its body or its `=`, without comments, decorators or string values.
 */
export function signatureOf(found: Found, spec: LanguageSpec, source: string): string {
  const parts = [render(found.node, found.node.startIndex, headEnd(found, spec), spec, source, found.nameNode.id)];
  let inner: Node = found.node;
  for (let i = found.wrappers.length - 1; i >= 0; i--) {
    const wrapper = found.wrappers[i] as Node;
    const type = inner.type;
    // `let a = 1, b = 2`: the wrapper's tokens before its first declarator (`let`) are every declarator's.
    const first = wrapper.children.find((c) => c?.type === type) ?? inner;
    parts.unshift(render(wrapper, wrapper.startIndex, first.startIndex, spec, source).replace(/[({]\s*$/, ''));
    inner = wrapper;
  }
  return tidy(parts.join(' '));
}

/**
 * A test block's head: the call and its title, `it('retries a 503')`. The title is what names the test (a
 * declaration's string values are hidden, a title is shown: it is prose about the code, and the map is redacted).
 */
export function testSignature(found: Found): string {
  const call = found.node.childForFieldName('function')?.text ?? 'test';
  const quoted = found.nameNode.text;
  const quote = quoted.slice(-1);
  const head = `${call}(`;
  const room = SIGNATURE_LIMIT - head.length - 1;
  const title = quoted.replace(/\s+/g, ' ');
  return `${head}${title.length > room ? `${title.slice(0, room - 2)}…${quote}` : title})`;
}

/** Where the head stops: at the body, at the `=` of an initialiser, else at the end of the declaration. */
function headEnd(found: Found, spec: LanguageSpec): number {
  const node = found.node;
  const body = spec.bodyOf ? spec.bodyOf(node) : node.childForFieldName('body');
  if (body) {
    return body.startIndex;
  }
  if (VALUE_KINDS.has(found.kind)) {
    const eq = node.children.find((c) => c?.type === '=' || c?.type === ':=');
    if (eq) {
      return eq.startIndex;
    }
  }
  return node.endIndex;
}

/**
 * The source between `from` and `to` inside `root`, with comments, dropped nodes and string values cut out (a
 * name that is a string, `declare module 'fs'`, stays). Walks with a cursor, which marshals one node at a time.
 */
function render(root: Node, from: number, to: number, spec: LanguageSpec, source: string, nameId = -1): string {
  const end = Math.min(to, from + HEAD_SOURCE_LIMIT);
  const out: string[] = [];
  let pos = from;
  const parents: string[] = [];
  const cursor = root.walk();
  try {
    for (;;) {
      const type = cursor.nodeType;
      const inside = cursor.endIndex > pos && cursor.startIndex < end;
      let replacement: string | undefined;
      if (inside && (isComment(type) || spec.dropped.has(type))) {
        replacement = ' ';
      } else if (inside && cursor.nodeIsNamed && isString(type) && !TYPE_LITERAL_PARENTS.has(parents.at(-1) ?? '')) {
        replacement =
          cursor.currentNode.id === nameId ? undefined : spec.parameters.has(parents.at(-1) ?? '') ? '…' : '"…"';
      }
      if (replacement !== undefined) {
        out.push(source.slice(pos, Math.max(pos, cursor.startIndex)), replacement);
        pos = Math.max(pos, Math.min(cursor.endIndex, end));
      } else if (inside && cursor.gotoFirstChild()) {
        parents.push(type);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (parents.length === 0 || !cursor.gotoParent()) {
          out.push(source.slice(pos, Math.max(pos, end)));
          return out.join('');
        }
        parents.pop();
      }
      if (cursor.startIndex >= end) {
        out.push(source.slice(pos, Math.max(pos, end)));
        return out.join('');
      }
    }
  } finally {
    cursor.delete();
  }
}

/** One line, no body opener, at most SIGNATURE_LIMIT characters. */
function tidy(text: string): string {
  let s = text
    .replace(/\s+/g, ' ')
    .replace(/([([<])\s/g, '$1')
    .replace(/,?\s([)\]>])/g, '$1')
    .trim()
    .replace(/\s*[{:=;,]$/, '')
    .trim();
  if (s.length > SIGNATURE_LIMIT) {
    s = `${s.slice(0, SIGNATURE_LIMIT - 1)}…`;
  }
  return s;
}
