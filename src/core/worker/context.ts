import type { MessageParam, TextBlockParam, Tool, ToolUnion } from '@anthropic-ai/sdk/resources/messages/messages';
import { EDITOR_TOOL } from '../edits/editorTool';
import type { Focus, Subtask } from '../plan/schema';
import type { FileView } from './slices';
import { viewOfFile } from './slices';
import type { OutlineSource } from '../plan/outline';

/** A file in a subtask's scope as the worker sees it: `text` is model text (LF, no BOM), null when it is absent. */
export interface ScopedFile {
  path: string;
  text: string | null;
  create: boolean;
  /** What the planner said the worker needs of it; absent or empty: the whole file. */
  focus?: Focus;
}

/**
 * Ends a run in the turn that makes its last edits: when every other call of that turn applies, the run ends without
 * sending their results back for a closing answer, a whole request (the conversation so far) saved per subtask. When
 * one fails, the worker gets the results, this call's among them saying it did not end the run, and goes on.
 */
export const FINISH_TOOL: Tool = {
  name: 'finish',
  description:
    'End the subtask. Call it in the same response as your last edits, after them: when every edit of that response ' +
    'applies, the run ends there and your changes go to the user for review (their results are not sent back to ' +
    'you). If one fails, you get the results and go on; call finish again when the work is done.',
  input_schema: {
    type: 'object',
    properties: {
      summary: {
        type: 'string',
        description:
          'One paragraph: what you changed, how it meets the acceptance criteria, anything a reviewer should check.',
      },
    },
    required: ['summary'],
  },
};

/**
 * The worker's system prompt. It carries no per-task text so that, with the tool definition, it forms a prefix
 * that is byte-identical across subtasks and turns and is read from the prompt cache after the first call.
 */
export function workerSystemPrompt(): string {
  return [
    'You are a software engineer carrying out one subtask of a larger plan. You are given the overall goal, your',
    'subtask, its acceptance criteria and the files in your scope. Nothing else is available: you cannot run',
    'commands, tests or a compiler, and you cannot open files outside your scope.',
    '',
    'A small file is shown whole, as it is. A large file is shown as the parts your subtask needs, with line numbers',
    'as view shows them (the numbers and the tab after them are not part of the file), "[L10-99 not shown]" where',
    'lines are left out, and an outline of those lines. Read more of a file with view and view_range before you edit',
    'anything you have not seen.',
    '',
    'Change files only with the str_replace_based_edit_tool tool:',
    '- str_replace: old_str must match exactly one place in the file, including whitespace and indentation. Copy it',
    '  from the file as shown and include enough surrounding lines to make it unique. Keep each edit small.',
    '- create: writes a new file with file_text. Use it only for files marked as new.',
    '- insert: inserts insert_text after line insert_line (0 inserts at the top).',
    '- view: shows a file with line numbers, or a folder listing; view_range [start, end] shows only those lines.',
    '  Ask for the lines you need, not the whole of a large file.',
    'When a tool call fails, read the error, correct the call and try again.',
    '',
    'Scope discipline:',
    '- Edit only the files in your scope, and only as far as the subtask needs. Other subtasks handle the rest.',
    "- Follow the code's existing style, naming and structure. Do not reformat code you do not change.",
    '- Do not leave placeholders or unfinished code: every acceptance criterion must hold when you stop.',
    '',
    'When your edits complete the work, call finish in the same response, after them, with one paragraph',
    'summarising what you changed and how it meets the acceptance criteria, mentioning anything a reviewer should',
    'check: the run ends there if every edit applies, with no further turn.',
  ].join('\n');
}

/** The files as the worker's first request shows them (see ./slices). */
export async function viewsOf(files: readonly ScopedFile[], outline?: OutlineSource): Promise<FileView[]> {
  return Promise.all(files.map((f) => viewOfFile(f, outline)));
}

function bulleted(lines: readonly string[]): string {
  return lines.length === 0 ? '- (none given)' : lines.map((l) => `- ${l}`).join('\n');
}

/**
 * The first request of a worker run: the stable prefix (tool, system prompt) and one user message holding exactly
 * the subtask and its files as `views` shows them, nothing else from the workspace. The system prompt carries a
 * cache breakpoint: it is the same bytes for every worker on a model, so the next worker reads it. The conversation's
 * own breakpoint is placed per request by the worker loop (see llm/cache), where it moves with each turn.
 */
export function buildWorkerRequest(input: { goal: string; subtask: Subtask; views: FileView[]; feedback?: string }): {
  system: TextBlockParam[];
  tools: ToolUnion[];
  messages: MessageParam[];
} {
  const { goal, subtask, views: files, feedback } = input;
  const blocks: TextBlockParam[] = [
    {
      type: 'text',
      text: [
        `<goal>\n${goal.trim()}\n</goal>`,
        `<subtask id="${subtask.id}">`,
        `Title: ${subtask.title.trim()}`,
        '',
        subtask.instructions.trim(),
        '</subtask>',
        `<acceptance_criteria>\n${bulleted(subtask.acceptanceCriteria)}\n</acceptance_criteria>`,
        `Files in scope (${files.length}): ${files.map((f) => (f.create ? `${f.path} (new)` : f.path)).join(', ')}`,
      ].join('\n'),
    },
    ...files.map((f): TextBlockParam => ({ type: 'text', text: f.block })),
  ];
  if (feedback !== undefined && feedback.trim() !== '') {
    blocks.push({
      type: 'text',
      text: [
        '<previous_attempt>',
        'A previous attempt at this subtask was not accepted. Notes:',
        feedback.trim(),
        '</previous_attempt>',
      ].join('\n'),
    });
  }
  blocks.push({
    type: 'text',
    text:
      'Make the changes with the str_replace_based_edit_tool tool, and call finish with your summary in the same ' +
      'response as your last edits.',
  });
  return {
    system: [{ type: 'text', text: workerSystemPrompt() }],
    tools: [EDITOR_TOOL, FINISH_TOOL],
    messages: [{ role: 'user', content: blocks }],
  };
}
