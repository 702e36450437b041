import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Package manifests read at most, so a repository of thousands of packages costs a bounded read. */
const MAX_MANIFESTS = 2_000;
/** Manifests read at once. */
const READ_BATCH = 64;
/** A manifest larger than this is not a package's own (a fixture or generated file): skipped. */
const MAX_MANIFEST_BYTES = 64 * 1024;

/**
 * The folders of the packages a task names by their package name: `@babel/parser` is `packages/babel-parser`, whose
 * folder's name does not say so. Only names a plain word could not be are looked for (scoped, or with a hyphen or a
 * dot: `@babel/parser`, `create-vite`), written whole; a single-word name is a word of the task like any other, and
 * folder names already meet it. The repository's root manifest names the whole repository and is left out.
 * Returns the folders, workspace-relative and lower-cased, as the task's written paths are.
 */
export async function packagesNamedIn(
  root: string,
  files: readonly string[],
  sizes: ReadonlyMap<string, number>,
  task: string,
): Promise<string[]> {
  const taskLower = task.toLowerCase();
  // Such a name has an `@`, or a name character before a dot, hyphen or slash: a task with neither ("--verbose",
  // "send_file") names no package this way, and no manifest is read.
  if (!/@|[^\s./-][./-]/.test(taskLower)) {
    return [];
  }
  const manifests = files
    .filter((rel) => rel.endsWith('/package.json') && (sizes.get(rel) ?? 0) <= MAX_MANIFEST_BYTES)
    .slice(0, MAX_MANIFESTS);
  const named: string[] = [];
  // A few at a time: thousands of manifests read at once would hold as many files open.
  for (let i = 0; i < manifests.length; i += READ_BATCH) {
    const names = await Promise.all(
      manifests.slice(i, i + READ_BATCH).map((rel) => manifestName(path.join(root, rel))),
    );
    names.forEach((name, k) => {
      if (name !== undefined && namesPackage(taskLower, name.toLowerCase())) {
        named.push((manifests[i + k] as string).slice(0, -'/package.json'.length));
      }
    });
  }
  return [...new Set(named.map((dir) => dir.toLowerCase()))];
}

async function manifestName(file: string): Promise<string | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as { name?: unknown };
    return typeof parsed.name === 'string' ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}

/** True when the task writes `name` whole (not inside a longer name or path) and it is not a plain word. */
function namesPackage(taskLower: string, name: string): boolean {
  if (name.length < 3 || !/[@/.-]/.test(name)) {
    return false;
  }
  for (let i = taskLower.indexOf(name); i >= 0; i = taskLower.indexOf(name, i + 1)) {
    if (!/[\w@/.-]/.test(taskLower.charAt(i - 1)) && !/[\w/-]/.test(taskLower.charAt(i + name.length))) {
      return true;
    }
  }
  return false;
}
