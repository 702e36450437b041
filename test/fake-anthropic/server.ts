import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DropReply, HttpErrorReply, MessageReply, Reply, StallReply, StreamErrorReply } from './replies';
import { errorMessageFor, errorTypeFor, isDrop, isHttpError, isStall, isStreamError } from './replies';
import type { MessageContext, SseEvent } from './sse';
import { PING, blockEvents, estimateInputTokens, formatSse, fullMessage, messageEvents } from './sse';
import { messageStartEvent, resolveUsage, streamErrorEvents } from './sse';
import { ThinkingLedger } from './thinking';

/** The JSON body of a request; the Messages API fields a test usually looks at are typed. */
export interface RecordedBody {
  model?: string;
  max_tokens?: number;
  stream?: boolean;
  system?: unknown;
  messages?: unknown[];
  tools?: unknown[];
  /** Structured output (`format`) and the effort asked for. */
  output_config?: { format?: unknown; effort?: string };
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: RecordedBody;
}

export type Responder = (req: RecordedRequest) => Reply | Promise<Reply>;

export interface FakeAnthropicOptions {
  /** When set, a request with another key (`x-api-key` or bearer) gets the API's 401 authentication_error. */
  apiKey?: string;
}

export interface FakeAnthropic {
  /** Base URL for the SDK (`baseURL` / `ANTHROPIC_BASE_URL`). */
  readonly url: string;
  /** Every request received, retries included, in arrival order. */
  readonly requests: RecordedRequest[];
  enqueue(...replies: Reply[]): void;
  /** Answers message requests once the queue is empty. */
  setResponder(fn: Responder | undefined): void;
  close(): Promise<void>;
}

const id = (prefix: string): string => `${prefix}${randomBytes(12).toString('hex')}`;

class Exchange {
  private closed = false;

  constructor(
    readonly req: http.IncomingMessage,
    readonly res: http.ServerResponse,
    readonly requestId: string,
  ) {
    res.on('close', () => {
      this.closed = true;
    });
  }

  get gone(): boolean {
    return this.closed || this.res.destroyed;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.gone) {
      return;
    }
    this.res.writeHead(status, { 'content-type': 'application/json', 'request-id': this.requestId, ...headers });
    this.res.end(JSON.stringify(body));
  }

  error(status: number, type: string, message: string, headers: Record<string, string> = {}): void {
    this.json(status, { type: 'error', error: { type, message }, request_id: this.requestId }, headers);
  }

  startStream(): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'request-id': this.requestId,
    });
    this.res.flushHeaders();
  }

  async events(events: SseEvent[], delayMs: number): Promise<void> {
    for (const e of events) {
      if (this.gone) {
        return;
      }
      this.res.write(formatSse(e));
      if (delayMs > 0) {
        await sleep(delayMs);
      }
    }
  }

  destroy(): void {
    this.req.socket.destroy();
  }
}

class FakeAnthropicServer implements FakeAnthropic {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: Reply[] = [];
  private readonly thinking = new ThinkingLedger();
  private responder: Responder | undefined;
  url = '';

  constructor(
    private readonly server: http.Server,
    private readonly opts: FakeAnthropicOptions,
  ) {}

  enqueue(...replies: Reply[]): void {
    this.queue.push(...replies);
  }

