import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { SubtaskState } from '../plan/state';
import type { Claim, StoredPlan, StoredRecord, Store } from '../store/store';
import { processAlive } from '../store/lock';

/** A claim from another machine (a shared folder) is trusted this long; a run never takes that long. */
const FOREIGN_HOST_CLAIM_MS = 6 * 60 * 60 * 1000;

/**
 * What this process knows of the subtask records on disk, so that two processes on one store never undo each other's
 * saves: the save count of each record as last seen (a record saved by another process since is adopted, not
 * overwritten), and the claim this process writes on the records of the subtasks it runs (no other process runs them
 * while the claim's process lives).
 */
export class RecordBook {
  readonly claim: Claim = {
    pid: process.pid,
    host: os.hostname(),
    token: randomBytes(8).toString('hex'),
    at: new Date().toISOString(),
  };
  private readonly revs = new Map<string, number>();
  /** Subtasks this process runs: their records carry its claim while they are 'running'. */
  private readonly running = new Set<string>();
  /** Subtasks another living process runs, with its claim. */
  private readonly others = new Map<string, Claim>();

  constructor(private readonly store: Store) {}

  /** Starts over from a loaded store: its save counts and the claims of other processes that still live. */
  reset(records: StoredPlan['records'] = {}): void {
    this.revs.clear();
    this.others.clear();
    for (const [id, { rev, claim }] of Object.entries(records)) {
      this.revs.set(id, rev);
      if (claim && this.alive(claim)) {
        this.others.set(id, claim);
      }
    }
  }

  /** Another living process runs this subtask: its claim; undefined when none does. */
  otherRunner(id: string): Claim | undefined {
    return this.others.get(id);
  }

  start(id: string): void {
    this.running.add(id);
    this.others.delete(id);
  }

  stop(id: string): void {
    this.running.delete(id);
  }

  /** True when the record on disk is newer than what this process saw, and not one of its own runs. */
  isNewer(record: StoredRecord): boolean {
    return record.rev > (this.revs.get(record.state.id) ?? 0) && record.claim?.token !== this.claim.token;
  }

  /** Takes what another process saved as what this process knows. */
  seen(record: StoredRecord): void {
    this.revs.set(record.state.id, record.rev);
    if (record.state.status === 'running' && record.claim && this.alive(record.claim)) {
      this.others.set(record.state.id, record.claim);
    } else {
      this.others.delete(record.state.id);
    }
  }

  /**
   * Saves the record unless another process saved it since this one last saw it; then the record on disk is returned
   * (and nothing written) for the caller to adopt. Call while holding the store lock.
   */
  async save(planId: string, state: SubtaskState): Promise<StoredRecord | undefined> {
    const disk = await this.store.readSubtask(planId, state.id);
    if (disk && this.isNewer(disk)) {
      return disk;
    }
    await this.write(planId, state, disk);
    return undefined;
  }

  /** Writes the record over `disk` (what the store holds now, read under the lock and not newer). */
  async write(planId: string, state: SubtaskState, disk: StoredRecord | undefined): Promise<void> {
    const rev = Math.max(disk?.rev ?? 0, this.revs.get(state.id) ?? 0) + 1;
    const claim = state.status === 'running' && this.running.has(state.id) ? this.claim : undefined;
    await this.store.saveSubtask(planId, state, { rev, claim });
    this.revs.set(state.id, rev);
  }

  /** True while the claim's process runs: on this machine, its process id lives; elsewhere, for a run's length. */
  alive(claim: Claim): boolean {
    if (claim.token === this.claim.token) {
      return true;
    }
    if (claim.host === this.claim.host) {
      return claim.pid !== process.pid && processAlive(claim.pid);
    }
    return Date.now() - Date.parse(claim.at) < FOREIGN_HOST_CLAIM_MS;
  }
}

/** "process 1234 on host", for messages. */
export function describeClaim(claim: Claim): string {
  return `process ${claim.pid} on ${claim.host}`;
}

/**
 * Puts `next` (a copy) in place of the subtask state of the same id, changing the object in place when there is one:
 * runs and views in progress hold it. Returns the state now in `subtasks`.
 */
export function replaceInPlace(subtasks: Record<string, SubtaskState>, next: SubtaskState): SubtaskState {
  const copy = structuredClone(next);
  const st = subtasks[next.id];
  if (!st) {
    subtasks[next.id] = copy;
    return copy;
  }
  for (const key of Object.keys(st)) {
    delete (st as unknown as Record<string, unknown>)[key];
  }
  return Object.assign(st, copy);
}
