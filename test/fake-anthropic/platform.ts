import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeAnthropic, RecordedBody, RecordedRequest } from './server';

/**
 * What a cloud platform's front does before Claude sees a request, for the local Bedrock and Vertex servers: they
 * take the platform's wire format, hand the Messages-API request to the local Messages API (so tests script replies
 * exactly as for Anthropic's API), and send its answer back in the platform's format.
 */
export interface PlatformServer {
  readonly url: string;
  /** Every request as the platform received it (path, headers, body with `anthropic_version`), in order. */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Answers one request; `raw` is the body exactly as received (what a signature covers). */
export type PlatformHandler = (req: RecordedRequest, res: http.ServerResponse, raw: string) => Promise<void>;

export async function readRequest(req: http.IncomingMessage): Promise<{ recorded: RecordedRequest; raw: string }> {
  const parts: Buffer[] = [];
  for await (const chunk of req) {
    parts.push(chunk as Buffer);
  }
  const raw = Buffer.concat(parts).toString('utf8');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : (v ?? '');
  }
  let body: RecordedBody;
  try {
    body = raw ? (JSON.parse(raw) as RecordedBody) : {};
  } catch {
    body = { unparsed: raw };
  }
  // The raw path as it came over the wire (percent-encoding kept): signatures are computed over it.
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  return { recorded: { method: req.method ?? 'GET', path, headers, body }, raw };
}

/** Sends a Messages-API request to the local Messages API and returns its response as it is. */
export function toMessagesApi(upstream: FakeAnthropic, route: string, body: RecordedBody): Promise<Response> {
  return fetch(`${upstream.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2026-10-21', 'x-api-key': 'platform-front' },
    body: JSON.stringify(body),
  });
}

/** The Messages-API body of a platform request: the model from the path, no platform version field. */
export function messagesBody(body: RecordedBody, model: string, stream: boolean): RecordedBody {
  const rest: RecordedBody = { ...body };
  delete rest.anthropic_version;
  delete rest.anthropic_beta;
  return { ...rest, model, ...(stream ? { stream: true } : {}) };
}

/** The SSE events of a Messages-API stream, as they arrive (event name and parsed data). */
export async function* sseEvents(response: Response): AsyncGenerator<{ event: string; data: string }> {
  const reader = response.body?.getReader();
  if (!reader) {
    return;
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? 'message';
      const data = frame
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      yield { event, data };
      end = buffer.indexOf('\n\n');
    }
  }
}

export async function startPlatform(handler: PlatformHandler): Promise<PlatformServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    readRequest(req)
      .then(async ({ recorded, raw }) => {
        requests.push(recorded);
        await handler(recorded, res, raw);
      })
      .catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: `fake platform: ${String(err)}` }));
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
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
