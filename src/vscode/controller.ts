import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ModelInfo, ModelRole } from '../core/models';
import type { Orchestrator, OrchestratorEvent } from '../core/orchestrator';
import type { SubtaskStatus } from '../core/plan/state';
import type { ApiKeyStore } from './apiKey';
import type { Engine } from './engine';
import type { EngineViews } from './engineViews';
import type { FrameScheduler } from './frame';
import { SETTINGS_SECTION, affectsSettings } from './section';
import type { EditorSettings } from './settings';

/** What the editor views and commands share: the engine of the open workspace and its events. */
export interface Controller {
  /** Undefined until the engine has been loaded for a workspace folder. */
  readonly orchestrator: Orchestrator | undefined;
  /** Every event of the current orchestrator, and `{ kind: 'plan' }` when the orchestrator itself changes. */
  readonly onDidChange: vscode.Event<OrchestratorEvent>;
  readonly log: vscode.LogOutputChannel;
  /** Whether the workspace is trusted: nothing is dispatched or applied in an untrusted one. */
  readonly trusted: boolean;
  /** Re-renders the tree and the status bar. */
  refresh(): void;
}

/**
 * Where the store keeps the plan (src/core/store), named here rather than imported so that activation does not load
 * the store; package.json's `workspaceContains` activation event names the same file.
 */
export const STORED_PLAN = path.join('.opus-orchestrator', 'plan.json');

export interface ControllerOptions {
  keys: ApiKeyStore;
  log: vscode.LogOutputChannel;
  /** The engine bundle, loaded on first call. */
  engine: () => Promise<Engine>;
  /** Batches the context keys with the other per-frame work. */
  frame: FrameScheduler;
  /** Defaults to the editor's workspace trust. */
  trusted?: boolean;
}

/**
 * One orchestrator for the first workspace folder, kept in step with settings, key, trust and folders. It is built
 * on first use (a command, or a plan stored in the folder), when the engine bundle is loaded.
 */
