import { promises as fs } from 'node:fs';
import path from 'node:path';
import ignore from 'ignore';
import type { Ignore } from 'ignore';
import { gitExcludeFiles } from './excludes';
import { gitListFiles } from './git';
import { listWorkspace, readDir } from './listing';
import { isCredentialPath } from './secrets';

/** The folder where plans and proposals are stored; never shown to a model, never written by one. */
export const STORE_DIR = '.opus-orchestrator';
/** The folder in STORE_DIR where the repository map keeps its cache: it belongs to the workspace and outlives plans. */
export const CACHE_DIR = 'cache';
/** A workspace's own ignore file, in .gitignore syntax, for files that may be in git but must not reach a prompt. */
export const IGNORE_FILE = '.opus-orchestratorignore';

/** Ignored whatever any ignore file says: a `!node_modules/` line must not open them up. */
const ALWAYS_IGNORED = ['.git', 'node_modules/', `${STORE_DIR}/`];

const alwaysMatcher = ignore({ ignorecase: true }).add(ALWAYS_IGNORED);
// git matches ignore patterns case-insensitively where the file system is (core.ignorecase), so follow the platform.
const GIT_IGNORECASE = process.platform === 'win32' || process.platform === 'darwin';
/** Outside git, nested .gitignore discovery stops after this many directories so that a runaway tree cannot stall. */
const MAX_DIRS_FOR_NESTED = 200_000;

/** Turns a workspace-relative path into the form the ignore matchers take, or undefined when it is not one. */
function normalizeRel(rel: string): string | undefined {
  let p = rel.replace(/\\/g, '/');
  while (p.startsWith('./')) {
    p = p.slice(2);
  }
  if (p === '' || p === '.') {
    return '';
  }
  return ignore.isPathValid(p.replace(/\/$/, '')) ? p : undefined;
}

/** True when the path is a credential file by kind (the list and the user's patterns in ./secrets.ts). */
export function isSecretPath(rel: string): boolean {
  const p = normalizeRel(rel);
  return p === undefined ? false : p !== '' && isCredentialPath(p);
}

/** One .gitignore file: its patterns apply to paths below `dir` ('' for the root). */
interface Level {
  dir: string;
  matcher: Ignore;
}

/**
 * What may enter a prompt: `.gitignore` files (root and nested), `.opus-orchestratorignore` and extra globs decide
 * what is ignored; credential files are refused whatever the ignore files say.
 */
export class WorkspaceRules {
  /** Every ignore file the rules were read from or looked for (absolute paths): a change to one changes the rules. */
  readonly sources: string[] = [];

  private constructor(
    readonly root: string,
    private readonly levels: Level[],
  ) {}

  static async load(root: string, extraIgnore: string[] = []): Promise<WorkspaceRules> {
    // git's order of precedence, lowest first: core.excludesFile, then .git/info/exclude, then the .gitignore files.
    const levels: Level[] = [];
    const excludes = await gitExcludeFiles(root);
    for (const file of excludes) {
      levels.push({ dir: '', matcher: ignore({ ignorecase: GIT_IGNORECASE }).add(await readIfExists(file)) });
    }
    const top = ignore({ ignorecase: GIT_IGNORECASE });
    top.add(await readIfExists(path.join(root, '.gitignore')));
    // The workspace's own ignore file and the extra globs come after .gitignore so that they can re-include too.
    top.add(await readIfExists(path.join(root, IGNORE_FILE)));
    top.add(extraIgnore);
    levels.push({ dir: '', matcher: top });
    const rules = new WorkspaceRules(root, levels);
    rules.sources.push(...excludes, path.join(root, '.gitignore'), path.join(root, IGNORE_FILE));
    await rules.loadNested();
    return rules;
  }

  /** True for paths the ignore files exclude. Directories may be given with a trailing slash. */
  isIgnored(rel: string): boolean {
    const p = normalizeRel(rel);
    if (p === undefined) {
      return true; // not a workspace-relative path: nothing about it may be trusted
    }
    if (p === '') {
      return false;
    }
    if (alwaysMatcher.ignores(p)) {
      return true;
    }
    // Deeper .gitignore files take precedence over shallower ones, as in git.
    let ignored = false;
    for (const level of this.levels) {
      const below = level.dir === '' ? p : p.startsWith(`${level.dir}/`) ? p.slice(level.dir.length + 1) : '';
      // A .gitignore speaks of what is below its folder, never of the folder itself (nor of anything elsewhere).
      if (below === '' || below === '/') {
        continue;
      }
      const result = level.matcher.test(below);
      if (result.ignored) {
        ignored = true;
      } else if (result.unignored) {
        ignored = false;
      }
    }
    return ignored;
  }

  isSecret(rel: string): boolean {
    return isSecretPath(rel);
  }

  /** A file may be read into a prompt when it is neither ignored nor a credential. */
  mayRead(rel: string): boolean {
    return !this.isIgnored(rel) && !this.isSecret(rel);
  }

  /** Picks up .gitignore files below the root, skipping ignored directories as git does. */
  private async loadNested(): Promise<void> {
    // git knows every .gitignore it reads, however deep the tree: ask it rather than walk.
    const fromGit = await gitListFiles(this.root, [':(glob)**/.gitignore']);
    if (fromGit) {
      // Shallow to deep, the order of precedence; a file the levels loaded so far ignore is one git does not read.
      const nested = fromGit
        .filter((rel) => rel.endsWith('/.gitignore'))
        .sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
      for (const rel of nested) {
        if (!this.isIgnored(rel)) {
          const matcher = ignore({ ignorecase: GIT_IGNORECASE }).add(await readIfExists(path.join(this.root, rel)));
          this.levels.push({ dir: rel.slice(0, -'/.gitignore'.length), matcher });
          this.sources.push(path.join(this.root, rel));
        }
      }
      return;
    }
    // Breadth-first, so that levels end up ordered shallow to deep: the order of precedence.
    const queue = [''];
    let visited = 0;
    for (let dir = queue.shift(); dir !== undefined && visited < MAX_DIRS_FOR_NESTED; dir = queue.shift()) {
      visited++;
      const entries = await readDir(path.join(this.root, dir));
      for (const entry of entries) {
        const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory() && !this.isIgnored(`${rel}/`)) {
          queue.push(rel);
        } else if (entry.isFile() && entry.name === '.gitignore' && dir !== '') {
          const text = await readIfExists(path.join(this.root, rel));
          this.levels.push({ dir, matcher: ignore({ ignorecase: GIT_IGNORECASE }).add(text) });
          this.sources.push(path.join(this.root, rel));
        }
      }
    }
  }
}

async function readIfExists(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Every file a prompt may see, as sorted workspace-relative paths with forward slashes: the files git would list
 * (tracked, and untracked but not ignored), or in a folder that is not a git repository a walk that honours the same
 * ignore files; less ignored and credential files, third-party trees and caches (see `listWorkspace`).
 */
export async function listFiles(root: string, rules: WorkspaceRules, opts: { limit?: number } = {}): Promise<string[]> {
  return (await listWorkspace(root, rules, opts)).files;
}
