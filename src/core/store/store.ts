import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Proposal } from '../edits/types';
import type { PlanState, SubtaskState, UsageEntry } from '../plan/state';
import { CACHE_DIR, STORE_DIR } from '../workspace/rules';
import {
  STORE_VERSION,
  appendText,
  checkForSave,
  ensureDir,
  envelopeText,
  parseData,
  readEnvelope,
  readText,
  StoreError,
  writeAtomic,
} from './files';
import { ledgerHeader, ledgerLines, parseLedger } from './ledgerFile';
import { StoreLock } from './lock';
import { DiskMemo } from './memo';
import { isProposalId, recordName } from './names';
import type { AcceptJournal, Claim, SubtaskRecord } from './schemas';
import { AcceptJournalSchema, PlanHeaderSchema, PlanStateSchema, ProposalSchema, SubtaskRecordSchema } from './schemas';

export { STORE_VERSION, StoreError } from './files';
export type { StoreKind } from './files';
export type { AcceptJournal, Claim } from './schemas';

/** A subtask record as stored: its state, how many saves it has seen, and who runs it (while it runs). */
export interface StoredRecord {
  rev: number;
  claim?: Claim;
  state: SubtaskState;
}

/** What `load` found: the state (whose `subtasks` may lack an entry), the format it was in, and what was repaired. */
export interface StoredPlan {
  state: PlanState;
  /** The format on disk before loading; older formats are converted as they are loaded. */
  format: number;
  /** Missing or stray records, a torn ledger line, a conversion: one sentence each, for the log. */
  notes: string[];
  /** Each loaded subtask record's save count and claim. */
  records: Record<string, Omit<StoredRecord, 'state'>>;
}

/** Format 1 named a proposal file after its id, up to this length. */
const LEGACY_ID_CHARS = 128;

/**
 * Plans and proposals of one workspace, kept in `<root>/.opus-orchestrator/` (format 2):
 *
 *     plan.json              the plan and plan-level figures (task, Opus-only estimate, repository map)
 *     subtasks/<name>.json   one subtask's state each, so a status change rewrites one small file
 *     ledger.jsonl           every billed model call, appended as it comes
 *     proposals/<name>.json  one proposal each
 *
 * File names come from ids through `recordName`, safe whatever the id. Shared by the CLI and the extension, so either
 * can pick up where the other left off. Each JSON file is replaced atomically; the ledger is only ever appended to.
 */
export class Store {
  readonly dir: string;
  /** Folders checked (and created) already; forgotten when a write fails or the store is cleared. */
  private readonly prepared = new Set<string>();
  private readonly lock: StoreLock;
  /** Records and the plan's id as this process last read or wrote them during its current hold of the lock. */
  private readonly memo: DiskMemo;

  constructor(
    readonly root: string,
    onLockLost: (message: string) => void = () => undefined,
  ) {
    this.dir = path.join(root, STORE_DIR);
    this.lock = new StoreLock(this.dir, onLockLost);
    this.memo = new DiskMemo(() => this.lock.epoch);
  }

  /**
   * Runs `fn` while no other process (nor another transaction of this one) changes the store: a read-modify-write
   * of records inside it sees the latest saves of every process. Not re-entrant. A `background` transaction (saving
   * after the fact) waits while any other is queued.
   */
  transact<T>(fn: () => Promise<T>, opts: { background?: boolean } = {}): Promise<T> {
    return this.lock.run(fn, opts);
  }

  /** The stored plan, converting a format-1 folder to the current layout on the way (plan.json is replaced last). */
  async load(): Promise<StoredPlan | undefined> {
    const file = this.planFile();
    const envelope = await readEnvelope(file, 'plan');
    if (!envelope) {
      return undefined;
    }
    if (envelope.version < 2) {
      const state = parseData(file, PlanStateSchema, envelope.data);
      await this.savePlan(state);
      const notes = [`converted ${file} from format ${envelope.version} to format ${STORE_VERSION}`];
      const records = Object.fromEntries(Object.keys(state.subtasks).map((id) => [id, { rev: 1 }]));
      return { state, format: envelope.version, notes, records };
    }
    const header = parseData(file, PlanHeaderSchema, envelope.data);
    const notes: string[] = [];
    const loaded = await Promise.all(header.plan.subtasks.map((s) => this.loadSubtask(header.id, s.id, notes)));
    const subtasks: Record<string, SubtaskState> = {};
    const records: StoredPlan['records'] = {};
    for (const record of loaded) {
      if (record) {
        // A copy: the loaded state is the one the engine changes, and the memo keeps what the file holds.
        subtasks[record.state.id] = structuredClone(record.state);
        records[record.state.id] = { rev: record.rev, ...(record.claim ? { claim: record.claim } : {}) };
      }
    }
    const ledger = await this.loadLedger(header.id, notes);
    return { state: { ...header, subtasks, ledger }, format: envelope.version, notes, records };
  }

