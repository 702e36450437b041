import type { Rng } from '../random';
import type { LibPackage } from './libSource';
import { OPTIONS, pascal, plural } from './libSource';

// The rest of a generated package: a long test file, a long README, errors, URL and header helpers, an index.

/** A vitest file of a few tests per resource, after a describe('options') block the job adds its tests to. */
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
