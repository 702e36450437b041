/**
 * Text from the model or the user rendered as plain text inside Markdown: no links, images or HTML can come from a
 * plan or a review, and line breaks stay line breaks.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|#!~]/g, '\\$&')
    .replace(/^(\s*)([-+])(\s)/gm, '$1\\$2$3')
    .replace(/^(\s*)(\d+)\.(\s)/gm, '$1$2\\.$3')
    .replace(/\r?\n/g, '  \n');
}
