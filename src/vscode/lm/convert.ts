import type {
  ContentBlockParam,
  MessageCreateParamsBase,
  TextBlockParam,
  ToolUnion,
} from '@anthropic-ai/sdk/resources/messages/messages';
import * as vscode from 'vscode';

/**
 * The input of Anthropic's text editor tool (`str_replace_based_edit_tool`), as an ordinary tool's JSON Schema: the
 * editor's language models know no Anthropic-defined tool types, so the worker's editor is offered as a plain tool
 * with the same name and arguments, and its calls run through the same code over the same overlay.
 */
export const EDITOR_TOOL_SCHEMA = {
  type: 'object',
  properties: {
    command: {
      type: 'string',
      enum: ['view', 'str_replace', 'create', 'insert'],
      description: 'view a file or folder; str_replace one unique match; create a new file; insert after a line.',
    },
    path: { type: 'string', description: 'Workspace-relative path of the file or folder.' },
    view_range: {
      type: 'array',
      items: { type: 'integer' },
      minItems: 2,
      maxItems: 2,
      description: 'view: [first line, last line], 1-based; -1 as the last line means the end of the file.',
    },
    old_str: { type: 'string', description: 'str_replace: the exact text to replace; it must match exactly once.' },
    new_str: { type: 'string', description: 'str_replace: the replacement text.' },
    file_text: { type: 'string', description: 'create: the whole content of the new file.' },
    insert_line: { type: 'integer', description: 'insert: the line after which to insert (0 = the top).' },
    insert_text: { type: 'string', description: 'insert: the text to insert.' },
  },
  required: ['command', 'path'],
} as const;

const EDITOR_TOOL_NAME = 'str_replace_based_edit_tool';

const EDITOR_TOOL_DESCRIPTION =
  'View and edit the files of this task. Commands: view (a file with line numbers, or a folder listing), ' +
  'str_replace (replace exactly one occurrence of old_str by new_str), create (a new file with file_text), ' +
  'insert (insert_text after line insert_line).';

/** The request's tools as the editor's language models take them. */
export function toChatTools(tools: readonly ToolUnion[] | undefined): vscode.LanguageModelChatTool[] {
  const out: vscode.LanguageModelChatTool[] = [];
  for (const tool of tools ?? []) {
    if ('input_schema' in tool) {
      out.push({ name: tool.name, description: tool.description ?? tool.name, inputSchema: tool.input_schema });
    } else if (tool.type.startsWith('text_editor_')) {
      out.push({ name: EDITOR_TOOL_NAME, description: EDITOR_TOOL_DESCRIPTION, inputSchema: EDITOR_TOOL_SCHEMA });
    }
  }
  return out;
}

function textOf(system: string | TextBlockParam[] | undefined): string {
  if (system === undefined) {
    return '';
  }
  return typeof system === 'string' ? system : system.map((b) => b.text).join('\n\n');
}

function resultText(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  if (Array.isArray(content)) {
    return content.map((b: { type?: string; text?: string }) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
  }
  return '';
}

type Part = vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart | vscode.LanguageModelToolResultPart;

function partsOf(content: string | ContentBlockParam[]): Part[] {
  if (typeof content === 'string') {
    return [new vscode.LanguageModelTextPart(content)];
  }
  const parts: Part[] = [];
  for (const block of content) {
    if (block.type === 'text') {
      parts.push(new vscode.LanguageModelTextPart(block.text));
    } else if (block.type === 'tool_use') {
      parts.push(new vscode.LanguageModelToolCallPart(block.id, block.name, (block.input ?? {}) as object));
    } else if (block.type === 'tool_result') {
      const text = resultText(block.content);
      const shown = block.is_error ? `Error: ${text}` : text;
      parts.push(new vscode.LanguageModelToolResultPart(block.tool_use_id, [new vscode.LanguageModelTextPart(shown)]));
    }
    // Thinking blocks stay out: they belong to Anthropic's API and another provider's model cannot read them.
  }
  return parts;
}

/**
 * A Messages-API request as chat messages. The Language Model API has no system role, so the system prompt leads the
 * first user message; thinking blocks and cache breakpoints have no equivalent and are left out.
 */
export function toChatMessages(params: MessageCreateParamsBase): vscode.LanguageModelChatMessage[] {
  const out: vscode.LanguageModelChatMessage[] = [];
  const system = textOf(params.system);
  params.messages.forEach((m, i) => {
    const parts = partsOf(m.content);
    if (i === 0 && system !== '') {
      parts.unshift(new vscode.LanguageModelTextPart(`${system}\n\n`));
    }
    if (m.role === 'user') {
      out.push(
        vscode.LanguageModelChatMessage.User(
          parts.filter((p): p is vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart => {
            return !(p instanceof vscode.LanguageModelToolCallPart);
          }),
        ),
      );
    } else {
      out.push(
        vscode.LanguageModelChatMessage.Assistant(
          parts.filter((p): p is vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart => {
            return !(p instanceof vscode.LanguageModelToolResultPart);
          }),
        ),
      );
    }
  });
  return out;
}
