import type { Logger, SubtaskView, Totals } from '../contract';
import { OrchestratorError } from '../contract';
import type { Proposal } from '../edits/types';
import type { Subtask } from '../plan/schema';
import type { Estimate, PlanState } from '../plan/state';
import type { Store } from '../store/store';
import { Ledger } from '../usage/ledger';
import { EventStream } from './events';
import { WAITING, freshState, refreshStatuses, unacceptedDeps } from './statuses';
import { PlanWriter } from './writer';

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

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {
    this.events = new EventStream(log);
    this.writer = new PlanWriter(store, { state: () => this.current, ledger: () => this.book }, log);
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
    return this.subtasks()
      .filter((s) => s.state.status === 'ready')
      .map((s) => s.spec.id);
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
  async load(estimate: (spec: Subtask, goal: string) => Promise<Estimate>): Promise<PlanState | undefined> {
    // What this process still has to write lands before the folder is read back.
    await this.writer.flush().catch(() => undefined);
    const stored = await this.store.load();
    this.proposals.clear();
    this.current = stored?.state;
    this.book = new Ledger(stored?.state.ledger ?? []);
    this.writer.reset(this.book.size);
    if (!stored) {
      this.events.emit({ kind: 'plan' });
      return undefined;
    }
    for (const note of stored.notes) {
      this.log(stored.format < 2 && note.startsWith('converted') ? 'info' : 'warn', `stored plan: ${note}`);
    }
    const state = stored.state;
    const dirty = new Set<string>();
    for (const spec of state.plan.subtasks) {
      if (!state.subtasks[spec.id]) {
        state.subtasks[spec.id] = freshState(spec, await estimate(spec, state.plan.goal));
        this.log('warn', `subtask "${spec.id}" had no stored state; it starts again from the beginning`);
        dirty.add(spec.id);
      }
    }
    for (const st of Object.values(state.subtasks)) {
      if (st.status === 'running') {
        st.status = 'interrupted';
        dirty.add(st.id);
      }
      if (st.live || st.reviewing) {
        delete st.live;
        delete st.reviewing;
        dirty.add(st.id);
      }
    }
    const withProposal = Object.values(state.subtasks).filter((st) => st.proposalId);
    const loaded = await Promise.all(withProposal.map((st) => this.store.loadProposal(st.proposalId as string)));
    withProposal.forEach((st, i) => {
      const proposal = loaded[i];
      if (proposal) {
        this.proposals.set(st.id, proposal);
      }
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

  /** Replaces the plan with a new one (its proposals and usage start empty but for `book`) and saves it whole. */
  async replace(state: PlanState, book: Ledger): Promise<void> {
    await this.forget();
    this.current = state;
    this.book = book;
    this.writer.reset(book.size);
    await this.store.savePlan(state);
    this.events.emit({ kind: 'plan' });
  }

  /** Forgets the plan, its proposals and its usage (the workspace files are not touched). */
  async clear(): Promise<void> {
    await this.forget();
    this.events.emit({ kind: 'plan' });
  }

  totals(): Totals {
    const total = this.book.total();
    const notRun = this.subtasks().filter((s) => WAITING.has(s.state.status));
    const projected = total.cost + notRun.reduce((sum, s) => sum + s.state.estimate.cost, 0);
    const opusOnly = this.current?.opusOnlyEstimate ?? { inputTokens: 0, outputTokens: 0, cost: 0 };
    return { ...total, byRole: this.book.byRole(), projected, opusOnly, saved: opusOnly.cost - projected };
  }

  /** Resolves when everything changed so far is on disk. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Lets writes in progress finish (a round finds no plan and writes nothing more), then empties the store. */
  private async forget(): Promise<void> {
    this.current = undefined;
    this.book = new Ledger();
    this.proposals.clear();
    await this.writer.idle();
    this.writer.reset(0);
    await this.store.clear();
  }
}
