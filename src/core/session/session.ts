import type { Logger, SubtaskView, Totals } from '../contract';
import { OrchestratorError } from '../contract';
import type { Proposal } from '../edits/types';
import type { Subtask } from '../plan/schema';
import type { Estimate, PlanState } from '../plan/state';
import type { Store, StoredRecord } from '../store/store';
import { Ledger } from '../usage/ledger';
import { EventStream } from './events';
import { RecordBook } from './records';
import { adoptRecord, planChanged, refuseWhileOthersRun, restoreLoaded } from './restore';
import { planTotals, refreshStatuses, unacceptedDeps } from './statuses';
import { PlanWriter, withoutTransient } from './writer';

/**
 * The plan being worked on, shared by the runner and the review desk: its subtasks and their statuses, its ledger, the
 * open proposals, one event stream, and its persistence. Every change is reported the same way — `changed(ids)` sends
 * the events first and has the writer save the records after — so nothing on the hot path waits for the disk.
 */
export class PlanSession {
  readonly events: EventStream;
  private current: PlanState | undefined;
  private book = new Ledger();
  private readonly proposals = new Map<string, Proposal>();
  private readonly writer: PlanWriter;
  /** What this process knows of the records other processes save to the same store. */
  readonly records: RecordBook;

  constructor(
    readonly store: Store,
    private readonly log: Logger,
  ) {
    this.events = new EventStream(log);
    this.records = new RecordBook(store);
    this.writer = new PlanWriter(
      store,
      {
        state: () => this.current,
        ledger: () => this.book,
        book: () => this.records,
        adopt: (record) => this.adopt(record),
      },
      log,
    );
  }

  get state(): PlanState | undefined {
    return this.current;
  }

  get ledger(): Ledger {
    return this.book;
  }

  subtask(id: string): SubtaskView | undefined {
    const spec = this.current?.plan.subtasks.find((s) => s.id === id);
    const state = this.current?.subtasks[id];
    return spec && state ? { spec, state } : undefined;
  }

  subtasks(): SubtaskView[] {
    const current = this.current;
    return current
      ? current.plan.subtasks.flatMap((spec) => {
          const state = current.subtasks[spec.id];
          return state ? [{ spec, state }] : [];
        })
      : [];
  }

  ready(): string[] {
    return this.subtasks().flatMap((s) => (s.state.status === 'ready' ? [s.spec.id] : []));
  }

  /** The subtask, or a refusal that says why there is none. */
  require(id: string): SubtaskView {
    if (!this.current) {
      throw new OrchestratorError('no-plan', 'There is no plan yet: run "Plan with Opus" first.');
    }
    const view = this.subtask(id);
    if (!view) {
      throw new OrchestratorError('unknown-subtask', `The plan has no subtask "${id}".`);
    }
    return view;
  }

  /**
   * Runs `fn` holding the store lock, after taking in what other processes saved since this one last looked: a
   * decision made inside it sees the latest state of every subtask, and `commit` saves it before the lock is let go.
   * Refuses when another process replaced the plan. Not re-entrant; never `flush()` inside it.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.store.transact(async () => {
      await this.syncLocked();
      return fn();
    });
  }

  /** Saves these subtasks' records and open proposals now; call inside `transaction`. */
  async commit(ids: readonly string[]): Promise<void> {
    const state = this.current;
    if (!state) {
      return;
    }
    // Proposals before the records that name them; each group written at once, one file each.
    const proposals = ids.flatMap((id) => this.proposals.get(id) ?? []);
    this.writer.takeProposals(proposals);
    await Promise.all(proposals.map((p) => this.store.saveProposal(p))).catch((err: unknown) => {
      proposals.forEach((p) => this.writer.proposalChanged(p));
      throw err;
    });
    const records = ids.flatMap((id) => state.subtasks[id] ?? []);
    const newer = await Promise.all(records.map((st) => this.records.save(state.id, withoutTransient(st))));
    for (const record of newer) {
      if (record) {
        await this.adopt(record);
      }
    }
    this.writer.saved(ids);
  }

  /** Recomputes the statuses that follow from dependencies; returns the ids that changed. */
  refresh(): string[] {
    return refreshStatuses(this.current);
  }

  unacceptedDeps(spec: Subtask): string[] {
    return unacceptedDeps(this.current, spec);
  }

  /** These subtasks changed: their events go out now, their records are saved after. */
  changed(ids: Iterable<string>): void {
    const list = [...ids];
    this.events.subtasks(list);
    this.writer.subtaskChanged(list);
  }

  /** Saves a subtask's record without an event (nothing a listener shows changed). */
  saveLater(id: string): void {
    this.writer.subtaskChanged([id]);
  }

  /** The plan itself changed (scopes, the subtask list, plan-level figures). */
  planChanged(): void {
    this.events.emit({ kind: 'plan' });
    this.writer.planChanged();
  }

  /**
   * A figure computed from the saved records changed (the Opus-alone estimate after a run): the plan row's figures go
   * out; nothing is saved, since loading computes it again from the subtasks' records.
   */
  figuresChanged(): void {
    this.events.emit({ kind: 'usage', id: 'plan' });
  }

  subtaskRemoved(id: string): void {
    this.writer.subtaskRemoved(id);
  }

  /** The subtask's proposal as the desk keeps it (resolved files included). */
  proposal(subtaskId: string): Proposal | undefined {
    return this.proposals.get(subtaskId);
  }

