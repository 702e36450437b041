import type { Node } from '@vscode/tree-sitter-wasm';
import type { DefinitionKind } from '../types';

/** A type that methods are attached to outside its declaration; `visible` when a trait impl makes them public. */
export interface ImplContainer {
  name: string;
  kind: 'impl';
  visible?: boolean;
}

/** A declaration as the definitions query found it, before its signature is rendered. */
export interface Found {
  node: Node;
  nameNode: Node;
  name: string;
  kind: DefinitionKind;
  /** The enclosing declaration, or a type known by name only (a Go receiver, a Rust impl block). */
  container?: Found | ImplContainer;
  /** Declarations that hold this one and give it leading tokens (`export`, `const`, Java modifiers), outermost first. */
  wrappers: Node[];
}

/**
 * How one language's tree is read. Queries are tree-sitter S-expressions: a grammar that lacks a node type named
 * there fails to compile the query, which the grammar test catches.
 */
export interface LanguageSpec {
  /** The grammar's file in @vscode/tree-sitter-wasm's `wasm` folder. */
  grammar: string;
  /**
   * Each pattern captures a declaration as `@definition.<kind>` and its name as `@name`; `@container` names the
   * enclosing type where the tree does not nest the declaration in it (a Go method's receiver); `@export` names
   * a top-level declaration exported elsewhere (`export { a }`). When several patterns capture the same name,
   * the first pattern wins.
   */
  definitions: string;
  /** `@reference` on identifiers used; `@local` on names bound locally (parameters, local variables). */
  references: string;
  /** Node types whose contents are local: declarations inside them are not part of the outline. */
  scopes: ReadonlySet<string>;
  /** Node types that hold a declaration and lend it their leading tokens and start line. */
  wrappers: ReadonlySet<string>;
  /** Node types that hold a declaration and lend it only their start line (Python's decorators). */
  spanWrappers?: ReadonlySet<string>;
  /** Preceding siblings that belong to a declaration's line range (Rust's `#[derive]`). */
  leadingSiblings?: ReadonlySet<string>;
  /** Nodes removed from signatures (decorators, annotations, attributes). */
  dropped: ReadonlySet<string>;
  /** Parameter nodes whose string-literal default is shown as `…`. */
  parameters: ReadonlySet<string>;
  /** Where the declaration's body starts, which ends its signature; default: its `body` field. */
  bodyOf?(node: Node): Node | null | undefined;
  /** The container a node that is not itself a definition stands for (a Rust impl block: its type). */
  containerOf?(node: Node): Omit<ImplContainer, 'kind'> | undefined;
  /** A more precise kind than the query gave, once the container is known. */
  refineKind?(found: Found): DefinitionKind;
  /** Whether the declaration is visible outside its file or module. */
  exported(found: Found): boolean;
}

/** Kinds whose members are listed with the kind's name as their container. */
export const CONTAINER_KINDS: ReadonlySet<DefinitionKind> = new Set([
  'class',
  'interface',
  'struct',
  'trait',
  'type',
  'enum',
  'module',
]);

/** Test blocks: calls, not declarations, so they nest in a suite's callback rather than in a body. */
export const TEST_KINDS: ReadonlySet<DefinitionKind> = new Set(['suite', 'test']);

/** Kinds whose functions are methods. */
const TYPE_KINDS: ReadonlySet<string> = new Set(['class', 'interface', 'struct', 'trait', 'type', 'enum', 'impl']);

/** A function declared in a type is a method, wherever the grammar put it. */
export function methodIfMember(found: Found): DefinitionKind {
  return found.kind === 'function' && found.container && TYPE_KINDS.has(found.container.kind) ? 'method' : found.kind;
}

/** The text of a node's direct children that are keywords (anonymous nodes): `public`, `static`, `const`. */
export function keywords(node: Node | null | undefined): Set<string> {
  const out = new Set<string>();
  for (const child of node?.children ?? []) {
    if (child && !child.isNamed) {
      out.add(child.type);
    } else if (child && (child.type === 'modifier' || child.type === 'modifiers')) {
      for (const k of child.text.split(/\s+/)) {
        out.add(k);
      }
    }
  }
  return out;
}

/** The containing declaration, when it is one this module found (not an impl block). */
export function containerFound(found: Found): Found | undefined {
  return found.container && 'node' in found.container ? found.container : undefined;
}

export const set = (...types: string[]): ReadonlySet<string> => new Set(types);
