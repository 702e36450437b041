import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { Proposal } from '../edits/types';
import type { PlanState } from '../plan/state';
import { STORE_DIR } from '../workspace/rules';
import { EnvelopeSchema, PlanStateSchema, ProposalSchema } from './schemas';

/** The format this build writes and the newest it can read. */
export const STORE_VERSION = 1;

export type StoreKind = 'plan' | 'proposal';

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

const PROPOSAL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Windows refuses to replace a file another process has open for a moment (indexers, antivirus): retry briefly. */
const RENAME_RETRIES = 5;

/**
 * Plans and proposals of one workspace, kept in `<root>/.opus-orchestrator/` as versioned JSON. Shared by the CLI and
 * the extension, so either can pick up where the other left off. Writes are atomic: a reader sees the old file or
 * the new one, never half of one.
 */
export class Store {
  readonly dir: string;

  constructor(readonly root: string) {
    this.dir = path.join(root, STORE_DIR);
  }

  async loadPlan(): Promise<PlanState | undefined> {
    return this.read(this.planFile(), 'plan', PlanStateSchema);
  }

  async savePlan(state: PlanState): Promise<void> {
    await this.write(this.planFile(), 'plan', PlanStateSchema, state);
  }

  async loadProposal(id: string): Promise<Proposal | undefined> {
    return this.read(this.proposalFile(id), 'proposal', ProposalSchema);
  }

  async saveProposal(p: Proposal): Promise<void> {
    await this.write(this.proposalFile(p.id), 'proposal', ProposalSchema, p);
  }

  async deleteProposal(id: string): Promise<void> {
    await fs.rm(this.proposalFile(id), { force: true });
  }

  /** Forgets the plan and every proposal. */
  async clear(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  private planFile(): string {
    return path.join(this.dir, 'plan.json');
  }

  private proposalFile(id: string): string {
    if (!PROPOSAL_ID.test(id)) {
      throw new StoreError(
        `The proposal id ${JSON.stringify(id)} cannot be used as a file name; ` +
          "ids are letters, digits, '.', '_' and '-'.",
        path.join(this.dir, 'proposals'),
      );
    }
    return path.join(this.dir, 'proposals', `${id}.json`);
  }

  private async read<T>(file: string, kind: StoreKind, schema: z.ZodType<T>): Promise<T | undefined> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw new StoreError(`Could not read ${file}: ${(err as Error).message}. Check its permissions.`, file);
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
    if (version > STORE_VERSION) {
      throw new StoreError(
        `${file} was written by a newer version of Opus Orchestrator (format ${version}; this version reads up to ` +
          `${STORE_VERSION}). Update the extension or delete the file.`,
        file,
      );
    }
    if (found !== kind) {
      throw new StoreError(`${file} holds a ${found}, not a ${kind}. Delete the file to start over.`, file);
    }
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

  private async write<T>(file: string, kind: StoreKind, schema: z.ZodType<T>, value: T): Promise<void> {
    // Parsing before writing drops every field the schema does not name and keeps unreadable files off the disk.
    const checked = schema.safeParse(value);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new StoreError(
        `Refused to save a malformed ${kind} to ${file} (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}).`,
        file,
      );
    }
    const data = checked.data;
    await this.ensureDir(this.dir, true);
    await this.ensureDir(path.dirname(file), false);
    const text = `${JSON.stringify({ version: STORE_VERSION, kind, data }, null, 2)}\n`;
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await fs.open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync(); // the rename must not reach disk before the content does
      } finally {
        await handle.close();
      }
      await renameWithRetry(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw new StoreError(`Could not save ${file}: ${(err as Error).message}. Check the folder's permissions.`, file);
    }
  }

  /** Creates a store folder; refuses one that is a link, so a workspace cannot redirect writes elsewhere. */
  private async ensureDir(dir: string, withGitignore: boolean): Promise<void> {
    const stat = await fs.lstat(dir).catch(() => undefined);
    if (stat && !stat.isDirectory()) {
      throw new StoreError(
        `${dir} exists but is not a folder (it may be a link); move it away so plans can be saved.`,
        dir,
      );
    }
    if (!stat) {
      await fs.mkdir(dir, { recursive: true });
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
