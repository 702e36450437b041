import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

/** Asks git, which knows worktrees, includes and every config level; undefined when git cannot answer. */
function git(root: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd: root, timeout: 10_000, windowsHide: true }, (err, stdout) => {
      resolve(err ? undefined : stdout.trim() || undefined);
    });
  });
}

/**
 * The ignore files git reads besides the .gitignore files, lowest precedence first: the user's `core.excludesFile`
 * (default `$XDG_CONFIG_HOME/git/ignore`, else `~/.config/git/ignore`), then the repository's `info/exclude` (in the
 * common git folder, so a linked worktree finds its main repository's). Files that do not exist are still listed.
 */
export async function gitExcludeFiles(root: string): Promise<string[]> {
  const [configured, infoExclude] = await Promise.all([
    git(root, ['config', '--path', '--get', 'core.excludesFile']),
    git(root, ['rev-parse', '--git-path', 'info/exclude']),
  ]);
  const xdg = process.env.XDG_CONFIG_HOME?.trim() || path.join(os.homedir(), '.config');
  const global = configured ? path.resolve(root, expandHome(configured)) : path.join(xdg, 'git', 'ignore');
  const local = infoExclude ? path.resolve(root, infoExclude) : path.join(root, '.git', 'info', 'exclude');
  return [global, local];
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}
