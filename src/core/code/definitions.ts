import type { Node, Query } from '@vscode/tree-sitter-wasm';
import type { Found, LanguageSpec } from './lang/spec';
import { CONTAINER_KINDS, containerFound } from './lang/spec';
import { signatureOf } from './signature';
import type { Definition, DefinitionKind } from './types';

const NAME_LIMIT = 80;

interface Match {
  found: Found;
  pattern: number;
  receiver?: string;
}

/**
 * The definitions of a parsed file: its top-level declarations and the members of its types, in document order.
 * Declarations inside function bodies, object literals and other local scopes are left out. An `@export` capture
 * names a top-level declaration that the file exports apart from its declaration.
 */
export function definitionsOf(root: Node, query: Query, spec: LanguageSpec, source: string): Definition[] {
  const byName = new Map<number, Match>();
  const exportedNames = new Set<string>();
  for (const match of query.matches(root)) {
    let node: Node | undefined;
    let nameNode: Node | undefined;
    let kind: DefinitionKind | undefined;
    let receiver: string | undefined;
    for (const capture of match.captures) {
      if (capture.name.startsWith('definition.')) {
        node = capture.node;
        kind = capture.name.slice('definition.'.length) as DefinitionKind;
      } else if (capture.name === 'name') {
        nameNode = capture.node;
      } else if (capture.name === 'export') {
        exportedNames.add(capture.node.text);
      } else if (capture.name === 'container') {
        receiver = capture.node.text;
      }
    }
    const previous = nameNode && byName.get(nameNode.id);
    if (!node || !nameNode || !kind || (previous && previous.pattern <= match.patternIndex)) {
      continue;
    }
    const name = nameNode.text.replace(/^['"`]|['"`]$/g, '');
    const found: Found = { node, nameNode, name, kind, wrappers: [] };
    byName.set(nameNode.id, { found, pattern: match.patternIndex, receiver });
  }

  const byNode = new Map<number, Found>();
  for (const { found } of byName.values()) {
    if (!byNode.has(found.node.id)) {
      byNode.set(found.node.id, found);
    }
  }
  const placed = [...byName.values()]
    .filter(({ found, receiver }) => place(found, receiver, byNode, spec))
    .map(({ found }) => found)
    .sort((a, b) => a.node.startIndex - b.node.startIndex || a.nameNode.startIndex - b.nameNode.startIndex);
  // A container comes before its members, so one pass drops the members of a class local to a function.
  const kept = new Set<Found>();
  for (const found of placed) {
    const container = containerFound(found);
    if (!container || kept.has(container)) {
      kept.add(found);
    }
  }
  return [...kept].map((found) => {
    const definition = toDefinition(found, spec, source);
    // Exported by name elsewhere in the file: `export { a }`, `module.exports = { a }`.
    definition.exported ||= !found.container && exportedNames.has(found.name);
    return definition;
  });
}

/**
 * Finds the container and wrappers of a declaration; false when it is local (inside a function, or inside a
 * declaration that is not a container, like an object literal assigned to a constant).
 */
function place(found: Found, receiver: string | undefined, byNode: Map<number, Found>, spec: LanguageSpec): boolean {
  if (receiver !== undefined) {
    found.container = { name: receiver, kind: 'impl' };
  }
  let child = found.node;
  let wrapping = true;
  for (let parent = child.parent; parent; child = parent, parent = parent.parent) {
    if (wrapping && spec.wrappers.has(parent.type)) {
      found.wrappers.unshift(parent);
      continue;
    }
    wrapping = false;
    if (spec.scopes.has(parent.type)) {
      return false;
    }
    const outer = byNode.get(parent.id);
    if (outer) {
      // A type alias holds members only in its own object type, not in types nested in a function type or union.
      const body = outer.kind === 'type' ? spec.bodyOf?.(outer.node) : child;
      if (!CONTAINER_KINDS.has(outer.kind) || body?.id !== child.id) {
        return false;
      }
      found.container ??= outer;
      return true;
    }
    const impl = spec.containerOf?.(parent);
    if (impl !== undefined) {
      found.container ??= { name: impl, kind: 'impl' };
      return true;
    }
  }
  return true;
}

function toDefinition(found: Found, spec: LanguageSpec, source: string): Definition {
  const kind = spec.refineKind ? spec.refineKind(found) : found.kind;
  const name = found.name.length > NAME_LIMIT ? `${found.name.slice(0, NAME_LIMIT - 1)}…` : found.name;
  const definition: Definition = {
    name,
    kind,
    startLine: startOf(found, spec).startPosition.row + 1,
    endLine: found.node.endPosition.row + 1,
    signature: signatureOf({ ...found, kind }, spec, source),
    exported: spec.exported(found),
  };
  if (found.container) {
    definition.container = found.container.name;
  }
  return definition;
}

/** The node whose first line starts the definition's range: its outermost wrapper, decorator or attribute. */
function startOf(found: Found, spec: LanguageSpec): Node {
  let start = found.node;
  // A wrapper shared by several declarations (`const (…)` in Go) starts only the first one's range.
  for (let i = found.wrappers.length - 1; i >= 0; i--) {
    const wrapper = found.wrappers[i] as Node;
    const first = wrapper.namedChildren.find((c) => c?.type === start.type);
    if (first?.id !== start.id) {
      break;
    }
    start = wrapper;
  }
  for (let parent = start.parent; parent && spec.spanWrappers?.has(parent.type); parent = parent.parent) {
    start = parent;
  }
  for (let prev = start.previousNamedSibling; prev && spec.leadingSiblings?.has(prev.type);) {
    start = prev;
    prev = prev.previousNamedSibling;
  }
  return start;
}
