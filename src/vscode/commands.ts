import * as vscode from 'vscode';
import type { ModelRole } from '../core/models';
import { MODEL_ROLES, MODEL_TABLE } from '../core/models';
import type { SubtaskStatus } from '../core/plan/state';
import { livePhase, totalTokens } from '../core/usage/usage';
import type { ApiKeyStore } from './apiKey';
import { promptForApiKey } from './apiKey';
import type { ExtensionController } from './controller';
import { formatTokens, liveText } from './gauge';
import type { CommandResult } from './notify';
import { SHOW_LOG, failure, info, warn } from './notify';
import { askTask, editorContext, pickFiles, pickFrom, pickModel, pickSubtask, toFileInScope } from './pickers';
import type { PlanTreeProvider, TreeNode } from './planTree';

/** What a command did, returned to `executeCommand` callers (automation and tests); users see the same as messages. */
export type { CommandResult } from './notify';

/** `opusOrchestrator.plan` may be given the task (and consent to replace a plan) instead of asking for them. */
export interface PlanArgs {
  task?: string;
  replace?: boolean;
}

/** Modal confirmations can be answered in advance by automation. */
export interface ConfirmArgs {
  confirmed?: boolean;
}

export interface CommandDeps {
  controller: ExtensionController;
  keys: ApiKeyStore;
  tree: PlanTreeProvider;
  view: vscode.TreeView<TreeNode>;
}

/** Statuses of a plan nobody has worked on yet: replacing it loses nothing. */
const UNTOUCHED: ReadonlySet<SubtaskStatus> = new Set(['pending', 'ready', 'blocked']);
const CANCELLED: CommandResult = { ok: false, message: 'Cancelled.' };

/** The subtask a command argument names: an id, a tree row, or any `{ subtaskId }` object. */
export function subtaskIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg !== '') {
    return arg;
  }
  if (typeof arg === 'object' && arg !== null && 'subtaskId' in arg && typeof arg.subtaskId === 'string') {
    return arg.subtaskId;
  }
  return undefined;
}

/** The handlers of the commands this module registers; each returns what it did. */
export class OrchestratorCommands {
  private readonly controller: ExtensionController;

  constructor(private readonly deps: CommandDeps) {
    this.controller = deps.controller;
  }

