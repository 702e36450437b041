import type { Rng } from '../random';

/**
 * Source text of one package of a generated HTTP client library: a long types file, the defaults, a client class of
 * a couple of thousand lines, a long test file and a long README, plus smaller helpers. The text around the option
 * the benchmark's feature adds next to (`maxRetries`) is fixed, so the edits of the job match exactly once.
 */
export interface LibPackage {
  /** Folder name under packages/, e.g. "http". */
  name: string;
  /** The client class, e.g. "HttpClient". */
  clientClass: string;
}

const RESOURCES = [
  'account',
  'invoice',
  'customer',
  'payment',
  'refund',
  'subscription',
  'plan',
  'coupon',
  'product',
  'price',
  'order',
  'shipment',
  'webhook',
  'event',
  'file',
  'report',
  'team',
  'member',
  'project',
  'token',
  'session',
  'quota',
  'region',
  'dispute',
  'payout',
  'balance',
  'transfer',
  'charge',
  'mandate',
  'receipt',
  'note',
  'tag',
];
const FIELD_POOL: [string, string, string][] = [
  ['createdAt', 'string', 'When it was created, as an ISO 8601 timestamp.'],
  ['updatedAt', 'string', 'When it last changed, as an ISO 8601 timestamp.'],
  ['status', "'active' | 'pending' | 'closed'", 'Where it is in its lifecycle.'],
  ['amount', 'number', 'Amount in the smallest currency unit (cents for USD).'],
  ['currency', 'string', 'Three-letter ISO currency code, lower case.'],
  ['metadata', 'Record<string, string>', 'Up to 50 keys of your own, kept as they are sent.'],
  ['description', 'string | null', 'Free text shown in the dashboard.'],
  ['ownerId', 'string', 'The account that owns it.'],
  ['livemode', 'boolean', 'False for objects made with a test key.'],
  ['tags', 'string[]', 'Labels used for search and reporting.'],
  ['expiresAt', 'string | null', 'When it stops being usable, if ever.'],
  ['version', 'number', 'Increases on every change; send it back to update safely.'],
  ['region', 'string', 'Data region the object is stored in.'],
  ['url', 'string', 'Where the object can be viewed in the dashboard.'],
];

/** The options of ClientOptions, in order; `maxRetries` is the one the job's option goes next to. */
const OPTIONS: [string, string, string, string][] = [
  ['baseUrl', 'string', "'https://api.example.com'", 'Base URL every request path is resolved against.'],
  ['apiKey', 'string', "''", 'Key sent as a bearer token; read from EXAMPLE_API_KEY when empty.'],
  ['apiVersion', 'string', "'2026-10-01'", 'API version sent in the Example-Version header.'],
  ['userAgent', 'string', "'example-js'", 'Prefix of the User-Agent header.'],
  ['headers', 'Record<string, string>', '{}', 'Headers added to every request (a request may override them).'],
  ['maxRetries', 'number', '2', 'How many times a failed request is retried (429, 5xx and network errors).'],
  ['retryBaseDelayMs', 'number', '500', 'First retry delay; each retry doubles it, with jitter.'],
  ['retryMaxDelayMs', 'number', '8_000', 'Longest delay between two retries.'],
  ['respectRetryAfter', 'boolean', 'true', 'Wait as long as a Retry-After header asks, up to retryMaxDelayMs.'],
  ['idempotencyKeys', 'boolean', 'true', 'Send an Idempotency-Key with every POST so retries are safe.'],
  ['pageSize', 'number', '50', 'Items per page when a list call does not say.'],
  ['maxPages', 'number', '100', 'Pages an auto-paginating iterator fetches before it stops.'],
  ['compress', 'boolean', 'true', 'Ask for gzip responses.'],
  ['keepAlive', 'boolean', 'true', 'Reuse connections between requests.'],
  ['telemetry', 'boolean', 'false', 'Send request timings in the Example-Telemetry header.'],
  ['strictJson', 'boolean', 'false', 'Fail on a response that is not valid JSON instead of returning its text.'],
  ['dateParsing', 'boolean', 'false', 'Turn ISO timestamps in responses into Date objects.'],
  ['logLevel', "'debug' | 'info' | 'warn' | 'error' | 'off'", "'warn'", 'Least severe message the logger prints.'],
  ['redactHeaders', 'string[]', "['authorization']", 'Header names whose values never reach the logger.'],
  ['proxyUrl', 'string', "''", 'HTTP proxy for every request; empty for none.'],
  ['maxResponseBytes', 'number', '20_000_000', 'Largest response body read before the request fails.'],
  ['maxConcurrency', 'number', '8', 'Requests in flight at once; later ones wait.'],
];

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const plural = (s: string): string => (s.endsWith('y') ? `${s.slice(0, -1)}ies` : s.endsWith('s') ? `${s}es` : `${s}s`);

