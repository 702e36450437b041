import type { LineRange } from '../../../src/core/plan/schema';

/**
 * What the scripted planner reads in the map it is sent: the entries the map shows under each file it names, as
 * `path → entry lines` (the text after the indentation, e.g. `## Options L22-50`). The map's tree: folders as
 * `dir/` lines (collapsed ones as `dir/ (N files)`), their files indented by two, each file's entries deeper.
 */
export function mapEntries(map: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const start = map.indexOf('## Files\n');
  if (start < 0) {
    return out;
  }
  const body = map.slice(start + '## Files\n'.length);
  let dir = '';
  let current: string[] | undefined;
  for (const line of body.split('\n')) {
    if (line.startsWith('## ')) {
      break; // the next section (git, active file, selection)
    }
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (indent === 0 && /\/( \(\d+ files?\))?$/.test(text)) {
      dir = text.endsWith('/') ? text : '';
      current = undefined;
      continue;
    }
    const fileIndent = dir === '' ? 0 : 2;
    if (indent === fileIndent && !text.startsWith('…') && !text.startsWith('(')) {
      current = [];
      out.set(`${dir}${text}`, current);
    } else if (indent > fileIndent && current) {
      current.push(text);
    }
  }
  return out;
}

/** The lines of the entry under `path` that starts with `head` (`## Options`, `it('retries …')`), if the map shows one. */
export function placeInMap(entries: Map<string, string[]>, path: string, head: string): LineRange | undefined {
  for (const entry of entries.get(path) ?? []) {
    const m = / L(\d+)-(\d+)(?: \(in [^)]*\))?$/.exec(entry);
    if (m && entry.startsWith(head)) {
      return { start: Number(m[1]), end: Number(m[2]) };
    }
  }
  return undefined;
}
