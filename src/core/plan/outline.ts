import { outlineOf } from '../code/outline';
import type { Definition } from '../code/types';

export type { Definition };

/** Definitions of a file, or undefined when its language cannot be outlined (or the file is too big to parse). */
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
 * The parser's outline (tree-sitter; members included), cached by content hash in the process's shared outline
 * cache, so a re-plan and the plan's validation parse nothing the map already parsed.
 */
export const defaultOutline: OutlineSource = async (rel, text) => (await outlineOf(rel, text))?.definitions;