  async plan(args: PlanArgs = {}): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    if (!orchestrator) {
      return warn('Open a folder first: Opus Orchestrator plans work inside a workspace folder.');
    }
    if (!this.controller.hasKey) {
      const message = 'No Anthropic API key is set. Set one to plan with Opus.';
      void vscode.window.showWarningMessage(message, 'Set API Key').then((choice) => {
        if (choice) {
          void vscode.commands.executeCommand('opusOrchestrator.setApiKey');
        }
      });
      return { ok: false, message };
    }
    const worked = orchestrator.subtasks().some((s) => !UNTOUCHED.has(s.state.status));
    if (worked && args.replace !== true && !(await this.confirm('Replace the current plan?', 'Replace'))) {
      return CANCELLED;
    }
    const task = args.task ?? (await askTask());
    if (!task?.trim()) {
      return CANCELLED;
    }
    const context = editorContext(orchestrator.root);
    this.controller.log.info(`planning: ${task.trim().slice(0, 200)}`);
    const abort = new AbortController();
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Opus is planning', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          const listener = this.controller.onDidChange((e) => {
            if (e.kind === 'usage' && e.id === 'plan' && orchestrator.planLive) {
              const doing = livePhase(orchestrator.planLive);
              const tokens = `${formatTokens(totalTokens(orchestrator.planLive))} tokens`;
              progress.report({ message: doing ? `${tokens} \u00b7 ${liveText(doing)}` : tokens });
            }
          });
          try {
            await orchestrator.plan(task.trim(), { ...context, signal: abort.signal });
          } finally {
            listener.dispose();
          }
        },
      );
    } catch (err) {
      return abort.signal.aborted ? { ok: false, message: 'Planning was cancelled.' } : this.fail(err);
    }
    await this.revealPlan();
    return { ok: true };
  }

  async setApiKey(): Promise<CommandResult> {
    const stored = await promptForApiKey(this.deps.keys);
    if (stored) {
      this.controller.log.info('API key stored in secret storage');
      void vscode.window.showInformationMessage('Anthropic API key stored in the editor\u2019s secret storage.');
    }
    return stored ? { ok: true } : CANCELLED;
  }

  async clearApiKey(): Promise<CommandResult> {
    await this.deps.keys.clear();
    this.controller.log.info('API key removed from secret storage');
    const left = this.deps.keys.current ? ' ANTHROPIC_API_KEY from the environment is still used.' : '';
    void vscode.window.showInformationMessage(`Anthropic API key removed.${left}`);
    return { ok: true };
  }

  async dispatch(arg?: unknown): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    const id = subtaskIdOf(arg) ?? (orchestrator ? await pickSubtask(orchestrator) : undefined);
    if (!orchestrator || !id) {
      return orchestrator?.state ? CANCELLED : warn('There is no plan yet: run "Plan with Opus" first.');
    }
    return this.run([id], () => orchestrator.dispatch([id]));
  }

  async dispatchAllReady(): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    const ids = orchestrator?.ready() ?? [];
    if (!orchestrator || ids.length === 0) {
      return info('No subtask is ready to dispatch.');
    }
    return this.run(ids, () => orchestrator.dispatch(ids));
  }

  /** Runs a subtask again (on `model` when given); from review, its open proposal is dropped first. */
  async retry(arg?: unknown, model?: ModelRole): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    const id = subtaskIdOf(arg) ?? (orchestrator ? await pickSubtask(orchestrator) : undefined);
    if (!orchestrator || !id) {
      return CANCELLED;
    }
    return this.run([id], () => orchestrator.retry(id, { model }));
  }

  async cancel(arg?: unknown): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    const running = orchestrator?.subtasks().filter((s) => s.state.status === 'running') ?? [];
    const id = subtaskIdOf(arg) ?? (running.length === 1 ? running[0]?.spec.id : await pickFrom(running, 'Cancel'));
    if (!orchestrator || !id) {
      return CANCELLED;
    }
    orchestrator.cancel(id);
    this.controller.log.info(`${id}: cancel requested`);
    return { ok: true };
  }

  async cancelAll(): Promise<CommandResult> {
    this.controller.orchestrator?.cancelAll();
    this.controller.log.info('cancel requested for every running subtask');
    return { ok: true };
  }

  async changeModel(arg?: unknown, role?: unknown): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    const id = subtaskIdOf(arg);
    const view = id ? orchestrator?.subtask(id) : undefined;
    if (!orchestrator || !view) {
      return warn(id ? `The plan has no subtask "${id}".` : 'Choose a subtask in the Plan view.');
    }
    const chosen = isRole(role) ? role : await pickModel(view.state.model, this.controller.settings().core.models);
    if (!chosen) {
      return CANCELLED;
    }
    return this.edit(() => orchestrator.changeModel(view.spec.id, chosen));
  }

  async editFiles(arg?: unknown, paths?: unknown): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    const id = subtaskIdOf(arg);
    const view = id ? orchestrator?.subtask(id) : undefined;
    if (!orchestrator || !view) {
      return warn(id ? `The plan has no subtask "${id}".` : 'Choose a subtask in the Plan view.');
    }
    const given = Array.isArray(paths) && paths.every((p) => typeof p === 'string') ? (paths as string[]) : undefined;
    const chosen =
      given ?? (await pickFiles(orchestrator.root, this.controller.settings().core.extraIgnores, view.spec.files));
    if (!chosen) {
      return CANCELLED;
    }
    const files = await Promise.all(chosen.map((p) => toFileInScope(orchestrator.root, p)));
    return this.edit(() => orchestrator.setFiles(view.spec.id, files));
  }

  async removeSubtask(arg?: unknown, opts?: ConfirmArgs): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    const id = subtaskIdOf(arg);
    const view = id ? orchestrator?.subtask(id) : undefined;
    if (!orchestrator || !view) {
      return warn(id ? `The plan has no subtask "${id}".` : 'Choose a subtask in the Plan view.');
    }
    const question = `Remove subtask "${view.spec.title}"? Subtasks that depend on it stop waiting for it.`;
    if (opts?.confirmed !== true && !(await this.confirm(question, 'Remove'))) {
      return CANCELLED;
    }
    return this.edit(() => orchestrator.removeSubtask(view.spec.id));
  }

  async clearPlan(opts?: ConfirmArgs): Promise<CommandResult> {
    const orchestrator = this.controller.orchestrator;
    if (!orchestrator?.state) {
      return { ok: true };
    }
    const question = 'Clear the plan? Its subtasks, proposals and usage are forgotten; your files are not touched.';
    if (opts?.confirmed !== true && !(await this.confirm(question, 'Clear'))) {
      return CANCELLED;
    }
    return this.edit(() => orchestrator.clear());
  }

  showLog(): CommandResult {
    this.controller.log.show();
    return { ok: true };
  }

  /** Runs subtasks to their end, then reports each failure once (the row shows it too). */
  private async run(ids: string[], start: () => Promise<void>): Promise<CommandResult> {
    this.controller.log.info(`dispatch: ${ids.join(', ')}`);
    try {
      await start();
    } catch (err) {
      return this.fail(err);
    }
    const orchestrator = this.controller.orchestrator;
    const failed = ids.map((id) => orchestrator?.subtask(id)).filter((v) => v?.state.status === 'failed');
    for (const view of failed) {
      const id = view?.spec.id as string;
      const message = `Subtask "${view?.spec.title}" failed: ${view?.state.error ?? 'see the log'}`;
      const up = orchestrator?.escalation(id);
      const retryUp = up ? `Retry with ${MODEL_TABLE[up].label}` : undefined;
      const buttons = retryUp ? [SHOW_LOG, 'Retry', retryUp] : [SHOW_LOG, 'Retry'];
      void vscode.window.showErrorMessage(message, ...buttons).then((choice) => {
        if (choice === SHOW_LOG) {
          this.controller.log.show();
        } else if (choice === 'Retry') {
          void vscode.commands.executeCommand('opusOrchestrator.retry', id);
        } else if (choice && choice === retryUp) {
          void vscode.commands.executeCommand('opusOrchestrator.retry', id, up);
        }
      });
    }
    const first = failed[0];
    return first ? { ok: false, message: first.state.error ?? 'The subtask failed.' } : { ok: true };
  }

  private async edit(change: () => Promise<void>): Promise<CommandResult> {
    try {
      await change();
      return { ok: true };
    } catch (err) {
      return this.fail(err);
    }
  }

  private fail(err: unknown): CommandResult {
    return failure(this.controller.log, err);
  }

  private async confirm(question: string, action: string): Promise<boolean> {
    return (await vscode.window.showWarningMessage(question, { modal: true }, action)) === action;
  }

  private async revealPlan(): Promise<void> {
    await vscode.commands.executeCommand('opusOrchestrator.plan.focus');
    const root = this.deps.tree.root();
    if (root) {
      await Promise.resolve(this.deps.view.reveal(root, { expand: true, select: true, focus: false })).catch(
        (err: Error) => this.controller.log.warn(`could not reveal the plan: ${err.message}`),
      );
    }
  }
}

