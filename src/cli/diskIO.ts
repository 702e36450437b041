import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { WorkspaceIO } from '../core/orchestrator';
import { resolveInWorkspace } from '../core/workspace/confine';

/**
 * The workspace on disk. Writes go to a temporary file beside the target and are renamed over it, so an interrupted
 * apply never leaves half a file; an existing file keeps its permissions.
 */
export function diskIO(root: string): WorkspaceIO {
  return {
    async read(rel) {
      const { abs } = await resolveInWorkspace(root, rel);
      try {
        return await fs.readFile(abs, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          return null;
        }
        throw err;
      }
    },
    async write(rel, text) {
      const { abs } = await resolveInWorkspace(root, rel, { forWrite: true });
      await fs.mkdir(path.dirname(abs), { recursive: true });
      const mode = await fs.stat(abs).then(
        (s) => s.mode,
        () => undefined,
      );
      const tmp = `${abs}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await fs.writeFile(tmp, text, mode === undefined ? undefined : { mode });
        await fs.rename(tmp, abs);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        throw err;
      }
    },
    async remove(rel) {
      const { abs } = await resolveInWorkspace(root, rel, { forWrite: true });
      await fs.rm(abs, { force: true });
    },
  };
}
