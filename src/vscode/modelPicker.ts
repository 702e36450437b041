import * as vscode from 'vscode';
import type { ModelInfo, ModelRole } from '../core/models';
import { MODEL_ROLES } from '../core/models';
import type { Effort } from '../core/plan/schema';
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

const EFFORTS: ReadonlyArray<{ effort: Effort; detail: string }> = [
  { effort: 'low', detail: 'Mechanical edits: renames, imports, documentation. Least thinking, cheapest.' },
  { effort: 'medium', detail: 'Ordinary implementation.' },
  { effort: 'high', detail: 'Subtle work the model must reason through. Most thinking, dearest.' },
];

/** How hard the subtask's model thinks (the API's effort): thinking is billed as output. */
export async function pickEffort(current: Effort): Promise<Effort | undefined> {
  const picked = await vscode.window.showQuickPick(
    EFFORTS.map((e) => ({ ...e, label: `${e.effort === current ? '$(check) ' : ''}${e.effort}` })),
    { title: 'Change Effort', placeHolder: 'How much the model thinks while it works on this subtask' },
  );
  return picked?.effort;
}
