import type { DefinitionKind } from '../types';
import type { Found, LanguageSpec } from './spec';
import { containerFound, keywords, methodIfMember, set } from './spec';

const JAVA_DEFINITIONS = `
(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(annotation_type_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.method
(field_declaration declarator: (variable_declarator name: (identifier) @name) @definition.field)
(constant_declaration declarator: (variable_declarator name: (identifier) @name) @definition.constant)
`;

const JAVA_REFERENCES = `
(identifier) @reference
(type_identifier) @reference
(formal_parameter name: (identifier) @local)
(spread_parameter (variable_declarator name: (identifier) @local))
(local_variable_declaration declarator: (variable_declarator name: (identifier) @local))
(lambda_expression parameters: (identifier) @local)
(inferred_parameters (identifier) @local)
(catch_formal_parameter name: (identifier) @local)
(enhanced_for_statement name: (identifier) @local)
`;

const CSHARP_DEFINITIONS = `
(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(struct_declaration name: (identifier) @name) @definition.struct
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(delegate_declaration name: (identifier) @name) @definition.type
(namespace_declaration name: (_) @name) @definition.module
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.method
(property_declaration name: (identifier) @name) @definition.property
(field_declaration (variable_declaration (variable_declarator name: (identifier) @name) @definition.field))
`;

const CSHARP_REFERENCES = `
(identifier) @reference
(parameter name: (identifier) @local)
(variable_declaration (variable_declarator name: (identifier) @local))
(foreach_statement left: (identifier) @local)
(catch_declaration name: (identifier) @local)
`;

/** The modifiers of a member: Java keeps them in a `modifiers` node, C# in one `modifier` node each. */
function modifiersOf(found: Found): Set<string> {
  const holder = found.wrappers.find((w) => w.type === 'field_declaration' || w.type === 'constant_declaration');
  return keywords(holder ?? found.node);
}

function refineKind(found: Found): DefinitionKind {
  if (found.kind === 'field') {
    const modifiers = modifiersOf(found);
    if (modifiers.has('const') || (modifiers.has('static') && (modifiers.has('final') || modifiers.has('readonly')))) {
      return 'constant';
    }
  }
  return methodIfMember(found);
}

/** Public, or a member of an interface (public there by default); and inside a type that is itself visible. */
function exported(found: Found): boolean {
  const container = containerFound(found);
  const visible = modifiersOf(found).has('public') || container?.kind === 'interface';
  return visible && (container === undefined || container.kind === 'module' || exported(container));
}

const common = {
  scopes: set(
    'method_declaration',
    'constructor_declaration',
    'lambda_expression',
    'local_function_statement',
    'accessor_declaration',
    'object_creation_expression',
  ),
  dropped: set('marker_annotation', 'annotation', 'attribute_list'),
  refineKind,
  exported,
};

export const JAVA: LanguageSpec = {
  ...common,
  grammar: 'tree-sitter-java.wasm',
  definitions: JAVA_DEFINITIONS,
  references: JAVA_REFERENCES,
  wrappers: set('field_declaration', 'constant_declaration'),
  parameters: set(),
};

export const CSHARP: LanguageSpec = {
  ...common,
  grammar: 'tree-sitter-c-sharp.wasm',
  definitions: CSHARP_DEFINITIONS,
  references: CSHARP_REFERENCES,
  wrappers: set('field_declaration', 'variable_declaration'),
  parameters: set('parameter'),
};
