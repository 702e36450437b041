import { AnthropicVertex } from '@anthropic-ai/vertex-sdk/client';

/**
 * The Vertex AI client. Built into its own file beside the bundles (esbuild.js) and loaded only when a role runs on
 * Vertex; Google credentials come from Application Default Credentials (gcloud, GOOGLE_APPLICATION_CREDENTIALS, or
 * the metadata server on Google Cloud).
 */
export interface VertexClientOptions {
  projectId?: string;
  /** Already resolved: the setting, else CLOUD_ML_REGION, else `global`. */
  region: string;
  baseURL?: string;
  maxRetries: number;
  timeoutMs?: number;
}

export function createVertexClient(o: VertexClientOptions): AnthropicVertex {
  return new AnthropicVertex({
    region: o.region,
    ...(o.projectId?.trim() ? { projectId: o.projectId.trim() } : {}),
    ...(o.baseURL?.trim() ? { baseURL: o.baseURL.trim() } : {}),
    maxRetries: o.maxRetries,
    ...(o.timeoutMs !== undefined ? { timeout: o.timeoutMs } : {}),
  });
}
