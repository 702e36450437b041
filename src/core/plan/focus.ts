import { promises as fs } from 'node:fs';
import type { OutlineSource } from './outline';
import { defaultOutline, namesDefinition, qualifiedName } from './outline';
import type { FileInScope } from './schema';
import { focusOf, isWholeFile } from './schema';

/** Definitions listed in an error about a symbol that does not exist: enough to pick from, not the whole file. */
const NAMES_IN_ERROR = 40;

/**
 * What is wrong with a file's focus, as messages the planner can act on: symbols the file does not define (with the
 * ones it does), line ranges outside the file, a focus on a file that does not exist yet. `abs` is the file on
 * disk, undefined when it does not exist.
 */
export async function checkFocus(
  file: FileInScope,
  abs: string | undefined,
  outline: OutlineSource = defaultOutline,
): Promise<string[]> {
  const focus = focusOf(file);
  if (isWholeFile(focus)) {
    return [];
  }
  const shown = JSON.stringify(file.path);
  if (file.create || abs === undefined) {
    return [`${shown} does not exist yet, so it has no symbols or lines to focus on; leave its focus empty.`];
  }
  const text = await fs.readFile(abs, 'utf8');
  const lineCount = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  const errors: string[] = [];
  for (const { start, end } of focus.lines) {
    if (start < 1 || end < start || end > lineCount) {
      errors.push(
        `${shown} lines ${start}-${end}: ${
          end < start ? 'the range ends before it starts' : `the file has ${lineCount} lines`
        }; give 1-based ranges within 1-${lineCount}.`,
      );
    }
  }
  if (focus.symbols.length === 0) {
    return errors;
  }
  const definitions = await outline(file.path, text);
  if (definitions === undefined) {
    errors.push(`${shown}: its definitions cannot be read for this kind of file; give focus.lines instead of symbols.`);
    return errors;
  }
  const missing = focus.symbols.filter((name) => !definitions.some((d) => namesDefinition(name, d)));
  if (missing.length > 0) {
    const names = [...new Set(definitions.map(qualifiedName))];
    const list = names.slice(0, NAMES_IN_ERROR).join(', ');
    const more = names.length > NAMES_IN_ERROR ? ` (and ${names.length - NAMES_IN_ERROR} more)` : '';
    errors.push(
      `${shown} defines no ${missing.map((m) => JSON.stringify(m)).join(', ')}; ` +
        (names.length > 0
          ? `its definitions are: ${list}${more}. Name one of these, or give focus.lines.`
          : 'it has no definitions to name; give focus.lines, or leave focus empty for the whole file.'),
    );
  }
  return errors;
}
