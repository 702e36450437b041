import type { ToolTextEditor20250728 } from '@anthropic-ai/sdk/resources/messages/messages';
import { firstUnencodable, tooLarge } from './encoding';
import { MAX_CREATED_FILES, MAX_FILE_BYTES, MAX_TOOL_TEXT, describeLimit, describeSize } from './limits';
import { findReplacement } from './match';
import type { MatchResult, Tolerance } from './match';
import type { Overlay } from './overlay';
import { containsMarker } from '../secrets/redactor';
import { applyModelEdit, toModelText } from './text';
import { ToolError, countLines, lf, linesOf, shown, snippet, view } from './editorView';

/**
 * Anthropic's client-side text editor tool. Models are trained on its commands, and its exact-unique-match rule turns
 * a bad match into an error the model can fix instead of a silent edit in the wrong place.
 */
export const EDITOR_TOOL: ToolTextEditor20250728 = {
  type: 'text_editor_20250728',
  name: 'str_replace_based_edit_tool',
};

/**
 * Turns a path a model named into the workspace-relative path to use, or throws with a message the model can read
 * (outside the workspace, a secret, a protected file...). `access` lets writes be refused where reads are allowed.
 */
export type PathGuard = (path: string, access: 'read' | 'write') => Promise<string>;

/** What goes back to the model as the `tool_result`: text, and whether it reports a failure. */
export interface EditorResult {
  content: string;
  isError: boolean;
}

/**
 * How the tool keeps secrets out of what it shows the model (views, snippets, errors) and edits off them. The model
 * sees a marker where a secret is; the overlay keeps the real text, so edits around a secret apply exactly.
 */
export interface EditorSecrets {
  redact(text: string, rel: string): Promise<string>;
  findings(text: string): Promise<ReadonlyArray<{ start: number; end: number }>>;
}

const COMMANDS = ['view', 'str_replace', 'create', 'insert'] as const;
type Command = (typeof COMMANDS)[number];

/**
 * Runs one call of the editor tool against the overlay. Every path goes through `guard` first; nothing reaches the
 * disk. The model reads and writes LF text without a byte-order mark, and each file keeps its own line endings (line
 * by line), BOM, final newline and encoding. Every call is bounded (see ./limits): text past the size limits and
 * new characters the file's encoding cannot hold are refused before anything is written. Failures come back as
 * `isError` results, never as exceptions.
 */
export async function executeEditorCall(
  overlay: Overlay,
  input: unknown,
  guard: PathGuard,
  secrets?: EditorSecrets,
): Promise<EditorResult> {
  let rel: string | undefined;
  try {
    const args = asRecord(input);
    const command = args.command;
    if (command === 'undo_edit') {
      throw new ToolError(
        'undo_edit is not available. To revert a change, call str_replace with the current text as old_str and the ' +
          'earlier text as new_str.',
      );
    }
    if (typeof command !== 'string' || !(COMMANDS as readonly string[]).includes(command)) {
      throw new ToolError(`Unknown command ${JSON.stringify(command ?? null)}. Use one of: ${COMMANDS.join(', ')}.`);
    }
    const path = requireString(args, 'path');
    if (path.trim() === '') {
      throw new ToolError('The "path" parameter is empty; give a path relative to the workspace root.');
    }
    rel = await guard(path, command === 'view' ? 'read' : 'write');
    refuseMarkers(args);
    const before = secrets && command !== 'view' ? await overlay.read(rel) : null;
    const content = await run(command as Command, overlay, rel, args);
    if (secrets && before !== null) {
      await keepSecrets(overlay, rel, before, secrets);
    }
    return { content: secrets ? await secrets.redact(content, rel) : content, isError: false };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { content: secrets ? await secrets.redact(message, rel ?? '') : message, isError: true };
  }
}

/** A marker copied into an edit would either match nothing real or write the marker over the secret. */
function refuseMarkers(args: Record<string, unknown>): void {
  for (const name of ['old_str', 'new_str', 'file_text', 'insert_text']) {
    const value = args[name];
    if (typeof value === 'string' && containsMarker(value)) {
      throw new ToolError(
        `No change was made: ${name} contains a «secret redacted» marker. The secret it stands for stays as it is ` +
          'in the file; choose old_str from the lines around it and leave that line out of the edit.',
      );
    }
  }
}

