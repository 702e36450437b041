import * as client from '@anthropic-ai/sdk/client';
import * as coreError from '@anthropic-ai/sdk/core/error';
import * as error from '@anthropic-ai/sdk/error';
import * as resources from '@anthropic-ai/sdk/resources/index';
import * as streaming from '@anthropic-ai/sdk/streaming';
import * as version from '@anthropic-ai/sdk/version';

/** Where the platform files find the SDK modules of the bundle that loads them (esbuild.js, `hostSdk`). */
export const SHARED_SDK_KEY = Symbol.for('opus-orchestrator.anthropic-sdk');

/**
 * The Bedrock and Vertex clients extend the Anthropic SDK's client. Built into files of their own, they would carry a
 * second copy of it, whose error and stream classes this bundle's `instanceof` checks would not know; so they use
 * this bundle's copy, published here before one is loaded: every module their clients import at run time (they are
 * loaded from `@anthropic-ai/bedrock-sdk/client` and `@anthropic-ai/vertex-sdk/client`, not from the packages' indexes,
 * whose re-exports would need more).
 */
export function shareSdk(): void {
  const slot = globalThis as unknown as Record<symbol, unknown>;
  slot[SHARED_SDK_KEY] ??= {
    '@anthropic-ai/sdk/client': client,
    '@anthropic-ai/sdk/core/error': coreError,
    '@anthropic-ai/sdk/error': error,
    '@anthropic-ai/sdk/resources/index': resources,
    '@anthropic-ai/sdk/streaming': streaming,
    '@anthropic-ai/sdk/version': version,
  };
}
