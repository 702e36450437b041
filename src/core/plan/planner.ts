import type {
  ContentBlockParam,
  MessageParam,
  ThinkingConfigParam,
  ToolUseBlock,
} from '@anthropic-ai/sdk/resources/messages/messages';
import type { LlmClient, LlmResult } from '../llm/client';
import { markLastBlock } from '../llm/cache';
import { outputFormatOf, parseJson } from '../llm/structured';
import type { ModelInfo } from '../models';
import type { Ledger } from '../usage/ledger';
import type { LiveUsage, Usage } from '../usage/usage';
import { ZERO_USAGE, addLive, addUsage } from '../usage/usage';
import type { WorkspaceListing } from '../workspace/listing';
import { listWorkspace } from '../workspace/listing';
import type { WorkspaceRules } from '../workspace/rules';
import { plannerSystemPrompt, plannerUserMessage } from './prompts';
import type { Plan } from './schema';
import { PlanWireSchema } from './schema';
import { PLANNER_TOOLS, PlannerTools } from './tools';
import type { PlannerToolBudget, PlannerToolEvent } from './tools';
import { validatePlan } from './validate';
import type { OutlineSource } from './outline';

/** How many validation errors a PlanError message lists; the rest stay in `errors`. */
const ERRORS_IN_MESSAGE = 5;
/** A plan is a few kilobytes of JSON; this leaves room for large ones without inviting rambling. */
const DEFAULT_MAX_TOKENS = 16_000;
/** Requests past the tool rounds: the answer, and one repair round. */
const ANSWER_ROUNDS = 3;

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

