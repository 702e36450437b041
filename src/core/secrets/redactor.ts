import { createHash } from 'node:crypto';
import type { Finding } from './scanner';
import { scanText } from './scanner';

/** What replaces a secret in text sent to a model: the model sees that something is there, and what kind. */
export function secretMarker(rule: string): string {
  return `«secret redacted: ${rule}»`;
}

const MARKER = /«secret redacted: [^»\n]*»/;

/** True when `text` holds a redaction marker (a model copying one back into a file would write the marker). */
export function containsMarker(text: string): boolean {
  return MARKER.test(text);
}

/** Who the text is for ('plan' or a subtask id) and, when known, which file it comes from. */
export interface RedactContext {
  owner?: string;
  file?: string;
}

/** Emitted when a secret is kept out of a request for the first time for its owner. */
export interface RedactionEvent {
  owner: string;
  file?: string;
  rule: string;
  /** Distinct secrets kept from this owner's requests so far. */
  total: number;
}

export type RedactionLog = (level: 'info' | 'warn' | 'error', message: string) => void;

/** Scanned texts remembered by hash, so that each turn of a conversation does not scan its history again. */
const CACHE_ENTRIES = 4_000;
const UNASSIGNED = 'unassigned';

function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

/**
 * Keeps secrets out of text bound for a model: each one found is replaced by a marker naming its kind. Counts what it
 * kept per owner, tells listeners, and logs the file and the rule once per secret — never the value, which is held
 * only as a hash.
 */
export class Redactor {
  log: RedactionLog | undefined;
  private readonly cache = new Map<string, Promise<Finding[]>>();
  private readonly kept = new Map<string, Set<string>>();
  private readonly listeners = new Set<(e: RedactionEvent) => void>();

  /** The secrets in `text`, scanned once per distinct text. */
  findings(text: string): Promise<Finding[]> {
    const key = hash(text);
    let found = this.cache.get(key);
    if (found) {
      this.cache.delete(key);
    } else {
      found = scanText(text);
      found.catch(() => this.cache.delete(key));
    }
    this.cache.set(key, found);
    if (this.cache.size > CACHE_ENTRIES) {
      this.cache.delete(this.cache.keys().next().value as string);
    }
    return found;
  }

  async redact(text: string, ctx: RedactContext = {}): Promise<string> {
    if (text.length < 8) {
      return text;
    }
    return this.apply(text, await this.findings(text), ctx);
  }

  /** Several texts in one scan (the files of a repository map); each keeps its own file name for the log. */
  async redactMany(items: ReadonlyArray<{ text: string; file?: string }>, owner?: string): Promise<string[]> {
    const SEPARATOR = '\n\n';
    const joined = items.map((i) => i.text).join(SEPARATOR);
    const found = await this.findings(joined);
    let offset = 0;
    return items.map((item) => {
      const end = offset + item.text.length;
      const mine = found
        .filter((f) => f.end > offset && f.start < end)
        .map((f) => ({ rule: f.rule, start: Math.max(f.start, offset) - offset, end: Math.min(f.end, end) - offset }));
      offset = end + SEPARATOR.length;
      return this.apply(item.text, mine, { owner, file: item.file });
    });
  }

  /** Distinct secrets kept out of the requests of `owner` ('plan' or a subtask id). */
  count(owner: string): number {
    return this.kept.get(owner)?.size ?? 0;
  }

  counts(): Record<string, number> {
    return Object.fromEntries([...this.kept].map(([owner, set]) => [owner, set.size]));
  }

  /** Starts every count afresh (a new plan replaces the owners counted so far); scans stay cached. */
  forget(): void {
    this.kept.clear();
  }

  onRedaction(listener: (e: RedactionEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private apply(text: string, found: readonly Finding[], ctx: RedactContext): string {
    if (found.length === 0) {
      return text;
    }
    let out = '';
    let at = 0;
    for (const f of found) {
      out += text.slice(at, f.start) + secretMarker(f.rule);
      at = f.end;
      this.note(hash(text.slice(f.start, f.end)), f.rule, ctx);
    }
    return out + text.slice(at);
  }

  private note(valueHash: string, rule: string, ctx: RedactContext): void {
    const owner = ctx.owner ?? UNASSIGNED;
    const set = this.kept.get(owner) ?? new Set<string>();
    this.kept.set(owner, set);
    if (set.has(valueHash)) {
      return;
    }
    set.add(valueHash);
    const who = owner === 'plan' ? 'the planner' : owner === UNASSIGNED ? 'a model' : `subtask ${owner}`;
    this.log?.('warn', `${ctx.file ?? 'a request'}: a secret (${rule}) was redacted before it reached ${who}.`);
    for (const listener of [...this.listeners]) {
      listener({ owner, ...(ctx.file ? { file: ctx.file } : {}), rule, total: set.size });
    }
  }
}
