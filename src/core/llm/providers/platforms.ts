import type { ModelRole, ProviderId, RoleProvider } from '../../models';
import { MODEL_ROLES } from '../../models';
import { LlmError } from '../errors';
import type { ModelTransport, TransportCapabilities } from '../transport';
import { SdkTransport } from './sdkTransport';
import { shareSdk } from './sharedSdk';

/** Amazon Bedrock: empty fields fall back to what the SDK reads (AWS_REGION, AWS_PROFILE and the usual chain). */
export interface BedrockSettings {
  region?: string;
  profile?: string;
  baseURL?: string;
}

/** Google Vertex AI: empty fields fall back to ANTHROPIC_VERTEX_PROJECT_ID and CLOUD_ML_REGION (else `global`). */
export interface VertexSettings {
  projectId?: string;
  region?: string;
  baseURL?: string;
}

/** Which provider each role runs on, and how to reach the cloud platforms. */
export interface ProviderSettings {
  roles: Record<ModelRole, ProviderId>;
  bedrock: BedrockSettings;
  vertex: VertexSettings;
}

export const DEFAULT_PROVIDERS: Readonly<ProviderSettings> = Object.freeze<ProviderSettings>({
  roles: { opus: 'anthropic', sonnet: 'anthropic', haiku: 'anthropic' },
  bedrock: {},
  vertex: {},
});

/**
 * What each platform supports of the features the extension uses, and the source of each "no":
 * - Bedrock has no token counting (the Bedrock SDK removes `messages.countTokens`: "The Bedrock API does not currently
 *   support token counting"); structured outputs depend on the model and endpoint (Bedrock user guide, "Structured
 *   outputs for Anthropic Claude models"), so they are tried and a refusal falls back to a plain JSON answer.
 * - Vertex counts tokens (count-tokens:rawPredict); structured outputs are off until an organisation allows them
 *   (Google Cloud, "Structured outputs with Anthropic Claude models": constraints/vertexai.allowedPartnerModelFeatures),
 *   so they are tried in the same way.
 */
export const CAPABILITIES: Readonly<Record<'anthropic' | 'bedrock' | 'vertex', TransportCapabilities>> = {
  anthropic: { structuredOutput: 'native', countTokens: true, usage: 'reported' },
  bedrock: { structuredOutput: 'try', countTokens: false, usage: 'reported' },
  vertex: { structuredOutput: 'try', countTokens: true, usage: 'reported' },
};

/** The Vertex region in use: the setting, else CLOUD_ML_REGION, else the global endpoint. */
export function vertexRegion(settings: VertexSettings, env: NodeJS.ProcessEnv = process.env): string {
  return settings.region?.trim() || env.CLOUD_ML_REGION?.trim() || 'global';
}

/** The roster entries (models.ts) for these settings; editor-chosen models are added by the editor. */
export function roleProviders(settings: ProviderSettings): Record<ModelRole, RoleProvider> {
  const regional = vertexRegion(settings.vertex) !== 'global';
  const out = {} as Record<ModelRole, RoleProvider>;
  for (const role of MODEL_ROLES) {
    const provider = settings.roles[role];
    out[role] = provider === 'vertex' ? { provider, regional } : { provider };
  }
  return out;
}

/** Credentials of the environment a platform call may echo, to scrub from messages and logs. */
function environmentSecrets(names: string[]): string[] {
  return names.map((n) => process.env[n]?.trim() ?? '').filter((v) => v.length >= 8);
}

export interface PlatformOptions {
  maxRetries: number;
  timeoutMs?: number;
}

/** The Bedrock transport, its SDK loaded on first use. */
export async function bedrockTransport(settings: BedrockSettings, o: PlatformOptions): Promise<ModelTransport> {
  shareSdk();
  const { createBedrockClient } = await import('./bedrockSdk');
  const client = createBedrockClient({ ...settings, ...o });
  const secrets = environmentSecrets(['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_BEARER_TOKEN_BEDROCK']);
  return new SdkTransport('bedrock', client, CAPABILITIES.bedrock, secrets);
}

/** The Vertex transport, its SDK loaded on first use. */
export async function vertexTransport(settings: VertexSettings, o: PlatformOptions): Promise<ModelTransport> {
  shareSdk();
  const { createVertexClient } = await import('./vertexSdk');
  try {
    const client = createVertexClient({ ...settings, region: vertexRegion(settings), ...o });
    return new SdkTransport('vertex', client, CAPABILITIES.vertex, []);
  } catch (err) {
    throw new LlmError('bad_request', `Google Vertex AI could not be set up: ${(err as Error).message}`, {
      retryable: false,
      cause: err,
    });
  }
}