/** The resources a package's client serves: a different, deterministic selection per package. */
export function resourcesOf(rng: Rng, count: number): string[] {
  const pool = [...RESOURCES];
  const out: string[] = [];
  while (out.length < count && pool.length > 0) {
    out.push(pool.splice(rng.int(0, pool.length - 1), 1)[0] as string);
  }
  return out;
}

export function typesFile(rng: Rng, pkg: LibPackage, resources: string[]): string {
  const out = [
    `/** Types of the ${pkg.name} package: the client's options and every resource it serves. */`,
    '',
    "export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';",
    'export type Query = Record<string, string | number | boolean | undefined>;',
    '',
    `/** Options of {@link ${pkg.clientClass}}. Every field is optional; DEFAULT_OPTIONS fills in the rest. */`,
    'export interface ClientOptions {',
  ];
  for (const [name, type, def, doc] of OPTIONS) {
    out.push('  /**', `   * ${doc}`, `   * @default ${def.replace(/_/g, '')}`, '   */', `  ${name}?: ${type};`);
  }
  out.push('  /** The fetch implementation; the global fetch by default. */', '  fetch?: typeof fetch;');
  out.push('  /** Where log lines go; the console by default. */', '  logger?: Logger;', '}', '');
  out.push("export type ResolvedOptions = Required<Omit<ClientOptions, 'fetch' | 'logger'>>;", '');
  out.push('export interface Logger {', '  debug(message: string, ...rest: unknown[]): void;');
  out.push('  warn(message: string, ...rest: unknown[]): void;', '  error(message: string, ...rest: unknown[]): void;');
  out.push('}', '');
  out.push('/** Options of one call; they override the client options for that call only. */');
  out.push('export interface RequestOptions {', '  /** Aborts the call. */', '  signal?: AbortSignal;');
  out.push('  /** Extra headers for this call. */', '  headers?: Record<string, string>;');
  out.push('  /** Sent as Idempotency-Key instead of a generated one. */', '  idempotencyKey?: string;', '}', '');
  out.push('export interface Page<T> {', '  data: T[];', '  hasMore: boolean;', '  nextCursor: string | null;', '}');
  out.push('');
  for (const res of resources) {
    const type = pascal(res);
    out.push(`/** A ${res} as the API returns it. */`, `export interface ${type} {`);
    out.push('  /** Unique identifier, prefixed with the object type. */', '  id: string;');
    out.push(`  /** Always "${res}". */`, `  object: '${res}';`);
    for (const [name, ftype, doc] of FIELD_POOL.filter(() => rng.chance(0.6))) {
      out.push(`  /** ${doc} */`, `  ${name}: ${ftype};`);
    }
    out.push('}', '');
    out.push(`/** Filters of {@link ${pkg.clientClass}.list${pascal(plural(res))}}. */`);
    out.push(`export interface List${pascal(plural(res))}Params {`, '  /** Items per page (1–100). */');
    out.push('  limit?: number;', '  /** Cursor from the previous page. */', '  startingAfter?: string;');
    out.push('  /** Only those created at or after this time. */', '  createdAfter?: string;', '}', '');
    out.push(`/** Body of {@link ${pkg.clientClass}.create${type}}. */`, `export interface Create${type}Body {`);
    for (const [name, ftype, doc] of FIELD_POOL.filter(() => rng.chance(0.35))) {
      out.push(`  /** ${doc} */`, `  ${name}?: ${ftype};`);
    }
    out.push('  /** Up to 50 keys of your own. */', '  metadata?: Record<string, string>;', '}', '');
    out.push(`export type Update${type}Body = Partial<Create${type}Body> & { version: number };`, '');
  }
  return out.join('\n');
}

