import type { Node } from '@vscode/tree-sitter-wasm';
import type { LanguageSpec } from './spec';
import { methodIfMember, set } from './spec';

const RECEIVER = `[
  (type_identifier) @container
  (pointer_type (type_identifier) @container)
  (generic_type type: (type_identifier) @container)
  (pointer_type (generic_type type: (type_identifier) @container))
]`;

const DEFINITIONS = `
(function_declaration name: (identifier) @name) @definition.function
(method_declaration
  receiver: (parameter_list (parameter_declaration type: ${RECEIVER}))
  name: (field_identifier) @name) @definition.method
(type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface
(type_spec name: (type_identifier) @name) @definition.type
(type_alias name: (type_identifier) @name) @definition.type
(field_declaration name: (field_identifier) @name) @definition.field
(method_elem name: (field_identifier) @name) @definition.method
(const_spec (identifier) @name) @definition.constant
(var_spec name: (identifier) @name) @definition.variable
`;

const REFERENCES = `
(identifier) @reference
(type_identifier) @reference
(field_identifier) @reference
(parameter_declaration name: (identifier) @local)
(variadic_parameter_declaration name: (identifier) @local)
(short_var_declaration left: (expression_list (identifier) @local))
(range_clause left: (expression_list (identifier) @local))
(var_spec name: (identifier) @local)
(keyed_element . (literal_element (identifier) @local))
`;

/** A struct's or interface's signature ends where its member list opens, a field's before its tag. */
function bodyOf(node: Node): Node | null | undefined {
  if (node.type === 'field_declaration') {
    return node.childForFieldName('tag');
  }
  const body = node.childForFieldName('body');
  if (body || node.type !== 'type_spec') {
    return body;
  }
  const type = node.childForFieldName('type');
  if (type?.type === 'struct_type') {
    return type.namedChildren.find((c) => c?.type === 'field_declaration_list');
  }
  return type?.type === 'interface_type' ? type.children.find((c) => c?.type === '{') : undefined;
}

export const GO: LanguageSpec = {
  grammar: 'tree-sitter-go.wasm',
  definitions: DEFINITIONS,
  references: REFERENCES,
  scopes: set('function_declaration', 'method_declaration', 'func_literal'),
  wrappers: set('type_declaration', 'const_declaration', 'var_declaration'),
  dropped: set(),
  parameters: set(),
  bodyOf,
  refineKind: methodIfMember,
  // Go exports by the case of a name's first letter.
  exported: (found) => /^\p{Lu}/u.test(found.name),
};
