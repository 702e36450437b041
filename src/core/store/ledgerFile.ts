import type { UsageEntry } from '../plan/state';
import { StoreError, STORE_VERSION, checkForSave, checkVersion, parseData } from './files';
import { LedgerHeaderSchema, UsageEntrySchema } from './schemas';

/**
 * ledger.jsonl: a header line naming the format and the plan, then one usage entry per line. Recording a model call
 * appends a line instead of rewriting every call made so far.
 */

export function ledgerHeader(planId: string): string {
  return `${JSON.stringify({ version: STORE_VERSION, kind: 'ledger', planId })}\n`;
}

/** The entries as lines to append; checked first, so a malformed entry never reaches the file. */
export function ledgerLines(file: string, entries: readonly UsageEntry[]): string {
  return entries.map((e) => `${JSON.stringify(checkForSave(file, 'ledger', UsageEntrySchema, e))}\n`).join('');
}

export interface ParsedLedger {
  entries: UsageEntry[];
  /** What was wrong and repaired (a torn last line, a ledger of another plan); empty when the file was sound. */
  notes: string[];
}

/**
 * The entries of a stored ledger. A last line without its newline is what a process that died mid-append leaves: it
 * is dropped (and said so). Damage anywhere else is refused, naming the line.
 */
export function parseLedger(file: string, text: string, planId: string): ParsedLedger {
  const lines = text.split('\n');
  const torn = lines.pop() ?? '';
  const notes: string[] = [];
  if (torn !== '') {
    notes.push(`${file}: dropped an unfinished last line (the process writing it stopped mid-way).`);
  }
  const [first, ...rest] = lines;
  if (first === undefined) {
    return { entries: [], notes };
  }
  const header = LedgerHeaderSchema.safeParse(tryJson(first));
  if (!header.success) {
    throw new StoreError(`${file} has no ledger header on its first line. Delete the file to start over.`, file);
  }
  checkVersion(file, header.data.version);
  if (header.data.planId !== planId) {
    notes.push(`${file} belonged to another plan (${header.data.planId}); its usage is not counted for this one.`);
    return { entries: [], notes };
  }
  const entries = rest.map((line, i) => {
    const json = tryJson(line);
    if (json === undefined) {
      throw new StoreError(
        `${file} line ${i + 2} is not valid JSON; it was damaged. Delete the file to start over.`,
        file,
      );
    }
    return parseData(`${file} line ${i + 2}`, UsageEntrySchema, json);
  });
  return { entries, notes };
}

function tryJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}
