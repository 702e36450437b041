import * as vscode from 'vscode';
import type { ModelInfo, ModelRole, ProviderId } from '../core/models';
import {
  MODEL_ROLES,
  MODEL_TABLE,
  PROVIDERS,
  PROVIDER_LABELS,
  isProviderId,
  modelFor,
  roleProvider,
} from '../core/models';
import { pricesFor } from '../core/usage/prices';
import type { EditorModels } from './lm/editorModels';
import { selectorOf } from './lm/editorModels';
import { SETTINGS_SECTION } from './section';

/** What choosing a provider acts on: the settings to apply again, and the chat models VS Code offers. */
export interface ProviderTarget {
  applySettings(): void;
  readonly editorModels: EditorModels;
}

/** What the command can be given instead of asking (automation, the walkthrough's link, tests). */
export interface ProviderChoice {
  role: ModelRole | 'all';
  provider: ProviderId;
  /** For `vscode-lm`: the chat model as `vendor/id`. */
  languageModel?: string;
}

/** The price a role's model has on its provider, as one line: per-token prices, or the seat it is billed through. */
export function priceSummary(model: ModelInfo): string {
  if (model.billing === 'seat') {
    return 'billed through your seat (no per-token price)';
  }
  const p = pricesFor(model);
  return `$${p.input} in · $${p.output} out · $${p.cacheRead} cache read per million tokens`;
}

function roleLine(role: ModelRole): string {
  const model = modelFor(role, readOverrides());
  const where = PROVIDER_LABELS[roleProvider(role).provider];
  return `${where} · ${model.id || 'no model chosen'} · ${priceSummary(model)}`;
}

function readOverrides(): Partial<Record<ModelRole, string>> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const out: Partial<Record<ModelRole, string>> = {};
  for (const role of MODEL_ROLES) {
    const id = config.get<string>(`models.${role}`)?.trim();
    if (id) {
      out[role] = id;
    }
  }
  return out;
}

/** Writes a choice to the user's settings (a workspace may not choose where its code is sent). */
export async function applyProviderChoice(choice: ProviderChoice): Promise<void> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const target = vscode.ConfigurationTarget.Global;
  const roles = choice.role === 'all' ? MODEL_ROLES : [choice.role];
  if (choice.role === 'all') {
    await config.update('provider', choice.provider, target);
    for (const role of MODEL_ROLES) {
      await config.update(`providers.${role}`, undefined, target);
    }
  } else {
    await config.update(`providers.${choice.role}`, choice.provider, target);
  }
  if (choice.provider === 'vscode-lm' && choice.languageModel) {
    for (const role of roles) {
      await config.update(`languageModels.${role}`, choice.languageModel, target);
    }
  }
}

async function pickRole(): Promise<ModelRole | 'all' | undefined> {
  const items: Array<vscode.QuickPickItem & { role: ModelRole | 'all' }> = [
    { label: 'All roles', description: 'one provider for planning, implementing and small jobs', role: 'all' },
    ...MODEL_ROLES.map((role) => ({ label: MODEL_TABLE[role].label, detail: roleLine(role), role })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Select Provider and Models: which role?',
    placeHolder: 'Each row shows what the role uses now and its price',
    matchOnDetail: true,
  });
  return picked?.role;
}

async function pickProvider(role: ModelRole | 'all'): Promise<ProviderId | undefined> {
  const sample: ModelRole = role === 'all' ? 'sonnet' : role;
  const items = PROVIDERS.map((provider) => {
    const detail =
      provider === 'vscode-lm'
        ? 'A chat model VS Code offers (e.g. Claude through a Copilot seat): billed through the seat, usage estimated'
        : provider === 'anthropic'
          ? `With your API key · ${MODEL_TABLE[sample].label}: ${priceSummary(MODEL_TABLE[sample])}`
          : `With your ${provider === 'bedrock' ? 'AWS' : 'Google'} credentials · list prices as Anthropic's on the ` +
            'global endpoint, 10% more on a regional one';
    return { label: PROVIDER_LABELS[provider], detail, provider };
  });
  const picked = await vscode.window.showQuickPick(items, { title: 'Select Provider and Models: where?' });
  return picked?.provider;
}

async function pickLanguageModel(controller: ProviderTarget): Promise<string | undefined> {
  const models = await controller.editorModels.available();
  if (models.length === 0) {
    void vscode.window.showWarningMessage(
      'VS Code offers no language models now. Sign in to a chat provider (for example GitHub Copilot) and try again.',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({
      label: m.name,
      description: selectorOf(m),
      detail: `${m.vendor} · up to ${m.maxInputTokens.toLocaleString('en-US')} input tokens · billed through your seat`,
      selector: selectorOf(m),
    })),
    { title: 'Select Provider and Models: which chat model?', matchOnDescription: true },
  );
  return picked?.selector;
}

/**
 * Select Provider and Models: choose, per role or for all, where the models run, with what each role uses now and its
 * price in view. Given a choice as its argument, it applies it without asking.
 */
export async function selectProvider(controller: ProviderTarget, given?: ProviderChoice): Promise<void> {
  if (given && isProviderId(given.provider)) {
    await applyProviderChoice(given);
    controller.applySettings();
    await controller.editorModels.ready();
    return;
  }
  const role = await pickRole();
  const provider = role && (await pickProvider(role));
  if (!role || !provider) {
    return;
  }
  const languageModel = provider === 'vscode-lm' ? await pickLanguageModel(controller) : undefined;
  if (provider === 'vscode-lm' && !languageModel) {
    return;
  }
  await applyProviderChoice({ role, provider, ...(languageModel ? { languageModel } : {}) });
  controller.applySettings();
  await controller.editorModels.ready();
  const shown = (role === 'all' ? MODEL_ROLES : [role]).map((r) => `${MODEL_TABLE[r].label}: ${roleLine(r)}`);
  void vscode.window.showInformationMessage(`Opus Orchestrator now uses ${shown.join('; ')}.`);
}
