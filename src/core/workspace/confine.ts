import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isSecretPath, IGNORE_FILE, STORE_DIR } from './rules';
import type { WorkspaceRules } from './rules';

export type PathErrorCode = 'outside' | 'git' | 'protected' | 'secret' | 'ignored' | 'invalid';

/** A path a model named that may not be read or written. The message names the path and the reason. */
export class PathError extends Error {
  constructor(
    readonly code: PathErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'PathError';
  }
}

/**
 * Files a model may read but never write: editor settings and tasks can run programs when the folder is opened, and
 * the ignore file decides what models may see. `.gitignore` stays writable: adding an entry is a normal change.
 */
const PROTECTED_FOR_WRITE = new Set([
  '.vscode/settings.json',
  '.vscode/tasks.json',
  '.vscode/launch.json',
  IGNORE_FILE,
]);

/** Symbolic-link hops followed before a chain is treated as a loop (the same limit as Linux's ELOOP). */
const MAX_LINK_HOPS = 40;

export interface ResolveOptions {
  forWrite?: boolean;
  rules?: WorkspaceRules;
}

/**
 * The one place a path named by a model is turned into a file on disk. Resolves `candidate` (relative to `root`, or
 * absolute) through real paths — symbolic links followed, for a file that does not exist yet through its deepest
 * existing ancestor — and refuses anything outside the workspace, inside `.git/` or the store folder, a credential
 * file, an ignored file, or (for writes) a protected file. `abs` is the real path to use; `rel` has forward slashes.
 */
export async function resolveInWorkspace(
  root: string,
  candidate: string,
  opts: ResolveOptions = {},
): Promise<{ abs: string; rel: string }> {
  const shown = JSON.stringify(candidate);
  if (typeof candidate !== 'string' || candidate.trim() === '' || candidate.includes('\0')) {
    throw new PathError('invalid', String(candidate), `The path ${shown} is empty or contains a NUL character.`);
  }
  const cleaned = candidate.trim().replace(/\\/g, '/');
  if (path.sep === '/' && /^[a-zA-Z]:\//.test(cleaned)) {
    throw new PathError(
      'invalid',
      candidate,
      `The path ${shown} is a Windows drive path; use a workspace-relative path.`,
    );
  }
  const realRoot = await fs.realpath(root).catch((err: NodeJS.ErrnoException) => {
    throw new PathError(
      'invalid',
      candidate,
      `The workspace folder ${root} cannot be opened (${err.code}); reopen it.`,
    );
  });
  const lexical = path.resolve(root, cleaned);
  const real = await realPathOf(lexical, candidate);
  const rel = relativeInside(realRoot, real);
  if (rel === undefined) {
    throw new PathError(
      'outside',
      candidate,
      `The path ${shown} resolves to ${real}, which is outside the workspace ${realRoot}; ` +
        'only files inside it can be used.',
    );
  }
  // Check the path as written too: a link named `.env` is refused even when it points at a harmless file.
  const written = relativeInside(path.resolve(root), lexical) ?? relativeInside(realRoot, lexical);
  const isDir = await fs.stat(real).then(
    (s) => s.isDirectory(),
    () => false,
  );
  for (const r of new Set(written === undefined ? [rel] : [written, rel])) {
    refuse(r, isDir, candidate, opts);
  }
  if (rel === '' && opts.forWrite) {
    throw new PathError('invalid', candidate, `The path ${shown} is the workspace folder itself, not a file.`);
  }
  return { abs: real, rel };
}

function refuse(rel: string, isDir: boolean, candidate: string, opts: ResolveOptions): void {
  if (rel === '') {
    return;
  }
  const shown = JSON.stringify(candidate);
  const segments = rel.toLowerCase().split('/');
  if (segments.includes('.git')) {
    throw new PathError('git', candidate, `The path ${shown} is inside .git/; repository internals cannot be used.`);
  }
  if (segments.includes(STORE_DIR)) {
    throw new PathError(
      'protected',
      candidate,
      `The path ${shown} is inside ${STORE_DIR}/, the extension's own store.`,
    );
  }
  if (isSecretPath(rel)) {
    throw new PathError(
      'secret',
      candidate,
      `The path ${shown} looks like a credential file (.env*, keys, .npmrc, credentials*.json); it is never read ` +
        'or written. Put what is needed from it in the task instead.',
    );
  }
  if (opts.forWrite && PROTECTED_FOR_WRITE.has(segments.join('/'))) {
    throw new PathError(
      'protected',
      candidate,
      `The file ${shown} is protected; change it yourself if it must change.`,
    );
  }
  // Directory-only patterns such as `dist/` match a directory only when it is asked about with its trailing slash.
  if (opts.rules?.isIgnored(isDir ? `${rel}/` : rel)) {
    throw new PathError(
      'ignored',
      candidate,
      `The path ${shown} is excluded by .gitignore or ${IGNORE_FILE}; remove it from there to let models use it.`,
    );
  }
}

/** Workspace-relative path with forward slashes, or undefined when `target` is not `root` or below it. */
function relativeInside(root: string, target: string): string | undefined {
  const rel = path.relative(root, target);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    return undefined;
  }
  return rel.split(path.sep).join('/');
}

/**
 * The real path of `p`, whether or not it exists: the deepest existing ancestor is resolved with realpath and the
 * rest appended. A dangling link is followed to its target, so a link to a not-yet-existing file outside is caught.
 */
async function realPathOf(p: string, candidate: string, hops = 0): Promise<string> {
  if (hops > MAX_LINK_HOPS) {
    throw new PathError('invalid', candidate, `The path ${JSON.stringify(candidate)} goes through a loop of links.`);
  }
  try {
    return await fs.realpath(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      throw new PathError('invalid', candidate, `The path ${JSON.stringify(candidate)} goes through a loop of links.`);
    }
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw err;
    }
  }
  const parent = path.dirname(p);
  if (parent === p) {
    return p;
  }
  const stat = await fs.lstat(p).catch(() => undefined);
  if (stat?.isSymbolicLink()) {
    const target = await fs.readlink(p);
    return realPathOf(path.resolve(await realPathOf(parent, candidate, hops), target), candidate, hops + 1);
  }
  return path.join(await realPathOf(parent, candidate, hops), path.basename(p));
}
