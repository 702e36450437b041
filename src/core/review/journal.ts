import type { Logger, WorkspaceIO } from '../contract';
import { hashText } from '../edits/proposal';
import type { AcceptJournal, Store } from '../store/store';

/** One file an accept writes: what it held before and what it holds after. */
export interface JournalFile {
  path: string;
  before: string | null;
  after: string;
}

export function journalFiles(files: readonly JournalFile[]): AcceptJournal['files'] {
  return files.map((f) => ({ ...f, beforeHash: hashText(f.before), afterHash: hashText(f.after) }));
}

/**
 * An accept changes several workspace files and then the subtask's record; a process killed in between would leave
 * some files changed and the subtask still in review. So the accept first writes a journal (every file's text before
 * and after, and the record as it will be), then the files, then the record, then deletes the journal. The next
 * process to open the store (under its lock, before reading the plan) finds a journal left behind and:
 * - completes the accept when every file holds its before or its after text: writes the rest, then the record;
 * - otherwise (someone changed a file since) rolls it back: every file that holds its after text gets its before
 *   text back, and the subtask stays in review.
 * Either way it says what it did; returns that sentence, or undefined when there was no journal.
 */
export async function settleJournal(store: Store, io: WorkspaceIO, log: Logger): Promise<string | undefined> {
  const journal = await store.loadJournal();
  if (!journal) {
    return undefined;
  }
  const planId = await store.planId();
  if (planId !== journal.planId) {
    await store.deleteJournal();
    const text = `an interrupted accept of subtask "${journal.subtaskId}" belonged to a plan that is gone; it was dropped`;
    log('warn', text);
    return text;
  }
  const disk = await Promise.all(journal.files.map((f) => io.read(f.path)));
  const at = journal.files.map((f, i) => {
    const hash = hashText(disk[i] ?? null);
    return hash === f.afterHash ? 'after' : hash === f.beforeHash ? 'before' : 'moved';
  });
  let text: string;
  if (at.every((a) => a !== 'moved')) {
    const rest = journal.files.filter((_, i) => at[i] === 'before');
    for (const f of rest) {
      await io.write(f.path, f.after);
    }
    await store.saveProposal(journal.proposal);
    const record = await store.readSubtask(journal.planId, journal.subtaskId);
    await store.saveSubtask(journal.planId, journal.state, { rev: (record?.rev ?? 0) + 1 });
    text =
      `finished the accept of subtask "${journal.subtaskId}" that was interrupted: ${rest.length} of ` +
      `${journal.files.length} file(s) were still to write (${journal.files.map((f) => f.path).join(', ')})`;
  } else {
    const undo = journal.files.filter((_, i) => at[i] === 'after');
    for (const f of undo) {
      if (f.before === null) {
        await io.remove?.(f.path);
      } else {
        await io.write(f.path, f.before);
      }
    }
    const moved = journal.files.filter((_, i) => at[i] === 'moved').map((f) => f.path);
    text =
      `rolled back the interrupted accept of subtask "${journal.subtaskId}" (${undo.length} file(s) restored), ` +
      `because ${moved.join(', ')} changed since; the subtask is still in review`;
  }
  await store.deleteJournal();
  log('warn', text);
  return text;
}
