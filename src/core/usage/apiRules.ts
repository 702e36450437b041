import type { ModelRole } from '../models';

/**
 * What the Messages API adds to a prompt and how it caches it, per model role, as the estimates count them. Figures
 * from Anthropic's API documentation as stored on 2026-11-28 (prompt-caching, tool-use and text-editor-tool pages);
 * where a page gives no figure for a 5.5 model, the newest model of its family listed there stands in.
 */
export const API_RULES = {
  /** A cache breakpoint over a shorter prefix is ignored: nothing is written, nothing read. */
  minCacheableTokens: { opus: 512, sonnet: 512, haiku: 4_096 } as Readonly<Record<ModelRole, number>>,
  /** The system prompt the API adds to a request that sends tools (tool choice auto). */
  toolUseSystemPromptTokens: { opus: 290, sonnet: 354, haiku: 496 } as Readonly<Record<ModelRole, number>>,
  /** The text editor tool's definition as the API expands it. */
  editorToolTokens: 700,
  /** A breakpoint finds an earlier cache entry only this many blocks back. */
  lookbackBlocks: 20,
} as const;

/** Tokens the API puts in front of a worker's prompt beyond its JSON: the tool-use system prompt and the editor tool. */
export function workerPromptOverhead(role: ModelRole): number {
  return API_RULES.toolUseSystemPromptTokens[role] + API_RULES.editorToolTokens;
}
