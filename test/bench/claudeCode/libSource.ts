import type { Rng } from '../random';

/**
 * Source text of one package of a generated HTTP client library: a long types file, the defaults and a client class
 * of a couple of thousand lines (libExtras.ts writes its tests, README and helpers). The text around the option
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
export const OPTIONS: [string, string, string, string][] = [
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

export const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
export const plural = (s: string): string =>
  s.endsWith('y') ? `${s.slice(0, -1)}ies` : s.endsWith('s') ? `${s}es` : `${s}s`;

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
