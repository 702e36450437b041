import { lstatSync, promises as fs, realpathSync, statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { gitListFiles } from './git';
import type { WorkspaceRules } from './rules';
import { secretPolicy } from './secrets';
import { leftOutReason, splitThirdParty, VENV_MARKER, venvDirsOf } from './thirdParty';
import type { LeftOutTree } from './thirdParty';

/** The files of a workspace a planner may be shown, and what was left out of them. */
export interface WorkspaceListing {
  /** Readable files, sorted, workspace-relative with forward slashes; third-party trees and caches excluded. */
  files: string[];
  /** Size in bytes of each listed file (of its target, for a link). */
  sizes: Map<string, number>;
  /** Last modification time of each listed file, in milliseconds: with the size, what caches key on. */
  mtimes: Map<string, number>;
  /** Third-party trees, virtual environments and caches that were left out, with their file counts where known. */
  leftOut: LeftOutTree[];
  /** True when git gave the list; false when the folder was walked. */
  fromGit: boolean;
}

/**
 * Files checked (lstat) between two yields. Synchronous checks: ten thousand of them take tens of milliseconds,
 * where as many promises would take ten times that.
 */
const STAT_CHUNK = 1_000;

/**
 * The files git would list (`git ls-files --cached --others --exclude-standard`: tracked, and untracked but not
 * ignored by any .gitignore, `.git/info/exclude` or the user's excludes file), filtered by the workspace's rules
 * (`.opus-orchestratorignore`, extra globs, credentials, always-ignored folders), with third-party trees, virtual
 * environments and caches counted apart. Outside a git repository, a walk that never enters an ignored folder.
 * Links are listed only when they point at a readable file inside the workspace; links to folders are not followed.
 */
export async function listWorkspace(
  root: string,
  rules: WorkspaceRules,
  opts: { limit?: number } = {},
): Promise<WorkspaceListing> {
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  const realRoot = await fs.realpath(root);
  const listed = await gitListFiles(root);
  const sizes = new Map<string, number>();
  const mtimes = new Map<string, number>();
  if (listed === undefined) {
    return walk(root, realRoot, rules, limit);
  }
  // A nested repository shows up as `dir/`, a submodule as a folder: neither is a file of this one.
  const readable = listed.filter((rel) => !rel.endsWith('/') && rules.mayRead(rel));
  const { own, leftOut } = splitThirdParty(readable, venvDirsOf(listed));
  own.sort();
  const files: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const rel = own[i] as string;
    const st = fileStat(realRoot, rules, root, rel);
    if (st !== undefined) {
      sizes.set(rel, st.size);
      mtimes.set(rel, st.mtimeMs);
    }
    if (i % STAT_CHUNK === STAT_CHUNK - 1) {
      await setImmediate(); // let other work run between chunks: an extension host must stay responsive
    }
  }
  for (const rel of own) {
    if (sizes.has(rel) && files.length < limit) {
      files.push(rel);
    }
  }
  return { files, sizes, mtimes, leftOut, fromGit: true };
}

type FileStat = { size: number; mtimeMs: number };

/**
 * Size and time of a listed file, or undefined when it is gone, not a file, a link that may not be followed, or a
 * file with more than one hard link (its other name may be anywhere, outside the workspace too) unless the user
 * allowed those: the listing refuses what confinement refuses.
 */
function fileStat(realRoot: string, rules: WorkspaceRules, root: string, rel: string): FileStat | undefined {
  try {
    const st = lstatSync(path.join(root, rel));
    if (st.isFile()) {
      return st.nlink > 1 && !secretPolicy().allowHardLinks ? undefined : { size: st.size, mtimeMs: st.mtimeMs };
    }
    return st.isSymbolicLink() ? linkedFileStat(realRoot, rules, path.join(root, rel)) : undefined;
  } catch {
    return undefined; // deleted since it was staged, or vanished while listing
  }
}

async function walk(root: string, realRoot: string, rules: WorkspaceRules, limit: number): Promise<WorkspaceListing> {
  const files: string[] = [];
  const sizes = new Map<string, number>();
  const mtimes = new Map<string, number>();
  const leftOut: LeftOutTree[] = [];
  const stack = [''];
  for (let dir = stack.pop(); dir !== undefined && files.length < limit; dir = stack.pop()) {
    const entries = (await readDir(path.join(root, dir))).sort((a, b) => (a.name < b.name ? -1 : 1));
    if (dir !== '' && entries.some((e) => e.isFile() && e.name === VENV_MARKER)) {
      leftOut.push({ dir, reason: 'virtual environment', files: undefined });
      continue;
    }
    const subdirs: string[] = [];
    for (const entry of entries) {
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        const reason = leftOutReason(entry.name);
        if (rules.isIgnored(`${rel}/`)) {
          continue;
        }
        if (reason) {
          leftOut.push({ dir: rel, reason, files: undefined }); // not walked: counting it would cost what leaving it out saves
        } else {
          subdirs.push(rel);
        }
      } else if (files.length < limit && (entry.isFile() || entry.isSymbolicLink()) && rules.mayRead(rel)) {
        const st = fileStat(realRoot, rules, root, rel);
        if (st !== undefined) {
          files.push(rel);
          sizes.set(rel, st.size);
          mtimes.set(rel, st.mtimeMs);
        }
      }
    }
    stack.push(...subdirs.reverse());
  }
  leftOut.sort((a, b) => (a.dir < b.dir ? -1 : 1));
  return { files: files.sort(), sizes, mtimes, leftOut, fromGit: false };
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== '' && !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel);
}

/** A link counts only when its target is a readable file inside the workspace (a link to `.env` is a secret). */
function linkedFileStat(realRoot: string, rules: WorkspaceRules, link: string): FileStat | undefined {
  try {
    const real = realpathSync(link);
    const st = statSync(real);
    if (!isInside(realRoot, real) || !st.isFile() || (st.nlink > 1 && !secretPolicy().allowHardLinks)) {
      return undefined;
    }
    const readable = rules.mayRead(path.relative(realRoot, real).split(path.sep).join('/'));
    return readable ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

export async function readDir(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return []; // unreadable or vanished while walking: skip it rather than fail the whole walk
  }
}