/** Registers the commands of the plan, the key and the log; the diff review registers its own. */
export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): OrchestratorCommands {
  const c = new OrchestratorCommands(deps);
  const handlers: Record<string, (...args: unknown[]) => unknown> = {
    plan: (arg) => c.plan(isPlanArgs(arg) ? arg : {}),
    setApiKey: () => c.setApiKey(),
    clearApiKey: () => c.clearApiKey(),
    dispatch: (arg) => c.dispatch(arg),
    dispatchAllReady: () => c.dispatchAllReady(),
    cancel: (arg) => c.cancel(arg),
    cancelAll: () => c.cancelAll(),
    retry: (arg, model) => c.retry(arg, isRole(model) ? model : undefined),
    changeModel: (arg, role) => c.changeModel(arg, role),
    editFiles: (arg, paths) => c.editFiles(arg, paths),
    removeSubtask: (arg, opts) => c.removeSubtask(arg, isConfirmArgs(opts) ? opts : undefined),
    clearPlan: (opts) => c.clearPlan(isConfirmArgs(opts) ? opts : undefined),
    showLog: () => c.showLog(),
  };
  for (const [name, handler] of Object.entries(handlers)) {
    context.subscriptions.push(vscode.commands.registerCommand(`opusOrchestrator.${name}`, handler));
  }
  return c;
}

function isPlanArgs(arg: unknown): arg is PlanArgs {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) && !(arg instanceof vscode.Uri);
}

/** A `{ confirmed }` argument that answers a modal confirmation in advance. */
export function isConfirmArgs(arg: unknown): arg is ConfirmArgs {
  return typeof arg === 'object' && arg !== null && 'confirmed' in arg;
}

function isRole(value: unknown): value is ModelRole {
  return typeof value === 'string' && (MODEL_ROLES as readonly string[]).includes(value);
}
