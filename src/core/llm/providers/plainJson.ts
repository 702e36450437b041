import type { JSONOutputFormat, TextBlockParam } from '@anthropic-ai/sdk/resources/messages/messages';

/**
 * Where a platform has no structured output, the same answer is asked for as plain text: the schema goes into the
 * system prompt and the caller's check (zod, with its one repair round) does what the constrained decoder would have
 * done. Slightly less reliable, never a 400.
 */
export function plainJsonSystem(
  system: string | TextBlockParam[] | undefined,
  format: JSONOutputFormat,
): string | TextBlockParam[] {
  const instruction =
    'Answer with exactly one JSON document and nothing else: no prose before or after it, no code fence. ' +
    `It must validate against this JSON Schema:\n${JSON.stringify(format.schema)}`;
  if (system === undefined) {
    return instruction;
  }
  if (typeof system === 'string') {
    return `${system}\n\n${instruction}`;
  }
  return [...system, { type: 'text', text: instruction }];
}

/** The JSON document of a plain answer: the inside of a code fence if the model used one, else from `{` to `}`. */
export function extractJson(text: string): string {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n?```/.exec(text);
  if (fenced?.[1] !== undefined) {
    return fenced[1].trim();
  }
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? text.slice(start, end + 1) : text.trim();
}

/** Whether a 400 is the platform refusing the structured-output field itself (rather than anything else). */
export function refusesStructuredOutput(message: string): boolean {
  return /output_config|output_format|structured output|json_schema|response format/i.test(message);
}
