import type { DefinitionKind } from '../types';
import type { Found, LanguageSpec } from './spec';
import { containerFound, methodIfMember, set } from './spec';

const DEFINITIONS = `
(class_definition name: (identifier) @name) @definition.class
(function_definition name: (identifier) @name) @definition.function
(module (expression_statement (assignment left: (identifier) @name) @definition.variable))
(class_definition body: (block (expression_statement (assignment left: (identifier) @name) @definition.field)))
`;

const REFERENCES = `
(identifier) @reference
(parameters (identifier) @local)
(lambda_parameters (identifier) @local)
(default_parameter name: (identifier) @local)
(typed_parameter (identifier) @local)
(typed_default_parameter name: (identifier) @local)
(list_splat_pattern (identifier) @local)
(dictionary_splat_pattern (identifier) @local)
(assignment left: (identifier) @local)
(assignment left: (pattern_list (identifier) @local))
(for_statement left: (identifier) @local)
(for_statement left: (pattern_list (identifier) @local))
(keyword_argument name: (identifier) @local)
(as_pattern alias: (as_pattern_target (identifier) @local))
`;

/** `_private` is a convention Python keeps; dunders (`__init__`) are protocol, hence public. */
const isPublic = (name: string): boolean => !name.startsWith('_') || /^__\w+__$/.test(name);

function refineKind(found: Found): DefinitionKind {
  if (found.kind === 'variable' && /^[A-Z][A-Z0-9_]*$/.test(found.name)) {
    return 'constant';
  }
  return methodIfMember(found);
}

export const PYTHON: LanguageSpec = {
  grammar: 'tree-sitter-python.wasm',
  definitions: DEFINITIONS,
  references: REFERENCES,
  scopes: set('function_definition', 'lambda'),
  wrappers: set('expression_statement'),
  spanWrappers: set('decorated_definition'),
  dropped: set('decorator'),
  parameters: set('default_parameter', 'typed_default_parameter'),
  refineKind,
  exported(found) {
    const container = containerFound(found);
    return isPublic(found.name) && (!container || PYTHON.exported(container));
  },
};
