import type { Focus } from '../plan/schema';

/** The focus as a line of text for a tree row: `L120–180, parseArgs`; empty for the whole file. */
export function describeFocus(focus: Focus | undefined): string {
  if (!focus || (focus.symbols.length === 0 && focus.lines.length === 0)) {
    return '';
  }
  const lines = focus.lines.map((r) => (r.start === r.end ? `L${r.start}` : `L${r.start}\u2013${r.end}`));
  return [...lines, ...focus.symbols].join(', ');
}