  /** A new proposal for the subtask; the one it replaces is deleted once no record names it. */
  setProposal(subtaskId: string, proposal: Proposal): void {
    const previous = this.current?.subtasks[subtaskId]?.proposalId;
    this.proposals.set(subtaskId, proposal);
    this.writer.proposalChanged(proposal);
    if (previous && previous !== proposal.id) {
      this.writer.proposalDropped(previous);
    }
  }

  proposalChanged(proposal: Proposal): void {
    this.writer.proposalChanged(proposal);
  }

  dropProposal(subtaskId: string): void {
    const id = this.current?.subtasks[subtaskId]?.proposalId;
    this.proposals.delete(subtaskId);
    if (id) {
      this.writer.proposalDropped(id);
    }
  }

  /**
   * Restores the stored plan. A run that was in flight when its process ended becomes 'interrupted'; a subtask the
   * store has no state for starts again as pending (or ready), priced by `estimate`; both are logged and saved.
   */
  async load(
    estimate: (spec: Subtask, goal: string) => Promise<Estimate>,
    prepare: () => Promise<void> = async () => undefined,
  ): Promise<PlanState | undefined> {
    // What this process still has to write lands before the folder is read back.
    await this.writer.flush().catch(() => undefined);
    const stored = await this.store.transact(async () => {
      await prepare();
      return this.store.load();
    });
    this.proposals.clear();
    this.current = stored?.state;
    this.book = new Ledger(stored?.state.ledger ?? []);
    this.writer.reset(this.book.size);
    this.records.reset(stored?.records);
    if (!stored) {
      this.events.emit({ kind: 'plan' });
      return undefined;
    }
    for (const note of stored.notes) {
      this.log(stored.format < 2 && note.startsWith('converted') ? 'info' : 'warn', `stored plan: ${note}`);
    }
    const state = stored.state;
    const dirty = await restoreLoaded(state, {
      estimate,
      log: this.log,
      runsElsewhere: (id) => this.records.otherRunner(id) !== undefined,
      loadProposal: (id) => this.store.loadProposal(id),
      keep: (id, proposal) => this.proposals.set(id, proposal),
    });
    for (const id of this.refresh()) {
      dirty.add(id);
    }
    if (dirty.size > 0) {
      this.writer.subtaskChanged(dirty);
      await this.writer.flush();
    }
    this.events.emit({ kind: 'plan' });
    return state;
  }

  /**
   * Replaces the plan with a new one (its proposals and usage start empty but for `book`) and saves it whole. Refuses,
   * changing nothing, while another process runs a subtask of the stored plan.
   */
  async replace(state: PlanState, book: Ledger): Promise<void> {
    await this.writer.idle();
    await this.store.transact(async () => {
      await this.refuseWhileOthersRun('replace the plan');
      await this.forgetLocked();
      this.current = state;
      this.book = book;
      this.writer.reset(book.size);
      // savePlan writes every record as its first save.
      this.records.reset(Object.fromEntries(Object.keys(state.subtasks).map((id) => [id, { rev: 1 }])));
      await this.store.savePlan(state);
    });
    this.events.emit({ kind: 'plan' });
  }

  /** Forgets the plan, its proposals and its usage (the workspace files are not touched). */
  async clear(): Promise<void> {
    await this.writer.idle();
    await this.store.transact(async () => {
      await this.refuseWhileOthersRun('clear the plan');
      await this.forgetLocked();
    });
    this.events.emit({ kind: 'plan' });
  }

  totals(): Totals {
    return planTotals(this.book, this.subtasks(), this.current);
  }

  /** Resolves when everything changed so far is on disk. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Empties the store; the writer's rounds wait for the lock and then find no plan to write. */
  private async forgetLocked(): Promise<void> {
    this.current = undefined;
    this.book = new Ledger();
    this.proposals.clear();
    this.writer.reset(0);
    await this.store.clear();
  }

  /** Refuses while a living process (another CLI, the editor) runs a subtask of the stored plan. */
  refuseWhileOthersRun(what: string): Promise<void> {
    return refuseWhileOthersRun(this.store, this.records, what);
  }

  /** Takes in every record another process saved since this one read the store; refuses when the plan was replaced. */
  private async syncLocked(): Promise<void> {
    const current = this.current;
    if (!current) {
      return;
    }
    // Read together: after the lock changed hands these are real reads, and one at a time they would add up.
    const [onDisk, ...disks] = await Promise.all([
      this.store.planId(),
      ...current.plan.subtasks.map((spec) => this.store.readSubtask(current.id, spec.id)),
    ]);
    if (onDisk !== current.id) {
      throw planChanged(onDisk);
    }
    for (const disk of disks) {
      if (disk && this.records.isNewer(disk)) {
        await this.adopt(disk);
      }
    }
  }

  /** Another process saved this record: it replaces the one in memory (see adoptRecord). */
  private async adopt(record: StoredRecord): Promise<void> {
    if (this.current) {
      const id = await adoptRecord(this.current.subtasks, record, {
        records: this.records,
        proposals: this.proposals,
        loadProposal: (proposalId) => this.store.loadProposal(proposalId),
        resave: (changed) => this.writer.subtaskChanged([changed]),
      });
      this.events.subtasks([id]);
    }
  }
}
