import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { estimateTokens } from '../../src/core/usage/usage';

/** How one request's prompt divides into fresh input, cache reads and cache writes. */
export interface CacheAccount {
  input: number;
  cacheRead: number;
  cacheWrite: number;
}

/** The parts of a Messages-API body that make up the prompt. */
export interface PromptBody {
  model?: string;
  system?: unknown;
  tools?: unknown[];
  messages?: unknown[];
  cache_control?: unknown;
}

/**
 * The API will not cache a prefix shorter than this. Published minimums are 1,024 tokens (Sonnet) to 4,096 (the
 * latest Opus and Haiku); the bench's responder uses 1,024 for every model, and the cache-share row also reports the
 * share under STRICT_MIN_CACHEABLE_TOKENS so that the figure does not hang on that choice.
 */
export const MIN_CACHEABLE_TOKENS = 1024;
/** The largest published minimum cacheable prefix. */
export const STRICT_MIN_CACHEABLE_TOKENS = 4096;
/** A breakpoint looks for an earlier cache entry this many blocks back, as the API does. */
const LOOKBACK_BLOCKS = 20;

/** Every prompt's token count, on both sides of every ratio: the offline estimate (chars / 3.5) of its JSON. */
export function promptTokensOf(body: PromptBody): number {
  return estimateTokens(JSON.stringify({ system: body.system, tools: body.tools, messages: body.messages }));
}

interface Element {
  json: string;
  breakpoint: boolean;
}

function withoutMarker(block: unknown): { json: string; breakpoint: boolean } {
  if (block && typeof block === 'object' && 'cache_control' in block) {
    const { cache_control: marker, ...rest } = block as Record<string, unknown>;
    return { json: JSON.stringify(rest), breakpoint: marker !== undefined && marker !== null };
  }
  return { json: JSON.stringify(block), breakpoint: false };
}

/** The prompt in the order the API caches it (tools, system, messages), one element per block. */
function elements(body: PromptBody): Element[] {
  const out: Element[] = [];
  for (const tool of body.tools ?? []) {
    out.push(withoutMarker(tool));
  }
  // A string is the same prompt as one text block holding it (the API reads it so): clients send either form, and
  // Claude Code sends an earlier message as a string once its breakpoint has moved on.
  if (typeof body.system === 'string') {
    out.push(withoutMarker({ type: 'text', text: body.system }));
  } else if (Array.isArray(body.system)) {
    out.push(...body.system.map(withoutMarker));
  }
  for (const message of body.messages ?? []) {
    const { role, content } = message as { role?: string; content?: unknown };
    const blocks = Array.isArray(content)
      ? content.map(withoutMarker)
      : [withoutMarker(typeof content === 'string' ? { type: 'text', text: content } : content)];
    blocks.forEach((b, i) => out.push(i === 0 ? { ...b, json: `${role}:${b.json}` } : b));
  }
  // Automatic caching: a top-level cache_control puts the breakpoint on the last block.
  const last = out.at(-1);
  if (body.cache_control && last) {
    last.breakpoint = true;
  }
  return out;
}

/** How the API caches, when one minimum for every model is not enough. */
export interface CacheRules {
  /** The minimum cacheable prefix of a model, in tokens. */
  minTokens(model: string): number;
  /** Tokens the API puts in front of the prompt beyond its JSON (a tool-use system prompt, expanded tool schemas). */
  extraTokens?(body: PromptBody): number;
  /** An entry is gone this long after its last write or read; never, when left out. */
  ttlMs?: number;
}

/**
 * Prompt caching as the Messages API reports it, for the local server: each `cache_control` breakpoint names a prefix
 * (tools, then system, then messages, up to and including that block); a prefix written by an earlier request of the
 * same model is read from cache, and the request writes its own breakpoints' prefixes. With a number (or no TTL in the
 * rules) entries never expire; with `ttlMs` an entry lives that long after its last use, as the API's do.
 */
export class PromptCache {
  /** Prefix hash → when it was last written or read. */
  private readonly written = new Map<string, number>();
  private readonly rules: CacheRules;

  constructor(rules: number | CacheRules = MIN_CACHEABLE_TOKENS) {
    this.rules = typeof rules === 'number' ? { minTokens: () => rules } : rules;
  }

  private live(hash: string, at: number): boolean {
    const last = this.written.get(hash);
    return last !== undefined && (this.rules.ttlMs === undefined || at - last <= this.rules.ttlMs);
  }

  /** The split of one request sent at `at` (ms); earlier requests must be accounted first. */
  account(body: PromptBody, at = 0): CacheAccount {
    const extra = this.rules.extraTokens?.(body) ?? 0;
    const minTokens = this.rules.minTokens(body.model ?? '');
    const total = promptTokensOf(body) + extra;
    const els = elements(body);
    const hashes: string[] = [];
    let hash: Hash = createHash('sha256').update(body.model ?? '');
    for (const el of els) {
      hash = hash.update(el.json).update('\u0000');
      hashes.push(hash.copy().digest('hex'));
    }
    // A prefix's share of the prompt is its share of the characters, so a prefix that is the whole prompt is exactly
    // the prompt's estimate and reads + writes + input always add up to it.
    const ends: number[] = [];
    els.reduce((n, e) => {
      ends.push(n + e.json.length);
      return n + e.json.length;
    }, 0);
    const allChars = ends.at(-1) ?? 1;
    // The API's own additions come first, so every prefix holds them.
    const prefixTokens = (i: number): number => extra + Math.round(((total - extra) * (ends[i] as number)) / allChars);
    let cacheRead = 0;
    let lastBreakpoint = -1;
    els.forEach((el, i) => {
      if (!el.breakpoint) {
        return;
      }
      lastBreakpoint = i;
      for (let j = i; j >= 0 && j > i - LOOKBACK_BLOCKS; j--) {
        if (this.live(hashes[j] as string, at)) {
          cacheRead = Math.max(cacheRead, prefixTokens(j));
          this.written.set(hashes[j] as string, at);
          break;
        }
      }
    });
    cacheRead = Math.min(total, cacheRead);
    let cacheWrite = 0;
    if (lastBreakpoint >= 0 && prefixTokens(lastBreakpoint) >= minTokens) {
      cacheWrite = Math.max(0, Math.min(total - cacheRead, prefixTokens(lastBreakpoint) - cacheRead));
      els.forEach((el, i) => {
        if (el.breakpoint && prefixTokens(i) >= minTokens) {
          this.written.set(hashes[i] as string, at);
        }
      });
    }
    return { input: total - cacheRead - cacheWrite, cacheRead, cacheWrite };
  }
}
