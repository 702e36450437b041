/** One unit of work: its declared file scope keeps it apart from any running job that shares a file. */
export interface Job {
  id: string;
  scope: readonly string[];
  run(signal: AbortSignal): Promise<void>;
}

/** How a submitted job ended: it ran (successfully or not), or it was cancelled before it started. */
export type JobOutcome = 'ran' | 'cancelled';

interface Entry {
  job: Job;
  controller: AbortController;
  resolve(outcome: JobOutcome): void;
}

/**
 * Runs jobs in submission order, at most `limit` at a time, never two whose scopes share a file: both would edit the
 * same base and one proposal would silently undo the other. A job that must wait for an overlapping one does not hold
 * back later jobs that are free to run.
 */
export class Scheduler {
  private readonly queue: Entry[] = [];
  private readonly active = new Map<string, Entry>();

  constructor(private limit: number) {
    this.limit = Math.max(1, Math.floor(limit));
  }

  setLimit(limit: number): void {
    this.limit = Math.max(1, Math.floor(limit));
    this.pump();
  }

  /** Resolves when the job has finished (its own errors are its business: `run` should not throw). */
  submit(job: Job): Promise<JobOutcome> {
    if (this.has(job.id)) {
      throw new Error(`Job ${job.id} is already queued or running.`);
    }
    return new Promise<JobOutcome>((resolve) => {
      this.queue.push({ job, controller: new AbortController(), resolve });
      this.pump();
    });
  }

  has(id: string): boolean {
    return this.active.has(id) || this.queue.some((e) => e.job.id === id);
  }

  isRunning(id: string): boolean {
    return this.active.has(id);
  }

  running(): string[] {
    return [...this.active.keys()];
  }

  queued(): string[] {
    return this.queue.map((e) => e.job.id);
  }

  /** A queued job is dropped; a running one has its signal aborted. False when the id is unknown. */
  cancel(id: string): boolean {
    const at = this.queue.findIndex((e) => e.job.id === id);
    if (at >= 0) {
      const [entry] = this.queue.splice(at, 1);
      entry?.resolve('cancelled');
      return true;
    }
    const running = this.active.get(id);
    running?.controller.abort();
    return running !== undefined;
  }

  cancelAll(): void {
    for (const entry of this.queue.splice(0)) {
      entry.resolve('cancelled');
    }
    for (const entry of this.active.values()) {
      entry.controller.abort();
    }
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length && this.active.size < this.limit;) {
      const entry = this.queue[i] as Entry;
      if (this.overlapsRunning(entry.job)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.start(entry);
    }
  }

  private start(entry: Entry): void {
    this.active.set(entry.job.id, entry);
    void entry.job
      .run(entry.controller.signal)
      .catch(() => undefined)
      .then(() => {
        this.active.delete(entry.job.id);
        entry.resolve('ran');
        this.pump();
      });
  }

  private overlapsRunning(job: Job): boolean {
    const mine = new Set(job.scope.map(normalise));
    for (const other of this.active.values()) {
      if (other.job.scope.some((p) => mine.has(normalise(p)))) {
        return true;
      }
    }
    return false;
  }
}

function normalise(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '');
}
