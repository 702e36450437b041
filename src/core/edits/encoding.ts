import { promises as fs } from 'node:fs';
import path from 'node:path';
import { analyse } from 'chardet';
import iconv from 'iconv-lite';
import { isBinaryFileSync } from 'isbinaryfile';
import { isText } from 'istextorbinary';
import { MAX_FILE_BYTES, describeLimit, describeSize } from './limits';

/**
 * How files become text and back. A file is decoded in the encoding its bytes are in and written back in that same
 * encoding, so every byte outside an edit stays what it was: UTF-8 (with or without a byte-order mark), UTF-16 with a
 * byte-order mark, and the legacy encodings a detector recognises (Windows-1252, ISO-8859-x, Shift_JIS...). The
 * byte-order mark stays in the text as U+FEFF, where the line-ending code already keeps it. A file is used only when
 * decoding and encoding again gives back its very bytes; anything else is refused, never rewritten.
 */

/** The encoding a file is written in: an iconv-lite name, 'utf8' for UTF-8. */
export type TextEncoding = string;

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
}

export type RefusalReason = 'binary' | 'encoding' | 'too-large' | 'unencodable';

/** A file that cannot be read or written as text; the message names the file and says what to do. */
export class FileRefusedError extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'FileRefusedError';
  }
}

export const UTF8: TextEncoding = 'utf8';

/** Encodings a detector's guess is tried in after its own candidates, for files too short for a confident guess. */
const FALLBACKS: readonly TextEncoding[] = ['windows-1252', 'ISO-8859-1'];
/**
 * A detector's guess (0-100) below this is taken for noise: on a short file it picks an unrelated single-byte
 * encoding (ISO-8859-2 for a French `naïve`) as readily as the right one, and Windows-1252 is the likelier encoding.
 */
const MIN_CONFIDENCE = 50;
/**
 * Double-byte legacy encodings (Chinese, Japanese, Korean) are refused rather than edited: their tables would more
 * than double the extension's bundle, and a file in one is better converted to UTF-8 than guessed at.
 */
const DOUBLE_BYTE = /^(shift_jis|big5|euc-jp|euc-kr|gb18030|gbk|iso-2022-(jp|kr|cn))$/i;
/** The detector samples this much of a file; the round trip still checks every byte. */
const DETECT_SAMPLE = 64 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The text of `bytes`, the content of the file `rel`, and the encoding to write it back in. Throws a FileRefusedError
 * for a binary file, a file over the size limit, or bytes no encoding turns into text and back unchanged.
 */
