import * as vscode from 'vscode';
import type { CommandHandler, CommandName } from './commandNames';
import type { PlanArgs } from './commands';
import { OrchestratorCommands } from './commands';
import type { CommandDeps } from './commands';
import { isConfirmArgs, isRole } from './args';
import type { ProviderChoice } from './providerCommand';
import { REVIEW_COMMANDS } from './review/names';

/**
 * The handler of every command activation registered (src/vscode/commandNames.ts), the review's included: those
 * forward to the engine, which the first of them loads. Nothing here evaluates the engine bundle until a command runs.
 */
export function commandHandlers(deps: CommandDeps): {
  commands: OrchestratorCommands;
  handlers: Record<CommandName, CommandHandler>;
} {
  const c = new OrchestratorCommands(deps);
  const review = {} as Record<(typeof REVIEW_COMMANDS)[number], CommandHandler>;
  for (const name of REVIEW_COMMANDS) {
    review[name] = async (arg, more) => {
      await deps.controller.start();
      const engine = await deps.engine();
      return engine.review[name](arg, more);
    };
  }
  const handlers: Record<CommandName, CommandHandler> = {
    plan: (arg) => c.plan(isPlanArgs(arg) ? arg : {}),
    setApiKey: () => c.setApiKey(),
    clearApiKey: () => c.clearApiKey(),
    selectProvider: async (choice) => {
      await deps.controller.start();
      const engine = await deps.engine();
      return engine.selectProvider(isProviderChoice(choice) ? choice : undefined);
    },
    dispatch: (arg) => c.dispatch(arg),
    dispatchAllReady: () => c.dispatchAllReady(),
    cancel: (arg) => c.cancel(arg),
    cancelAll: () => c.cancelAll(),
    retry: (arg, model) => c.retry(arg, isRole(model) ? model : undefined),
    changeModel: (arg, role) => c.changeModel(arg, role),
    changeEffort: (arg, effort) => c.changeEffort(arg, effort),
    editFiles: (arg, paths) => c.editFiles(arg, paths),
    removeSubtask: (arg, opts) => c.removeSubtask(arg, isConfirmArgs(opts) ? opts : undefined),
    clearPlan: (opts) => c.clearPlan(isConfirmArgs(opts) ? opts : undefined),
    showLog: () => c.showLog(),
    ...review,
  };
  return { commands: c, handlers };
}

function isPlanArgs(arg: unknown): arg is PlanArgs {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) && !(arg instanceof vscode.Uri);
}

/** A `{ role, provider }` argument that answers Select Provider and Models in advance (automation, tests). */
function isProviderChoice(arg: unknown): arg is ProviderChoice {
  return typeof arg === 'object' && arg !== null && 'role' in arg && 'provider' in arg;
}
