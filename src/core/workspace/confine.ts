import { promises as fs } from 'node:fs';
import path from 'node:path';
import { IGNORE_FILE, STORE_DIR } from './rules';
import type { WorkspaceRules } from './rules';
import { canonicalSegment, canonicalSegments, credentialKindOf, isShortName, secretPolicy } from './secrets';

export type PathErrorCode = 'outside' | 'git' | 'protected' | 'secret' | 'ignored' | 'invalid' | 'hardlink';

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
 * Files a model may neither read nor write, so a plan may not name them either: editor settings and tasks can run
 * programs when the folder is opened (and often hold tokens), and the ignore file decides what models may see.
 * `.gitignore` stays open: adding an entry is a normal change.
 */
const PROTECTED = new Set([
  '.vscode/settings.json',
  '.vscode/tasks.json',
  '.vscode/launch.json',
  '.vscode/mcp.json',
  IGNORE_FILE,
]);
const PROTECTED_EXTENSIONS = ['.code-workspace'];

/** Symbolic-link hops followed before a chain is treated as a loop (the same limit as Linux's ELOOP). */
const MAX_LINK_HOPS = 40;

export interface ResolveOptions {
  forWrite?: boolean;
  rules?: WorkspaceRules;
  /** Accept files with more than one hard link; default: the opusOrchestrator.allowHardLinks choice (false). */
  allowHardLinks?: boolean;
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
  const stat = await fs.stat(real).catch(() => undefined);
  const isDir = stat?.isDirectory() ?? false;
  for (const r of new Set(written === undefined ? [rel] : [written, rel])) {
    refuse(r, isDir, candidate, opts);
  }
  // Another name of the same file may be anywhere on the disk, and realpath does not see it.
  if (stat?.isFile() && stat.nlink > 1 && !(opts.allowHardLinks ?? secretPolicy().allowHardLinks)) {
    throw new PathError(
      'hardlink',
      candidate,
      `The file ${shown} has ${stat.nlink} hard links, so its content may belong to a file outside the workspace; ` +
        'it is not used. Copy it instead of linking it, or set opusOrchestrator.allowHardLinks.',
    );
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
  // Each segment as Windows or macOS would open it: `.GIT`, `.git.`, `.git::$INDEX_ALLOCATION`, `.g\u200cit` are `.git`.
  const raw = rel.split('/');
  const segments = canonicalSegments(rel);
  if (segments.includes('.git') || raw.some((s) => canonicalSegment(s) === 'git~1')) {
    throw new PathError('git', candidate, `The path ${shown} is inside .git/; repository internals cannot be used.`);
  }
  if (raw.some(isShortName)) {
    throw new PathError(
      'invalid',
      candidate,
      `The path ${shown} uses a short (8.3) name, which may stand for any file; use the file's full name.`,
    );
  }
  if (segments.includes(STORE_DIR)) {
    throw new PathError(
      'protected',
      candidate,
      `The path ${shown} is inside ${STORE_DIR}/, the extension's own store.`,
    );
  }
  const kind = credentialKindOf(rel);
  if (kind) {
    throw new PathError(
      'secret',
      candidate,
      `The path ${shown} is a credential file (${kind.what}; rule "${kind.rule}"); it is never read or written. ` +
        'Put what is needed from it in the task instead.',
    );
  }
  const joined = segments.join('/');
  if (PROTECTED.has(joined) || PROTECTED_EXTENSIONS.some((ext) => joined.endsWith(ext))) {
    throw new PathError(
      'protected',
      candidate,
      `The file ${shown} is protected: editor settings and tasks can run programs and hold tokens, so models ` +
        'neither read nor change it. Change it yourself if it must change.',
    );
  }
  // Directory-only patterns such as `dist/` match a directory only when it is asked about with its trailing slash.
  if (opts.rules?.isIgnored(isDir ? `${rel}/` : rel)) {
    throw new PathError(
      'ignored',
      candidate,
      `The path ${shown} is excluded by .gitignore, .git/info/exclude, the global git excludes or ${IGNORE_FILE}; ` +
        'remove it from there to let models use it.',
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
