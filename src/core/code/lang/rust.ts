import type { Node } from '@vscode/tree-sitter-wasm';
import type { Found, ImplContainer, LanguageSpec } from './spec';
import { methodIfMember, set } from './spec';

const DEFINITIONS = `
(function_item name: (identifier) @name) @definition.function
(function_signature_item name: (identifier) @name) @definition.function
(struct_item name: (type_identifier) @name) @definition.struct
(union_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(trait_item name: (type_identifier) @name) @definition.trait
(type_item name: (type_identifier) @name) @definition.type
(mod_item name: (identifier) @name) @definition.module
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant
(field_declaration name: (field_identifier) @name) @definition.field
(macro_definition name: (identifier) @name) @definition.macro
`;

const REFERENCES = `
(identifier) @reference
(type_identifier) @reference
(field_identifier) @reference
(parameter pattern: (identifier) @local)
(let_declaration pattern: (identifier) @local)
(closure_parameters (identifier) @local)
(for_expression pattern: (identifier) @local)
`;

/** `impl<T> Display for Point<T>` gives its methods the container `Point`, as public as the trait. */
function containerOf(node: Node): Omit<ImplContainer, 'kind'> | undefined {
  if (node.type !== 'impl_item') {
    return undefined;
  }
  let type = node.childForFieldName('type');
  while (type && (type.type === 'generic_type' || type.type === 'scoped_type_identifier')) {
    type = type.childForFieldName(type.type === 'generic_type' ? 'type' : 'name');
  }
  return type ? { name: type.text, visible: node.childForFieldName('trait') !== null } : undefined;
}

/** `pub` marks what a module exports; a trait's items and a trait impl's methods are as visible as the trait. */
function exported(found: Found): boolean {
  if (found.node.children.some((c) => c?.type === 'visibility_modifier')) {
    return true;
  }
  const container = found.container;
  if (container && 'node' in container) {
    return container.kind === 'trait' && exported(container);
  }
  return container?.visible === true;
}

export const RUST: LanguageSpec = {
  grammar: 'tree-sitter-rust.wasm',
  definitions: DEFINITIONS,
  references: REFERENCES,
  scopes: set('function_item', 'closure_expression'),
  wrappers: set(),
  leadingSiblings: set('attribute_item'),
  dropped: set('attribute_item'),
  parameters: set(),
  containerOf,
  refineKind: methodIfMember,
  exported,
};
