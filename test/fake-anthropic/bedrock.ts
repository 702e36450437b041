import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import type http from 'node:http';
import type { PlatformServer } from './platform';
import { messagesBody, sseEvents, startPlatform, toMessagesApi } from './platform';
import type { FakeAnthropic, RecordedRequest } from './server';

/** The AWS credentials the local Bedrock accepts; requests must be SigV4-signed with them. */
export interface BedrockCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface FakeBedrockOptions {
  credentials: BedrockCredentials;
}

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

/** Bedrock's error types by the status the Messages API answered with. */
function errorType(status: number): string {
  switch (status) {
    case 400:
      return 'ValidationException';
    case 403:
      return 'AccessDeniedException';
    case 404:
      return 'ResourceNotFoundException';
    case 429:
      return 'ThrottlingException';
    case 529:
    case 503:
      return 'ServiceUnavailableException';
    default:
      return 'InternalServerException';
  }
}

function fail(res: http.ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ message }));
}

/**
 * Checks the request's SigV4 signature the way AWS does: recomputes it over the same method, path, signed headers
 * and body with the secret key, for the date and region the request names. Returns what is wrong, or undefined.
 */
async function signatureProblem(
  req: RecordedRequest,
  raw: string,
  creds: BedrockCredentials,
): Promise<string | undefined> {
  const auth = req.headers.authorization ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/bedrock\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) {
    return `no SigV4 authorization header (got ${JSON.stringify(auth.slice(0, 40))})`;
  }
  const [, keyId, , region = '', signedHeaders = '', signature] = m;
  if (keyId !== creds.accessKeyId) {
    return `unknown access key ${keyId}`;
  }
  const amzDate = req.headers['x-amz-date'];
  if (!amzDate) {
    return 'no x-amz-date header';
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) {
    headers[name] = req.headers[name] ?? '';
  }
  const signer = new SignatureV4({
    service: 'bedrock',
    region,
    credentials: {
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken,
    },
    sha256: Sha256,
  });
  const date = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const signed = await signer.sign(
    { method: req.method, protocol: 'http:', hostname: '127.0.0.1', path: req.path, query: {}, headers, body: raw },
    { signingDate: date },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? '')?.[1];
  return expected === signature ? undefined : 'the signature does not match the request';
}

/**
 * A local Amazon Bedrock runtime for Anthropic models: `POST /model/<id>/invoke` and `/invoke-with-response-stream`
 * (AWS event-stream frames, each a `chunk` whose `bytes` are one Messages-API event), SigV4 checked.
 */
export async function startFakeBedrock(upstream: FakeAnthropic, opts: FakeBedrockOptions): Promise<PlatformServer> {
  return startPlatform(async (req, res, raw) => {
    const route = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/.exec(req.path);
    if (req.method !== 'POST' || !route) {
      return fail(res, 404, 'UnknownOperationException', `fake bedrock: no route for ${req.method} ${req.path}`);
    }
    const problem = await signatureProblem(req, raw, opts.credentials);
    if (problem) {
      return fail(
        res,
        403,
        'UnrecognizedClientException',
        `The security token included in the request is invalid (${problem}).`,
      );
    }
    if (typeof req.body.anthropic_version !== 'string') {
      return fail(res, 400, 'ValidationException', 'anthropic_version is required in the body');
    }
    const model = decodeURIComponent(route[1] ?? '');
    const stream = route[2] === 'invoke-with-response-stream';
    const answer = await toMessagesApi(upstream, '/v1/messages', messagesBody(req.body, model, stream));
    if (answer.status !== 200 || !stream) {
      const text = await answer.text();
      if (answer.status !== 200) {
        const message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
        return fail(res, answer.status === 529 ? 503 : answer.status, errorType(answer.status), message);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(text);
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'bedrock-req-1' });
    for await (const { data } of sseEvents(answer)) {
      const bytes = Buffer.from(data, 'utf8').toString('base64');
      const frame = codec.encode({
        headers: {
          ':event-type': { type: 'string', value: 'chunk' },
          ':content-type': { type: 'string', value: 'application/json' },
          ':message-type': { type: 'string', value: 'event' },
        },
        body: new TextEncoder().encode(JSON.stringify({ bytes })),
      });
      if (res.destroyed) {
        return;
      }
      res.write(frame);
    }
    res.end();
  });
}
