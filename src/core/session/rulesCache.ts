import { promises as fs } from 'node:fs';
import type { WorkspaceRules } from '../workspace/rules';

/** Identity, size and times of each file ('-' for a missing one): equal stamps, unchanged files. */
async function stampOf(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map((file) =>
      fs.stat(file, { bigint: true }).then(
        (s) => `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`,
        () => '-',
      ),
    ),
  );
  return parts.join('|');
}

interface Entry {
  rules: Promise<WorkspaceRules>;
  /** The stamp of the rules' files, taken once they were read. */
  stamp: Promise<string>;
  at: number;
}

/**
 * The workspace's ignore rules, read once and kept while the files they came from stay as they were. Reading them
 * runs git (for the exclude files and the nested .gitignore files) and takes tens of milliseconds on a busy machine;
 * looking at a handful of files takes one. So each run starts with the rules it is given at once, unless one of their
 * files changed since or they are older than `freshMs` (then they are read again before it starts); past half that
 * age they are read again in the background for the runs that follow. What a look at the known files cannot see (a
 * new nested .gitignore, another excludes file in the git config) is so picked up within `freshMs`.
 */
export class RulesCache {
  private entry: Entry | undefined;
  private refreshing = false;

  constructor(
    private readonly load: () => Promise<WorkspaceRules>,
    private readonly freshMs: number,
  ) {}

  /** Forgets the rules (the settings that shape them changed). */
  reset(): void {
    this.entry = undefined;
  }

  async get(): Promise<WorkspaceRules> {
    const entry = this.entry;
    if (!entry) {
      return this.reload().rules;
    }
    const [rules, stamp] = await Promise.all([entry.rules, entry.stamp]);
    if ((await stampOf(rules.sources)) !== stamp) {
      return (this.entry === entry || !this.entry ? this.reload() : this.entry).rules;
    }
    const age = Date.now() - entry.at;
    if (age > this.freshMs) {
      // Too old to trust for what a look at the known files cannot see: read again before this run.
      return (this.entry === entry || !this.entry ? this.reload() : this.entry).rules;
    }
    if (age > this.freshMs / 2 && !this.refreshing) {
      this.refreshInBackground(entry);
    }
    return rules;
  }

  private reload(): Entry {
    const entry = this.read();
    this.entry = entry;
    entry.stamp.catch(() => {
      if (this.entry === entry) {
        this.entry = undefined;
      }
    });
    return entry;
  }

  private read(): Entry {
    const at = Date.now();
    const rules = this.load();
    return { rules, stamp: rules.then((r) => stampOf(r.sources)), at };
  }

  private refreshInBackground(old: Entry): void {
    this.refreshing = true;
    const next = this.read();
    next.stamp
      .then(() => {
        if (this.entry === old) {
          this.entry = next;
        }
      })
      .catch(() => undefined) // the rules in hand stay; the next run that finds a file changed reads them again
      .finally(() => {
        this.refreshing = false;
      });
  }
}
