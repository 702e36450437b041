import type { LlmClient } from '../llm/client';
import { askStructured, parseJson } from '../llm/structured';
import type { ModelInfo } from '../models';
import type { Ledger } from '../usage/ledger';
import type { Usage } from '../usage/usage';
import type { WorkspaceRules } from '../workspace/rules';
import { plannerSystemPrompt, plannerUserMessage } from './prompts';
import type { Plan } from './schema';
import { PlanSchema } from './schema';
import { validatePlan } from './validate';

/** How many validation errors a PlanError message lists; the rest stay in `errors`. */
const ERRORS_IN_MESSAGE = 5;
/** A plan is a few kilobytes of JSON; this leaves room for large ones without inviting rambling. */
const DEFAULT_MAX_TOKENS = 16_000;

/** The planner gave up: its plan still failed validation after one repair round. `errors` lists every problem. */
export class PlanError extends Error {
  readonly errors: string[];

  constructor(errors: string[]) {
    const shown = errors.slice(0, ERRORS_IN_MESSAGE).map((e) => `- ${e}`);
    const more = errors.length > ERRORS_IN_MESSAGE ? [`- … and ${errors.length - ERRORS_IN_MESSAGE} more`] : [];
    super(
      ['Opus could not produce a valid plan, even after being shown what was wrong:', ...shown, ...more].join('\n') +
        '\nRephrase or narrow the task, then plan again.',
    );
    this.name = 'PlanError';
    this.errors = errors;
  }
}

export interface PlannerInput {
  llm: LlmClient;
  model: ModelInfo;
  task: string;
  repoMap: string;
  root: string;
  rules: WorkspaceRules;
  maxTokens?: number;
  signal?: AbortSignal;
  ledger?: Ledger;
  /** Live usage summed over the planner's calls (the repair round adds to the first call). */
  onUsage?: (u: Usage) => void;
}

function repairMessage(errors: string[]): string {
  return [
    'The plan above was rejected by the validator:',
    ...errors.map((e) => `- ${e}`),
    '',
    'Return the complete corrected plan as JSON matching the schema. Keep what was right; fix only these problems.',
  ].join('\n');
}

/**
 * Asks Opus for a plan as structured output and checks it with `validatePlan`. A plan that fails gets one repair
 * round in the same conversation (the model sees its answer and the validator's errors), because most failures are
 * a wrong path or id the model fixes at once; a second failure is a PlanError. API errors pass through as LlmError.
 */
export async function planTask(input: PlannerInput): Promise<Plan> {
  const answer = await askStructured<Plan>({
    llm: input.llm,
    model: input.model,
    system: plannerSystemPrompt(),
    prompt: plannerUserMessage({ task: input.task, repoMap: input.repoMap }),
    schema: PlanSchema,
    maxTokens: input.maxTokens ?? DEFAULT_MAX_TOKENS,
    check: async (text) => {
      const json = parseJson(text);
      if (!json.ok) {
        return { errors: [json.error] };
      }
      const checked = await validatePlan(json.value, { root: input.root, rules: input.rules });
      return checked.ok ? { value: checked.plan } : { errors: checked.errors };
    },
    repair: repairMessage,
    signal: input.signal,
    ledger: input.ledger,
    owner: 'plan',
    attempt: 1,
    onUsage: input.onUsage,
  });
  if (answer.errors !== undefined) {
    throw new PlanError(answer.errors);
  }
  return answer.value;
}