export class ExtensionController implements Controller, vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  private readonly changed = new vscode.EventEmitter<OrchestratorEvent>();
  readonly onDidChange = this.changed.event;
  private readonly keys: ApiKeyStore;
  private readonly engine: () => Promise<Engine>;
  private readonly frame: FrameScheduler;
  private readonly disposables: vscode.Disposable[] = [];
  private current: Orchestrator | undefined;
  private currentRoot: vscode.Uri | undefined;
  private subscription: { dispose(): void } | undefined;
  private isTrusted: boolean;
  private loaded: Engine | undefined;
  private starting: Promise<void> | undefined;
  private generation = 0;
  private readonly statuses = new Map<string, SubtaskStatus>();
  private readonly contextKeys = new Map<string, boolean>();
  private readonly updateContextKeys = (): void => this.setContextKeys();

  constructor(opts: ControllerOptions) {
    this.keys = opts.keys;
    this.log = opts.log;
    this.engine = opts.engine;
    this.frame = opts.frame;
    this.isTrusted = opts.trusted ?? vscode.workspace.isTrusted;
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e)) {
          this.applySettings();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.setTrusted(true)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.restoreStored()),
      this.keys.onDidChange(() => this.applySettings()),
    );
  }

  get orchestrator(): Orchestrator | undefined {
    return this.current;
  }

  get trusted(): boolean {
    return this.isTrusted;
  }

  /**
   * Whether planning has the credential it needs: an Anthropic key (stored, or in the environment) when Opus runs on
   * Anthropic's API; other providers bring their own (AWS, Google, the editor's models). Await `keys.ready` first.
   */
  get hasKey(): boolean {
    if (this.loaded) {
      return this.loaded.hasPlanningCredential();
    }
    return this.keys.current !== undefined || configuredProvider('opus') !== 'anthropic';
  }

  /** The model each role runs on now (provider, id, window, prices or seat); the engine must be loaded. */
  roleModels(): Record<ModelRole, ModelInfo> {
    if (!this.loaded) {
      throw new Error('The engine is not loaded yet: nothing has run in this window.');
    }
    return this.loaded.roleModels();
  }

  /** How rows, the status bar and notifications read; undefined until the engine is loaded. */
  get views(): EngineViews | undefined {
    return this.loaded?.views;
  }

  /** Settings as they apply now (restricted ones filtered in an untrusted workspace); read by the engine. */
  async settings(): Promise<EditorSettings> {
    return (await this.engine()).settings();
  }

  /**
   * Builds the orchestrator of the first workspace folder if there is none yet (again when the folder changed),
   * loading the engine, and restores its plan. Calls made while one is under way share it.
   */
  async start(): Promise<void> {
    const root = firstFolder();
    if (this.starting) {
      return this.starting;
    }
    if (root?.toString() === this.currentRoot?.toString() && this.current) {
      return;
    }
    await this.restart(root);
  }

  /**
   * What activation starts without awaiting it: the orchestrator, only if the folder has a stored plan to show. A
   * folder without one loads nothing until a command needs it.
   */
  async restoreStored(): Promise<void> {
    const root = firstFolder();
    const stored =
      root?.scheme === 'file' &&
      (await fs.access(path.join(root.fsPath, STORED_PLAN)).then(
        () => true,
        () => false,
      ));
    if (stored || (this.current && root?.toString() !== this.currentRoot?.toString())) {
      await this.start();
    }
  }

  /** Drops the current orchestrator (cancelling its runs) and builds a new one that reads the stored plan. */
  restart(root = firstFolder()): Promise<void> {
    const generation = ++this.generation;
    const run = this.build(root, generation).finally(() => {
      if (this.generation === generation) {
        this.starting = undefined;
      }
    });
    this.starting = run;
    return run;
  }

  /** Trust changes the endpoint and models a workspace may choose, and whether anything may run or be applied. */
  setTrusted(trusted: boolean): void {
    this.isTrusted = trusted;
    if (this.current) {
      this.current.trusted = trusted;
    }
    this.applySettings();
    this.log.info(trusted ? 'workspace trusted' : 'workspace not trusted: dispatch and apply are off');
  }

  /** Re-reads settings and key into the orchestrator and the model client (once the engine is loaded). */
  applySettings(): void {
    this.loaded?.apply(this.current, this.isTrusted);
    this.refresh();
  }

  refresh(): void {
    this.frame.schedule(this.updateContextKeys);
    this.changed.fire({ kind: 'plan' });
  }

  dispose(): void {
    this.generation += 1;
    this.subscription?.dispose();
    this.current?.dispose();
    this.current = undefined;
    for (const d of this.disposables) {
      d.dispose();
    }
  }

  private async build(root: vscode.Uri | undefined, generation: number): Promise<void> {
    const previous = this.current;
    this.subscription?.dispose();
    previous?.dispose();
    this.current = undefined;
    // Its last changes are saved just after they happen: they land before the new engine reads the store.
    await previous?.flush().catch(() => undefined);
    this.currentRoot = root;
    this.statuses.clear();
    if (!root || root.scheme !== 'file') {
      this.refresh();
      return;
    }
    const [engine] = await Promise.all([this.engine(), this.keys.ready]);
    if (generation !== this.generation) {
      return;
    }
    this.loaded = engine;
    const orchestrator = engine.createOrchestrator(root, this.isTrusted);
    this.current = orchestrator;
    this.subscription = orchestrator.onEvent((e) => this.onEvent(e));
    try {
      const state = await orchestrator.load();
      if (state) {
        this.log.info(`restored plan ${state.id}: ${state.plan.subtasks.length} subtask(s)`);
      }
    } catch (err) {
      const message = (err as Error).message;
      this.log.error(`could not restore the plan: ${message}`);
      void vscode.window
        .showWarningMessage(`Opus Orchestrator could not restore the saved plan. ${message}`, 'Show Log')
        .then((choice) => choice && this.log.show());
    }
    this.refresh();
  }

  private onEvent(e: OrchestratorEvent): void {
    if (e.kind === 'subtask') {
      this.logStatus(e.id);
    }
    if (e.kind !== 'proposal' && e.kind !== 'usage') {
      // Many events arrive per frame while subtasks stream: the menus' context keys are worked out once per frame.
      this.frame.schedule(this.updateContextKeys);
    }
    this.changed.fire(e);
  }

  /** One line per status change; when a run ends, one line per billed call of it, with its request id. */
  private logStatus(id: string): void {
    const view = this.current?.subtask(id);
    const previous = this.statuses.get(id);
    if (!view || previous === view.state.status) {
      return;
    }
    this.statuses.set(id, view.state.status);
    this.log.info(`${id}: ${view.state.status}`);
    if (previous !== 'running') {
      return;
    }
    const calls = (this.current?.ledger().entries() ?? []).filter(
      (e) => e.owner === id && e.attempt === view.state.attempt,
    );
    for (const e of calls) {
      const u = e.usage;
      this.log.info(
        `${id}: ${e.model} input ${u.input} output ${u.output} cache-read ${u.cacheRead} ` +
          `cache-write ${u.cacheWrite} $${e.cost.toFixed(4)}${e.requestId ? ` request ${e.requestId}` : ''}`,
      );
    }
  }

  /** Sets the context keys the menus read, only when they change. */
  private setContextKeys(): void {
    const subtasks = this.current?.subtasks() ?? [];
    const keys: Record<string, boolean> = {
      // The welcome view's "Set API Key" and the walkthrough's first step read this.
      'opusOrchestrator.hasKey': this.hasKey,
      'opusOrchestrator.hasPlan': this.current?.state !== undefined,
      'opusOrchestrator.running': this.current?.planning === true || subtasks.some((s) => s.state.status === 'running'),
    };
    for (const [key, value] of Object.entries(keys)) {
      if (this.contextKeys.get(key) !== value) {
        this.contextKeys.set(key, value);
        void vscode.commands.executeCommand('setContext', key, value);
      }
    }
  }
}

function firstFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/**
 * The provider a role is set to run on, read from the settings while the engine (which resolves it, trust included)
 * is not loaded: enough to tell whether an Anthropic key is what planning waits for.
 */
function configuredProvider(role: ModelRole): string {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  return config.get<string>(`providers.${role}`)?.trim() || config.get<string>('provider')?.trim() || 'anthropic';
}