/** Undoes an edit that changed or removed a secret of the file (an old_str that covered one), and says so. */
async function keepSecrets(overlay: Overlay, rel: string, before: string, secrets: EditorSecrets): Promise<void> {
  const after = (await overlay.read(rel)) ?? '';
  const values = (await secrets.findings(before)).map((f) => before.slice(f.start, f.end));
  const lost = values.some((v) => after.split(v).length < before.split(v).length);
  if (lost) {
    overlay.write(rel, before);
    throw new ToolError(
      `No change was made: the edit would change a redacted secret in ${rel}. Leave the line with the ` +
        '«secret redacted» marker out of old_str and edit only the lines around it.',
    );
  }
}

function run(command: Command, overlay: Overlay, rel: string, args: Record<string, unknown>): Promise<string> {
  switch (command) {
    case 'view':
      return view(overlay, rel, args, (r) => readExisting(overlay, r));
    case 'str_replace':
      return strReplace(overlay, rel, args);
    case 'create':
      return create(overlay, rel, args);
    case 'insert':
      return insert(overlay, rel, args);
  }
}

async function strReplace(overlay: Overlay, rel: string, args: Record<string, unknown>): Promise<string> {
  const oldStr = lf(requireText(args, 'old_str', MAX_FILE_BYTES));
  const newStr = lf(requireText(args, 'new_str'));
  if (oldStr === '') {
    throw new ToolError('old_str is empty. Copy the exact lines to replace from the file (view it first).');
  }
  const current = await readExisting(overlay, rel);
  const model = toModelText(current);
  const match = findReplacement(model, oldStr, newStr);
  if (match.kind === 'ambiguous') {
    throw new ToolError(
      `No replacement was performed: found ${matchCount(match)} of old_str in ${rel} ` +
        `(lines ${matchLines(match)})${describe(match.tolerance)}. ` +
        'Add more surrounding lines to old_str so it matches exactly one place.',
    );
  }
  if (match.kind === 'missing') {
    throw new ToolError(
      `No replacement was performed: old_str does not appear in ${rel}. ${match.hint} ` +
        'View the file and copy the current text exactly.',
    );
  }
  await checkEncodable(overlay, rel, match.replacement, 'new_str');
  overlay.write(rel, checkSize(rel, applyModelEdit(current, match.start, match.end, match.replacement)));
  const next = model.slice(0, match.start) + match.replacement + model.slice(match.end);
  const replaced = countLines(model.slice(match.start, match.end));
  const added = countLines(match.replacement);
  const firstLine = model.slice(0, match.start).split('\n').length;
  const note = match.tolerance ? ` Matched${describe(match.tolerance)}${reindented(match.tolerance)}.` : '';
  return (
    `Edited ${rel}: replaced ${plural(replaced, 'line')} with ${added}.${note}\n` +
    snippet(next, firstLine, Math.max(added, 1), match.replacement === newStr && added > 0)
  );
}

async function create(overlay: Overlay, rel: string, args: Record<string, unknown>): Promise<string> {
  const fileText = lf(requireText(args, 'file_text'));
  const current = await overlay.read(rel);
  if (current === null && (await overlay.list(rel))) {
    throw new ToolError(`${shown(rel)} is a folder; create needs a file path.`);
  }
  if (current === null && (await overlay.createdCount()) >= MAX_CREATED_FILES) {
    throw new ToolError(
      `This run already created ${MAX_CREATED_FILES} files, the most one run may create. Finish with those, and ` +
        'say in your summary what is left, so that the rest can be planned as another subtask.',
    );
  }
  const createdHere = current !== null && (await overlay.baseOf(rel)) === null && overlay.hasWritten(rel);
  if (current !== null && !createdHere) {
    throw new ToolError(
      `${rel} already exists; create only makes new files. Use str_replace (or insert) to change it, ` +
        'after viewing it.',
    );
  }
  await checkEncodable(overlay, rel, fileText, 'file_text');
  overlay.write(rel, fileText);
  return `${createdHere ? 'Rewrote' : 'Created'} ${rel} (${plural(countLines(fileText), 'line')}).`;
}

