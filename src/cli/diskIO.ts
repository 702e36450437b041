import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { UTF8, encodeText, readTextFile } from '../core/edits/encoding';
import type { WorkspaceIO } from '../core/orchestrator';
import { resolveInWorkspace } from '../core/workspace/confine';

/**
 * The workspace on disk. A file is read in its own encoding and written back in it (UTF-8 for a new file), so the
 * bytes outside an accepted change stay what they were; binary files, files over the size limit and text the
 * encoding cannot hold are refused before anything is written. Writes go to a temporary file beside the target and
 * are renamed over it, so an interrupted apply never leaves half a file; an existing file keeps its permissions.
 */
export function diskIO(root: string): WorkspaceIO {
  return {
    async read(rel) {
      const { abs } = await resolveInWorkspace(root, rel);
      return (await readTextFile(abs, rel))?.text ?? null;
    },
    async write(rel, text) {
      const { abs } = await resolveInWorkspace(root, rel, { forWrite: true });
      const bytes = encodeText(text, (await readTextFile(abs, rel))?.encoding ?? UTF8, rel);
      await fs.mkdir(path.dirname(abs), { recursive: true });
      const mode = await fs.stat(abs).then(
        (s) => s.mode,
        () => undefined,
      );
      const tmp = `${abs}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await fs.writeFile(tmp, bytes, mode === undefined ? undefined : { mode });
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