export function defaultsFile(pkg: LibPackage): string {
  const out = [
    "import type { ResolvedOptions } from './types';",
    '',
    `/** What ${pkg.clientClass} uses for every option a caller leaves out. */`,
    'export const DEFAULT_OPTIONS: ResolvedOptions = {',
  ];
  for (const [name, , def] of OPTIONS) {
    out.push(`  ${name}: ${def},`);
  }
  out.push('};', '');
  out.push('/** Statuses worth a retry: rate limits, timeouts at the edge and server errors. */');
  out.push('export const RETRYABLE_STATUSES = new Set([408, 409, 425, 429, 500, 502, 503, 504, 529]);', '');
  out.push('/** Headers every request carries, before the caller’s own. */');
  out.push('export const BASE_HEADERS: Record<string, string> = {', "  accept: 'application/json',");
  out.push("  'content-type': 'application/json',", '};', '');
  out.push('/** Reason phrases the error messages use when a response has none. */');
  out.push('export const STATUS_TEXT: Record<number, string> = {');
  for (const [code, text] of [
    [400, 'Bad Request'],
    [401, 'Unauthorized'],
    [403, 'Forbidden'],
    [404, 'Not Found'],
    [408, 'Request Timeout'],
    [409, 'Conflict'],
    [422, 'Unprocessable Entity'],
    [429, 'Too Many Requests'],
    [500, 'Internal Server Error'],
    [502, 'Bad Gateway'],
    [503, 'Service Unavailable'],
    [504, 'Gateway Timeout'],
  ]) {
    out.push(`  ${code}: '${text}',`);
  }
  out.push('};', '');
  return out.join('\n');
}

