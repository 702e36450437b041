import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk/client';
import { fromIni } from '@aws-sdk/credential-providers';

/**
 * The Bedrock client. Built into its own file beside the bundles (esbuild.js) and loaded only when a role runs on
 * Bedrock: the AWS signing and credential code is larger than the rest of the extension.
 */
export interface BedrockClientOptions {
  /** Empty: AWS_REGION, else us-east-1 (the SDK's default). */
  region?: string;
  /** A named profile of ~/.aws/config and credentials; empty: the usual chain (environment, AWS_PROFILE, SSO…). */
  profile?: string;
  baseURL?: string;
  maxRetries: number;
  timeoutMs?: number;
}

export function createBedrockClient(o: BedrockClientOptions): AnthropicBedrock {
  const profile = o.profile?.trim();
  return new AnthropicBedrock({
    ...(o.region?.trim() ? { awsRegion: o.region.trim() } : {}),
    ...(o.baseURL?.trim() ? { baseURL: o.baseURL.trim() } : {}),
    // A Bedrock API key in the environment would replace signing; the profile the user named must win.
    ...(profile ? { apiKey: null, providerChainResolver: async () => fromIni({ profile }) } : {}),
    maxRetries: o.maxRetries,
    ...(o.timeoutMs !== undefined ? { timeout: o.timeoutMs } : {}),
  });
}