  /** The id of the stored plan, or undefined when there is none. */
  async planId(): Promise<string | undefined> {
    const file = this.planFile();
    const known = this.memo.recall<string>(file);
    if (known !== undefined) {
      return known ?? undefined;
    }
    const envelope = await readEnvelope(file, 'plan');
    const data = envelope?.data as { id?: unknown } | null | undefined;
    const id = typeof data?.id === 'string' ? data.id : undefined;
    this.memo.remember(file, id ?? null);
    return id;
  }

  /** One subtask's stored record, or undefined when it has none (or one of another plan). */
  async readSubtask(planId: string, id: string): Promise<StoredRecord | undefined> {
    return this.loadSubtask(planId, id, []);
  }

  async loadPlan(): Promise<PlanState | undefined> {
    return (await this.load())?.state;
  }

  /** Writes the whole plan: every subtask record, the ledger, then plan.json, so a reader never finds half a plan. */
  async savePlan(state: PlanState): Promise<void> {
    this.memo.forget();
    await this.prepare('subtasks');
    const states = state.plan.subtasks.flatMap((s) => state.subtasks[s.id] ?? []);
    await Promise.all(states.map((st) => this.saveSubtask(state.id, st)));
    await this.removeStrayRecords(new Set(states.map((st) => `${recordName(st.id)}.json`)));
    await this.saveLedger(state.id, state.ledger);
    await this.saveHeader(state);
  }

  /** plan.json alone: the plan and the plan-level fields of `state` (its subtasks and ledger are not touched). */
  async saveHeader(state: PlanState): Promise<void> {
    const file = this.planFile();
    const data = checkForSave(file, 'plan', PlanHeaderSchema, state);
    await this.prepare();
    await this.write(file, envelopeText('plan', data));
    this.memo.remember(file, data.id);
  }

  /** `rev`: the record's save count after this save; `claim`: the process that runs it, while it runs. */
  async saveSubtask(planId: string, state: SubtaskState, meta: { rev?: number; claim?: Claim } = {}): Promise<void> {
    const file = this.subtaskFile(state.id);
    const record = { planId, rev: meta.rev ?? 1, ...(meta.claim ? { claim: meta.claim } : {}), state };
    const data = checkForSave(file, 'subtask', SubtaskRecordSchema, record);
    await this.prepare('subtasks');
    await this.write(file, envelopeText('subtask', data));
    this.memo.remember(file, data);
  }

  async deleteSubtask(id: string): Promise<void> {
    const file = this.subtaskFile(id);
    this.memo.forget();
    await fs.rm(file, { force: true });
    this.memo.remember(file, null);
  }

