/** What a declaration is, as a reader of a repository map would name it. */
export type DefinitionKind =
  | 'class'
  | 'interface'
  | 'struct'
  | 'trait'
  | 'type'
  | 'enum'
  | 'module'
  | 'function'
  | 'method'
  | 'macro'
  | 'field'
  | 'property'
  | 'constant'
  | 'variable'
  /** A Markdown heading, spanning its section. */
  | 'section'
  /** A test block that holds others: `describe`, `suite`, `context`. */
  | 'suite'
  /** One test: `it`, `test`, `specify`. */
  | 'test';

/**
 * One declaration of a file: top-level, or a member of a class, interface, struct, trait or impl. Places that are not
 * declarations but that a plan names the same way count too: a Markdown heading (its title, within its parent
 * heading) and a test block (its title string, within its `describe`).
 */
export interface Definition {
  name: string;
  kind: DefinitionKind;
  /** The enclosing class, interface, struct, trait, enum, namespace or impl; a Go method's receiver type. */
  container?: string;
  /** 1-based, inclusive; starts at decorators, attributes and `export` so that the range can be sliced whole. */
  startLine: number;
  endLine: number;
  /**
   * The declaration head on one line, at most 110 characters: no body, no initialiser value, string-literal
   * parameter defaults shown as `…`, other string literals as `"…"`, no comments, decorators or annotations.
   * The map is sent to a model, and values may be secrets.
   */
  signature: string;
  /**
   * Visible outside its file or module: `export` (TS/JS), a name without a leading underscore (Python), a
   * capital initial (Go), `pub` (Rust), `public` or an interface member (Java, C#). Members of an unexported
   * TS or Python class are not exported.
   */
  exported: boolean;
}

/** The parsed outline of one source file. */
export interface CodeOutline {
  /** In document order. */
  definitions: Definition[];
  /**
   * Identifier names the file uses and does not define (nor bind as a parameter or local variable), sorted,
   * at least two characters long. Names a file imports count as used: they are what links it to other files.
   */
  references: string[];
}

/** The languages with a grammar (the JavaScript grammar reads JSX; the TypeScript one does not, hence `tsx`). */
export type CodeLanguage = 'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'csharp';

/** What an outline can be made of: code with a grammar, or Markdown (its headings). */
export type OutlineLanguage = CodeLanguage | 'markdown';
