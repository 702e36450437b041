import fsCallbacks, { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lock } from 'proper-lockfile';
import { StoreError, ensureDir } from './files';

/** A lock whose holder stopped refreshing it for this long is stale (a process that hung or died on another host). */
const STALE_MS = 10_000;
/** How often the holder refreshes it: well inside STALE_MS even on a busy machine. */
const UPDATE_MS = 2_000;
/** How long a process waits for another to finish its read-modify-write before it gives up and says so. */
const WAIT_MS = 60_000;

/** proper-lockfile removes its folder with rmdir; ours holds the holder's name, so it is removed with what it holds. */
const LOCK_FS = {
  ...fsCallbacks,
  rmdir: (dir: string, done: (err: NodeJS.ErrnoException | null) => void) =>
    fsCallbacks.rm(dir, { recursive: true, force: true }, done),
};

/** Who holds the store lock, written inside the lock folder so a waiting process can tell a dead holder at once. */
interface Holder {
  pid: number;
  host: string;
}

/** True when a process with this id runs on this machine (a process of another user counts as running). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Serialises read-modify-write of one store folder across processes (the CLI, the editor, another CLI) and within this
 * one. The lock is a folder made atomically (proper-lockfile) and refreshed while held; a holder that died is noticed
 * at once when it ran on this machine (its process id is gone), else when it stops refreshing the lock.
 */
export class StoreLock {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly onLost: (message: string) => void,
  ) {}

  get file(): string {
    return path.join(this.dir, 'lock');
  }

  /** Runs `fn` holding the lock; calls from this process queue behind each other (the lock is not re-entrant). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(async () => {
      const release = await this.acquire();
      try {
        return await fn();
      } finally {
        await release().catch(() => undefined);
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async acquire(): Promise<() => Promise<void>> {
    const started = Date.now();
    for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
      const release = await this.tryLock();
      if (release) {
        return release;
      }
      if (Date.now() - started > WAIT_MS) {
        throw new StoreError(
          `Another Opus Orchestrator process has been changing the plan in ${this.dir} for over ` +
            `${WAIT_MS / 1000} s (it holds ${this.file}). Wait for it to finish; if no other process is running, ` +
            `delete ${this.file} and try again.`,
          this.file,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private async tryLock(): Promise<(() => Promise<void>) | undefined> {
    try {
      await ensureDir(this.dir, true);
      const release = await lock(this.dir, {
        lockfilePath: this.file,
        stale: STALE_MS,
        update: UPDATE_MS,
        realpath: false,
        fs: LOCK_FS,
        onCompromised: (err) => this.onLost(`the store lock ${this.file} was lost: ${err.message}`),
      });
      const holder: Holder = { pid: process.pid, host: os.hostname() };
      await fs.writeFile(path.join(this.file, 'holder.json'), JSON.stringify(holder)).catch(() => undefined);
      return release;
    } catch (err) {
      if (err instanceof StoreError) {
        throw err;
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOCKED') {
        await this.breakIfHolderDied();
        return undefined;
      }
      if (code === 'ENOENT') {
        throw new StoreError(`${this.dir} cannot be created: its workspace folder is gone.`, this.dir);
      }
      throw new StoreError(
        `Could not lock ${this.file}: ${(err as Error).message}. Check the folder's permissions.`,
        this.file,
      );
    }
  }

  /** A holder on this machine whose process is gone (killed mid-change) leaves its lock behind: take it away. */
  private async breakIfHolderDied(): Promise<void> {
    const dead = await deadHolder(this.file);
    if (dead === undefined) {
      return;
    }
    // Moved aside and looked at again: another waiting process may have broken the same lock and taken a new one.
    const aside = `${this.file}.dead-${dead}-${process.pid}`;
    try {
      await fs.rename(this.file, aside);
    } catch {
      return;
    }
    if ((await deadHolder(aside)) !== dead) {
      await fs.rename(aside, this.file).catch(() => undefined);
      return;
    }
    await fs.rm(aside, { recursive: true, force: true });
  }
}

/** The process id of the lock's holder when it ran on this machine and is gone; else undefined. */
async function deadHolder(lockDir: string): Promise<number | undefined> {
  const text = await fs.readFile(path.join(lockDir, 'holder.json'), 'utf8').catch(() => undefined);
  let holder: Holder | undefined;
  try {
    holder = text ? (JSON.parse(text) as Holder) : undefined;
  } catch {
    holder = undefined;
  }
  if (!holder || holder.host !== os.hostname() || holder.pid === process.pid || processAlive(holder.pid)) {
    return undefined;
  }
  return holder.pid;
}
