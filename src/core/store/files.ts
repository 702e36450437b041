import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { EnvelopeSchema } from './schemas';

/** The format this build writes and the newest it can read (1: one plan.json; 2: per-subtask records). */
export const STORE_VERSION = 2;

export type StoreKind = 'plan' | 'proposal' | 'subtask' | 'ledger' | 'journal';

/** A stored file that cannot be used. The message names the file and what to do about it. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Windows refuses to replace a file another process has open for a moment (indexers, antivirus): retry briefly. */
const RENAME_RETRIES = 5;

/** A file's text, or undefined when it does not exist. */
export async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw new StoreError(`Could not read ${file}: ${(err as Error).message}. Check its permissions.`, file);
  }
}

/** Reads `{ "version", "kind", "data" }`, refusing damaged files, other kinds and newer formats with a clear error. */
export async function readEnvelope(
  file: string,
  kind: StoreKind,
): Promise<{ version: number; data: unknown } | undefined> {
  const text = await readText(file);
  if (text === undefined) {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StoreError(
      `${file} is not valid JSON (${(err as Error).message}); it was damaged. Delete the file to start over.`,
      file,
    );
  }
  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    throw new StoreError(
      `${file} is not an Opus Orchestrator ${kind} file (no version/kind/data). Delete the file to start over.`,
      file,
    );
  }
  const { version, kind: found, data } = envelope.data;
  checkVersion(file, version);
  if (found !== kind) {
    throw new StoreError(`${file} holds a ${found}, not a ${kind}. Delete the file to start over.`, file);
  }
  return { version, data };
}

export function checkVersion(file: string, version: number): void {
  if (version > STORE_VERSION) {
    throw new StoreError(
      `${file} was written by a newer version of Opus Orchestrator (format ${version}; this version reads up to ` +
        `${STORE_VERSION}). Update the extension or delete the file.`,
      file,
    );
  }
}

/** `data` checked against `schema`; unknown fields are dropped, a wrong shape names where it is wrong. */
export function parseData<T>(file: string, schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new StoreError(
      `${file} has an unexpected shape${where} (${issue?.message ?? 'invalid'}). Delete the file to start over.`,
      file,
    );
  }
  return parsed.data;
}

/** `value` checked against `schema` before it may be written: a malformed value never reaches the disk. */
export function checkForSave<T>(file: string, kind: StoreKind, schema: z.ZodType<T>, value: T): T {
  // Parsing drops every field the schema does not name, so nothing else (an API key, say) is ever saved.
  const checked = schema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new StoreError(
      `Refused to save a malformed ${kind} to ${file} (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}).`,
      file,
    );
  }
  return checked.data;
}

export function envelopeText(kind: StoreKind, data: unknown): string {
  return `${JSON.stringify({ version: STORE_VERSION, kind, data }, null, 2)}\n`;
}

/**
 * Replaces `file` with `text` atomically: a reader sees the old file or the new one, never half of one. The content is
 * synced before the rename, so the rename never reaches the disk first.
 */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameWithRetry(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw new StoreError(`Could not save ${file}: ${(err as Error).message}. Check the folder's permissions.`, file);
  }
}

/**
 * Appends to `file` (creating it with `header` first when it is new or empty). One write per call, synced: a process
 * that dies mid-append leaves at most a torn last line, which the reader drops.
 */
export async function appendText(file: string, text: string, header: string): Promise<void> {
  try {
    const handle = await fs.open(file, 'a', 0o600);
    try {
      const { size } = await handle.stat();
      await handle.writeFile(size === 0 ? header + text : text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new StoreError(`Could not save ${file}: ${(err as Error).message}. Check the folder's permissions.`, file);
  }
}

/**
 * Creates a store folder (the workspace itself must exist); refuses one that is a link, so a workspace cannot redirect
 * writes elsewhere. The store folder gets a `.gitignore` of `*`.
 */
export async function ensureDir(dir: string, withGitignore: boolean): Promise<void> {
  const stat = await fs.lstat(dir).catch(() => undefined);
  if (stat && !stat.isDirectory()) {
    throw new StoreError(
      `${dir} exists but is not a folder (it may be a link); move it away so plans can be saved.`,
      dir,
    );
  }
  if (!stat) {
    // Not recursive: a save that comes after the workspace folder was deleted must not bring it back.
    await fs.mkdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') {
        throw new StoreError(`Could not create ${dir}: ${err.message}. Check the folder's permissions.`, dir);
      }
    });
  }
  if (withGitignore) {
    // `*` keeps the whole folder, itself included, out of git without touching the workspace's own .gitignore.
    await fs.writeFile(path.join(dir, '.gitignore'), '*\n', { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') {
        throw err;
      }
    });
  }
}

async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= RENAME_RETRIES || (code !== 'EPERM' && code !== 'EBUSY' && code !== 'EACCES')) {
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