function resourceMethods(rng: Rng, res: string): string[] {
  const type = pascal(res);
  const many = pascal(plural(res));
  const base = `/v1/${plural(res)}`;
  const out: string[] = [];
  out.push('  /**', `   * Lists ${plural(res)}, newest first, one page at a time.`, '   *');
  out.push('   * @param params Filters and paging; see the README for the cursor rules.', '   */');
  out.push(
    `  async list${many}(params: List${many}Params = {}, options: RequestOptions = {}): Promise<Page<${type}>> {`,
  );
  out.push(`    const query: Query = { limit: params.limit ?? this.options.pageSize };`);
  out.push(
    '    if (params.startingAfter !== undefined) {',
    '      query.starting_after = params.startingAfter;',
    '    }',
  );
  out.push('    if (params.createdAfter !== undefined) {', '      query.created_after = params.createdAfter;', '    }');
  out.push(`    return this.request<Page<${type}>>('GET', '${base}', { ...options, query });`, '  }', '');
  out.push(`  /** Every ${res} that matches, across pages, up to maxPages pages. */`);
  out.push(`  async *iterate${many}(params: List${many}Params = {}): AsyncGenerator<${type}> {`);
  out.push('    let cursor = params.startingAfter;', '    for (let page = 0; page < this.options.maxPages; page++) {');
  out.push(`      const result = await this.list${many}({ ...params, startingAfter: cursor });`);
  out.push(
    '      yield* result.data;',
    '      if (!result.hasMore || result.nextCursor === null) {',
    '        return;',
  );
  out.push('      }', '      cursor = result.nextCursor;', '    }', '  }', '');
  out.push(`  /** One ${res} by id; rejects with NotFoundError when there is none. */`);
  out.push(`  async get${type}(id: string, options: RequestOptions = {}): Promise<${type}> {`);
  out.push(`    assertId(id, '${res}');`);
  out.push(`    return this.request<${type}>('GET', \`${base}/\${encodeURIComponent(id)}\`, options);`, '  }', '');
  out.push(`  /** Creates a ${res}. Safe to retry: the request carries an idempotency key. */`);
  out.push(`  async create${type}(body: Create${type}Body, options: RequestOptions = {}): Promise<${type}> {`);
  if (rng.chance(0.5)) {
    out.push('    if (body.metadata && Object.keys(body.metadata).length > 50) {');
    out.push(`      throw new ValidationError('${res}.metadata takes at most 50 keys');`, '    }');
  }
  out.push(
    `    return this.request<${type}>('POST', '${base}', { ...options, body: JSON.stringify(body) });`,
    '  }',
    '',
  );
  out.push(`  /** Updates a ${res}; \`version\` must be the one last read, or the API answers 409. */`);
  out.push(
    `  async update${type}(id: string, body: Update${type}Body, options: RequestOptions = {}): Promise<${type}> {`,
  );
  out.push(`    assertId(id, '${res}');`, `    const path = \`${base}/\${encodeURIComponent(id)}\`;`);
  out.push(`    return this.request<${type}>('PATCH', path, { ...options, body: JSON.stringify(body) });`, '  }', '');
  out.push(`  /** Deletes a ${res}; deleting one that is already gone is not an error. */`);
  out.push(`  async delete${type}(id: string, options: RequestOptions = {}): Promise<void> {`);
  out.push(`    assertId(id, '${res}');`, '    try {');
  out.push(`      await this.request<unknown>('DELETE', \`${base}/\${encodeURIComponent(id)}\`, options);`);
  out.push('    } catch (err) {', '      if (!(err instanceof NotFoundError)) {', '        throw err;', '      }');
  out.push('    }', '  }', '');
  return out;
}