/** The planner's read-only tools: on by default, with the workspace listed afresh unless the map's listing is given. */
export interface PlannerToolsInput {
  /** The listing the map was built from, so the tools see exactly the files the map counted. */
  listing?: WorkspaceListing;
  /** A file's definitions in one line, for list_folder (the map's outline cache). */
  describe?: (rel: string) => string | undefined;
  budget?: Partial<PlannerToolBudget>;
  /** Each tool call, with the budget spent so far, for the gauge. */
  onEvent?: (event: PlannerToolEvent) => void;
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
  /** Live usage summed over the planner's calls (tool rounds and the repair round add to the first call). */
  onUsage?: (u: LiveUsage) => void;
  /** The planner's tools; `false` plans from the map alone in one call. */
  tools?: PlannerToolsInput | false;
  /** Definitions of a file, to check the symbols a plan names (defaults to the map's parser). */
  outline?: OutlineSource;
  thinking?: ThinkingConfigParam;
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
 * Asks Opus for a plan as structured output and checks it with `validatePlan`. Opus may first look further than the
 * map with read-only tools (list a folder, search, read a range) within a budget of calls and tokens; the request
 * carries the tools and the output format together, so its last answer is the plan. Once the budget is spent the
 * next request sets `tool_choice: none`. A plan that fails validation gets one repair round in the same
 * conversation, because most failures are a wrong path or symbol the model fixes at once; a second failure is a
 * PlanError. API errors pass through as LlmError.
 */
export async function planTask(input: PlannerInput): Promise<Plan> {
  const outputFormat = outputFormatOf(PlanWireSchema);
  const tools = input.tools === false ? undefined : await plannerTools(input, input.tools ?? {});
  const messages: MessageParam[] = [
    { role: 'user', content: plannerUserMessage({ task: input.task, repoMap: input.repoMap }) },
  ];
  let spent: Usage = { ...ZERO_USAGE };
  const ask = async (): Promise<LlmResult> => {
    const before = spent;
    const result = await input.llm.call(
      {
        model: input.model,
        system: plannerSystemPrompt({ tools: tools !== undefined }),
        messages: withCacheBreakpoint(messages, tools),
        maxTokens: Math.min(input.maxTokens ?? DEFAULT_MAX_TOKENS, input.model.maxOutput),
        outputFormat,
        ...(tools
          ? { tools: PLANNER_TOOLS, ...(tools.exhausted ? { toolChoice: { type: 'none' as const } } : {}) }
          : {}),
        ...(input.thinking ? { thinking: input.thinking } : {}),
      },
      {
        signal: input.signal,
        ledger: input.ledger,
        owner: 'plan',
        attempt: 1,
        onUsage: input.onUsage ? (live) => input.onUsage?.(addLive(before, live)) : undefined,
      },
    );
    spent = addUsage(before, result.usage);
    return result;
  };
  const maxRequests = (tools?.budget.maxCalls ?? 0) + ANSWER_ROUNDS;
  let repaired = false;
  for (let request = 0; request < maxRequests; request++) {
    const result = await ask();
    const calls = result.message.content.filter((b): b is ToolUseBlock => b.type === 'tool_use');
    if (result.stopReason === 'tool_use' && calls.length > 0 && tools) {
      messages.push({ role: 'assistant', content: result.message.content as ContentBlockParam[] });
      const results = [];
      for (const call of calls) {
        results.push(await tools.run(call, input.signal));
      }
      messages.push({ role: 'user', content: results });
      continue;
    }
    const checked = await checkAnswer(result.text, input);
    if (checked.errors === undefined) {
      return checked.plan;
    }
    if (repaired) {
      throw new PlanError(checked.errors);
    }
    repaired = true;
    if (result.text.trim() === '') {
      // Nothing to show the model: ask again with the errors added to the last turn, rather than put words in its
      // mouth.
      const last = messages.at(-1) as MessageParam;
      const repair = repairMessage(checked.errors);
      messages[messages.length - 1] =
        typeof last.content === 'string'
          ? { role: 'user', content: `${last.content}\n\n${repair}` }
          : { role: 'user', content: [...(last.content as ContentBlockParam[]), { type: 'text', text: repair }] };
    } else {
      // The answer goes back as it came, thinking blocks included: the API binds them to the conversation.
      messages.push(
        { role: 'assistant', content: result.message.content as ContentBlockParam[] },
        { role: 'user', content: repairMessage(checked.errors) },
      );
    }
  }
  throw new PlanError([
    `the planner made ${maxRequests} requests without answering with a plan; plan again, or narrow the task.`,
  ]);
}

async function plannerTools(input: PlannerInput, opts: PlannerToolsInput): Promise<PlannerTools> {
  return new PlannerTools({
    root: input.root,
    rules: input.rules,
    listing: opts.listing ?? (await listWorkspace(input.root, input.rules)),
    describe: opts.describe,
    budget: opts.budget,
    onEvent: opts.onEvent,
  });
}

async function checkAnswer(
  text: string,
  input: PlannerInput,
): Promise<{ plan: Plan; errors?: undefined } | { errors: string[] }> {
  const json = parseJson(text);
  if (!json.ok) {
    return { errors: [json.error] };
  }
  const checked = await validatePlan(json.value, { root: input.root, rules: input.rules, outline: input.outline });
  return checked.ok ? { plan: checked.plan } : { errors: checked.errors };
}

/**
 * Where the planner's requests are marked for caching. The first request is not: most plans are made from the map in
 * one call, and a mark there would pay the write premium (a quarter of Opus's input price on the task and map) for an
 * entry nothing reads. Once the planner looks, a next request is certain, so each request after a tool round marks the
 * conversation so far at its last block, for the next look or the answer. A planner with its budget spent answers
 * next and writes nothing.
 */
function withCacheBreakpoint(messages: MessageParam[], tools: PlannerTools | undefined): MessageParam[] {
  const last = messages.at(-1);
  if (!tools || tools.exhausted || last?.role !== 'user' || typeof last.content === 'string') {
    return messages;
  }
  return last.content.at(-1)?.type === 'tool_result' ? [...messages.slice(0, -1), markLastBlock(last)] : messages;
}
