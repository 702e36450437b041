import MarkdownIt from 'markdown-it';
import { SIGNATURE_LIMIT } from './signature';
import type { Definition } from './types';

const NAME_LIMIT = 80;

/**
 * CommonMark block parsing only: headings need the block structure (fenced code, setext underlines, lists, quotes),
 * not links or emphasis, and skipping the inline rules keeps a long document cheap.
 */
const parser = new MarkdownIt('commonmark');
parser.disable(['inline', 'text_join', 'linkify', 'replacements', 'smartquotes'], true);

/** A YAML front-matter block at the very top: its closing `---` would otherwise read as a setext underline. */
const FRONT_MATTER = /^---[ \t]*\r?\n(?:[\s\S]*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

/**
 * The headings of a Markdown document as definitions: ATX (`## Options`) and setext (a line underlined with `===` or
 * `---`), leaving out `#` lines inside fenced or indented code, and headings nested in lists or block quotes (they
 * are not the document's sections). Each heading spans its section: up to the next heading of the same or a higher
 * level, trailing blank lines left out; a subsection's container is the heading it sits under. The signature is the
 * heading in ATX form, so its level shows whatever style the file uses.
 */
export function markdownDefinitions(text: string): Definition[] {
  const front = FRONT_MATTER.exec(text)?.[0];
  // Blanked rather than cut, so that line numbers stay the file's own.
  const body = front === undefined ? text : front.replace(/[^\n]/g, '') + text.slice(front.length);
  const tokens = parser.parse(body, {});
  const lines = body.split('\n');
  const lineCount = body.endsWith('\n') ? lines.length - 1 : lines.length;
  const headings: Array<{ level: number; name: string; start: number }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const open = tokens[i];
    const inline = tokens[i + 1];
    if (open?.type !== 'heading_open' || open.level !== 0 || !open.map || inline?.type !== 'inline') {
      continue;
    }
    const name = inline.content.replace(/\s+/g, ' ').trim();
    if (name !== '') {
      headings.push({ level: Number(open.tag.slice(1)), name, start: open.map[0] + 1 });
    }
  }
  const out: Definition[] = [];
  const open: Array<{ level: number; definition: Definition }> = [];
  headings.forEach((h, index) => {
    const next = headings.slice(index + 1).find((o) => o.level <= h.level);
    let end = next ? next.start - 1 : lineCount;
    while (end > h.start && (lines[end - 1] ?? '').trim() === '') {
      end--;
    }
    while (open.length > 0 && (open.at(-1) as { level: number }).level >= h.level) {
      open.pop();
    }
    const name = h.name.length > NAME_LIMIT ? `${h.name.slice(0, NAME_LIMIT - 1)}…` : h.name;
    const head = `${'#'.repeat(h.level)} ${h.name}`;
    const definition: Definition = {
      name,
      kind: 'section',
      startLine: h.start,
      endLine: Math.max(h.start, end),
      signature: head.length > SIGNATURE_LIMIT ? `${head.slice(0, SIGNATURE_LIMIT - 1)}…` : head,
      exported: true,
    };
    const parent = open.at(-1);
    if (parent) {
      definition.container = parent.definition.name;
    }
    out.push(definition);
    open.push({ level: h.level, definition });
  });
  return out;
}
