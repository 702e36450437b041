import type { ProviderId } from '../../models';
import { PROVIDER_LABELS } from '../../models';
import { APIError } from '@anthropic-ai/sdk';
import { LlmError } from '../errors';

/** Where a user fixes each platform's credentials and model ids: the editor setting, then what the CLI reads. */
const FIX: Readonly<Record<'bedrock' | 'vertex', { credentials: string; models: string; setup: string }>> = {
  bedrock: {
    credentials:
      'AWS credentials: a profile in opusOrchestrator.bedrock.profile (AWS_PROFILE for the CLI), or AWS_ACCESS_KEY_ID ' +
      'and AWS_SECRET_ACCESS_KEY, or a new sign-in (aws sso login)',
    models: 'the Bedrock model id in opusOrchestrator.models (a model or inference profile your account can use)',
    setup: 'check opusOrchestrator.bedrock.region (AWS_REGION) and that model access is granted in the Bedrock console',
  },
  vertex: {
    credentials:
      'Google credentials: `gcloud auth application-default login`, or GOOGLE_APPLICATION_CREDENTIALS naming a ' +
      'service-account key file',
    models: 'the Vertex model id in opusOrchestrator.models (enabled for your project in the Model Garden)',
    setup:
      'check opusOrchestrator.vertex.projectId and .region (ANTHROPIC_VERTEX_PROJECT_ID, CLOUD_ML_REGION) and that ' +
      'the model is enabled in the Model Garden',
  },
};

function chain(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 5; depth += 1) {
    parts.push(cur.message);
    cur = cur.cause;
  }
  return parts.join(': ');
}

function withId(text: string, requestId: string | undefined): string {
  return requestId ? `${text} (request ${requestId})` : text;
}

/**
 * The same classification as the Anthropic API's, said for the platform the call went to: a Bedrock 403 is about
 * IAM and model access, not an Anthropic key, and a missing credential is not a network failure.
 */
export function platformError(provider: 'bedrock' | 'vertex', err: unknown, base: LlmError): LlmError {
  const label = PROVIDER_LABELS[provider];
  const fix = FIX[provider];
  const why = chain(err);
  const make = (kind: LlmError['kind'], text: string, retryable?: boolean) =>
    new LlmError(kind, withId(text, base.requestId), {
      status: base.status,
      requestId: base.requestId,
      cause: err,
      ...(retryable !== undefined ? { retryable } : {}),
    });
  if (/Failed to (resolve AWS credentials|acquire Google OAuth credentials)/.test(why)) {
    return make('auth', `${label}: no usable credentials were found (${why}). Set the ${fix.credentials}.`, false);
  }
  if (/No projectId was given|No region was given|Expected `awsRegion`/.test(why)) {
    return make('bad_request', `${label} is not configured: ${why.replace(/\.$/, '')}. Then ${fix.setup}.`, false);
  }
  const detail =
    err instanceof APIError
      ? `${err.status ?? 'mid-response'}: ${(err.apiMessage ?? err.message).replace(/\.$/, '')}`
      : why;
  // Bedrock says which kind of 403 it is: a signature or key it does not accept is about credentials, not access.
  const awsType = err instanceof APIError ? (err.headers?.get('x-amzn-errortype') ?? '') : '';
  const kind = /UnrecognizedClient|InvalidSignature|ExpiredToken|IncompleteSignature/.test(awsType)
    ? 'auth'
    : base.kind;
  switch (kind) {
    case 'auth':
      return make('auth', `${label} rejected the credentials (${detail}). Check the ${fix.credentials}.`, false);
    case 'permission':
      return make(
        'permission',
        `${label} refused access to the model (${detail}): ${fix.setup}; the credentials need permission to invoke it.`,
      );
    case 'not_found':
      return make('not_found', `${label} has no such model here (${detail}). Check ${fix.models}; ${fix.setup}.`);
    default:
      return new LlmError(base.kind, base.message.replace(/the Anthropic API|The Anthropic API/g, label), {
        status: base.status,
        requestId: base.requestId,
        retryable: base.retryable,
        cause: err,
      });
  }
}

export function isPlatform(provider: ProviderId): provider is 'bedrock' | 'vertex' {
  return provider === 'bedrock' || provider === 'vertex';
}
