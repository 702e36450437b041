import * as vscode from 'vscode';

/**
 * A test-only extension: a chat model provider for VS Code's Language Model API whose models forward every request to
 * the local Messages API (the URL comes from the test through the `opusTestLm.configure` command). Like Copilot's
 * Claude models, it speaks the editor's message parts, not Anthropic's blocks: the extension under test must convert.
 */
const MODEL: vscode.LanguageModelChatInformation = {
  id: 'claude-test-local',
  name: 'Claude Test (local)',
  family: 'claude-test',
  version: '1',
  maxInputTokens: 200_000,
  maxOutputTokens: 16_000,
  capabilities: { toolCalling: true },
};

let baseUrl: string | undefined;

interface Block {
  type: string;
  [key: string]: unknown;
}

function toBlocks(message: vscode.LanguageModelChatRequestMessage): Block[] {
  const blocks: Block[] = [];
  for (const part of message.content) {
    if (part instanceof vscode.LanguageModelTextPart) {
      blocks.push({ type: 'text', text: part.value });
    } else if (part instanceof vscode.LanguageModelToolCallPart) {
      blocks.push({ type: 'tool_use', id: part.callId, name: part.name, input: part.input });
    } else if (part instanceof vscode.LanguageModelToolResultPart) {
      const text = part.content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : '')).join('');
      blocks.push({ type: 'tool_result', tool_use_id: part.callId, content: text });
    }
  }
  return blocks;
}

const provider: vscode.LanguageModelChatProvider = {
  provideLanguageModelChatInformation: () => [MODEL],
  async provideLanguageModelChatResponse(model, messages, options, progress, token) {
    if (!baseUrl) {
      throw new Error('opus-test models: no local Messages API configured');
    }
    const body = {
      model: model.id,
      max_tokens: 4096,
      // The editor's message parts cannot carry thinking blocks back, so this provider asks for none.
      thinking: { type: 'disabled' },
      messages: messages.map((m) => ({
        role: m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user',
        content: toBlocks(m),
      })),
      ...(options.tools && options.tools.length > 0
        ? {
            tools: options.tools.map((t) => ({
              name: t.name,
              description: t.description,
              input_schema: t.inputSchema,
            })),
          }
        : {}),
    };
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const response = await fetch(`${baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'vscode-lm-test', 'x-opus-test-lm': model.id },
      body: JSON.stringify(body),
      signal: abort.signal,
    });
    const answer = (await response.json()) as { content?: Block[]; error?: { message?: string } };
    if (!response.ok) {
      throw new Error(answer.error?.message ?? `status ${response.status}`);
    }
    for (const block of answer.content ?? []) {
      if (block.type === 'text') {
        progress.report(new vscode.LanguageModelTextPart(String(block.text)));
      } else if (block.type === 'tool_use') {
        progress.report(
          new vscode.LanguageModelToolCallPart(String(block.id), String(block.name), (block.input ?? {}) as object),
        );
      }
    }
  },
  provideTokenCount: async (_model, text) =>
    Math.ceil((typeof text === 'string' ? text : JSON.stringify(text.content)).length / 4),
};

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.lm.registerLanguageModelChatProvider('opus-test', provider),
    vscode.commands.registerCommand('opusTestLm.configure', (url: string | undefined) => {
      baseUrl = url;
    }),
  );
}