export function clientFile(rng: Rng, pkg: LibPackage, resources: string[]): string {
  const types = resources.flatMap((r) => {
    const many = pascal(plural(r));
    return [pascal(r), `List${many}Params`, `Create${pascal(r)}Body`, `Update${pascal(r)}Body`];
  });
  const out = [
    "import { BASE_HEADERS, DEFAULT_OPTIONS, RETRYABLE_STATUSES, STATUS_TEXT } from './defaults';",
    "import { AbortedError, HttpError, NetworkError, NotFoundError, TimeoutError, ValidationError } from './errors';",
    "import { anySignal, backoff, buildUrl, mergeHeaders, sleep } from './internal';",
    `import type { ClientOptions, HttpMethod, Logger, Page, Query, RequestOptions, ResolvedOptions } from './types';`,
    `import type {\n${types.map((t) => `  ${t},`).join('\n')}\n} from './types';`,
    '',
    `/** Client of the Example API (${pkg.name}): one instance per key, safe to share between requests. */`,
    `export class ${pkg.clientClass} {`,
    '  private readonly options: ResolvedOptions;',
    '  private readonly fetchImpl: typeof fetch;',
    '  private readonly log: Logger;',
    '  private inFlight = 0;',
    '',
    '  constructor(options: ClientOptions = {}) {',
    '    const { fetch: fetchImpl, logger, ...rest } = options;',
    '    this.options = { ...DEFAULT_OPTIONS, ...rest };',
    '    this.fetchImpl = fetchImpl ?? globalThis.fetch;',
    '    this.log = logger ?? console;',
    '    if (this.options.maxRetries < 0) {',
    "      throw new ValidationError('maxRetries must be 0 or more');",
    '    }',
    '  }',
    '',
    '  /**',
    '   * Sends one request and parses its JSON answer, retrying what RETRYABLE_STATUSES names up to maxRetries times.',
    '   * Every public method goes through here.',
    '   */',
    '  private async request<T>(',
    '    method: HttpMethod,',
    '    path: string,',
    '    init: RequestOptions & { query?: Query; body?: string } = {},',
    '  ): Promise<T> {',
    '    const url = buildUrl(this.options.baseUrl, path, init.query);',
    '    const headers = mergeHeaders(BASE_HEADERS, this.options.headers, init.headers);',
    "    if (method === 'POST' && this.options.idempotencyKeys) {",
    "      headers['idempotency-key'] = init.idempotencyKey ?? crypto.randomUUID();",
    '    }',
    '    for (let attempt = 0; ; attempt++) {',
    '      const signal = init.signal ?? undefined;',
    '      await this.waitForSlot();',
    '      try {',
    '        const response = await this.fetchImpl(url, { method, headers, body: init.body, signal });',
    '        if (response.ok) {',
    '          return (await this.parse(response)) as T;',
    '        }',
    '        if (attempt >= this.options.maxRetries || !RETRYABLE_STATUSES.has(response.status)) {',
    '          throw await HttpError.from(response, STATUS_TEXT[response.status]);',
    '        }',
    '        this.log.debug(`${method} ${url}: ${response.status}, retrying`, { attempt });',
    "        await sleep(backoff(attempt, this.options, response.headers.get('retry-after')));",
    '      } catch (err) {',
    '        const error = normalizeError(err, method, url);',
    '        if (!(error instanceof NetworkError) || attempt >= this.options.maxRetries) {',
    '          throw error;',
    '        }',
    '        this.log.warn(`${method} ${url}: ${error.message}, retrying`);',
    '        await sleep(backoff(attempt, this.options, null));',
    '      } finally {',
    '        this.inFlight -= 1;',
    '      }',
    '    }',
    '  }',
    '',
    '  private async waitForSlot(): Promise<void> {',
    '    while (this.inFlight >= this.options.maxConcurrency) {',
    '      await sleep(5);',
    '    }',
    '    this.inFlight += 1;',
    '  }',
    '',
    '  private async parse(response: Response): Promise<unknown> {',
    "    const length = Number(response.headers.get('content-length') ?? 0);",
    '    if (length > this.options.maxResponseBytes) {',
    '      throw new ValidationError(`response of ${length} bytes is over maxResponseBytes`);',
    '    }',
    '    const text = await response.text();',
    '    try {',
    '      return JSON.parse(text);',
    '    } catch (err) {',
    '      if (this.options.strictJson) {',
    '        throw err;',
    '      }',
    '      return text;',
    '    }',
    '  }',
    '',
  ];
  for (const res of resources) {
    out.push(...resourceMethods(rng, res));
  }
  out.pop();
  out.push('}', '');
  out.push('function assertId(id: string, what: string): void {', "  if (id.trim() === '') {");
  out.push('    throw new ValidationError(`${what} id is empty`);', '  }', '}', '');
  out.push('/** What a failed fetch becomes: the typed error a caller can test for with instanceof. */');
  out.push('export function normalizeError(err: unknown, method: HttpMethod, url: string): Error {');
  out.push('  if (err instanceof HttpError || err instanceof ValidationError) {', '    return err;', '  }');
  out.push("  if (err instanceof DOMException && err.name === 'AbortError') {");
  out.push('    return new AbortedError(`${method} ${url} was aborted`);', '  }');
  out.push('  return new NetworkError(`${method} ${url} failed: ${(err as Error)?.message ?? String(err)}`);', '}', '');
  return out.join('\n');
}

