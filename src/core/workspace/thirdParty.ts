/**
 * Trees of code the project did not write (dependencies copied in, virtual environments) and caches. They are left
 * out of the file list — a planner would only drown in them — yet stay readable when a plan names a file in them.
 */

/** Folder names that hold other people's code or tool caches wherever they sit. Matched case-sensitively, as named. */
const LEFT_OUT_DIRS: Record<string, LeftOutReason> = {
  vendor: 'third-party',
  third_party: 'third-party',
  'third-party': 'third-party',
  thirdparty: 'third-party',
  ThirdParty: 'third-party',
  site_packages: 'third-party',
  'site-packages': 'third-party',
  'dist-packages': 'third-party',
  bower_components: 'third-party',
  jspm_packages: 'third-party',
  __pypackages__: 'third-party',
  Pods: 'third-party',
  Carthage: 'third-party',
  '.yarn': 'third-party',
  '.pnpm-store': 'third-party',
  '.tox': 'virtual environment',
  '.nox': 'virtual environment',
  __pycache__: 'cache',
  '.mypy_cache': 'cache',
  '.pytest_cache': 'cache',
  '.ruff_cache': 'cache',
  '.gradle': 'cache',
  '.terraform': 'cache',
  '.next': 'cache',
  '.nuxt': 'cache',
  '.parcel-cache': 'cache',
  '.turbo': 'cache',
  '.angular': 'cache',
  '.svelte-kit': 'cache',
};

/** The file that marks a Python virtual environment's folder, whatever the folder is called. */
export const VENV_MARKER = 'pyvenv.cfg';

export type LeftOutReason = 'third-party' | 'virtual environment' | 'cache';

/** A folder left out of the file list, with how many files git lists in it (undefined when it was not walked). */
export interface LeftOutTree {
  dir: string;
  reason: LeftOutReason;
  files: number | undefined;
}

/** Why a folder of this name is left out, or undefined when it is not. */
export function leftOutReason(name: string): LeftOutReason | undefined {
  return Object.hasOwn(LEFT_OUT_DIRS, name) ? LEFT_OUT_DIRS[name] : undefined;
}

/**
 * Sorts listed paths into the project's own files and left-out trees. `venvDirs` are folders known to hold a
 * `pyvenv.cfg` (from the listing itself or the walk); a tree inside another left-out tree counts toward the outer one.
 */
export function splitThirdParty(
  paths: string[],
  venvDirs: Iterable<string> = venvDirsOf(paths),
): { own: string[]; leftOut: LeftOutTree[] } {
  const venvs = new Set(venvDirs);
  const trees = new Map<string, LeftOutTree>();
  const own: string[] = [];
  for (const rel of paths) {
    const tree = leftOutTreeOf(rel, venvs);
    if (tree === undefined) {
      own.push(rel);
      continue;
    }
    const found = trees.get(tree.dir);
    if (found) {
      found.files = (found.files ?? 0) + 1;
    } else {
      trees.set(tree.dir, { ...tree, files: 1 });
    }
  }
  return { own, leftOut: [...trees.values()].sort((a, b) => (a.dir < b.dir ? -1 : 1)) };
}

/** The outermost left-out folder `rel` lies in, if any. */
export function leftOutTreeOf(
  rel: string,
  venvs: ReadonlySet<string>,
): { dir: string; reason: LeftOutReason } | undefined {
  const parts = rel.split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    const dir = parts.slice(0, i + 1).join('/');
    if (venvs.has(dir)) {
      return { dir, reason: 'virtual environment' };
    }
    const reason = leftOutReason(parts[i] as string);
    if (reason) {
      return { dir, reason };
    }
  }
  return undefined;
}

/** Folders holding a `pyvenv.cfg` among the listed paths. */
export function venvDirsOf(paths: string[]): string[] {
  const out: string[] = [];
  for (const rel of paths) {
    if (rel === VENV_MARKER) {
      continue; // the workspace itself is the environment: nothing would be left to plan in
    }
    if (rel.endsWith(`/${VENV_MARKER}`)) {
      out.push(rel.slice(0, -VENV_MARKER.length - 1));
    }
  }
  return out;
}
