import type { MessageParam, TextBlockParam, ToolUnion } from '@anthropic-ai/sdk/resources/messages/messages';
import { EDITOR_TOOL } from '../edits/editorTool';
import type { Subtask } from '../plan/schema';

/** A file in a subtask's scope as the worker sees it: `text` is model text (LF, no BOM), null when it is absent. */
export interface ScopedFile {
  path: string;
  text: string | null;
  create: boolean;
}

/**
 * The worker's system prompt. It carries no per-task text so that, with the tool definition, it forms a prefix
 * that is byte-identical across subtasks and turns and is read from the prompt cache after the first call.
 */
export function workerSystemPrompt(): string {
  return [
    'You are a software engineer carrying out one subtask of a larger plan. You are given the overall goal, your',
    'subtask, its acceptance criteria and the current text of every file in your scope. Nothing else is available:',
    'you cannot run commands, tests or a compiler, and you cannot open files outside your scope.',
    '',
    'Change files only with the str_replace_based_edit_tool tool:',
    '- str_replace: old_str must match exactly one place in the file, including whitespace and indentation. Copy it',
    '  from the file as shown and include enough surrounding lines to make it unique. Keep each edit small.',
    '- create: writes a new file with file_text. Use it only for files marked as new.',
    '- insert: inserts insert_text after line insert_line (0 inserts at the top).',
    '- view: shows a file with line numbers, or a folder listing. The files are already shown to you, so view only',
    '  to check the result of your edits.',
    'When a tool call fails, read the error, correct the call and try again.',
    '',
    'Scope discipline:',
    '- Edit only the files in your scope, and only as far as the subtask needs. Other subtasks handle the rest.',
    "- Follow the code's existing style, naming and structure. Do not reformat code you do not change.",
    '- Do not leave placeholders or unfinished code: every acceptance criterion must hold when you stop.',
    '',
    'When the work is done, stop calling tools and answer with one paragraph summarising what you changed and how',
    'it meets the acceptance criteria, mentioning anything a reviewer should check.',
  ].join('\n');
}

/**
 * One in-scope file as a prompt block. The `<file>` wrapper lets the model tell file text from instructions; a file
 * to create is marked as new so the model uses `create` rather than searching for text that is not there.
 */
export function formatScopedFile(file: ScopedFile): string {
  if (file.text === null) {
    const why = file.create ? 'It does not exist yet: create it.' : 'It does not exist in the workspace.';
    return `<file path="${file.path}" new="true">\n(${why})\n</file>`;
  }
  const body = file.text.endsWith('\n') || file.text === '' ? file.text : `${file.text}\n`;
  return `<file path="${file.path}">\n${body}</file>`;
}

function bulleted(lines: readonly string[]): string {
  return lines.length === 0 ? '- (none given)' : lines.map((l) => `- ${l}`).join('\n');
}

/**
 * The first request of a worker run: the stable prefix (tool, system prompt) and one user message holding exactly
 * the subtask and its files, nothing else from the workspace. Cache breakpoints sit at the end of the prefix and at
 * the end of that first message, so every later turn of the run reads both from the cache.
 */
export function buildWorkerRequest(input: { goal: string; subtask: Subtask; files: ScopedFile[]; feedback?: string }): {
  system: TextBlockParam[];
  tools: ToolUnion[];
  messages: MessageParam[];
} {
  const { goal, subtask, files, feedback } = input;
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
    ...files.map((f): TextBlockParam => ({ type: 'text', text: formatScopedFile(f) })),
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
      'Make the changes with the str_replace_based_edit_tool tool. When every acceptance criterion holds, stop ' +
      'and reply with a one-paragraph summary of what you changed.',
    cache_control: { type: 'ephemeral' },
  });
  return {
    system: [{ type: 'text', text: workerSystemPrompt(), cache_control: { type: 'ephemeral' } }],
    tools: [EDITOR_TOOL],
    messages: [{ role: 'user', content: blocks }],
  };
}
