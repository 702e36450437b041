import type { Logger } from '../contract';
import type { Proposal } from '../edits/types';
import type { PlanState, SubtaskState } from '../plan/state';
import type { Store, StoredRecord } from '../store/store';
import type { Ledger } from '../usage/ledger';
import type { RecordBook } from './records';

/**
 * How long changes must stop coming before a round starts: longer than a batch of subtasks takes to start (tens of
 * milliseconds on a busy machine), far shorter than the model call they then wait for.
 */
const QUIET_MS = 100;
/** The longest a change waits to be saved while changes keep coming. */
const MAX_WAIT_MS = 250;
/** Files a round writes at once: enough to finish soon, few enough to leave the thread pool to the work itself. */
const PARALLEL_WRITES = 2;

/** Where the writer takes what it saves from: the plan in memory at the moment a round starts. */
export interface WriterSource {
  state(): PlanState | undefined;
  ledger(): Ledger;
  /** What this process knows of the records on disk. */
  book(): RecordBook;
  /** Another process saved this record since this one read it: take it instead of writing over it. */
  adopt(record: StoredRecord): Promise<void>;
}

/**
 * Saves what changed, after the fact and in rounds. Callers mark a subtask, a proposal or the plan as changed and go
 * on at once (their events are already out); a round starts once changes pause (see `schedule`) and writes the latest
 * state of everything marked since the last one, so a burst of changes (a batch of subtasks starting together) costs
 * one small write per subtask, never a rewrite of the whole plan, and nothing on the way waits for the disk.
 * `flush()` starts a round at once: the CLI calls it before it exits, the editor before it rebuilds the engine.
 *
 * Ordering, which is what a crash can observe:
 * - rounds run one at a time, in order: a later state never reaches the disk before an earlier one;
 * - within a round, proposals are written before the subtask records that name them, the ledger is appended, then
 *   plan.json, and deletions come last, when no record names what they delete;
 * - callers change the workspace first (an accept writes the file, then marks the subtask), so a record on disk never
 *   claims a change that is not in the workspace. A process that ends in between leaves the file changed and the
 *   record behind; loading finds such an accept and records it (see review/checkpoints.ts).
 * A round that fails is logged and its items are marked again, so the next round retries them.
 *
 * Other processes (another CLI, the editor) save to the same store. A round holds the store lock, and writes a subtask
 * record only when the store's copy is the one this process last saw (or one of its own runs): a record another
 * process saved since is adopted instead, with its proposal, so neither process undoes the other's work. A round
 * whose plan another process replaced writes nothing.
 */
export class PlanWriter {
  private header = false;
  private readonly subtasks = new Set<string>();
  private readonly removed = new Set<string>();
  private readonly proposals = new Map<string, Proposal>();
  private readonly dropped = new Set<string>();
  private ledgerSaved = 0;
  private last: Promise<void> = Promise.resolve();
  private next: Promise<void> | undefined;
  private writing = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the oldest change not yet saved was marked. */
  private since: number | undefined;

  constructor(
    private readonly store: Store,
    private readonly source: WriterSource,
    private readonly log: Logger,
  ) {}

  /** plan.json changed: the plan itself or a plan-level figure. */
  planChanged(): void {
    this.header = true;
    this.schedule();
  }

  subtaskChanged(ids: Iterable<string>): void {
    for (const id of ids) {
      this.removed.delete(id);
      this.subtasks.add(id);
    }
    this.schedule();
  }

  subtaskRemoved(id: string): void {
    this.subtasks.delete(id);
    this.removed.add(id);
    this.schedule();
  }

  proposalChanged(p: Proposal): void {
    this.dropped.delete(p.id);
    this.proposals.set(p.id, p);
    this.schedule();
  }

  proposalDropped(id: string): void {
    this.proposals.delete(id);
    this.dropped.add(id);
    this.schedule();
  }

  /** These records were just saved by a transaction: nothing left to write for them. */
  saved(ids: Iterable<string>): void {
    for (const id of ids) {
      this.subtasks.delete(id);
    }
  }

  /**
   * A transaction saves these proposals itself: their marks are taken off now, so a change made while it writes marks
   * them again for the next round. Give them back with `proposalChanged` when that save fails.
   */
  takeProposals(proposals: readonly Proposal[]): void {
    for (const p of proposals) {
      if (this.proposals.get(p.id) === p) {
        this.proposals.delete(p.id);
      }
    }
  }

  /** Starts a round now for what is marked; resolves once it is on disk, rejects when that save failed. */
  flush(): Promise<void> {
    return this.pending() ? this.start() : (this.next ?? this.last);
  }

  /** Resolves when no round is running or waiting to run (whatever their outcome). */
  async idle(): Promise<void> {
    while (this.next) {
      await this.next.catch(() => undefined);
    }
    await this.last.catch(() => undefined);
  }

  /**
   * Forgets what was marked, and any failure: the plan it belonged to is gone. Call once `idle()` resolved.
   * `ledgerSaved` is how many calls the store holds for the plan that follows.
   */
  reset(ledgerSaved: number): void {
    this.clearMarks();
    this.stopTimer();
    this.ledgerSaved = ledgerSaved;
    if (!this.next && !this.writing) {
      this.last = Promise.resolve();
    }
  }

