import type { Node, Query } from '@vscode/tree-sitter-wasm';
import type { Found, LanguageSpec } from './lang/spec';
import { CONTAINER_KINDS, TEST_KINDS, containerFound } from './lang/spec';
import { signatureOf, testSignature } from './signature';
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

  // Several names can share a declaration (`a, b int` in Go); the first stands for it as a container.
  const byNode = new Map<number, Match[]>();
  for (const match of byName.values()) {
    byNode.set(match.found.node.id, [...(byNode.get(match.found.node.id) ?? []), match]);
  }
  const starts = [...new Set([...byName.values()].map((m) => m.found.node.startIndex))].sort((a, b) => a - b);
  const kept = new Set<Found>();
  const rows = new Map<Found, number>();
  walkToDefinitions(root, starts, spec.leadingSiblings, (node, ancestors, leadRows) => {
    for (const { found, receiver } of byNode.get(node.id) ?? []) {
      // Containers come first in document order, so a member of a class local to a function finds it missing.
      const container = place(found, receiver, ancestors, byNode, spec) ? containerFound(found) : null;
      if (container === undefined || (container && kept.has(container))) {
        kept.add(found);
        rows.set(found, startRow(found, ancestors, leadRows, spec));
      }
    }
  });
  return [...kept].map((found) => {
    const definition = toDefinition(found, rows.get(found) ?? found.node.startPosition.row, spec, source);
    // Exported by name elsewhere in the file: `export { a }`, `module.exports = { a }`.
    definition.exported ||= !found.container && exportedNames.has(found.name);
    return definition;
  });
}

/**
 * Visits in document order each named node whose range holds the start of a definition, with its ancestors
 * (root first) and, per depth, the first row of the leading siblings (attributes) just before the node on the
 * path. One cursor walk that skips every subtree without a definition: asking a node for its parent instead
 * costs a scan of its siblings, which adds up to seconds in a file with thousands of top-level statements.
 */
function walkToDefinitions(
  root: Node,
  starts: number[],
  leading: ReadonlySet<string> | undefined,
  visit: (node: Node, ancestors: readonly Node[], leadRows: readonly (number | undefined)[]) => void,
): void {
  const holdsStart = (from: number, to: number): boolean => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] as number) < from) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < starts.length && (starts[lo] as number) < to;
  };
  const ancestors: Node[] = [];
  const run: (number | undefined)[] = [];
  const leadRows: (number | undefined)[] = [];
  const cursor = root.walk();
  try {
    for (;;) {
      const depth = ancestors.length;
      let descended = false;
      const named = cursor.nodeIsNamed;
      if (named && leading?.has(cursor.nodeType)) {
        run[depth] ??= cursor.startPosition.row;
      } else if (named) {
        leadRows[depth] = run[depth];
        run[depth] = undefined;
        if (holdsStart(cursor.startIndex, cursor.endIndex)) {
          const node = cursor.currentNode;
          visit(node, ancestors, leadRows);
          if (cursor.gotoFirstChild()) {
            ancestors.push(node);
            run[depth + 1] = undefined;
            descended = true;
          }
        }
      }
      if (descended) {
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (ancestors.length === 0 || !cursor.gotoParent()) {
          return;
        }
        ancestors.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * Finds the container and wrappers of a declaration from its ancestors (innermost last); false when it is local
 * (inside a function, or inside a declaration that is not a container, like an object literal in a constant).
 */
function place(
  found: Found,
  receiver: string | undefined,
  ancestors: readonly Node[],
  byNode: Map<number, Match[]>,
  spec: LanguageSpec,
): boolean {
  if (receiver !== undefined) {
    found.container = { name: receiver, kind: 'impl' };
  }
  let child = found.node;
  let i = ancestors.length - 1;
  for (; i >= 0 && spec.wrappers.has((ancestors[i] as Node).type); i--) {
    child = ancestors[i] as Node;
    found.wrappers.unshift(child);
  }
  for (; i >= 0; child = ancestors[i] as Node, i--) {
    const parent = ancestors[i] as Node;
    if (spec.scopes.has(parent.type)) {
      // A test block in the function given to a `describe` belongs to that suite; anything else there is local.
      const suite = TEST_KINDS.has(found.kind) ? suiteOf(ancestors, i, byNode) : undefined;
      if (suite) {
        found.container ??= suite;
      }
      return suite !== undefined;
    }
    const outer = byNode.get(parent.id)?.[0]?.found;
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
    if (impl) {
      found.container ??= { kind: 'impl', ...impl };
      return true;
    }
  }
  return true;
}

/** The suite whose callback is `ancestors[at]`: `describe('x', () => { … })`, the call two levels up. */
function suiteOf(ancestors: readonly Node[], at: number, byNode: Map<number, Match[]>): Found | undefined {
  const args = ancestors[at - 1];
  const call = ancestors[at - 2];
  const outer = args?.type === 'arguments' && call ? byNode.get(call.id)?.[0]?.found : undefined;
  return outer?.kind === 'suite' ? outer : undefined;
}

/** The first row of the definition's range: its outermost wrapper, decorators or attributes. */
function startRow(
  found: Found,
  ancestors: readonly Node[],
  leadRows: readonly (number | undefined)[],
  spec: LanguageSpec,
): number {
  let start = found.node;
  let depth = ancestors.length;
  // A wrapper shared by several declarations (`const (…)` in Go) starts only the first one's range.
  for (const wrapper of [...found.wrappers].reverse()) {
    if (wrapper.namedChildren.find((c) => c?.type === start.type)?.id !== start.id) {
      break;
    }
    start = wrapper;
    depth--;
  }
  while (depth > 0 && spec.spanWrappers?.has((ancestors[depth - 1] as Node).type)) {
    start = ancestors[--depth] as Node;
  }
  return Math.min(start.startPosition.row, leadRows[depth] ?? Infinity);
}

function toDefinition(found: Found, startRow: number, spec: LanguageSpec, source: string): Definition {
  const kind = spec.refineKind ? spec.refineKind(found) : found.kind;
  const name = found.name.length > NAME_LIMIT ? `${found.name.slice(0, NAME_LIMIT - 1)}…` : found.name;
  const definition: Definition = {
    name,
    kind,
    startLine: startRow + 1,
    endLine: found.node.endPosition.row + 1,
    signature: TEST_KINDS.has(kind) ? testSignature(found) : signatureOf({ ...found, kind }, spec, source),
    exported: spec.exported(found),
  };
  if (found.container) {
    definition.container = found.container.name;
  }
  return definition;
}