async function insert(overlay: Overlay, rel: string, args: Record<string, unknown>): Promise<string> {
  const line = args.insert_line;
  if (typeof line !== 'number' || !Number.isInteger(line)) {
    throw new ToolError('The "insert_line" parameter must be a whole number (0 inserts at the top of the file).');
  }
  const raw = typeof args.insert_text === 'string' ? args.insert_text : args.new_str;
  if (typeof raw !== 'string') {
    throw new ToolError('The "insert_text" parameter is missing or not a string: give the lines to insert.');
  }
  checkTextSize('insert_text', raw, MAX_TOOL_TEXT);
  const current = await readExisting(overlay, rel);
  const model = toModelText(current);
  const lines = linesOf(model);
  if (line < 0 || line > lines.length) {
    throw new ToolError(
      `insert_line ${line} is outside ${rel}, which has ${lines.length} lines: use 0 for the top, ` +
        `${lines.length} for the end.`,
    );
  }
  // The text is inserted as whole lines, so its own final newline would add an empty line nobody asked for.
  const inserted = lf(raw).replace(/\n$/, '').split('\n');
  let at = 0;
  for (let i = 0; i < line; i++) {
    const nl = model.indexOf('\n', at);
    at = nl < 0 ? model.length : nl + 1;
  }
  // After a last line without a newline, the new lines start with one instead of ending with one.
  const afterUnendedLine = at === model.length && model !== '' && !model.endsWith('\n');
  const text = afterUnendedLine ? `\n${inserted.join('\n')}` : `${inserted.join('\n')}\n`;
  await checkEncodable(overlay, rel, text, 'insert_text');
  overlay.write(rel, checkSize(rel, applyModelEdit(current, at, at, text)));
  const next = model.slice(0, at) + text + model.slice(at);
  return (
    `Inserted ${plural(inserted.length, 'line')} into ${rel} after line ${line}.\n` +
    snippet(next, line + 1, inserted.length, !afterUnendedLine)
  );
}

async function readExisting(overlay: Overlay, rel: string): Promise<string> {
  const text = await overlay.read(rel);
  if (text === null) {
    throw new ToolError(`${shown(rel)} does not exist. Check the path, or use create to make a new file.`);
  }
  if (text.length > MAX_FILE_BYTES) {
    throw tooLarge(rel, text.length);
  }
  return text;
}

/** A string parameter no longer than `max` characters, checked before anything else is done with it. */
function requireText(args: Record<string, unknown>, name: string, max = MAX_TOOL_TEXT): string {
  const value = requireString(args, name);
  checkTextSize(name, value, max);
  return value;
}

function checkTextSize(name: string, value: string, max: number): void {
  if (value.length > max) {
    throw new ToolError(
      `No change was made: ${name} is ${describeSize(value.length)}; at most ${describeLimit(max)} fit in one call. ` +
        'Make the change in smaller steps (create the file with its first part, then add the rest with insert).',
    );
  }
}

/** The file's text, unless it grew past the file-size limit. */
function checkSize(rel: string, text: string): string {
  if (text.length > MAX_FILE_BYTES) {
    throw new ToolError(
      `No change was made: ${rel} would be ${describeSize(text.length)}, over the ${describeLimit(MAX_FILE_BYTES)} ` +
        'limit for a file a model edits. Make a smaller change.',
    );
  }
  return text;
}

/** Refuses new text with a character the file's encoding cannot hold, before it is written anywhere. */
async function checkEncodable(overlay: Overlay, rel: string, text: string, name: string): Promise<void> {
  const encoding = await overlay.encodingOf(rel);
  const bad = encoding ? firstUnencodable(text, encoding) : null;
  if (encoding && bad) {
    throw new ToolError(
      `No change was made: ${rel} is saved as ${encoding}, which cannot hold "${bad.char}" (line ${bad.line} of ` +
        `${name}). Use characters that encoding has (an escape sequence, or plain ASCII).`,
    );
  }
}

function matchCount(match: Extract<MatchResult, { kind: 'ambiguous' }>): string {
  return `${match.count.toLocaleString('en-US')}${match.more ? ' or more' : ''} matches`;
}

function matchLines(match: Extract<MatchResult, { kind: 'ambiguous' }>): string {
  const rest = match.count - match.lines.length;
  const tail = match.more ? ' and more' : rest > 0 ? ` and ${rest.toLocaleString('en-US')} more` : '';
  return match.lines.join(', ') + tail;
}

function asRecord(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ToolError('The tool input must be an object with a "command" and a "path".');
  }
  return input as Record<string, unknown>;
}

function requireString(args: Record<string, unknown>, name: string): string {
  const value = args[name];
  if (typeof value !== 'string') {
    const what = value === undefined ? 'is missing' : `must be a string, not ${typeof value}`;
    throw new ToolError(`The "${name}" parameter ${what} for ${String(args.command)}.`);
  }
  return value;
}

function describe(tolerance: Tolerance | null): string {
  switch (tolerance) {
    case 'unicode':
      return ' once typographic quotes and Unicode forms are ignored';
    case 'trailing-whitespace':
      return ' once trailing whitespace is ignored';
    case 'indentation':
      return ' once indentation is ignored';
    case null:
      return '';
  }
}

function reindented(tolerance: Tolerance): string {
  return tolerance === 'indentation' ? "; new_str was re-indented to the file's indentation" : '';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
