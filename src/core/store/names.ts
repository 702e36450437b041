import { createHash } from 'node:crypto';

/** Used as a file name as it is: short, lower case (so no two such names differ only by case), no special characters. */
const PLAIN = /^[a-z0-9][a-z0-9._-]{0,79}$/;
/** Device names Windows refuses as a file name, whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/;
/** How much of an unusual id stays readable in front of its hash. */
const SLUG_CHARS = 48;
/** Proposal ids the store accepts: ours are subtask ids plus an attempt number, never anything that names a folder. */
const PROPOSAL_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;
/** Subtask ids usable inside a proposal id as they are. */
const SIMPLE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The file name (without extension) of the record of `id`. A short ordinary id is its own name, so the folder stays
 * readable. Any other id — long, upper case, with characters a file system refuses or treats specially — becomes a
 * readable prefix, '~' and a hash of the whole id: the name is short and safe whatever the id, and two ids never share
 * a file (plain names never contain '~', so the two forms cannot meet).
 */
export function recordName(id: string): string {
  if (PLAIN.test(id) && !RESERVED.test(id)) {
    return id;
  }
  const slug = id
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, SLUG_CHARS);
  const hash = createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 16);
  return `${slug || 'id'}~${hash}`;
}

/** Whether the store takes `id` as a proposal id (it refuses anything that looks like a path). */
export function isProposalId(id: string): boolean {
  return PROPOSAL_ID.test(id);
}

/** The id of a subtask's proposal for one attempt; always an id the store accepts, whatever the subtask id. */
export function proposalIdFor(subtaskId: string, attempt: number): string {
  return `${SIMPLE_ID.test(subtaskId) ? subtaskId : recordName(subtaskId)}-${attempt}`;
}
