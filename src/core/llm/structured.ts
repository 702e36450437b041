import { jsonSchemaOutputFormat } from '@anthropic-ai/sdk/helpers/json-schema';
import type { JSONOutputFormat, MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { z } from 'zod';
import type { ModelInfo } from '../models';
import type { Ledger } from '../usage/ledger';
import type { LiveUsage, Usage } from '../usage/usage';
import { ZERO_USAGE, addLive, addUsage } from '../usage/usage';
import type { LlmClient, LlmResult } from './client';

/** The checked value of an answer, or what is wrong with it (shown to the model in the repair round). */
export type Checked<T> = { value: T; errors?: undefined } | { value?: undefined; errors: string[] };

export interface StructuredRequest<T> {
  llm: LlmClient;
  model: ModelInfo;
  system: string;
  /** The first user message. */
  prompt: string;
  /** The JSON Schema of the answer comes from this zod schema (structured output; no forced tool_choice). */
  schema: z.ZodType;
  maxTokens: number;
  /** Parses and validates the answer's text. */
  check(text: string): Checked<T> | Promise<Checked<T>>;
  /** The user message of the repair round, quoting the errors. */
  repair(errors: string[]): string;
  signal?: AbortSignal;
  ledger?: Ledger;
  owner: string;
  attempt: number;
  /** Live usage summed over the calls (the repair round adds to the first), with what the model is doing. */
  onUsage?: (u: LiveUsage) => void;
}

/**
 * The output format of an answer checked by `schema`: its JSON Schema made fit for structured output by the SDK (which
 * moves the keywords the API does not take, such as numeric bounds, into the descriptions). zod gives every integer
 * the safe-integer range as bounds; they say nothing to a model and would cost tokens in every description, so they
 * are left out (bounds a schema sets itself stay).
 */
export function outputFormatOf(schema: z.ZodType): JSONOutputFormat {
  const json = z.toJSONSchema(schema, {
    reused: 'ref',
    override: ({ jsonSchema }) => {
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) {
        delete jsonSchema.minimum;
      }
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) {
        delete jsonSchema.maximum;
      }
    },
  });
  // Only the JSON part goes on the wire; the SDK's format also carries a parse function.
  const format = jsonSchemaOutputFormat(json as Parameters<typeof jsonSchemaOutputFormat>[0]);
  return { type: format.type, schema: format.schema };
}

/** The answer as JSON, or the reason it is not JSON (a check's first step). */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: `the answer is not valid JSON (${(err as Error).message}).` };
  }
}

/**
 * One structured-output call, checked; an answer that fails the check gets one repair round in the same
 * conversation (the model sees its answer and the errors), because most failures are fixed at once. Returns the
 * value, or the second answer's errors for the caller to turn into its own error. API errors pass through, and so
 * does an answer cut off by max_tokens (the client retries it once with a doubled budget, then fails): a cut-off
 * answer is not something to repair.
 */
export async function askStructured<T>(req: StructuredRequest<T>): Promise<Checked<T>> {
  const outputFormat = outputFormatOf(req.schema);
  const messages: MessageParam[] = [{ role: 'user', content: req.prompt }];
  let spent: Usage = { ...ZERO_USAGE };
  const ask = async (): Promise<LlmResult> => {
    const before = spent;
    const result = await req.llm.call(
      {
        model: req.model,
        system: req.system,
        messages,
        maxTokens: Math.min(req.maxTokens, req.model.maxOutput),
        outputFormat,
      },
      {
        signal: req.signal,
        ledger: req.ledger,
        owner: req.owner,
        attempt: req.attempt,
        onUsage: req.onUsage ? (live) => req.onUsage?.(addLive(before, live)) : undefined,
      },
    );
    spent = addUsage(before, result.usage);
    return result;
  };
  const first = await ask();
  const firstCheck = await req.check(first.text);
  if (firstCheck.errors === undefined) {
    return firstCheck;
  }
  if (first.text.trim() === '') {
    // Nothing to show the model: ask again with the errors, rather than put words in its mouth.
    messages[0] = { role: 'user', content: `${req.prompt}\n\n${req.repair(firstCheck.errors)}` };
  } else {
    // The answer goes back as it came, thinking blocks included: the API binds them to the conversation.
    messages.push(
      { role: 'assistant', content: first.message.content },
      { role: 'user', content: req.repair(firstCheck.errors) },
    );
  }
  const second = await ask();
  return req.check(second.text);
}
