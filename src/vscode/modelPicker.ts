import * as vscode from 'vscode';
import type { ModelInfo, ModelRole } from '../core/models';
import { MODEL_ROLES } from '../core/models';
import { formatTokens } from '../core/usage/format';
import { priceSummary } from './providerCommand';

/**
 * Opus, Sonnet or Haiku, each with the model it runs on now and its price (or the seat it is billed through). Part
 * of the engine bundle, which knows where each role runs.
 */
export async function pickModel(
  current: ModelRole,
  models: Record<ModelRole, ModelInfo>,
): Promise<ModelRole | undefined> {
  const picked = await vscode.window.showQuickPick(
    MODEL_ROLES.map((role) => {
      const m = models[role];
      return {
        role,
        label: `${role === current ? '$(check) ' : ''}${m.label}`,
        description: m.id,
        detail: `${priceSummary(m)} \u00b7 ${formatTokens(m.contextWindow)} context`,
      };
    }),
    { title: 'Change Model', placeHolder: 'The model that runs this subtask' },
  );
  return picked?.role;
}