export function testFile(rng: Rng, pkg: LibPackage, resources: string[]): string {
  const c = pkg.clientClass;
  const out = [
    "import { describe, expect, it } from 'vitest';",
    `import { ${c} } from '../src/client';`,
    "import { HttpError, NotFoundError, TimeoutError, ValidationError } from '../src/errors';",
    "import { jsonResponse, neverAnswers, recordingFetch, sequence } from './support';",
    '',
    "describe('options', () => {",
    "  it('uses the defaults for every option left out', () => {",
    `    const client = new ${c}({ fetch: recordingFetch() });`,
    '    expect(client).toBeDefined();',
    '  });',
    '',
    "  it('retries a 503 up to maxRetries times', async () => {",
    '    const fetch = sequence([jsonResponse(503, {}), jsonResponse(503, {}), jsonResponse(200, { data: [] })]);',
    `    const client = new ${c}({ fetch, maxRetries: 2, retryBaseDelayMs: 1 });`,
    `    await client.list${pascal(plural(resources[0] as string))}();`,
    '    expect(fetch.calls).toHaveLength(3);',
    '  });',
    '',
    "  it('gives up after maxRetries and throws the last HttpError', async () => {",
    '    const fetch = sequence([jsonResponse(503, {}), jsonResponse(503, {})]);',
    `    const client = new ${c}({ fetch, maxRetries: 1, retryBaseDelayMs: 1 });`,
    `    await expect(client.list${pascal(plural(resources[0] as string))}()).rejects.toBeInstanceOf(HttpError);`,
    '  });',
    '});',
    '',
  ];
  for (const res of resources) {
    const type = pascal(res);
    const many = pascal(plural(res));
    out.push(`describe('${plural(res)}', () => {`);
    out.push(`  it('lists ${plural(res)} with the default page size', async () => {`);
    out.push('    const fetch = recordingFetch(jsonResponse(200, { data: [], hasMore: false, nextCursor: null }));');
    out.push(`    const client = new ${c}({ fetch, pageSize: ${rng.int(5, 90)} });`);
    out.push(`    const page = await client.list${many}();`, '    expect(page.data).toEqual([]);');
    out.push("    expect(fetch.calls[0]?.url).toContain('limit=');", '  });', '');
    out.push(`  it('reads one ${res} by id', async () => {`);
    out.push(
      `    const fetch = recordingFetch(jsonResponse(200, { id: '${res}_${rng.int(100, 999)}', object: '${res}' }));`,
    );
    out.push(`    const client = new ${c}({ fetch });`, `    const item = await client.get${type}('${res}_1');`);
    out.push(`    expect(item.object).toBe('${res}');`, '  });', '');
    out.push(
      `  it('refuses an empty ${res} id', async () => {`,
      `    const client = new ${c}({ fetch: neverAnswers() });`,
    );
    out.push(`    await expect(client.get${type}('  ')).rejects.toBeInstanceOf(ValidationError);`, '  });', '');
    out.push(`  it('treats deleting a missing ${res} as done', async () => {`);
    out.push("    const fetch = recordingFetch(jsonResponse(404, { error: 'not found' }));");
    out.push(
      `    const client = new ${c}({ fetch });`,
      `    await expect(client.delete${type}('${res}_2')).resolves.toBeUndefined();`,
    );
    out.push('    expect(NotFoundError).toBeDefined();', '  });', '});', '');
  }
  return out.join('\n');
}

