import { extractSymbols } from './symbols';

/** One declaration of a file, with the lines it spans (1-based, inclusive). */
export interface Definition {
  name: string;
  kind: string;
  /** The enclosing class, interface, struct, trait or impl, for a member. */
  container?: string;
  startLine: number;
  endLine: number;
  signature: string;
  exported: boolean;
}

/** Definitions of a file, or undefined when its language cannot be outlined. */
export type OutlineSource = (rel: string, text: string) => Promise<Definition[] | undefined>;

/** The name a plan uses for a definition: `name`, or `Container.name` for a member. */
export function qualifiedName(d: Pick<Definition, 'name' | 'container'>): string {
  return d.container ? `${d.container}.${d.name}` : d.name;
}

/** True when `wanted` (as a plan names it) is this definition: `Class.member`, or a bare name. */
export function namesDefinition(wanted: string, d: Definition): boolean {
  return wanted === qualifiedName(d) || wanted === d.name;
}

/**
 * Top-level declarations found by a line scan, each spanning up to the next one. A stand-in where no parsed outline
 * is at hand; it knows no members.
 */
export const scannedOutline: OutlineSource = async (rel, text) => {
  const symbols = extractSymbols(rel, text, Number.POSITIVE_INFINITY);
  if (symbols.length === 0 && !/\.(tsx?|[mc]?[jt]sx?|py|go|rs|java|cs)$/i.test(rel)) {
    return undefined;
  }
  const lines = text.split('\n');
  const total = text.endsWith('\n') ? lines.length - 1 : lines.length;
  return symbols.map((s, i) => ({
    name: s.name,
    kind: 'declaration',
    startLine: s.line,
    endLine: Math.max(s.line, (symbols[i + 1]?.line ?? total + 1) - 1),
    signature: s.signature,
    exported: true,
  }));
};

/** The outline plans are checked against when the caller gives none. */
export const defaultOutline: OutlineSource = scannedOutline;