  private clearMarks(): void {
    this.header = false;
    this.subtasks.clear();
    this.removed.clear();
    this.proposals.clear();
    this.dropped.clear();
  }

  private pending(): boolean {
    const ledger = this.source.ledger().size > this.ledgerSaved;
    return (
      this.header || ledger || this.subtasks.size + this.removed.size + this.proposals.size + this.dropped.size > 0
    );
  }

  /**
   * A round starts once changes stop coming for QUIET_MS, and at the latest MAX_WAIT_MS after the first unsaved one:
   * the disk work falls in the pauses (workers waiting for their model, a user reading a diff), not in the bursts
   * of a level of subtasks finishing, being accepted and their dependents starting.
   */
  private schedule(): void {
    if (this.next) {
      return; // a round is about to start and will take these marks too
    }
    const now = Date.now();
    this.since ??= now;
    this.stopTimer();
    const wait = Math.max(0, Math.min(QUIET_MS, this.since + MAX_WAIT_MS - now));
    this.timer = setTimeout(() => {
      this.start().catch(() => undefined);
    }, wait);
  }

  private stopTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = undefined;
    this.since = undefined;
  }

  private start(): Promise<void> {
    this.stopTimer();
    if (!this.next) {
      const round = this.last
        .catch(() => undefined)
        .then(async () => {
          this.next = undefined;
          this.writing = true;
          try {
            // Behind any decision or dispatch waiting for the lock: saving after the fact must not hold them up.
            await this.store.transact(() => this.round(), { background: true });
          } finally {
            this.writing = false;
          }
        });
      // Failures are logged by the round and reach whoever awaits a flush; nobody else has to handle them.
      round.catch(() => undefined);
      this.next = round;
      this.last = round;
    }
    return this.next;
  }

  private async round(): Promise<void> {
    const state = this.source.state();
    const take = {
      header: this.header,
      subtasks: [...this.subtasks],
      removed: [...this.removed],
      proposals: [...this.proposals.values()],
      dropped: [...this.dropped],
    };
    this.clearMarks();
    if (!state) {
      return;
    }
    try {
      const onDisk = await this.store.planId();
      if (onDisk !== state.id) {
        this.log(
          'error',
          `another Opus Orchestrator process replaced the plan ${state.id} with ${onDisk ?? 'none'}; ` +
            'changes this process made to the old plan were not saved',
        );
        return;
      }
      const book = this.source.book();
      const records = take.subtasks.flatMap((id) => state.subtasks[id] ?? []);
      const disks = await inBatches(records, (st) => this.store.readSubtask(state.id, st.id));
      const newer = disks.filter((d): d is StoredRecord => d !== undefined && book.isNewer(d));
      const theirs = new Set(newer.map((d) => d.state.id));
      const named = new Set(newer.flatMap((d) => d.state.proposalId ?? []));
      await inBatches(
        take.proposals.filter((p) => !theirs.has(p.subtaskId)),
        (p) => this.store.saveProposal(p),
      );
      await inBatches(
        records.map((st, i) => ({ st, disk: disks[i] })).filter(({ st }) => !theirs.has(st.id)),
        ({ st, disk }) => book.write(state.id, withoutTransient(st), disk),
      );
      const fresh = this.source.ledger().entries(this.ledgerSaved);
      if (fresh.length > 0) {
        await this.store.appendLedger(state.id, fresh);
        this.ledgerSaved += fresh.length;
        state.ledger.push(...fresh);
      }
      if (take.header) {
        await this.store.saveHeader(state);
      }
      await inBatches(
        take.dropped.filter((id) => !named.has(id)),
        (id) => this.store.deleteProposal(id),
      );
      await inBatches(take.removed, (id) => this.store.deleteSubtask(id));
      for (const record of newer) {
        await this.source.adopt(record);
      }
    } catch (err) {
      // Marked again without scheduling: the next change (or a flush) retries them, a broken folder is not hammered.
      this.header ||= take.header;
      for (const p of take.proposals) {
        if (!this.proposals.has(p.id) && !this.dropped.has(p.id)) {
          this.proposals.set(p.id, p);
        }
      }
      for (const id of take.dropped) {
        if (!this.proposals.has(id)) {
          this.dropped.add(id);
        }
      }
      for (const id of take.subtasks) {
        if (!this.removed.has(id)) {
          this.subtasks.add(id);
        }
      }
      for (const id of take.removed) {
        if (!this.subtasks.has(id)) {
          this.removed.add(id);
        }
      }
      this.log('error', `could not save the plan: ${(err as Error).message}`);
      throw err;
    }
  }
}

/** What is only true while this process runs (live tokens, a review in progress) is not saved. */
export function withoutTransient(state: SubtaskState): SubtaskState {
  const copy = { ...state };
  delete copy.live;
  delete copy.reviewing;
  return copy;
}

/** Runs `work` over the items, PARALLEL_WRITES at a time, and returns what each gave; stops at the first failure. */
async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL_WRITES) {
    out.push(...(await Promise.all(items.slice(i, i + PARALLEL_WRITES).map(work))));
  }
  return out;
}
