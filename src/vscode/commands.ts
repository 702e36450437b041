import * as vscode from 'vscode';
import type { ModelRole } from '../core/models';
import { MODEL_TABLE } from '../core/models';
import type { Orchestrator, SubtaskView } from '../core/orchestrator';
import type { FileInScope } from '../core/plan/schema';
import type { SubtaskStatus } from '../core/plan/state';
import type { ApiKeyStore } from './apiKey';
import { promptForApiKey } from './apiKey';
import type { ConfirmArgs } from './args';
import { isEffort, isRole, subtaskIdOf } from './args';
import type { ExtensionController } from './controller';
import type { Engine } from './engine';
import type { CommandResult } from './notify';
import { SHOW_LOG, failure, info, isRefusal, warn } from './notify';
import { askTask, editorContext, pickFrom, pickSubtask, toFileInScope } from './pickers';
import type { PlanTreeProvider } from './planTree';
import type { ReviewQueue } from './reviewQueue';
import type { TreeNode } from './treeNodes';

/** `opusOrchestrator.plan` may be given the task (and consent to replace a plan) instead of asking for them. */
export interface PlanArgs {
  task?: string;
  replace?: boolean;
}

export interface CommandDeps {
  controller: ExtensionController;
  keys: ApiKeyStore;
  tree: PlanTreeProvider;
  view: vscode.TreeView<TreeNode>;
  engine: () => Promise<Engine>;
  /** Told which subtasks were dispatched on their own, so that their proposals can open by themselves. */
  queue: ReviewQueue;
}

/** Statuses of a plan nobody has worked on yet: replacing it loses nothing. */
const UNTOUCHED: ReadonlySet<SubtaskStatus> = new Set(['pending', 'ready', 'blocked']);
const CANCELLED: CommandResult = { ok: false, message: 'Cancelled.' };

/** The handlers of the plan's commands; each returns what it did. Each loads the engine first if it needs it. */
export class OrchestratorCommands {
  private readonly controller: ExtensionController;

  constructor(private readonly deps: CommandDeps) {
    this.controller = deps.controller;
  }