export function decodeText(bytes: Uint8Array, rel: string): DecodedText {
  if (bytes.length > MAX_FILE_BYTES) {
    throw tooLarge(rel, bytes.length);
  }
  if (bytes.length === 0) {
    return { text: '', encoding: UTF8 };
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (looksBinary(buffer, rel)) {
    throw new FileRefusedError('binary', `${rel} is a binary file; only text files can be read or edited.`);
  }
  for (const encoding of candidates(buffer, rel)) {
    const text = decodeWith(buffer, encoding);
    if (text !== null && encodeWith(text, encoding).equals(buffer)) {
      return { text, encoding };
    }
  }
  throw new FileRefusedError(
    'encoding',
    `${rel} is not text in an encoding that can be written back byte for byte (UTF-8, UTF-16 with a byte-order ` +
      'mark, or a single-byte encoding such as Windows-1252), so it cannot be read or edited.',
  );
}

/**
 * `text` as the bytes of `encoding`. Throws a FileRefusedError naming the first character the encoding cannot hold,
 * rather than writing a '?' in its place.
 */
export function encodeText(text: string, encoding: TextEncoding, rel: string): Buffer {
  const bytes = encodeWith(text, encoding);
  if (decodeWith(bytes, encoding) !== text) {
    const bad = firstUnencodable(text, encoding);
    const what = bad ? `"${bad.char}" (line ${bad.line})` : 'some of the new text';
    throw new FileRefusedError(
      'unencodable',
      `${rel} is saved as ${encoding}, which cannot hold ${what}; use characters that encoding has, or convert the ` +
        'file to UTF-8 first.',
    );
  }
  return bytes;
}

/**
 * The encoding a name stands for (an editor's id such as 'windows1252', 'utf8bom' or 'shiftjis' included), or null
 * when it names none known here.
 */
export function knownEncoding(name: string): TextEncoding | null {
  if (/^utf-?8(bom)?$/i.test(name)) {
    return UTF8;
  }
  return iconv.encodingExists(name) ? name : null;
}

/** The first character of `text` that `encoding` cannot represent, with its 1-based line; null when all fit. */
export function firstUnencodable(text: string, encoding: TextEncoding): { char: string; line: number } | null {
  if (isUnicode(encoding)) {
    return null;
  }
  let line = 1;
  for (const char of text) {
    if (char === '\n') {
      line += 1;
    } else if (char.charCodeAt(0) > 0x7f && decodeWith(encodeWith(char, encoding), encoding) !== char) {
      return { char, line };
    }
  }
  return null;
}

/**
 * Reads and decodes the file at `abs` (`rel` names it in messages); null when it does not exist. The size is checked
 * before anything is read, so a huge file costs a stat, not its content in memory.
 */
export async function readTextFile(abs: string, rel: string): Promise<DecodedText | null> {
  try {
    const stat = await fs.stat(abs);
    if (stat.isFile() && stat.size > MAX_FILE_BYTES) {
      throw tooLarge(rel, stat.size);
    }
    return decodeText(await fs.readFile(abs), rel);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw err;
  }
}

/** The encoding a new version of the file at `abs` is written in: its own, or UTF-8 for a file that does not exist. */
export async function encodingOfFile(abs: string): Promise<TextEncoding> {
  const decoded = await readTextFile(abs, path.basename(abs));
  return decoded?.encoding ?? UTF8;
}

/** Why the existing file at `abs` cannot be in a subtask's scope, or null when it can. */
export async function textFileRefusal(abs: string, rel: string): Promise<string | null> {
  try {
    await readTextFile(abs, rel);
    return null;
  } catch (err) {
    if (err instanceof FileRefusedError) {
      return err.message;
    }
    throw err;
  }
}

export function tooLarge(rel: string, bytes: number): FileRefusedError {
  return new FileRefusedError(
    'too-large',
    `${rel} is ${describeSize(bytes)}, over the ${describeLimit(MAX_FILE_BYTES)} limit for a file a model reads or ` +
      'edits; leave it out of scope, or name a smaller file.',
  );
}

/**
 * Binary by content (isbinaryfile: NUL bytes, control characters, invalid UTF-8). That test counts every byte of a
 * legacy encoding as suspicious, so a short Latin-1 file (`café`) fails it: a file whose extension names a text format
 * and that has no NUL byte is taken as text in a legacy encoding instead.
 */
function looksBinary(buffer: Buffer, rel: string): boolean {
  if (!isBinaryFileSync(buffer, buffer.length)) {
    return false;
  }
  return !(isText(path.basename(rel)) === true && !buffer.includes(0));
}

/**
 * Encodings to try, most likely first: UTF-8 when the bytes are valid UTF-8 (the convention, and ASCII is both), then
 * the detector's guesses, then the common Western single-byte encodings (never for bytes with NULs, which only a
 * UTF-16 or UTF-32 guess explains).
 */
function candidates(buffer: Buffer, rel: string): TextEncoding[] {
  if (isValidUtf8(buffer)) {
    return [UTF8];
  }
  const confident = analyse(buffer.subarray(0, DETECT_SAMPLE))
    .filter((m) => m.confidence >= MIN_CONFIDENCE && m.name !== 'UTF-8' && m.name !== 'ASCII')
    .map((m) => m.name);
  const [best] = confident;
  if (best !== undefined && DOUBLE_BYTE.test(best)) {
    throw new FileRefusedError(
      'encoding',
      `${rel} looks like ${best} text; only UTF-8, UTF-16 and single-byte encodings (such as Windows-1252) can be ` +
        'read and edited here. Convert the file to UTF-8 to edit it.',
    );
  }
  const guesses = confident.filter((name) => !DOUBLE_BYTE.test(name) && iconv.encodingExists(name));
  const fallbacks = buffer.includes(0) ? [] : FALLBACKS;
  return [...new Set([...guesses, ...fallbacks])];
}

function isValidUtf8(buffer: Buffer): boolean {
  try {
    strictUtf8.decode(buffer);
    return true;
  } catch {
    return false;
  }
}

function decodeWith(buffer: Buffer, encoding: TextEncoding): string | null {
  if (encoding === UTF8) {
    try {
      return strictUtf8.decode(buffer);
    } catch {
      return null;
    }
  }
  return iconv.decode(buffer, encoding, { stripBOM: false });
}

function encodeWith(text: string, encoding: TextEncoding): Buffer {
  return encoding === UTF8 ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding, { addBOM: false });
}

function isUnicode(encoding: TextEncoding): boolean {
  return /^(utf-?8|utf-?16(le|be)?|utf-?32(le|be)?|ucs-?2|gb18030)$/i.test(encoding);
}
