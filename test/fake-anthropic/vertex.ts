import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { PlatformServer } from './platform';
import { messagesBody, startPlatform, toMessagesApi } from './platform';
import type { FakeAnthropic } from './server';

export interface FakeVertexOptions {
  /** The project the requests must name. */
  projectId: string;
  /** Answers a structured-output request with the 400 Vertex gives while an organisation policy disables them. */
  rejectStructuredOutputs?: boolean;
}

export interface FakeVertex extends PlatformServer {
  /**
   * Also a Google Compute Engine metadata server: Application Default Credentials on Google Cloud get their access
   * token from it (`GCE_METADATA_HOST`), so a test needs no key file and no network.
   */
  readonly metadataHost: string;
  /** The access token the metadata server hands out; model requests must carry it. */
  readonly accessToken: string;
}

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

function fail(res: http.ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message, status: STATUS[code] ?? 'UNKNOWN' } }));
}

/**
 * A local Vertex AI endpoint for Anthropic models: `POST /v1/projects/<p>/locations/<r>/publishers/anthropic/models/
 * <model>:streamRawPredict` (SSE, as the Messages API streams) and `:rawPredict`, `count-tokens:rawPredict`, with a
 * bearer token from its own metadata-server routes.
 */
export async function startFakeVertex(upstream: FakeAnthropic, opts: FakeVertexOptions): Promise<FakeVertex> {
  const accessToken = `ya29.fake-${randomBytes(12).toString('hex')}`;
  const server = await startPlatform(async (req, res) => {
    if (req.path.startsWith('/computeMetadata/v1/')) {
      if (req.headers['metadata-flavor'] !== 'Google') {
        res.writeHead(403);
        return void res.end('Missing Metadata-Flavor: Google');
      }
      const reply = (body: string, type = 'application/text'): void => {
        res.writeHead(200, { 'content-type': type, 'metadata-flavor': 'Google' });
        res.end(body);
      };
      if (req.path === '/computeMetadata/v1/instance/service-accounts/default/token') {
        return reply(
          JSON.stringify({ access_token: accessToken, expires_in: 3599, token_type: 'Bearer' }),
          'application/json',
        );
      }
      if (req.path === '/computeMetadata/v1/project/project-id') {
        return reply(opts.projectId);
      }
      if (req.path === '/computeMetadata/v1/universe/universe-domain') {
        return reply('googleapis.com');
      }
      res.writeHead(404, { 'metadata-flavor': 'Google' });
      return void res.end();
    }
    const route =
      /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/.exec(
        decodeURIComponent(req.path),
      );
    if (req.method !== 'POST' || !route) {
      return fail(res, 404, `fake vertex: no route for ${req.method} ${req.path}`);
    }
    if (req.headers.authorization !== `Bearer ${accessToken}`) {
      return fail(res, 401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    }
    if (route[1] !== opts.projectId) {
      return fail(res, 403, `Permission denied on resource project ${route[1]}.`);
    }
    if (typeof req.body.anthropic_version !== 'string') {
      return fail(res, 400, 'anthropic_version is required in the body');
    }
    const model = route[3] ?? '';
    if (model === 'count-tokens') {
      const counted = await toMessagesApi(
        upstream,
        '/v1/messages/count_tokens',
        messagesBody(req.body, String(req.body.model), false),
      );
      res.writeHead(counted.status, { 'content-type': 'application/json' });
      return void res.end(await counted.text());
    }
    const format = (req.body.output_config as { format?: unknown } | undefined)?.format;
    if (opts.rejectStructuredOutputs && format !== undefined) {
      return fail(
        res,
        400,
        'output_config.format: structured outputs are not enabled for this project by the organization policy ' +
          'constraints/vertexai.allowedPartnerModelFeatures.',
      );
    }
    const stream = route[4] === 'streamRawPredict';
    const answer = await toMessagesApi(upstream, '/v1/messages', messagesBody(req.body, model, stream));
    if (answer.status !== 200) {
      const text = await answer.text();
      const message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      return fail(res, answer.status === 529 ? 503 : answer.status, message);
    }
    res.writeHead(200, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    const reader = answer.body?.getReader();
    for (;;) {
      const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
      if (chunk.done || res.destroyed) {
        break;
      }
      res.write(chunk.value);
    }
    res.end();
  });
  return {
    ...server,
    metadataHost: server.url.replace(/^http:\/\//, ''),
    accessToken,
    requests: server.requests,
    close: server.close,
  };
}
