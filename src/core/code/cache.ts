import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CodeOutline, OutlineLanguage } from './types';

/**
 * Bumped whenever an outline would come out differently for the same text (queries, signature rules): a cache
 * saved by another version is then ignored rather than trusted.
 */
export const OUTLINE_FORMAT = 2;

export const DEFAULT_CACHE_ENTRIES = 4_000;

const DefinitionSchema = z.object({
  name: z.string(),
  kind: z.enum([
    'class',
    'interface',
    'struct',
    'trait',
    'type',
    'enum',
    'module',
    'function',
    'method',
    'macro',
    'field',
    'property',
    'constant',
    'variable',
    'section',
    'suite',
    'test',
  ]),
  container: z.string().optional(),
  startLine: z.number().int().positive(),
  endLine: z.number().int().positive(),
  signature: z.string(),
  exported: z.boolean(),
});

const OutlineSchema = z.object({ definitions: z.array(DefinitionSchema), references: z.array(z.string()) });

/** What `OutlineCache.serialise` gives and `restore` takes: plain JSON, content hash → outline. */
export interface SerialisedOutlines {
  format: number;
  outlines: Record<string, CodeOutline>;
}

/** The cache key of a text parsed as a language: a hash of both, so equal files share one parse. */
export function outlineKey(language: OutlineLanguage, text: string): string {
  return createHash('sha256').update(`${OUTLINE_FORMAT}\0${language}\0`).update(text).digest('base64url');
}

/**
 * Outlines by content hash, least recently used dropped past `maxEntries`. Whether to keep it between processes
 * is the caller's choice: `serialise()` gives JSON to write, `restore()` takes it back.
 */
export class OutlineCache {
  private readonly entries = new Map<string, CodeOutline>();

  constructor(readonly maxEntries = DEFAULT_CACHE_ENTRIES) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CodeOutline | undefined {
    const outline = this.entries.get(key);
    if (outline) {
      // Map keeps insertion order: moving a hit to the end makes the first entry the least recently used.
      this.entries.delete(key);
      this.entries.set(key, outline);
    }
    return outline;
  }

  set(key: string, outline: CodeOutline): void {
    this.entries.delete(key);
    this.entries.set(key, outline);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) {
        break;
      }
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  /** The entries as plain JSON, least recently used first (so that restoring keeps the order). */
  serialise(): SerialisedOutlines {
    return { format: OUTLINE_FORMAT, outlines: Object.fromEntries(this.entries) };
  }

  /**
   * Adds the outlines of a serialised cache, skipping entries that are malformed; a cache of another format, or
   * anything that is not one, adds nothing. Never throws. Returns how many outlines were taken.
   */
  restore(data: unknown): number {
    const parsed = z.object({ format: z.literal(OUTLINE_FORMAT), outlines: z.record(z.string(), z.unknown()) });
    const result = parsed.safeParse(data);
    if (!result.success) {
      return 0;
    }
    let taken = 0;
    for (const [key, value] of Object.entries(result.data.outlines)) {
      const outline = OutlineSchema.safeParse(value);
      if (outline.success) {
        this.set(key, outline.data);
        taken++;
      }
    }
    return taken;
  }
}
