import fsCallbacks, { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
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

/** The longest this process keeps the lock across back-to-back runs before it lets another process have a turn. */
const MAX_HOLD_MS = 500;

interface Waiter {
  fn: () => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  background: boolean;
}

/**
 * Serialises read-modify-write of one store folder across processes (the CLI, the editor, another CLI) and within this
 * one. The lock is a folder made atomically (proper-lockfile) and refreshed while held; a holder that died is noticed
 * at once when it ran on this machine (its process id is gone), else when it stops refreshing the lock.
 *
 * Runs of this process queue behind each other. One that is queued when the previous one ends (or within the same
 * turn of the event loop: an accept whose caller dispatches the dependents at once) continues on the lock already held,
 * up to MAX_HOLD_MS; `epoch` tells when the hold began afresh, so what this process read or wrote during the same hold
 * needs no reading again. Background runs (saving after the fact) give way to every other run waiting.
 */
export class StoreLock {
  private readonly waiting: Waiter[] = [];
  private draining = false;
  private release: (() => Promise<void>) | undefined;
  private releasing: Promise<void> = Promise.resolve();
  private heldSince = 0;
  private holds = 0;
  private lost = false;
  private linger: ReturnType<typeof setImmediate> | undefined;
  /** The folder was made (with its .gitignore) by an earlier hold: taking the lock needs no check of it. */
  private dirReady = false;

  constructor(
    private readonly dir: string,
    private readonly onLost: (message: string) => void,
  ) {}

  get file(): string {
    return path.join(this.dir, 'lock');
  }

  /** Which unbroken hold of the lock this process is in; undefined while it does not hold the lock. */
  get epoch(): number | undefined {
    return this.release && !this.lost ? this.holds : undefined;
  }

  /** Runs `fn` holding the lock; calls from this process queue behind each other (the lock is not re-entrant). */
  run<T>(fn: () => Promise<T>, opts: { background?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ fn, resolve: resolve as (value: unknown) => void, reject, background: !!opts.background });
      void this.drain();
    });
  }

  /** The next run: any other before a background one. */
  private take(): Waiter | undefined {
    const at = this.waiting.findIndex((w) => !w.background);
    return this.waiting.splice(at >= 0 ? at : 0, 1)[0];
  }

  private async drain(): Promise<void> {
    if (this.draining) {
      return;
    }
    this.draining = true;
    if (this.linger) {
      clearImmediate(this.linger);
      this.linger = undefined;
    }
    try {
      for (;;) {
        if (this.waiting.length > 0 && this.waiting.every((w) => w.background)) {
          // A caller that goes on with another run when its own ends (a dispatch after an accept) still comes first.
          await nextTurn();
        }
        // Taken after any wait, with nothing awaited in between: a run queued meanwhile is never missed.
        const next = this.take();
        if (!next) {
          break;
        }
        if (this.release && (this.lost || Date.now() - this.heldSince > MAX_HOLD_MS)) {
          await this.letGo();
        }
        if (!this.release) {
          try {
            await this.releasing;
            this.release = await this.acquire();
          } catch (err) {
            next.reject(err);
            continue;
          }
          this.heldSince = Date.now();
          this.holds += 1;
          this.lost = false;
        }
        try {
          next.resolve(await next.fn());
        } catch (err) {
          next.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
    // Kept for the rest of this turn of the event loop: a caller that goes on with another run at once keeps the hold.
    this.linger = setImmediate(() => {
      this.linger = undefined;
      if (!this.draining && this.waiting.length === 0) {
        void this.letGo();
      }
    });
  }

  private letGo(): Promise<void> {
    const release = this.release;
    this.release = undefined;
    if (release) {
      this.releasing = release().catch(() => undefined);
    }
    return this.releasing;
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
      if (!this.dirReady) {
        await ensureDir(this.dir, true);
      }
      const release = await lock(this.dir, {
        lockfilePath: this.file,
        stale: STALE_MS,
        update: UPDATE_MS,
        realpath: false,
        fs: LOCK_FS,
        onCompromised: (err) => {
          this.lost = true;
          this.onLost(`the store lock ${this.file} was lost: ${err.message}`);
        },
      });
      this.dirReady = true;
      const holder: Holder = { pid: process.pid, host: os.hostname() };
      // Written while the run goes on (a waiting process only reads it to tell a dead holder); done before release,
      // which removes the folder with what it holds.
      const named = fs.writeFile(path.join(this.file, 'holder.json'), JSON.stringify(holder)).catch(() => undefined);
      return () => named.then(() => release());
    } catch (err) {
      if (err instanceof StoreError) {
        throw err;
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOCKED') {
        await this.breakIfHolderDied();
        return undefined;
      }
      if (code === 'ENOENT' && this.dirReady) {
        // The store folder was removed since: made again (or refused, when the workspace is gone) on the next try.
        this.dirReady = false;
        return this.tryLock();
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
