import type { ModelInfo } from '../models';

/**
 * Why a subtask cannot be sent to `model`, or null when it can: its first request (estimated as the gauges estimate
 * it) plus the output it may write must fit in the model's context window, or the API refuses the call after it was
 * paid for in time (and the user waits for nothing). Run it before dispatch, and it is also run by the worker itself
 * before its first call.
 */
export function contextWindowRefusal(input: {
  subtaskId: string;
  inputTokens: number;
  maxOutputTokens: number;
  model: ModelInfo;
}): string | null {
  const { subtaskId, inputTokens, maxOutputTokens, model } = input;
  if (inputTokens + maxOutputTokens <= model.contextWindow) {
    return null;
  }
  const n = (x: number): string => x.toLocaleString('en-US');
  return (
    `The first request of subtask "${subtaskId}" is about ${n(inputTokens)} tokens, and with ${n(maxOutputTokens)} ` +
    `for its output it does not fit in ${model.label}'s ${n(model.contextWindow)}-token context window. ` +
    'Narrow its files in scope (or split it), then dispatch it again.'
  );
}
