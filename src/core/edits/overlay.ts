/** Reads a workspace file by its workspace-relative path; null when the file does not exist. */
export type BaseReader = (rel: string) => Promise<string | null>;

/**
 * Lists a workspace folder by its workspace-relative path ('' for the root): the names of its entries, folders
 * ending in '/'; null when there is no such folder. The caller decides what may be listed (ignored files left out).
 */
export type BaseLister = (relDir: string) => Promise<string[] | null>;

/**
 * The encoding the file `rel` will be written in (its own, or UTF-8 for a new file), so that new text it cannot hold
 * is refused while the model can still fix it rather than when the user accepts.
 */
export type EncodingProbe = (rel: string) => Promise<string>;

export interface OverlayOptions {
  encodingOf?: EncodingProbe;
}

/** One file the run changed: `base` as first read (null: it did not exist), `target` as the run left it. */
export interface OverlayChange {
  path: string;
  base: string | null;
  target: string;
}

/**
 * An in-memory copy of the workspace for one worker run. Writes stay here until the user accepts them, and each file
 * is read from disk once, so the base a proposal is diffed against is exactly what the worker saw, even if the file
 * changes on disk meanwhile (that shows up later as a stale proposal rather than a silently wrong diff).
 */
export class Overlay {
  private readonly bases = new Map<string, Promise<string | null>>();
  private readonly written = new Map<string, string>();
  private readonly encodings = new Map<string, Promise<string>>();

  constructor(
    private readonly base: BaseReader,
    private readonly lister?: BaseLister,
    private readonly options: OverlayOptions = {},
  ) {}

  /** The encoding `rel` will be written in; null when nothing tells (every character is then accepted here). */
  encodingOf(rel: string): Promise<string> | null {
    const probe = this.options.encodingOf;
    if (!probe) {
      return null;
    }
    let known = this.encodings.get(rel);
    if (!known) {
      known = probe(rel);
      this.encodings.set(rel, known);
      known.catch(() => this.encodings.delete(rel));
    }
    return known;
  }

  /** How many files the run created: written, and absent from the base. */
  async createdCount(): Promise<number> {
    let n = 0;
    for (const path of this.written.keys()) {
      if ((await this.baseOf(path)) === null) {
        n += 1;
      }
    }
    return n;
  }

  /** The file as the run sees it: its own writes first, else the base snapshot. */
  async read(rel: string): Promise<string | null> {
    const own = this.written.get(rel);
    return own ?? this.baseOf(rel);
  }

  /** Replaces the run's copy of `rel`; the disk is never touched. */
  write(rel: string, text: string): void {
    this.written.set(rel, text);
  }

  /** Whether the run itself wrote `rel` (a file it created, or one it edited). */
  hasWritten(rel: string): boolean {
    return this.written.has(rel);
  }

  /** The file as first read from the base; later reads reuse that snapshot. */
  baseOf(rel: string): Promise<string | null> {
    let snapshot = this.bases.get(rel);
    if (!snapshot) {
      snapshot = this.base(rel);
      this.bases.set(rel, snapshot);
      // A failed read is not a snapshot: the next read tries again.
      snapshot.catch(() => this.bases.delete(rel));
    }
    return snapshot;
  }

  /**
   * Entries of the folder `relDir` as the run sees it: the base listing plus files and folders the run created,
   * sorted, folders ending in '/'. Null when the folder exists neither on disk nor in the run.
   */
  async list(relDir: string): Promise<string[] | null> {
    const dir = relDir === '.' ? '' : relDir.replace(/^\.\//, '').replace(/\/+$/, '');
    const listed = this.lister ? await this.lister(dir) : null;
    const names = new Set(listed ?? []);
    const prefix = dir === '' ? '' : `${dir}/`;
    let found = listed !== null;
    for (const path of this.written.keys()) {
      if (!path.startsWith(prefix)) {
        continue;
      }
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      names.add(slash < 0 ? rest : rest.slice(0, slash + 1));
      found = true;
    }
    return found ? [...names].sort() : null;
  }

  /** Every file whose text differs from its base, by path; a created file counts even when it is empty. */
  async changes(): Promise<OverlayChange[]> {
    const out: OverlayChange[] = [];
    for (const path of [...this.written.keys()].sort()) {
      const target = this.written.get(path) ?? '';
      const base = await this.baseOf(path);
      if (base !== target) {
        out.push({ path, base, target });
      }
    }
    return out;
  }
}
