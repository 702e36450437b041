import type { ToolUseBlock } from '@anthropic-ai/sdk/resources/messages/messages';
import { MAX_FILE_BYTES, describeLimit, describeSize } from '../edits/limits';

/** Tool calls one worker run may make, over all its turns. */
export const MAX_TOOL_CALLS_PER_RUN = 100;
/** The same call, with nothing changed in between, is answered with a note from this repetition on... */
export const REPEAT_NOTE_AT = 3;
/** ...and ends the run at this one: a model that keeps asking the same thing will not stop by itself. */
export const REPEAT_STOP_AT = 5;

export type Admission = { kind: 'run' } | { kind: 'note'; message: string } | { kind: 'stop'; message: string };

/**
 * Keeps a worker run bounded whatever the model does: a loop of identical calls (viewing the same file again and
 * again) first gets a note in place of a result, then stops the run; so does a run past the tool-call limit. An edit
 * that changed the overlay makes every call new again, since its answer may now differ.
 */
export class CallBudget {
  private total = 0;
  private readonly repeats = new Map<string, number>();

  constructor(private readonly subtaskId: string) {}

  admit(block: ToolUseBlock): Admission {
    this.total += 1;
    const size = inputSize(block.input);
    if (size > MAX_FILE_BYTES) {
      // Answering it would send it back with the next request: a request that size only fails, and costs.
      return {
        kind: 'stop',
        message:
          `The worker sent a ${describeSize(size)} tool call, larger than any file it may edit ` +
          `(${describeLimit(MAX_FILE_BYTES)}), so subtask "${this.subtaskId}" was stopped before sending it back. ` +
          'Make its instructions more specific (or split it), then dispatch it again.',
      };
    }
    if (this.total > MAX_TOOL_CALLS_PER_RUN) {
      return {
        kind: 'stop',
        message:
          `The worker made ${MAX_TOOL_CALLS_PER_RUN} tool calls, the most one run may make, without finishing subtask ` +
          `"${this.subtaskId}". Split the subtask or make its instructions more specific, then dispatch it again.`,
      };
    }
    const key = `${block.name}\n${JSON.stringify(block.input)}`;
    const seen = (this.repeats.get(key) ?? 0) + 1;
    this.repeats.set(key, seen);
    if (seen >= REPEAT_STOP_AT) {
      return {
        kind: 'stop',
        message:
          `The worker repeated the same ${describeCall(block)} ${seen} times without changing anything, so subtask ` +
          `"${this.subtaskId}" was stopped. Make its instructions more specific, then dispatch it again.`,
      };
    }
    if (seen >= REPEAT_NOTE_AT) {
      return {
        kind: 'note',
        message:
          `You have made this exact call ${seen} times and nothing changed in between, so it was not run again: its ` +
          'result is what you already have. Use it: make the edit, or finish with a summary of what you did.',
      };
    }
    return { kind: 'run' };
  }

  /** A call changed the run's files. */
  changed(): void {
    this.repeats.clear();
  }
}

/** Characters in the string values of a tool input: what makes one large, without copying it. */
function inputSize(input: unknown): number {
  if (typeof input !== 'object' || input === null) {
    return typeof input === 'string' ? input.length : 0;
  }
  let n = 0;
  for (const value of Object.values(input)) {
    n += typeof value === 'string' ? value.length : 0;
  }
  return n;
}

function describeCall(block: ToolUseBlock): string {
  const input = block.input as { command?: unknown; path?: unknown } | null;
  const command = typeof input?.command === 'string' ? input.command : undefined;
  const path = typeof input?.path === 'string' ? input.path : undefined;
  return command && path ? `${command} of ${path}` : `${block.name} call`;
}