  /** Adds calls to the stored ledger without rewriting the ones already there. */
  async appendLedger(planId: string, entries: readonly UsageEntry[]): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    const file = this.ledgerFile();
    const lines = ledgerLines(file, entries);
    await this.prepare();
    await appendText(file, lines, ledgerHeader(planId)).catch((err: unknown) => {
      this.prepared.clear();
      throw err;
    });
  }

  async loadProposal(id: string): Promise<Proposal | undefined> {
    const file = this.proposalFile(id);
    const found = await this.readProposal(file);
    const legacy = this.legacyProposalFile(id);
    return found ?? (legacy && legacy !== file ? this.readProposal(legacy) : undefined);
  }

  async saveProposal(p: Proposal): Promise<void> {
    const file = this.proposalFile(p.id);
    const data = checkForSave(file, 'proposal', ProposalSchema, p);
    await this.prepare('proposals');
    await this.write(file, envelopeText('proposal', data));
  }

  async deleteProposal(id: string): Promise<void> {
    const legacy = this.legacyProposalFile(id);
    await fs.rm(this.proposalFile(id), { force: true });
    if (legacy) {
      await fs.rm(legacy, { force: true });
    }
  }

  /** An accept in progress, written before its first file changes (see review/journal.ts). */
  async saveJournal(journal: AcceptJournal): Promise<void> {
    const file = this.journalFile();
    const data = checkForSave(file, 'journal', AcceptJournalSchema, journal);
    await this.prepare();
    await this.write(file, envelopeText('journal', data));
  }

  async loadJournal(): Promise<AcceptJournal | undefined> {
    const file = this.journalFile();
    const envelope = await readEnvelope(file, 'journal');
    return envelope && parseData(file, AcceptJournalSchema, envelope.data);
  }

  async deleteJournal(): Promise<void> {
    await fs.rm(this.journalFile(), { force: true });
  }

  journalFile(): string {
    return path.join(this.dir, 'journal.json');
  }

  /**
   * Forgets the plan and every proposal. The lock (held by whoever clears) and the repository map's cache folder (it
   * belongs to no plan) stay.
   */
  async clear(): Promise<void> {
    this.prepared.clear();
    this.memo.forget();
    const stat = await fs.lstat(this.dir).catch(() => undefined);
    if (!stat?.isDirectory()) {
      await fs.rm(this.dir, { recursive: true, force: true }); // a link is removed, never what it points to
      return;
    }
    const keep = new Set(['lock', '.gitignore', CACHE_DIR]);
    const names = await fs.readdir(this.dir);
    await Promise.all(
      names.filter((n) => !keep.has(n)).map((n) => fs.rm(path.join(this.dir, n), { recursive: true, force: true })),
    );
  }

  private planFile(): string {
    return path.join(this.dir, 'plan.json');
  }

  private ledgerFile(): string {
    return path.join(this.dir, 'ledger.jsonl');
  }

  private subtaskFile(id: string): string {
    return path.join(this.dir, 'subtasks', `${recordName(id)}.json`);
  }

  private proposalFile(id: string): string {
    if (!isProposalId(id)) {
      throw new StoreError(
        `The proposal id ${JSON.stringify(id)} cannot be used as a file name; ` +
          "ids are letters, digits, '.', '_' and '-'.",
        path.join(this.dir, 'proposals'),
      );
    }
    return path.join(this.dir, 'proposals', `${recordName(id)}.json`);
  }

  /** Where format 1 kept the proposal, when that differs from today's name (upper-case ids). */
  private legacyProposalFile(id: string): string | undefined {
    const usable = isProposalId(id) && !id.includes('~') && id.length <= LEGACY_ID_CHARS;
    return usable ? path.join(this.dir, 'proposals', `${id}.json`) : undefined;
  }

  private async readProposal(file: string): Promise<Proposal | undefined> {
    const envelope = await readEnvelope(file, 'proposal');
    return envelope && parseData(file, ProposalSchema, envelope.data);
  }

  private async loadSubtask(planId: string, id: string, notes: string[]): Promise<StoredRecord | undefined> {
    const file = this.subtaskFile(id);
    let record = this.memo.recall<SubtaskRecord>(file);
    if (record === undefined) {
      const envelope = await readEnvelope(file, 'subtask');
      record = envelope ? parseData(file, SubtaskRecordSchema, envelope.data) : null;
      this.memo.remember(file, record);
    }
    if (!record) {
      notes.push(`no stored state for subtask "${id}" (${file} is missing)`);
      return undefined;
    }
    if (record.planId !== planId || record.state.id !== id) {
      notes.push(`${file} belongs to another plan or subtask; it was not used`);
      return undefined;
    }
    return { rev: record.rev ?? 0, ...(record.claim ? { claim: record.claim } : {}), state: record.state };
  }

  private async loadLedger(planId: string, notes: string[]): Promise<UsageEntry[]> {
    const file = this.ledgerFile();
    const text = await readText(file);
    if (text === undefined) {
      notes.push(`no stored usage (${file} is missing)`);
      return [];
    }
    const parsed = parseLedger(file, text, planId);
    if (parsed.notes.length > 0) {
      // Appending after a torn line would glue the next entry onto it: write the sound entries back first.
      await this.saveLedger(planId, parsed.entries);
      notes.push(...parsed.notes);
    }
    return parsed.entries;
  }

  private async saveLedger(planId: string, entries: readonly UsageEntry[]): Promise<void> {
    const file = this.ledgerFile();
    const text = ledgerHeader(planId) + ledgerLines(file, entries);
    await this.prepare();
    await this.write(file, text);
  }

  /** Removes records of subtasks the plan no longer has (temporary files of writes in progress are left alone). */
  private async removeStrayRecords(keep: ReadonlySet<string>): Promise<void> {
    const dir = path.join(this.dir, 'subtasks');
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const strays = names.filter((n) => n.endsWith('.json') && !n.startsWith('.') && !keep.has(n));
    await Promise.all(strays.map((n) => fs.rm(path.join(dir, n), { force: true })));
  }

  private async prepare(sub?: 'subtasks' | 'proposals'): Promise<void> {
    const key = sub ?? '.';
    if (this.prepared.has(key)) {
      return;
    }
    await ensureDir(this.dir, true);
    if (sub) {
      await ensureDir(path.join(this.dir, sub), false);
    }
    this.prepared.add(key);
  }

  /** Writes `text` to `file` atomically; a failure makes the next write check its folders again. */
  private async write(file: string, text: string): Promise<void> {
    try {
      await writeAtomic(file, text);
    } catch (err) {
      this.prepared.clear();
      this.memo.forget();
      throw err;
    }
  }
}
