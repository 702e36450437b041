import { z } from 'zod';
import type { Proposal } from '../edits/types';
import { PlanSchema } from '../plan/schema';
import { SUBTASK_STATUSES } from '../plan/state';
import type { PlanState, SubtaskState } from '../plan/state';

/** What format 2 keeps in plan.json: the state without its subtasks and ledger, which have files of their own. */
export type PlanHeader = Omit<PlanState, 'subtasks' | 'ledger'>;

/** Which process runs a subtask: written with its 'running' record, so no other process runs it too. */
export interface Claim {
  pid: number;
  host: string;
  /** Tells this process's claims from those of an earlier process that had the same id. */
  token: string;
  at: string;
}

export interface SubtaskRecord {
  planId: string;
  /** Counts the record's saves: a process that saw an older one knows another process changed it since. */
  rev?: number;
  claim?: Claim;
  state: SubtaskState;
}

/**
 * Shapes of what the store reads back. Parsing strips unknown fields, so a value saved through these schemas carries
 * nothing they do not name — in particular no API key, whatever object a caller hands over.
 */
const RoleSchema = z.enum(['opus', 'sonnet', 'haiku']);

const UsageSchema = z.object({
  input: z.number(),
  output: z.number(),
  cacheRead: z.number(),
  cacheWrite: z.number(),
});

const EstimateSchema = z.object({ inputTokens: z.number(), outputTokens: z.number(), cost: z.number() });

export const UsageEntrySchema = z.object({
  owner: z.string(),
  attempt: z.number(),
  model: z.string(),
  role: RoleSchema,
  usage: UsageSchema,
  cost: z.number(),
  requestId: z.string().optional(),
  at: z.string(),
});

const ReviewSchema = z.object({
  attempt: z.number(),
  at: z.string(),
  pass: z.boolean(),
  summary: z.string(),
  criteria: z.array(z.object({ criterion: z.string(), met: z.boolean(), reason: z.string() })),
});

const RejectionSchema = z.object({ path: z.string(), lines: z.array(z.string()), reason: z.string().optional() });

const AttemptRecordSchema = z.object({
  attempt: z.number(),
  model: RoleSchema,
  outcome: z.enum(['review', 'accepted', 'rejected', 'failed', 'cancelled']),
  diff: z.string().optional(),
  error: z.string().optional(),
  review: ReviewSchema.optional(),
  rejections: z.array(RejectionSchema).optional(),
});

const WorkSchema = z.object({
  reads: z.array(
    z.object({
      path: z.string(),
      start: z.number(),
      end: z.number(),
      tokens: z.number(),
      whole: z.boolean().optional(),
      lineTokens: z.number().optional(),
    }),
  ),
  edits: z.array(z.object({ path: z.string(), tokens: z.number() })),
  thinking: z.object({ edit: z.number(), read: z.number(), answer: z.number() }),
  answer: z.number(),
  turns: z.number(),
});

const CheckpointFileSchema = z.object({ path: z.string(), before: z.string().nullable(), after: z.string() });

const SubtaskStateSchema = z.object({
  id: z.string(),
  status: z.enum(SUBTASK_STATUSES),
  model: RoleSchema,
  attempt: z.number(),
  estimate: EstimateSchema,
  live: UsageSchema.optional(),
  proposalId: z.string().optional(),
  error: z.string().optional(),
  review: ReviewSchema.optional(),
  reviewing: z.boolean().optional(),
  rejections: z.array(RejectionSchema).optional(),
  history: z.array(AttemptRecordSchema).optional(),
  checkpoint: z.array(CheckpointFileSchema).optional(),
  work: WorkSchema.optional(),
  redactions: z.number().optional(),
  refusal: z
    .object({
      category: z.string().nullable(),
      explanation: z.string().nullable(),
      fallback: RoleSchema.optional(),
    })
    .optional(),
});

const PlannerLooksSchema = z.object({
  calls: z.number(),
  maxCalls: z.number(),
  tokens: z.number(),
  maxTokens: z.number(),
  looks: z.array(
    z.object({ tool: z.string(), summary: z.string(), tokens: z.number(), refused: z.string().optional() }),
  ),
});

/** Format 1: the whole state in plan.json. Format 2 writes the same fields, split over the files below. */
export const PlanStateSchema: z.ZodType<PlanState> = z.object({
  id: z.string(),
  task: z.string(),
  createdAt: z.string(),
  plan: PlanSchema,
  subtasks: z.record(z.string(), SubtaskStateSchema),
  ledger: z.array(UsageEntrySchema),
  opusOnlyEstimate: EstimateSchema,
  repoMap: z.string().optional(),
  looks: PlannerLooksSchema.optional(),
  redactions: z.number().optional(),
  pricedWith: z.string().optional(),
});

/** Format 2's plan.json: the plan and what belongs to the plan as a whole. */
export const PlanHeaderSchema: z.ZodType<PlanHeader> = z.object({
  id: z.string(),
  task: z.string(),
  createdAt: z.string(),
  plan: PlanSchema,
  opusOnlyEstimate: EstimateSchema,
  repoMap: z.string().optional(),
  looks: PlannerLooksSchema.optional(),
  redactions: z.number().optional(),
  pricedWith: z.string().optional(),
});

/** Format 2's subtasks/<name>.json: one subtask's state, tied to its plan so a stray record is never adopted. */
export const SubtaskRecordSchema: z.ZodType<SubtaskRecord> = z.object({
  planId: z.string(),
  rev: z.number().int().nonnegative().optional(),
  claim: z.object({ pid: z.number().int(), host: z.string(), token: z.string(), at: z.string() }).optional(),
  state: SubtaskStateSchema,
});

/** The first line of ledger.jsonl; every further line is one usage entry. */
export const LedgerHeaderSchema = z.object({
  version: z.number().int().positive(),
  kind: z.literal('ledger'),
  planId: z.string(),
});

const HunkSchema = z.object({
  id: z.string(),
  oldStart: z.number(),
  oldLines: z.number(),
  newStart: z.number(),
  newLines: z.number(),
  lines: z.array(z.string()),
});

const FileChangeSchema = z.object({
  path: z.string(),
  base: z.string().nullable(),
  target: z.string(),
  baseHash: z.string(),
  hunks: z.array(HunkSchema),
});

export const ProposalSchema: z.ZodType<Proposal> = z.object({
  id: z.string(),
  subtaskId: z.string(),
  attempt: z.number(),
  createdAt: z.string(),
  files: z.array(FileChangeSchema),
  status: z.enum(['open', 'accepted', 'rejected', 'partial']),
});

const JournalFileSchema = z.object({
  path: z.string(),
  before: z.string().nullable(),
  beforeHash: z.string(),
  after: z.string(),
  afterHash: z.string(),
});

/** journal.json: an accept that writes several files, kept until every file and its record are written. */
export interface AcceptJournal {
  planId: string;
  subtaskId: string;
  files: Array<z.infer<typeof JournalFileSchema>>;
  /** The subtask and its proposal as they are once every file is written. */
  state: SubtaskState;
  proposal: Proposal;
}

export const AcceptJournalSchema: z.ZodType<AcceptJournal> = z.object({
  planId: z.string(),
  subtaskId: z.string(),
  files: z.array(JournalFileSchema),
  state: SubtaskStateSchema,
  proposal: ProposalSchema,
});

/** Every stored file: `{ "version": 1, "kind": "plan", "data": … }`. */
export const EnvelopeSchema = z.object({
  version: z.number().int().positive(),
  kind: z.string(),
  data: z.unknown(),
});