  async plan(args: PlanArgs = {}): Promise<CommandResult> {
    const orchestrator = await this.engineReady();
    if (!orchestrator) {
      return warn('Open a folder first: Opus Orchestrator plans work inside a workspace folder.');
    }
    await this.deps.keys.ready;
    // Without a key, the key is asked for first: typing a task only to be told there is no key loses the task. A role
    // on another provider (Bedrock, Vertex AI, the editor's models) brings its own credentials.
    if (!this.controller.hasKey && !(await promptForApiKey(this.deps.keys, 'Planning with Opus needs an API key.'))) {
      const message =
        'No Anthropic API key is set. Run "Set Anthropic API Key" (or set ANTHROPIC_API_KEY), or "Select Provider ' +
        'and Models" to plan on another provider.';
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
            const message =
              e.kind === 'usage' && e.id === 'plan' ? this.controller.views?.planProgress(orchestrator) : '';
            if (message) {
              progress.report({ message });
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

  /** Runs one subtask (a click on its row); its proposal may open by itself when it is ready (ReviewQueue). */
  async dispatch(arg?: unknown): Promise<CommandResult> {
    const orchestrator = await this.engineReady();
    const id = subtaskIdOf(arg) ?? (orchestrator?.state ? await pickSubtask(orchestrator) : undefined);
    if (!orchestrator || !id) {
      return orchestrator?.state ? CANCELLED : warn('There is no plan yet: run "Plan with Opus" first.');
    }
    this.deps.queue.dispatchedAlone(id);
    return this.run([id], () => orchestrator.dispatch([id]));
  }

  async dispatchAllReady(): Promise<CommandResult> {
    const orchestrator = await this.engineReady();
    const ids = orchestrator?.ready() ?? [];
    if (!orchestrator || ids.length === 0) {
      return info('No subtask is ready to dispatch.');
    }
    return this.run(ids, () => orchestrator.dispatch(ids));
  }

  /** Runs a subtask again (on `model` when given); from review, its open proposal is dropped first. */
  async retry(arg?: unknown, model?: ModelRole): Promise<CommandResult> {
    const orchestrator = await this.engineReady();
    const id = subtaskIdOf(arg) ?? (orchestrator?.state ? await pickSubtask(orchestrator) : undefined);
    if (!orchestrator || !id) {
      return CANCELLED;
    }
    this.deps.queue.dispatchedAlone(id);
    return this.run([id], () => orchestrator.retry(id, { model }));
  }

  async cancel(arg?: unknown): Promise<CommandResult> {
    const orchestrator = await this.engineReady();
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

  /** The engine and the subtask a command acts on, or the warning to show when the plan has no such subtask. */
  private async target(arg: unknown): Promise<{ orchestrator: Orchestrator; view: SubtaskView } | CommandResult> {
    const orchestrator = await this.engineReady();
    const id = subtaskIdOf(arg);
    const view = id ? orchestrator?.subtask(id) : undefined;
    if (!orchestrator || !view) {
      return warn(id ? `The plan has no subtask "${id}".` : 'Choose a subtask in the Plan view.');
    }
    return { orchestrator, view };
  }

  async changeModel(arg?: unknown, role?: unknown): Promise<CommandResult> {
    const target = await this.target(arg);
    if (!('view' in target)) {
      return target;
    }
    const { orchestrator, view } = target;
    const chosen = isRole(role) ? role : await (await this.deps.engine()).pickModel(view.state.model);
    if (!chosen) {
      return CANCELLED;
    }
    return this.edit(() => orchestrator.changeModel(view.spec.id, chosen));
  }

  async changeEffort(arg?: unknown, effort?: unknown): Promise<CommandResult> {
    const target = await this.target(arg);
    if (!('view' in target)) {
      return target;
    }
    const { orchestrator, view } = target;
    const chosen = isEffort(effort) ? effort : await (await this.deps.engine()).pickEffort(view.spec);
    if (!chosen) {
      return CANCELLED;
    }
    return this.edit(() => orchestrator.changeEffort(view.spec.id, chosen));
  }

  /**
   * Replaces a subtask's files in scope: the given paths, or the user's choice in a quick pick that also takes paths
   * not on disk yet (then created by the worker). The core checks them as it checks a plan from Opus; a refused
   * choice is explained and the pick opens again with it, so nothing the user chose is lost.
   */
  async editFiles(arg?: unknown, paths?: unknown): Promise<CommandResult> {
    const target = await this.target(arg);
    if (!('view' in target)) {
      return target;
    }
    const { orchestrator, view } = target;
    const given = Array.isArray(paths) && paths.every((p) => typeof p === 'string') ? (paths as string[]) : undefined;
    if (given) {
      return this.edit(async () => orchestrator.setFiles(view.spec.id, await this.inScope(orchestrator, given)));
    }
    const engine = await this.deps.engine();
    let proposed: FileInScope[] = view.spec.files;
    for (;;) {
      const chosen = await engine.pickFiles(orchestrator.root, proposed);
      if (!chosen) {
        return CANCELLED;
      }
      proposed = await this.inScope(orchestrator, chosen);
      try {
        await orchestrator.setFiles(view.spec.id, proposed);
        return { ok: true };
      } catch (err) {
        if (!isRefusal(err)) {
          return this.fail(err);
        }
        void vscode.window.showWarningMessage(`${err.message}\nChange the files in scope and press Enter again.`);
      }
    }
  }

  async removeSubtask(arg?: unknown, opts?: ConfirmArgs): Promise<CommandResult> {
    const target = await this.target(arg);
    if (!('view' in target)) {
      return target;
    }
    const { orchestrator, view } = target;
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
      // Refused before it ran (a cap, a dependency): a later run of it was not asked for alone.
      this.deps.queue.forget(ids);
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

  /** The orchestrator of the open folder, building it (and loading the engine) on first use. */
  private async engineReady(): Promise<Orchestrator | undefined> {
    try {
      await this.controller.start();
    } catch (err) {
      this.fail(err);
    }
    return this.controller.orchestrator;
  }

  private inScope(orchestrator: Orchestrator, paths: string[]): Promise<FileInScope[]> {
    return Promise.all(paths.map((p) => toFileInScope(orchestrator.root, p)));
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