export function readmeFile(pkg: LibPackage, resources: string[]): string {
  const c = pkg.clientClass;
  const out = [
    `# @example/${pkg.name}`,
    '',
    `The ${pkg.name} client of the Example API: typed methods for every resource, automatic retries with backoff,`,
    'idempotency keys on writes, cursor pagination and typed errors. It runs wherever `fetch` does (Node 20+, Deno,',
    'Bun, browsers and edge runtimes) and has no dependencies.',
    '',
    '## Install',
    '',
    '```sh',
    `npm install @example/${pkg.name}`,
    '```',
    '',
    '## Quick start',
    '',
    '```ts',
    `import { ${c} } from '@example/${pkg.name}';`,
    '',
    `const client = new ${c}({ apiKey: process.env.EXAMPLE_API_KEY });`,
    `const page = await client.list${pascal(plural(resources[0] as string))}({ limit: 10 });`,
    '```',
    '',
    '## Options',
    '',
    'Every option is optional. Options of one call (`signal`, `headers`, `idempotencyKey`) override them for that',
    'call only.',
    '',
    '| option | type | default | what it does |',
    '|---|---|---|---|',
  ];
  for (const [name, type, def, doc] of OPTIONS) {
    out.push(`| \`${name}\` | \`${type.replace(/\|/g, '\\|')}\` | \`${def.replace(/_/g, '')}\` | ${doc} |`);
  }
  out.push('', '## Errors', '');
  out.push('Every failure is one of these classes, so `instanceof` tells what happened:', '');
  for (const [name, doc] of [
    ['HttpError', 'the API answered with an error status; `status`, `code` and `requestId` say which.'],
    ['NotFoundError', 'a 404: the object does not exist (or not in this mode).'],
    ['ValidationError', 'the call was refused before it was sent (an empty id, too many metadata keys).'],
    ['NetworkError', 'the request never got an answer; it is retried up to `maxRetries` times.'],
    ['AbortedError', 'the caller aborted the request through its `signal`.'],
    ['TimeoutError', 'the request took too long.'],
  ]) {
    out.push(`- \`${name}\`: ${doc}`);
  }
  out.push('', '## Retries', '');
  out.push('Requests that fail with 408, 409, 425, 429 or a 5xx status, or with a network error, are retried up to');
  out.push('`maxRetries` times with exponential backoff and jitter, starting at `retryBaseDelayMs`. A `Retry-After`');
  out.push('header is honoured up to `retryMaxDelayMs`. POST requests carry an `Idempotency-Key`, so a retry never');
  out.push('creates an object twice.', '');
  out.push('## Resources', '');
  for (const res of resources) {
    const type = pascal(res);
    const many = pascal(plural(res));
    out.push(`### ${many}`, '');
    out.push(`\`${c}\` has five methods for ${plural(res)}: \`list${many}\`, \`iterate${many}\`, \`get${type}\`,`);
    out.push(`\`create${type}\`, \`update${type}\` and \`delete${type}\`. Updates need the \`version\` last read.`, '');
    out.push('```ts', `const created = await client.create${type}({ metadata: { source: 'import' } });`);
    out.push(`for await (const item of client.iterate${many}({ createdAfter: '2026-01-01' })) {`);
    out.push('  console.log(item.id);', '}', '```', '');
  }
  out.push('## License', '', 'MIT', '');
  return out.join('\n');
}

