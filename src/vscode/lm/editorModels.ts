import * as vscode from 'vscode';
import type { ModelTransport } from '../../core/llm/transport';
import type { ModelRole, ProviderId, SeatModel } from '../../core/models';
import { MODEL_ROLES } from '../../core/models';
import { LanguageModelTransport } from './transport';

/** How a chosen chat model is written in the settings: `vendor/id` (e.g. `copilot/claude-sonnet-4`). */
export function selectorOf(model: Pick<vscode.LanguageModelChat, 'vendor' | 'id'>): string {
  return `${model.vendor}/${model.id}`;
}

function parseSelector(text: string): vscode.LanguageModelChatSelector {
  const slash = text.indexOf('/');
  return slash > 0 ? { vendor: text.slice(0, slash), id: text.slice(slash + 1) } : { id: text };
}

/**
 * The Language Model API reports no output limit to its consumers; this is what a worker or planner call may ask
 * for. The model's own limit still applies: a longer answer comes back cut, which the client treats as truncation.
 */
const SEAT_MAX_OUTPUT = 32_000;

/**
 * The editor's chat models chosen for the roles that run on VS Code's Language Model API: resolved from the settings
 * (`opusOrchestrator.languageModels.<role>`), again whenever the editor's set of models changes.
 */
export class EditorModels implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private selectors: Partial<Record<ModelRole, string>> = {};
  private chosenKey = '';
  private readonly resolved = new Map<ModelRole, vscode.LanguageModelChat>();
  private readonly subscription: vscode.Disposable;
  private resolving: Promise<void> = Promise.resolve();

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscription = vscode.lm.onDidChangeChatModels(() => void this.resolve());
  }

  /** The models chosen for the roles on `vscode-lm`; resolving them is asynchronous and fires `onDidChange`. */
  choose(selectors: Partial<Record<ModelRole, string>>, roles: Record<ModelRole, ProviderId>): void {
    const wanted: Partial<Record<ModelRole, string>> = {};
    for (const role of MODEL_ROLES) {
      if (roles[role] === 'vscode-lm' && selectors[role]) {
        wanted[role] = selectors[role];
      }
    }
    const key = JSON.stringify(wanted);
    if (key !== this.chosenKey) {
      this.chosenKey = key;
      this.selectors = wanted;
      void this.resolve();
    }
  }

  /** The figures of the model chosen for a role, once resolved. */
  seat(role: ModelRole): SeatModel | undefined {
    const model = this.resolved.get(role);
    return model
      ? {
          id: model.id,
          label: model.name,
          contextWindow: model.maxInputTokens,
          maxOutput: Math.min(SEAT_MAX_OUTPUT, model.maxInputTokens),
        }
      : undefined;
  }

  /** Waits until the chosen models are resolved (after a settings change). */
  ready(): Promise<void> {
    return this.resolving;
  }

  transport(): ModelTransport {
    return new LanguageModelTransport(async (id) => {
      await this.resolving;
      const known = [...this.resolved.values()].find((m) => m.id === id);
      return known ?? (id ? (await vscode.lm.selectChatModels({ id }))[0] : undefined);
    });
  }

  /** Every chat model the editor offers now (for the picker). */
  available(): Thenable<vscode.LanguageModelChat[]> {
    return vscode.lm.selectChatModels();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private resolve(): Promise<void> {
    this.resolving = this.resolving.then(async () => {
      let moved = false;
      for (const role of MODEL_ROLES) {
        const selector = this.selectors[role];
        const model = selector ? (await vscode.lm.selectChatModels(parseSelector(selector)))[0] : undefined;
        if (selector && !model) {
          this.log.warn(`${role}: VS Code offers no language model ${selector} now; choose another one.`);
        }
        if (this.resolved.get(role) !== model) {
          moved = true;
          if (model) {
            this.resolved.set(role, model);
          } else {
            this.resolved.delete(role);
          }
        }
      }
      if (moved) {
        this.changed.fire();
      }
    });
    return this.resolving;
  }
}
