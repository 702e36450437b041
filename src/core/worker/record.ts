import type { ContentBlock, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages/messages';
import type { Usage } from '../usage/usage';
import { estimateTokens } from '../usage/usage';
import type { RunWork, WorkEdit, WorkRead } from '../usage/work';
import type { FileView } from './slices';

/** A tool call of a turn with what it returned. */
export interface CallOutcome {
  block: ToolUseBlock;
  content: string;
  isError: boolean;
}

const EDIT_COMMANDS = new Set(['str_replace', 'insert', 'create']);

function commandOf(block: ToolUseBlock): string | undefined {
  const command = (block.input as { command?: unknown } | null)?.command;
  return typeof command === 'string' ? command : undefined;
}

/** The lines a `view` result shows, read from its numbers; undefined for a folder listing or an empty file. */
function viewedRange(content: string): { start: number; end: number } | undefined {
  const numbers = [...content.matchAll(/^ *(\d+)\t/gm)].map((m) => Number(m[1]));
  return numbers.length > 0 ? { start: numbers[0] as number, end: numbers.at(-1) as number } : undefined;
}

/**
 * Keeps, as a run goes, what its worker was shown and what it wrote (see RunWork): the first request's files, the
 * files it viewed, the edits that applied, and the thinking of each turn — billed output beyond the visible text and
 * tool inputs, since thinking arrives without its text.
 */
export class WorkRecorder {
  private readonly reads: WorkRead[] = [];
  private readonly edits: WorkEdit[] = [];
  private readonly thinking = { edit: 0, read: 0, answer: 0 };
  private answer = 0;
  private turns = 0;

  constructor(views: readonly FileView[]) {
    this.reads.push(...views.flatMap((v) => v.reads));
  }

  /**
   * One model call: its reply, its billed usage and, when it called tools, what they returned. `finished`: the summary
   * of a finish call that ended the run with this turn, which stands for a closing answer.
   */
  turn(content: readonly ContentBlock[], usage: Usage, outcomes: readonly CallOutcome[], finished?: string): void {
    this.turns += 1;
    let visible = 0;
    let text = 0;
    for (const b of content) {
      if (b.type === 'text') {
        text += estimateTokens(b.text);
      } else if (b.type === 'tool_use') {
        visible += estimateTokens(JSON.stringify(b.input));
      }
    }
    visible += text;
    const thought = Math.max(0, usage.output - visible);
    let edited = false;
    for (const o of outcomes) {
      const command = commandOf(o.block);
      if (o.isError || command === undefined) {
        continue;
      }
      const input = o.block.input as { path?: unknown; view_range?: unknown };
      const path = typeof input.path === 'string' ? input.path.replace(/^\.\//, '') : '';
      if (EDIT_COMMANDS.has(command)) {
        edited = true;
        this.edits.push({ path, tokens: estimateTokens(JSON.stringify(o.block.input)) });
      } else if (command === 'view') {
        const range = viewedRange(o.content);
        if (range && path !== '') {
          const whole = input.view_range === undefined;
          this.reads.push({ path, ...range, tokens: estimateTokens(o.content), ...(whole ? { whole } : {}) });
        }
      }
    }
    if (outcomes.length === 0) {
      this.thinking.answer += thought;
      this.answer += text;
    } else {
      this.thinking[edited ? 'edit' : 'read'] += thought;
    }
    // A finish call is among the outcomes: its turn edits, and its summary stands for the closing answer.
    if (finished !== undefined) {
      this.answer += estimateTokens(finished);
    }
  }

  work(): RunWork {
    return {
      reads: [...this.reads],
      edits: [...this.edits],
      thinking: { ...this.thinking },
      answer: this.answer,
      turns: this.turns,
    };
  }
}
