import * as vscode from 'vscode';
import type { LlmClientOptions } from '../core/llm/client';
import { LlmClient } from '../core/llm/client';
import { roleProviders } from '../core/llm/providers/platforms';
import type { ModelInfo, ModelRole } from '../core/models';
import { modelFor, roleProvider, setRoleProviders } from '../core/models';
import { EditorModels } from './lm/editorModels';
import type { OrchestratorEvent, WorkspaceIO } from '../core/orchestrator';
import { Orchestrator } from '../core/orchestrator';
import type { SubtaskStatus } from '../core/plan/state';
import { Store } from '../core/store/store';
import { setPriceOverrides } from '../core/usage/prices';
import type { ApiKeyStore } from './apiKey';
import { coreLogger } from './log';
import type { EditorSettings } from './settings';
import { configureSecrets } from '../core/workspace/secrets';
import { SETTINGS_SECTION, affectsSettings, readSettings } from './settings';

/** What the editor views and commands share: the engine of the open workspace and its events. */
export interface Controller {
  /** Undefined until a workspace folder is open. */
  readonly orchestrator: Orchestrator | undefined;
  /** Every event of the current orchestrator, and `{ kind: 'plan' }` when the orchestrator itself changes. */
  readonly onDidChange: vscode.Event<OrchestratorEvent>;
  readonly log: vscode.LogOutputChannel;
  /** Whether the workspace is trusted: nothing is dispatched or applied in an untrusted one. */
  readonly trusted: boolean;
  /** Re-renders the tree and the status bar. */
  refresh(): void;
}

export interface ControllerOptions {
  keys: ApiKeyStore;
  log: vscode.LogOutputChannel;
  /** How accepted changes reach the files: open documents and WorkspaceEdits. */
  io: (root: vscode.Uri) => WorkspaceIO;
  /** Defaults to the editor's workspace trust. */
  trusted?: boolean;
}

/** One orchestrator for the first workspace folder, kept in step with settings, key, trust and folders. */
export class ExtensionController implements Controller, vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  private readonly changed = new vscode.EventEmitter<OrchestratorEvent>();
  readonly onDidChange = this.changed.event;
  private readonly keys: ApiKeyStore;
  private readonly makeIO: (root: vscode.Uri) => WorkspaceIO;
  private readonly llm: LlmClient;
  /** The chat models VS Code offers, for roles on the `vscode-lm` provider. */
  readonly editorModels: EditorModels;
  private readonly disposables: vscode.Disposable[] = [];
  private current: Orchestrator | undefined;
  private currentRoot: vscode.Uri | undefined;
  private subscription: { dispose(): void } | undefined;
  private isTrusted: boolean;
  private readonly statuses = new Map<string, SubtaskStatus>();
  private readonly contextKeys = new Map<string, boolean>();

  constructor(opts: ControllerOptions) {
    this.keys = opts.keys;
    this.log = opts.log;
    this.makeIO = opts.io;
    this.isTrusted = opts.trusted ?? vscode.workspace.isTrusted;
    this.editorModels = new EditorModels(this.log);
    const settings = this.settings();
    this.llm = new LlmClient(this.clientOptions(settings));
    // Redactions are logged by file and rule (never the value) in the same output channel.
    this.llm.redactor.log = coreLogger(this.log, () => this.keys.current);
    this.applyPrices(settings);
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e)) {
          this.applySettings();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.setTrusted(true)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.start()),
      this.keys.onDidChange(() => this.applySettings()),
      this.editorModels,
      this.editorModels.onDidChange(() => this.applySettings()),
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
   * Anthropic's API; other providers bring their own credentials (AWS, Google, the editor's models).
   */
  get hasKey(): boolean {
    return this.keys.current !== undefined || roleProvider('opus').provider !== 'anthropic';
  }

  /** The model each role runs on now (provider, id, window, prices or seat), as every figure is made. */
  roleModels(): Record<ModelRole, ModelInfo> {
    const models = this.settings().core.models;
    return { opus: modelFor('opus', models), sonnet: modelFor('sonnet', models), haiku: modelFor('haiku', models) };
  }

  /** Settings as they apply now (restricted ones filtered in an untrusted workspace). */
  settings(): EditorSettings {
    const settings = readSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION), this.isTrusted);
    configureSecrets(settings.secrets);
    return settings;
  }

  /**
   * Builds the orchestrator of the first workspace folder (again when the folder changed) and restores its plan.
   * A plan that cannot be read is reported and left on disk as it is.
   */
  async start(): Promise<void> {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (root?.toString() === this.currentRoot?.toString() && this.current) {
      return;
    }
    await this.restart(root);
  }

  /** Drops the current orchestrator (cancelling its runs) and builds a new one that reads the stored plan. */
  async restart(root = vscode.workspace.workspaceFolders?.[0]?.uri): Promise<void> {
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
    const settings = this.settings();
    const orchestrator = new Orchestrator({
      ...settings.core,
      root: root.fsPath,
      llm: this.llm,
      store: new Store(root.fsPath),
      io: this.makeIO(root),
      log: coreLogger(this.log, () => this.keys.current),
    });
    orchestrator.trusted = this.isTrusted;
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

  /** Trust changes the endpoint and models a workspace may choose, and whether anything may run or be applied. */
  setTrusted(trusted: boolean): void {
    this.isTrusted = trusted;
    if (this.current) {
      this.current.trusted = trusted;
    }
    this.applySettings();
    this.log.info(trusted ? 'workspace trusted' : 'workspace not trusted: dispatch and apply are off');
  }

  /** Re-reads settings and key into the orchestrator and the model client. */
  applySettings(): void {
    const settings = this.settings();
    this.llm.configure(this.clientOptions(settings));
    this.applyPrices(settings);
    this.current?.updateSettings(settings.core);
    this.refresh();
  }

  refresh(): void {
    this.updateContextKeys();
    this.changed.fire({ kind: 'plan' });
  }

  dispose(): void {
    this.subscription?.dispose();
    this.current?.dispose();
    this.current = undefined;
    for (const d of this.disposables) {
      d.dispose();
    }
  }

  /** The client's options, and where each role runs (with the editor's chosen chat models) for every figure. */
  private clientOptions(settings: EditorSettings): LlmClientOptions {
    const roles = roleProviders(settings.providers);
    this.editorModels.choose(settings.languageModels, settings.providers.roles);
    for (const role of Object.keys(roles) as Array<keyof typeof roles>) {
      if (roles[role].provider === 'vscode-lm') {
        roles[role] = { ...roles[role], seat: this.editorModels.seat(role) };
      }
    }
    setRoleProviders(roles);
    return {
      apiKey: this.keys.current,
      baseURL: settings.baseUrl,
      streamTimeouts: settings.streamTimeouts,
      providers: settings.providers,
      transports: { 'vscode-lm': () => this.editorModels.transport() },
      onNotice: (message) => this.log.warn(message),
    };
  }

  /** Every cost figure follows the user's prices; entries that are wrong are reported, the rest still apply. */
  private applyPrices(settings: EditorSettings): void {
    setPriceOverrides(settings.prices);
    for (const error of settings.priceErrors) {
      this.log.warn(`${error}; the price table's value is used instead.`);
    }
  }

  private onEvent(e: OrchestratorEvent): void {
    if (e.kind === 'subtask') {
      this.logStatus(e.id);
    }
    if (e.kind !== 'proposal') {
      this.updateContextKeys();
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

  /** Sets the context keys the menus read, only when they change (usage events arrive many times a second). */
  private updateContextKeys(): void {
    const subtasks = this.current?.subtasks() ?? [];
    const keys: Record<string, boolean> = {
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
