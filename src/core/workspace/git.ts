import { simpleGit } from 'simple-git';
import type { SimpleGit } from 'simple-git';

export interface GitCommit {
  /** Abbreviated hash, as `git log --format=%h` prints it. */
  hash: string;
  subject: string;
}

/** What the planner is told about the repository's state. */
export interface GitFacts {
  /** The current branch; undefined when HEAD is detached. */
  branch: string | undefined;
  detached: boolean;
  /** The upstream branch, when there is one; `ahead`/`behind` count against it. */
  tracking: string | undefined;
  ahead: number;
  behind: number;
  /** `git status --short` lines (`XY path`), at most `maxChanged` of them. */
  changed: string[];
  /** The paths of `changed` (for a rename, the new path), relative to the repository's top folder. */
  changedPaths: string[];
  /** How many files are changed in all, including those left out of `changed`. */
  changedTotal: number;
  /** The latest commits, newest first; empty in a repository without commits. */
  commits: GitCommit[];
}

export interface GitFactsOptions {
  maxChanged?: number;
  maxCommits?: number;
  /** Changed files for which this returns false are left out, e.g. ignored or credential files. */
  mayShow?: (rel: string) => boolean;
}

function open(root: string): SimpleGit {
  return simpleGit({
    baseDir: root,
    maxConcurrentProcesses: 2,
    // A workspace's own git config could name an fsmonitor program; reading facts must never run one. simple-git
    // blocks every fsmonitor setting by default, including the one that switches it off, hence the flag.
    config: ['core.fsmonitor=false'],
    unsafe: { allowUnsafeFsMonitor: true },
    timeout: { block: 15_000 },
  });
}

/**
 * Branch, upstream distance, changed files and recent commits of the repository at `root`; undefined when `root`
 * is not inside a git work tree or git cannot run. Never throws for a repository without commits.
 */
export async function gitFacts(root: string, opts: GitFactsOptions = {}): Promise<GitFacts | undefined> {
  const maxChanged = opts.maxChanged ?? 50;
  const maxCommits = opts.maxCommits ?? 5;
  const git = open(root);
  try {
    if (!(await git.checkIsRepo())) {
      return undefined;
    }
    const [status, commits] = await Promise.all([git.status(), recentCommits(git, maxCommits)]);
    const shown = status.files.filter((f) => opts.mayShow?.(f.path) ?? true);
    const lines = shown.map((f) => {
      const from = 'from' in f && f.from && f.from !== f.path ? `${f.from} -> ` : '';
      return `${f.index}${f.working_dir} ${from}${f.path}`;
    });
    return {
      branch: status.detached ? undefined : (status.current ?? undefined),
      detached: status.detached,
      tracking: status.tracking ?? undefined,
      ahead: status.ahead,
      behind: status.behind,
      changed: lines.slice(0, maxChanged),
      changedPaths: shown.slice(0, maxChanged).map((f) => f.path),
      changedTotal: lines.length,
      commits,
    };
  } catch {
    // git missing, a repository git refuses (e.g. "dubious ownership"): the map is still useful without git facts.
    return undefined;
  }
}

async function recentCommits(git: SimpleGit, max: number): Promise<GitCommit[]> {
  if (max <= 0) {
    return [];
  }
  try {
    const out = await git.raw(['log', `-n${max}`, '--no-color', '--format=%h%x1f%s']);
    return out
      .split('\n')
      .filter((line) => line.includes('\x1f'))
      .map((line) => {
        const [hash = '', subject = ''] = line.split('\x1f');
        return { hash, subject };
      });
  } catch {
    return []; // a repository without commits has no HEAD for `git log` to start from
  }
}

/**
 * The files git would list for `root`: tracked ones plus untracked ones no ignore rule excludes (`.gitignore` at
 * every depth, `.git/info/exclude`, the user's `core.excludesFile`), relative to `root` with forward slashes.
 * Undefined when `root` is not inside a git work tree or git cannot run, so the caller can walk the folder instead.
 * Entries may name files deleted since they were staged, submodule folders and nested repositories (`dir/`).
 */
export async function gitListFiles(root: string, pathspec: string[] = []): Promise<string[] | undefined> {
  const git = open(root);
  try {
    // -z: names as they are (no quoting of spaces or non-ASCII characters), NUL-separated.
    const out = await git.raw(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...pathspec]);
    return [...new Set(out.split('\0').filter((p) => p !== ''))];
  } catch {
    return undefined; // not a repository, git missing, or a repository git refuses: the caller walks the folder
  }
}

/** The facts as a few lines of plain text for a prompt. */
export function formatGitFacts(facts: GitFacts, maxChangedLines = 20): string {
  const lines: string[] = [];
  let head = facts.detached ? 'detached HEAD' : `branch ${facts.branch ?? '(unknown)'}`;
  if (facts.tracking) {
    head += ` (tracking ${facts.tracking}, ahead ${facts.ahead}, behind ${facts.behind})`;
  }
  lines.push(head);
  if (facts.changedTotal === 0) {
    lines.push('working tree clean');
  } else {
    lines.push(`changed files (${facts.changedTotal}):`);
    for (const line of facts.changed.slice(0, maxChangedLines)) {
      lines.push(`  ${line}`);
    }
    const rest = facts.changedTotal - Math.min(facts.changed.length, maxChangedLines);
    if (rest > 0) {
      lines.push(`  … and ${rest} more`);
    }
  }
  if (facts.commits.length === 0) {
    lines.push('no commits yet');
  } else {
    lines.push('recent commits:');
    for (const c of facts.commits) {
      lines.push(`  ${c.hash} ${c.subject}`);
    }
  }
  return lines.join('\n');
}