/** The smaller files of a package: errors, URL and header helpers, backoff, an index. */
export function helperFiles(rng: Rng, pkg: LibPackage): Record<string, string> {
  const errors = [
    '/** Base of every error the client throws. */',
    'export class ExampleError extends Error {',
    '  constructor(message: string) {',
    '    super(message);',
    '    this.name = new.target.name;',
    '  }',
    '}',
    '',
  ];
  for (const name of ['NetworkError', 'AbortedError', 'TimeoutError', 'ValidationError']) {
    errors.push(`export class ${name} extends ExampleError {}`, '');
  }
  errors.push('export class HttpError extends ExampleError {');
  errors.push('  constructor(', '    message: string,', '    readonly status: number,', '    readonly code: string,');
  errors.push('    readonly requestId: string | null,', '  ) {', '    super(message);', '  }', '');
  errors.push('  static async from(response: Response, statusText = response.statusText): Promise<HttpError> {');
  errors.push(
    '    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };',
  );
  errors.push("    const requestId = response.headers.get('request-id');");
  errors.push("    const code = body.error?.code ?? 'unknown';");
  errors.push('    const message = `${response.status} ${statusText}: ${body.error?.message ?? code}`;');
  errors.push('    const Kind = response.status === 404 ? NotFoundError : HttpError;');
  errors.push('    return new Kind(message, response.status, code, requestId);', '  }', '}', '');
  errors.push('export class NotFoundError extends HttpError {}', '');
  const internal = [
    "import type { Query, ResolvedOptions } from './types';",
    '',
    '/** The URL of a request: the path resolved against the base, the query appended without undefined values. */',
    'export function buildUrl(base: string, path: string, query: Query = {}): string {',
    "  const url = new URL(path.replace(/^\\//, ''), base.endsWith('/') ? base : `${base}/`);",
    '  for (const [key, value] of Object.entries(query)) {',
    '    if (value !== undefined) {',
    '      url.searchParams.set(key, String(value));',
    '    }',
    '  }',
    '  return url.toString();',
    '}',
    '',
    '/** Header sets merged left to right, names lower-cased so that a later set overrides an earlier one. */',
    'export function mergeHeaders(...sets: Array<Record<string, string> | undefined>): Record<string, string> {',
    '  const out: Record<string, string> = {};',
    '  for (const set of sets) {',
    '    for (const [key, value] of Object.entries(set ?? {})) {',
    '      out[key.toLowerCase()] = value;',
    '    }',
    '  }',
    '  return out;',
    '}',
    '',
    '/** One signal that aborts when any of the given ones does. */',
    'export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal {',
    '  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));',
    '}',
    '',
    '/** Milliseconds to wait before retry `attempt` (0-based): Retry-After when sent, else exponential with jitter. */',
    "export function backoff(attempt: number, options: Pick<ResolvedOptions, 'retryBaseDelayMs' | 'retryMaxDelayMs' | 'respectRetryAfter'>, retryAfter: string | null): number {",
    '  const asked = retryAfter === null ? NaN : Number(retryAfter) * 1000;',
    '  if (options.respectRetryAfter && Number.isFinite(asked)) {',
    '    return Math.min(asked, options.retryMaxDelayMs);',
    '  }',
    '  const exp = options.retryBaseDelayMs * 2 ** attempt;',
    `  const jitter = 0.${rng.int(5, 9)} + Math.random() * 0.${rng.int(2, 5)};`,
    '  return Math.min(exp * jitter, options.retryMaxDelayMs);',
    '}',
    '',
    'export function sleep(ms: number): Promise<void> {',
    '  return new Promise((resolve) => setTimeout(resolve, ms));',
    '}',
    '',
  ];
  const index = [
    `export { ${pkg.clientClass}, normalizeError } from './client';`,
    "export { DEFAULT_OPTIONS } from './defaults';",
    "export * from './errors';",
    "export type * from './types';",
    '',
  ];
  const support = [
    '/** Test doubles for fetch: recorded calls, scripted answers, a request that never answers. */',
    'export interface RecordingFetch {',
    '  (input: string | URL | Request, init?: RequestInit): Promise<Response>;',
    '  calls: Array<{ url: string; init?: RequestInit }>;',
    '}',
    '',
    'export function jsonResponse(status: number, body: unknown): Response {',
    "  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });",
    '}',
    '',
    'export function sequence(responses: Response[]): RecordingFetch {',
    "  const calls: RecordingFetch['calls'] = [];",
    '  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {',
    '    calls.push({ url: String(input), init });',
    "    return responses.shift() ?? jsonResponse(500, { error: { code: 'exhausted' } });",
    '  }) as RecordingFetch;',
    '  fetch.calls = calls;',
    '  return fetch;',
    '}',
    '',
    'export function recordingFetch(response = jsonResponse(200, {})): RecordingFetch {',
    '  return sequence(Array.from({ length: 20 }, () => response.clone()));',
    '}',
    '',
    '/** A fetch that waits until its signal aborts, then rejects with the signal’s reason. */',
    'export function neverAnswers(): RecordingFetch {',
    '  const fetch = ((_input: string | URL | Request, init?: RequestInit) =>',
    '    new Promise<Response>((_resolve, reject) => {',
    "      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));",
    '    })) as RecordingFetch;',
    '  fetch.calls = [];',
    '  return fetch;',
    '}',
    '',
  ];
  const pkgJson = {
    name: `@example/${pkg.name}`,
    version: `1.${rng.int(0, 20)}.${rng.int(0, 9)}`,
    type: 'module',
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    scripts: { build: 'tsc -p .', test: 'vitest run' },
  };
  return {
    'src/errors.ts': errors.join('\n'),
    'src/internal.ts': internal.join('\n'),
    'src/index.ts': index.join('\n'),
    'test/support.ts': support.join('\n'),
    'package.json': `${JSON.stringify(pkgJson, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src'] }, null, 2)}\n`,
  };
}
