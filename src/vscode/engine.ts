import * as vscode from 'vscode';
import type { LlmClientOptions } from '../core/llm/client';
import { LlmClient } from '../core/llm/client';
import { roleProviders } from '../core/llm/providers/platforms';
import type { ModelInfo, ModelRole } from '../core/models';
import { modelFor, roleProvider, setRoleProviders } from '../core/models';
import { Orchestrator } from '../core/orchestrator';
import type { Effort, FileInScope, Subtask } from '../core/plan/schema';
import { effortOf } from '../core/plan/schema';
import { rememberConfiguredSecret } from '../core/secrets/known';
import { Store } from '../core/store/store';
import { setPriceOverrides } from '../core/usage/prices';
import { configureSecrets } from '../core/workspace/secrets';
import type { Controller } from './controller';
import type { EngineViews } from './engineViews';
import { createViews } from './engineViews';
import { EditorModels } from './lm/editorModels';
import { coreLogger } from './modelClient';
import { pickEffort, pickModel } from './modelPicker';
import type { ProviderChoice } from './providerCommand';
import { selectProvider } from './providerCommand';
import type { ReviewHandlers } from './review/index';
import { createReview } from './review/index';
import { createEditorIO } from './review/workspaceIO';
import { pickFiles } from './scopePicker';
import { SETTINGS_SECTION } from './section';
import type { EditorSettings } from './settings';
import { readSettings } from './settings';

/**
 * The second bundle (dist/engine.js): the core, the model clients, the settings, prices and providers, the diff
 * review, and how rows and the status bar read. The first bundle loads it on first use (a stored plan to restore, a
 * command); nothing is drawn before it, since the views show a plan only once an orchestrator has loaded one.
 *
 * The core keeps some state per module (price overrides, where each role runs, credential patterns, configured
 * secrets), so everything that reads or sets it lives in this bundle: a copy in the first bundle would be another,
 * unconfigured, module.
 */

/** What the engine is given by the first bundle. */
export interface EngineHost {
  context: vscode.ExtensionContext;
  controller: Controller & { applySettings(): void; readonly trusted: boolean };
  log: vscode.LogOutputChannel;
  /** The key in use now (SecretStorage, else the environment). */
  apiKey(): string | undefined;
}

export interface Engine {
  /** An orchestrator for the folder at `root`, sharing the engine's model client; its plan is not loaded yet. */
  createOrchestrator(root: vscode.Uri, trusted: boolean): Orchestrator;
  /** Reads the settings (and the key) again into the model client, the core and `orchestrator`. */
  apply(orchestrator: Orchestrator | undefined, trusted: boolean): void;
  /** The settings as they apply now (restricted ones filtered in an untrusted workspace). */
  settings(): EditorSettings;
  /** Whether planning has what it needs: an Anthropic key when Opus runs on Anthropic's API, else that provider's. */
  hasPlanningCredential(): boolean;
  /** The model each role runs on now (provider, id, window, prices or seat), as every figure is made. */
  roleModels(): Record<ModelRole, ModelInfo>;
  /** The review commands by name (`openDiff`, `acceptHunk`, …), registered by the first bundle. */
  readonly review: ReviewHandlers;
  /** How rows, the status bar and notifications read. */
  readonly views: EngineViews;
  /** The files in scope, chosen in a quick pick that also takes paths that do not exist yet. */
  pickFiles(root: string, current: FileInScope[]): Promise<string[] | undefined>;
  /** Opus, Sonnet or Haiku, with the models and prices each role has now. */
  pickModel(current: ModelRole): Promise<ModelRole | undefined>;
  /** The effort a subtask runs at, `current` checked, or undefined when dismissed. */
  pickEffort(spec: Subtask): Promise<Effort | undefined>;
  /** Select Provider and Models. */
  selectProvider(choice?: ProviderChoice): Promise<void>;
}

export function startEngine(host: EngineHost): Engine {
  const log = coreLogger(host.log, host.apiKey);
  const editorModels = new EditorModels(host.log);
  let current: EditorSettings = readSettings(
    vscode.workspace.getConfiguration(SETTINGS_SECTION),
    host.controller.trusted,
  );
  const clientOptions = (): LlmClientOptions => {
    // Where each role runs, with the editor's chosen chat models, for every figure the core makes.
    const roles = roleProviders(current.providers);
    editorModels.choose(current.languageModels, current.providers.roles);
    for (const role of Object.keys(roles) as ModelRole[]) {
      if (roles[role].provider === 'vscode-lm') {
        roles[role] = { ...roles[role], seat: editorModels.seat(role) };
      }
    }
    setRoleProviders(roles);
    return {
      apiKey: host.apiKey(),
      baseURL: current.baseUrl,
      streamTimeouts: current.streamTimeouts,
      providers: current.providers,
      transports: { 'vscode-lm': () => editorModels.transport() },
      onNotice: (message) => host.log.warn(message),
    };
  };
  const llm = new LlmClient(clientOptions());
  // Redactions are logged by file and rule (never the value) in the same output channel.
  llm.redactor.log = log;
  const apply = (orchestrator: Orchestrator | undefined, trusted: boolean): void => {
    current = readSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION), trusted);
    configureSecrets(current.secrets);
    // Whatever its shape, a configured key is scrubbed from every log line, message and request.
    rememberConfiguredSecret(host.apiKey());
    rememberConfiguredSecret(process.env.ANTHROPIC_API_KEY);
    // Every cost figure follows the user's prices; entries that are wrong are reported, the rest still apply.
    setPriceOverrides(current.prices);
    for (const error of current.priceErrors) {
      host.log.warn(`${error}; the price table's value is used instead.`);
    }
    llm.configure(clientOptions());
    orchestrator?.updateSettings(current.core);
  };
  host.context.subscriptions.push(
    editorModels,
    editorModels.onDidChange(() => host.controller.applySettings()),
  );
  const review = createReview(host.context, host.controller);
  const models = (): Record<ModelRole, ModelInfo> => {
    const ids = current.core.models;
    return { opus: modelFor('opus', ids), sonnet: modelFor('sonnet', ids), haiku: modelFor('haiku', ids) };
  };
  return {
    createOrchestrator(root, trusted) {
      apply(undefined, trusted);
      const orchestrator = new Orchestrator({
        ...current.core,
        root: root.fsPath,
        llm,
        store: new Store(root.fsPath),
        io: createEditorIO(root),
        log,
      });
      orchestrator.trusted = trusted;
      return orchestrator;
    },
    apply,
    settings: () => current,
    hasPlanningCredential: () => host.apiKey() !== undefined || roleProvider('opus').provider !== 'anthropic',
    roleModels: models,
    review,
    views: createViews(() => current),
    pickFiles: (root, scope) => pickFiles(root, current.core.extraIgnores, scope),
    pickModel: (role) => pickModel(role, models()),
    pickEffort: (spec) => pickEffort(effortOf(spec)),
    selectProvider: (choice) =>
      selectProvider({ applySettings: () => host.controller.applySettings(), editorModels }, choice),
  };
}
