import { createTwoFilesPatch } from 'diff';
import { z } from 'zod';
import type { FileChange } from '../edits/types';
import type { LlmClient } from '../llm/client';
import { askStructured, parseJson } from '../llm/structured';
import type { ModelInfo } from '../models';
import type { Subtask } from '../plan/schema';
import type { Ledger } from '../usage/ledger';
import type { Usage } from '../usage/usage';

export const VerdictSchema = z.object({
  criteria: z
    .array(
      z.object({
        criterion: z.string().describe('The acceptance criterion, quoted exactly as given.'),
        met: z.boolean(),
        reason: z.string().describe('One sentence: the evidence in the diff, or what is missing.'),
      }),
    )
    .describe('One entry per acceptance criterion, in the order given.'),
  pass: z.boolean().describe('true only when every criterion is met and the diff does nothing harmful besides.'),
  summary: z.string().describe('One or two sentences for the developer.'),
});

export type Verdict = z.infer<typeof VerdictSchema>;

/** The verdict as kept on a subtask: which attempt it judged, and when. */
export interface Review extends Verdict {
  attempt: number;
  at: string;
}

/** Opus could not give a usable verdict, even after being told what was wrong with the first one. */
export class ReviewError extends Error {
  constructor(readonly errors: string[]) {
    super(`Opus could not produce a usable review: ${errors.slice(0, 3).join('; ')}. Try Review with Opus again.`);
    this.name = 'ReviewError';
  }
}

/** Context lines around each change in the diff Opus reads: enough to judge it, far less than whole files. */
const DIFF_CONTEXT = 6;
const DEFAULT_MAX_TOKENS = 8_000;

export function reviewSystemPrompt(): string {
  return [
    'You review a proposed code change against its acceptance criteria, as a careful senior engineer would.',
    'You see the subtask, its acceptance criteria and the unified diff of the proposal (not the whole files).',
    'Judge each criterion separately from the evidence in the diff. A criterion the diff does not show to be met is',
    'not met. Also fail the proposal when it edits unrelated code, deletes behaviour without being asked, or',
    'introduces an obvious bug. Answer with the JSON document the schema describes, nothing else.',
  ].join('\n');
}

/** The proposal as one unified diff, base → target per file, with a little context. */
export function proposalDiff(files: readonly FileChange[]): string {
  return files
    .map((f) =>
      createTwoFilesPatch(
        f.base === null ? '/dev/null' : `a/${f.path}`,
        `b/${f.path}`,
        f.base ?? '',
        f.target,
        undefined,
        undefined,
        { context: DIFF_CONTEXT },
      ),
    )
    .join('\n');
}

export function reviewUserMessage(subtask: Subtask, diff: string): string {
  return [
    `<subtask id="${subtask.id}">`,
    `Title: ${subtask.title}`,
    '',
    subtask.instructions,
    '</subtask>',
    '',
    '<acceptance_criteria>',
    ...subtask.acceptanceCriteria.map((c, i) => `${i + 1}. ${c}`),
    '</acceptance_criteria>',
    '',
    '<diff>',
    diff,
    '</diff>',
  ].join('\n');
}

/** Problems that make a verdict unusable: not JSON, wrong shape, or criteria that do not match the subtask's. */
export function checkVerdict(text: string, subtask: Subtask): { verdict?: Verdict; errors: string[] } {
  const json = parseJson(text);
  if (!json.ok) {
    return { errors: [json.error] };
  }
  const raw = json.value;
  const parsed = VerdictSchema.safeParse(raw);
  if (!parsed.success) {
    return { errors: parsed.error.issues.map((i) => `${i.path.join('.') || 'verdict'}: ${i.message}`) };
  }
  const verdict = parsed.data;
  const errors: string[] = [];
  if (verdict.criteria.length !== subtask.acceptanceCriteria.length) {
    errors.push(
      `expected ${subtask.acceptanceCriteria.length} criteria entries (one per acceptance criterion), ` +
        `got ${verdict.criteria.length}`,
    );
  }
  if (verdict.pass && verdict.criteria.some((c) => !c.met)) {
    errors.push('pass is true although a criterion is not met');
  }
  return errors.length > 0 ? { errors } : { verdict, errors };
}

export interface ReviewInput {
  llm: LlmClient;
  model: ModelInfo;
  subtask: Subtask;
  files: readonly FileChange[];
  attempt: number;
  maxTokens?: number;
  signal?: AbortSignal;
  ledger?: Ledger;
  onUsage?: (u: Usage) => void;
}

/**
 * Opus judges a proposal: one structured-output call over the diff; a verdict that does not fit the subtask (wrong
 * number of criteria, "pass" with an unmet criterion, not JSON) gets one repair round, then a ReviewError. Its calls
 * are billed to the subtask in the ledger, under the attempt they review.
 */
export async function reviewProposal(input: ReviewInput): Promise<Review> {
  const answer = await askStructured<Verdict>({
    llm: input.llm,
    model: input.model,
    system: reviewSystemPrompt(),
    prompt: reviewUserMessage(input.subtask, proposalDiff(input.files)),
    schema: VerdictSchema,
    maxTokens: input.maxTokens ?? DEFAULT_MAX_TOKENS,
    check: (text) => {
      const { verdict, errors } = checkVerdict(text, input.subtask);
      return verdict ? { value: verdict } : { errors };
    },
    repair: (errors) =>
      [
        'That verdict cannot be used:',
        ...errors.map((e) => `- ${e}`),
        'Answer again with the complete verdict as JSON matching the schema.',
      ].join('\n'),
    signal: input.signal,
    ledger: input.ledger,
    owner: input.subtask.id,
    attempt: input.attempt,
    onUsage: input.onUsage,
  });
  if (answer.errors !== undefined) {
    throw new ReviewError(answer.errors);
  }
  return { ...answer.value, attempt: input.attempt, at: new Date().toISOString() };
}