  setResponder(fn: Responder | undefined): void {
    this.responder = fn;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const ex = new Exchange(req, res, id('req_'));
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : (v ?? '');
    }
    let body: RecordedBody = {};
    let badJson = false;
    try {
      body = raw ? (JSON.parse(raw) as RecordedBody) : {};
    } catch {
      badJson = true;
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers, body };
    this.requests.push(recorded);
    // The fake's own complaints must not be retried by the SDK: a test should fail at once, loudly.
    const noRetry = { 'x-should-retry': 'false' };
    if (badJson) {
      return ex.error(400, 'invalid_request_error', 'fake-anthropic: the body is not valid JSON', noRetry);
    }
    if (this.opts.apiKey !== undefined && keyOf(headers) !== this.opts.apiKey) {
      return ex.error(401, 'authentication_error', 'invalid x-api-key');
    }
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      return ex.json(200, { input_tokens: estimateInputTokens(body) });
    }
    if (req.method !== 'POST' || path !== '/v1/messages') {
      return ex.error(404, 'not_found_error', `fake-anthropic: no route for ${req.method} ${path}`, noRetry);
    }
    // Checked before any reply is used, as the API validates a request before the model runs.
    const thinkingError = this.thinking.check(body);
    if (thinkingError) {
      return ex.error(400, 'invalid_request_error', thinkingError);
    }
    let reply: Reply | undefined;
    try {
      reply = this.queue.shift() ?? (await this.responder?.(recorded));
    } catch (err) {
      return ex.error(500, 'api_error', `fake-anthropic: the responder threw: ${String(err)}`, noRetry);
    }
    if (!reply) {
      return ex.error(500, 'api_error', `fake-anthropic: no scripted reply for ${path}`, noRetry);
    }
    const ctx: MessageContext = { id: id('msg_fake'), model: body.model ?? 'claude-unknown', requestBody: body };
    await this.answer(ex, reply, ctx, body.stream === true);
  }

  private async answer(ex: Exchange, reply: Reply, ctx: MessageContext, stream: boolean): Promise<void> {
    if (isDrop(reply)) {
      return dropReply(ex, reply, ctx, stream);
    }
    if (isStall(reply)) {
      return stallReply(ex, reply, ctx);
    }
    if (isHttpError(reply)) {
      return httpErrorReply(ex, reply);
    }
    if (isStreamError(reply)) {
      return streamErrorReply(ex, reply, ctx, stream);
    }
    return this.messageReply(ex, reply, ctx, stream);
  }

  private async messageReply(ex: Exchange, reply: MessageReply, ctx: MessageContext, stream: boolean): Promise<void> {
    if (reply.latencyMs) {
      await sleep(reply.latencyMs);
    }
    const { billed, sent } = this.thinking.prepare(reply, ctx.requestBody);
    const shown = { ...reply, content: sent };
    if (!stream) {
      return ex.json(200, fullMessage(shown, ctx, billed));
    }
    if (ex.gone) {
      return;
    }
    ex.startStream();
    await ex.events(messageEvents(shown, ctx, billed), reply.chunkDelayMs ?? 0);
    ex.res.end();
  }
}

/** Holds the exchange open without an answer until the client leaves or the server closes. */
async function stallReply(ex: Exchange, reply: StallReply, ctx: MessageContext): Promise<void> {
  if (reply.stall !== 'before-headers') {
    ex.startStream();
  }
  if (reply.stall === 'after-message-start' || reply.stall === 'pings') {
    await ex.events([messageStartEvent(ctx, resolveUsage(undefined, [], ctx.requestBody))], 0);
  }
  while (!ex.gone) {
    await sleep(reply.pingEveryMs ?? 50);
    if (reply.stall === 'pings') {
      await ex.events([PING], 0);
    }
  }
}

async function httpErrorReply(ex: Exchange, reply: HttpErrorReply): Promise<void> {
  if (reply.latencyMs) {
    await sleep(reply.latencyMs);
  }
  const type = reply.errorType ?? errorTypeFor(reply.httpError);
  const headers: Record<string, string> = {};
  if (reply.retryAfter !== undefined) {
    headers['retry-after'] = String(reply.retryAfter);
  }
  if (reply.retryAfterMs !== undefined) {
    headers['retry-after-ms'] = String(reply.retryAfterMs);
  }
  ex.error(reply.httpError, type, reply.message ?? errorMessageFor(type), headers);
}

async function streamErrorReply(ex: Exchange, reply: StreamErrorReply, ctx: MessageContext, stream: boolean) {
  const type = reply.streamError;
  if (!stream) {
    // Without a stream there is nothing to break mid-way: the API answers with the matching status instead.
    return ex.error(type === 'overloaded_error' ? 529 : 500, type, errorMessageFor(type));
  }
  ex.startStream();
  const afterContent = reply.afterContent ?? false;
  await ex.events(streamErrorEvents(type, errorMessageFor(type), afterContent, reply.usage, ctx, ex.requestId), 0);
  ex.res.end();
}

async function dropReply(ex: Exchange, reply: DropReply, ctx: MessageContext, stream: boolean): Promise<void> {
  if (reply.drop === 'before-headers') {
    return ex.destroy();
  }
  const text = { type: 'text' as const, text: 'This answer is cut off by a dropped connection' };
  if (stream) {
    ex.startStream();
    const usage = resolveUsage(undefined, [text], ctx.requestBody);
    await ex.events([messageStartEvent(ctx, usage), PING, ...blockEvents(text, 0, 2)], 0);
  } else {
    ex.res.writeHead(200, { 'content-type': 'application/json', 'request-id': ex.requestId });
    ex.res.write(JSON.stringify(fullMessage({ content: [text] }, ctx)).slice(0, 40));
  }
  // Let the bytes reach the client before the socket goes, so it is a mid-response drop.
  await sleep(20);
  ex.destroy();
}

/** The API takes the key as `x-api-key` or, as current SDKs send it, as a bearer token. */
function keyOf(headers: Record<string, string>): string | undefined {
  return headers['x-api-key'] || /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of req) {
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Starts the fake Messages API on 127.0.0.1 at a free port. */
export async function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const server = http.createServer();
  const fake = new FakeAnthropicServer(server, opts);
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    fake.handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json', 'x-should-retry': 'false' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `fake-anthropic: ${err}` } }));
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  return fake;
}
