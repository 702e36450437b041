import type { OrchestratorSettings } from '../core/orchestrator';
import type { SecretPolicy } from '../core/workspace/secrets';
import type { StreamTimeouts } from '../core/llm/watchdog';
import { DEFAULT_STREAM_TIMEOUTS } from '../core/llm/watchdog';
import type { ModelOverrides, ModelRole, ProviderId } from '../core/models';
import { MODEL_ROLES, isProviderId } from '../core/models';
import type { ProviderSettings } from '../core/llm/providers/platforms';
import type { PriceOverrides } from '../core/usage/prices';
import { parsePriceOverrides } from '../core/usage/prices';

/**
 * Settings an untrusted workspace may not choose (package.json `restrictedConfigurations`): they decide where the
 * code and the key are sent, which model reads it, and what the cost caps count (a workspace's prices of zero would
 * switch them off).
 */
export const RESTRICTED_SETTINGS: readonly string[] = [
  'baseUrl',
  'models.opus',
  'models.sonnet',
  'models.haiku',
  'allowHardLinks',
  'prices',
  'provider',
  'providers.opus',
  'providers.sonnet',
  'providers.haiku',
  'bedrock.region',
  'bedrock.profile',
  'vertex.projectId',
  'vertex.region',
  'languageModels.opus',
  'languageModels.sonnet',
  'languageModels.haiku',
];

/** The part of `vscode.WorkspaceConfiguration` the settings are read through. */
export interface SettingsSource {
  get<T>(section: string): T | undefined;
  inspect<T>(section: string): { defaultValue?: T; globalValue?: T } | undefined;
}

/** What the editor layer configures: the core's settings, plus the endpoint the model client talks to. */
export interface EditorSettings {
  core: OrchestratorSettings;
  /** Undefined when not set: the client then uses ANTHROPIC_BASE_URL, else Anthropic's API. */
  baseUrl: string | undefined;
  /** Credential patterns the user adds, and whether hard-linked files may be read (core/workspace/secrets). */
  secrets: SecretPolicy;
  /** The valid entries of `opusOrchestrator.prices`, to pass to `setPriceOverrides`. */
  prices: PriceOverrides;
  /** What is wrong with the other entries, to show the user. */
  priceErrors: string[];
  /** For `LlmClient.setStreamTimeouts`. */
  streamTimeouts: StreamTimeouts;
  /** Which provider each role runs on, and the Bedrock and Vertex settings. */
  providers: ProviderSettings;
  /** The editor's chat model chosen per role for the `vscode-lm` provider (`vendor/id`), when one was chosen. */
  languageModels: Partial<Record<ModelRole, string>>;
}

/** Defaults of the settings, the same as package.json declares, used when a value is missing or unusable. */
export const DEFAULT_SETTINGS: Readonly<OrchestratorSettings> = Object.freeze({
  concurrency: 3,
  models: {},
  maxOutputTokens: 16_000,
  mapBudgetTokens: 20_000,
  extraIgnores: [],
  maxCostPerSubtask: 1,
  maxCostPerPlan: 5,
  maxTurns: 30,
  autoReview: false,
});

/**
 * Reads the settings. In an untrusted workspace a restricted setting takes the user's (global) value or the default,
 * never the workspace's: opening a folder must not redirect requests to another endpoint or model.
 */
export function readSettings(source: SettingsSource, trusted: boolean): EditorSettings {
  const restricted = <T>(key: string): T | undefined => {
    if (trusted) {
      return source.get<T>(key);
    }
    const seen = source.inspect<T>(key);
    return seen?.globalValue ?? seen?.defaultValue;
  };
  const models: ModelOverrides = {};
  for (const role of MODEL_ROLES) {
    const id = restricted<string>(`models.${role}`);
    if (typeof id === 'string' && id.trim() !== '') {
      models[role] = id.trim();
    }
  }
  const baseUrl = restricted<string>('baseUrl');
  const prices = parsePriceOverrides(restricted<unknown>('prices'));
  const text = (key: string): string | undefined => {
    const v = restricted<unknown>(key);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const fallback: ProviderId = isProviderId(text('provider')) ? (text('provider') as ProviderId) : 'anthropic';
  const roles = {} as Record<ModelRole, ProviderId>;
  const languageModels: Partial<Record<ModelRole, string>> = {};
  for (const role of MODEL_ROLES) {
    const own = text(`providers.${role}`);
    roles[role] = isProviderId(own) ? own : fallback;
    const picked = text(`languageModels.${role}`);
    if (picked) {
      languageModels[role] = picked;
    }
  }
  const seconds = (key: string, fallbackMs: number) => integer(source.get(key), fallbackMs / 1000, 1, 3600) * 1000;
  return {
    core: {
      concurrency: integer(source.get('concurrency'), DEFAULT_SETTINGS.concurrency, 1, 8),
      models,
      maxOutputTokens: integer(source.get('maxOutputTokens'), DEFAULT_SETTINGS.maxOutputTokens, 1024, 128_000),
      mapBudgetTokens: integer(source.get('repoMapBudgetTokens'), DEFAULT_SETTINGS.mapBudgetTokens, 2000, 200_000),
      extraIgnores: strings(source.get('extraIgnore')),
      maxCostPerSubtask: dollars(source.get('maxCostPerSubtask'), DEFAULT_SETTINGS.maxCostPerSubtask),
      maxCostPerPlan: dollars(source.get('maxCostPerPlan'), DEFAULT_SETTINGS.maxCostPerPlan),
      maxTurns: DEFAULT_SETTINGS.maxTurns,
      autoReview: source.get('autoReview') === true,
    },
    baseUrl: typeof baseUrl === 'string' && baseUrl.trim() !== '' ? baseUrl.trim() : undefined,
    secrets: {
      patterns: strings(source.get('secretPatterns')),
      // A folder must not open up hard links to files elsewhere for itself: restricted like the endpoint.
      allowHardLinks: restricted<boolean>('allowHardLinks') === true,
    },
    prices: prices.overrides,
    priceErrors: prices.errors.map((e) => `opusOrchestrator.prices: ${e}`),
    streamTimeouts: {
      responseMs: seconds('timeouts.responseSeconds', DEFAULT_STREAM_TIMEOUTS.responseMs),
      idleMs: seconds('timeouts.streamIdleSeconds', DEFAULT_STREAM_TIMEOUTS.idleMs),
    },
    providers: {
      roles,
      bedrock: { region: text('bedrock.region'), profile: text('bedrock.profile') },
      vertex: { projectId: text('vertex.projectId'), region: text('vertex.region') },
    },
    languageModels,
  };
}

function integer(value: unknown, fallback: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fallback;
  }
  return Math.min(max, Math.max(min, Math.round(value)));
}

function dollars(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
}
