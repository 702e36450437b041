import type { Node } from '@vscode/tree-sitter-wasm';
import type { DefinitionKind } from '../types';
import type { Found, LanguageSpec } from './spec';
import { containerFound, keywords, methodIfMember, set } from './spec';

/** `exports.name = …` and `module.exports.name = …`: how CommonJS files export. */
const COMMONJS = `
(expression_statement (assignment_expression
  left: (member_expression object: (identifier) @_exports property: (property_identifier) @name)) @definition.variable
  (#eq? @_exports "exports"))
(expression_statement (assignment_expression
  left: (member_expression
    object: (member_expression object: (identifier) @_module property: (property_identifier) @_exports)
    property: (property_identifier) @name)) @definition.variable
  (#eq? @_module "module") (#eq? @_exports "exports"))
(expression_statement (assignment_expression
  left: (member_expression
    object: (member_expression object: (identifier) @container property: (property_identifier) @_prototype)
    property: (property_identifier) @name)) @definition.method
  (#eq? @_prototype "prototype"))
`;

/** Declarations exported by name apart from their declaration. */
const EXPORTS = `
(export_statement !source (export_clause (export_specifier name: (identifier) @export)))
(export_statement value: (identifier) @export)
(expression_statement (assignment_expression
  left: (member_expression object: (identifier) @_module property: (property_identifier) @_exports)
  right: [(identifier) @export (object (shorthand_property_identifier) @export)])
  (#eq? @_module "module") (#eq? @_exports "exports"))
`;

/**
 * Test blocks: a call of describe/it/test/suite (or `.only`, `.skip`, …) whose first argument is its title and which
 * is given a function. They are what a plan names in a test file, which declares little else.
 */
const TEST_BLOCKS = `
(call_expression
  function: [(identifier) @_fn (member_expression object: (identifier) @_fn)]
  arguments: (arguments . [(string) (template_string)] @name [(arrow_function) (function_expression)])
  (#match? @_fn "^(describe|context|suite)$")) @definition.suite
(call_expression
  function: [(identifier) @_fn (member_expression object: (identifier) @_fn)]
  arguments: (arguments . [(string) (template_string)] @name [(arrow_function) (function_expression)])
  (#match? @_fn "^(it|test|specify)$")) @definition.test
`;

const SHARED_DEFINITIONS = `
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(method_definition name: (_) @name) @definition.method
(variable_declarator name: (identifier) @name) @definition.variable
${COMMONJS}
${EXPORTS}
${TEST_BLOCKS}`;

const TS_DEFINITIONS = `${SHARED_DEFINITIONS}
(function_signature name: (identifier) @name) @definition.function
(class_declaration name: (type_identifier) @name) @definition.class
(abstract_class_declaration name: (type_identifier) @name) @definition.class
(interface_declaration name: (type_identifier) @name) @definition.interface
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
(internal_module name: (_) @name) @definition.module
(module name: (_) @name) @definition.module
(method_signature name: (_) @name) @definition.method
(abstract_method_signature name: (_) @name) @definition.method
(public_field_definition name: (_) @name) @definition.property
(property_signature name: (_) @name) @definition.property
`;

const JS_DEFINITIONS = `${SHARED_DEFINITIONS}
(class_declaration name: (identifier) @name) @definition.class
(field_definition property: (_) @name) @definition.property
`;

const SHARED_REFERENCES = `
(identifier) @reference
(shorthand_property_identifier) @reference
(member_expression property: (property_identifier) @reference)
(variable_declarator name: (identifier) @local)
(arrow_function parameter: (identifier) @local)
(catch_clause parameter: (identifier) @local)
(rest_pattern (identifier) @local)
`;

const TS_REFERENCES = `${SHARED_REFERENCES}
(type_identifier) @reference
(required_parameter pattern: (identifier) @local)
(optional_parameter pattern: (identifier) @local)
(type_parameter name: (type_identifier) @local)
`;

const JS_REFERENCES = `${SHARED_REFERENCES}
(formal_parameters (identifier) @local)
(formal_parameters (assignment_pattern left: (identifier) @local))
`;

const FUNCTION_VALUES = set('arrow_function', 'function_expression', 'function', 'generator_function');

/** An arrow function or function expression given a name: a function, whose head is its signature. */
function functionValue(node: Node): Node | undefined {
  const value = node.childForFieldName('value') ?? node.childForFieldName('right');
  return value && FUNCTION_VALUES.has(value.type) ? value : undefined;
}

function bodyOf(node: Node): Node | null | undefined {
  const fn = functionValue(node);
  if (fn) {
    return fn.childForFieldName('body');
  }
  const value = node.type === 'type_alias_declaration' ? node.childForFieldName('value') : undefined;
  return value?.type === 'object_type' ? value : node.childForFieldName('body');
}

function refineKind(found: Found): DefinitionKind {
  if ((found.kind === 'variable' || found.kind === 'property') && functionValue(found.node)) {
    return found.container ? 'method' : 'function';
  }
  const declaration = found.wrappers.find((w) => w.type === 'lexical_declaration');
  if (found.kind === 'variable' && declaration) {
    return declaration.firstChild?.type === 'const' ? 'constant' : 'variable';
  }
  return methodIfMember(found);
}

function exported(found: Found): boolean {
  const container = containerFound(found);
  if (!container) {
    return (
      found.wrappers.some((w) => w.type === 'export_statement' || w.type === 'ambient_declaration') ||
      found.node.type === 'assignment_expression' || // CommonJS: only exports and prototypes are captured
      found.container !== undefined // a prototype method
    );
  }
  const modifiers = keywords(found.node.children.find((c) => c?.type === 'accessibility_modifier'));
  const hidden = modifiers.has('private') || modifiers.has('protected') || found.name.startsWith('#');
  return !hidden && exported(container);
}

const common = {
  scopes: set(
    'function_declaration',
    'generator_function_declaration',
    'function_expression',
    'function',
    'generator_function',
    'arrow_function',
    'method_definition',
    'class_static_block',
    'object',
  ),
  wrappers: set('export_statement', 'lexical_declaration', 'variable_declaration', 'ambient_declaration'),
  dropped: set('decorator'),
  parameters: set('required_parameter', 'optional_parameter', 'assignment_pattern'),
  bodyOf,
  refineKind,
  exported,
};

export const TYPESCRIPT: LanguageSpec = {
  ...common,
  grammar: 'tree-sitter-typescript.wasm',
  definitions: TS_DEFINITIONS,
  references: TS_REFERENCES,
};

export const TSX: LanguageSpec = { ...TYPESCRIPT, grammar: 'tree-sitter-tsx.wasm' };

export const JAVASCRIPT: LanguageSpec = {
  ...common,
  grammar: 'tree-sitter-javascript.wasm',
  definitions: JS_DEFINITIONS,
  references: JS_REFERENCES,
};
