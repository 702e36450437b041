import type { EditCase } from './types';
import { BASE, bom, crlf, noFinalNewline, swap, tabs, wide } from './types';

const SUM = '  let sum = 0;\n  for (const n of items) {\n    sum += n;\n  }';
const SUM_NEW =
  '  let sum = 0;\n  for (const n of items) {\n    if (Number.isFinite(n)) {\n      sum += n;\n    }\n  }';
const sr = (oldStr: string, newStr: string) => ({ command: 'str_replace', old_str: oldStr, new_str: newStr });

/** Calls that must be applied, exactly where the model meant. */
export const REPLACE_CASES: EditCase[] = [
  // Plain, exact requests: the baseline every tolerance must leave alone.
  {
    name: 'one line',
    fault: 'exact',
    before: BASE,
    input: sr('  let sum = 0;', '  let sum = 1;'),
    expect: swap(BASE, '  let sum = 0;', '  let sum = 1;'),
  },
  {
    name: 'a loop body grows',
    fault: 'exact',
    before: BASE,
    input: sr(SUM, SUM_NEW),
    expect: swap(BASE, SUM, SUM_NEW),
  },
  {
    name: 'delete a line',
    fault: 'exact',
    before: BASE,
    input: sr('  let sum = 0;\n', ''),
    expect: swap(BASE, '  let sum = 0;\n', ''),
  },
  {
    name: 'first line (import)',
    fault: 'exact',
    before: BASE,
    input: sr("import { readFile } from 'node:fs/promises';", "import { readFile, stat } from 'node:fs/promises';"),
    expect: swap(BASE, 'import { readFile }', 'import { readFile, stat }'),
  },
  {
    name: 'across a blank line',
    fault: 'exact',
    before: BASE,
    input: sr('}\n\nexport function total', '}\n\nfunction total'),
    expect: swap(BASE, '}\n\nexport function total', '}\n\nfunction total'),
  },
  {
    name: 'part of a line',
    fault: 'exact',
    before: BASE,
    input: sr('l.length > 0', "l.trim() !== ''"),
    expect: swap(BASE, 'l.length > 0', "l.trim() !== ''"),
  },
  {
    name: 'whole function replaced',
    fault: 'exact',
    before: BASE,
    input: sr(
      "export function parse(text: string): string[] {\n  const lines = text.split('\\n');\n" +
        '  return lines.filter((l) => l.length > 0);\n}',
      'export function parse(text: string): string[] {\n  return text.split(/\\r?\\n/).filter(Boolean);\n}',
    ),
    expect: swap(
      BASE,
      "  const lines = text.split('\\n');\n  return lines.filter((l) => l.length > 0);",
      '  return text.split(/\\r?\\n/).filter(Boolean);',
    ),
  },
  {
    name: 'new_str with $& and $1 kept literally',
    fault: 'exact',
    before: BASE,
    input: sr('  let sum = 0;', "  let sum = '$&$1' as unknown as number;"),
    expect: swap(BASE, '  let sum = 0;', "  let sum = '$&$1' as unknown as number;"),
  },

  // CRLF files: models send LF; the file keeps CRLF, including on the lines the model added.
  {
    name: 'CRLF file, LF multi-line old_str',
    fault: 'crlf',
    before: crlf(BASE),
    input: sr(SUM, SUM_NEW),
    expect: crlf(swap(BASE, SUM, SUM_NEW)),
  },
  {
    name: 'CRLF file, one line',
    fault: 'crlf',
    before: crlf(BASE),
    input: sr('  let sum = 0;', '  let sum = 1;'),
    expect: crlf(swap(BASE, '  let sum = 0;', '  let sum = 1;')),
  },
  {
    name: 'CRLF file, single line grows to three',
    fault: 'crlf',
    before: crlf(BASE),
    input: sr('  let sum = 0;', '  // running total\n  let sum = 0;\n  let count = 0;'),
    expect: crlf(swap(BASE, '  let sum = 0;', '  // running total\n  let sum = 0;\n  let count = 0;')),
  },
  {
    name: 'CRLF file, lines deleted',
    fault: 'crlf',
    before: crlf(BASE),
    input: sr('  let sum = 0;\n  for', '  for'),
    expect: crlf(swap(BASE, '  let sum = 0;\n  for', '  for')),
  },
  {
    name: 'LF file, CRLF old_str',
    fault: 'crlf',
    before: BASE,
    input: sr(crlf(SUM), SUM_NEW),
    expect: swap(BASE, SUM, SUM_NEW),
  },
  {
    name: 'CRLF file with BOM',
    fault: 'crlf',
    before: bom(crlf(BASE)),
    input: sr(SUM, SUM_NEW),
    expect: bom(crlf(swap(BASE, SUM, SUM_NEW))),
  },
  {
    name: 'CRLF file without final newline',
    fault: 'crlf',
    before: noFinalNewline(crlf(BASE)),
    input: sr('  return sum;\n}', '  return Math.round(sum);\n}'),
    expect: noFinalNewline(crlf(swap(BASE, '  return sum;', '  return Math.round(sum);'))),
  },

  // Indentation: the model writes spaces where the file has tabs (or another width); the edit follows the file.
  {
    name: 'tab file, two-space old_str and new_str',
    fault: 'tabs-vs-spaces',
    before: tabs(BASE),
    input: sr(SUM, SUM_NEW),
    expect: tabs(swap(BASE, SUM, SUM_NEW)),
  },
  {
    name: 'tab file, four-space nested line',
    fault: 'tabs-vs-spaces',
    before: tabs(BASE),
    input: sr('    sum += n;\n  }', '    sum += n * 2;\n  }'),
    expect: tabs(swap(BASE, '    sum += n;', '    sum += n * 2;')),
  },
  {
    name: 'space file, tab old_str',
    fault: 'tabs-vs-spaces',
    before: BASE,
    input: sr('\tlet sum = 0;\n\tfor (const n of items) {', '\tlet sum = 10;\n\tfor (const n of items) {'),
    expect: swap(BASE, '  let sum = 0;', '  let sum = 10;'),
  },
  {
    name: 'tab file, two-line function body',
    fault: 'tabs-vs-spaces',
    before: tabs(BASE),
    input: sr(
      "  const lines = text.split('\\n');\n  return lines.filter((l) => l.length > 0);",
      "  const lines = text.split('\\n');\n  return lines.filter((l) => l.trim().length > 0);",
    ),
    expect: tabs(swap(BASE, 'l.length > 0', 'l.trim().length > 0')),
  },
  {
    name: 'tab CRLF file, spaces and LF from the model',
    fault: 'tabs-vs-spaces',
    before: crlf(tabs(BASE)),
    input: sr(SUM, SUM_NEW),
    expect: crlf(tabs(swap(BASE, SUM, SUM_NEW))),
  },
  {
    name: 'four-space file, two-space model',
    fault: 'indent-width',
    before: wide(BASE),
    input: sr(SUM, SUM_NEW),
    expect: wide(swap(BASE, SUM, SUM_NEW)),
  },
  {
    name: 'four-space file, two-space nested block',
    fault: 'indent-width',
    before: wide(BASE),
    input: sr('  for (const n of items) {\n    sum += n;\n  }', '  for (const n of items) {\n    sum -= n;\n  }'),
    expect: wide(swap(BASE, 'sum += n;', 'sum -= n;')),
  },
  {
    name: 'two-space file, four-space model',
    fault: 'indent-width',
    before: BASE,
    input: sr(wide(SUM), wide(SUM_NEW)),
    expect: swap(BASE, SUM, SUM_NEW),
  },

  // Trailing whitespace differs between the file and the model's copy of it.
  {
    name: 'file has trailing spaces the model dropped',
    fault: 'trailing-spaces',
    before: swap(BASE, '  let sum = 0;\n', '  let sum = 0;   \n'),
    input: sr('  let sum = 0;\n  for (const n of items) {', '  let sum = 1;\n  for (const n of items) {'),
    expect: swap(BASE, '  let sum = 0;\n', '  let sum = 1;\n'),
  },
  {
    name: 'model added trailing spaces',
    fault: 'trailing-spaces',
    before: BASE,
    input: sr('  let sum = 0;  \n  for (const n of items) {', '  let sum = 1;\n  for (const n of items) {'),
    expect: swap(BASE, '  let sum = 0;\n', '  let sum = 1;\n'),
  },
  {
    name: 'trailing tab in file, multi-line',
    fault: 'trailing-spaces',
    before: swap(BASE, '    sum += n;\n', '    sum += n;\t\n'),
    input: sr('    sum += n;\n  }\n  return sum;', '    sum += n;\n  }\n  return sum || 0;'),
    expect: swap(BASE, '  return sum;', '  return sum || 0;'),
  },
  {
    name: 'single line, file has trailing spaces (exact prefix match)',
    fault: 'trailing-spaces',
    before: swap(BASE, '  let sum = 0;\n', '  let sum = 0;  \n'),
    input: sr('  let sum = 0;', '  let sum = 2;'),
    expect: swap(BASE, '  let sum = 0;\n', '  let sum = 2;  \n'),
  },
  {
    name: 'CRLF and trailing spaces together',
    fault: 'trailing-spaces',
    before: crlf(swap(BASE, '  let sum = 0;\n', '  let sum = 0; \n')),
    input: sr('  let sum = 0;\n  for (const n of items) {', '  let sum = 3;\n  for (const n of items) {'),
    expect: crlf(swap(BASE, '  let sum = 0;', '  let sum = 3;')),
  },

  // Byte-order mark: invisible to the model, kept in the file.
  {
    name: 'BOM file, first line',
    fault: 'bom',
    before: bom(BASE),
    input: sr("import { readFile } from 'node:fs/promises';", "import { readFile } from 'fs/promises';"),
    expect: bom(swap(BASE, "'node:fs/promises'", "'fs/promises'")),
  },
  {
    name: 'BOM file, middle',
    fault: 'bom',
    before: bom(BASE),
    input: sr(SUM, SUM_NEW),
    expect: bom(swap(BASE, SUM, SUM_NEW)),
  },
  {
    name: 'BOM file, first line rewritten to two',
    fault: 'bom',
    before: bom(BASE),
    input: sr(
      "import { readFile } from 'node:fs/promises';",
      "// Totals.\nimport { readFile } from 'node:fs/promises';",
    ),
    expect: bom(`// Totals.\n${BASE}`),
  },

  // No final newline: the edit must not add one.
  {
    name: 'no final newline, last lines',
    fault: 'no-final-newline',
    before: noFinalNewline(BASE),
    input: sr('  return sum;\n}', '  return sum;\n}\n\nexport const ZERO = 0;'),
    expect: noFinalNewline(`${BASE}\nexport const ZERO = 0;\n`),
  },
  {
    name: 'no final newline, middle',
    fault: 'no-final-newline',
    before: noFinalNewline(BASE),
    input: sr(SUM, SUM_NEW),
    expect: noFinalNewline(swap(BASE, SUM, SUM_NEW)),
  },
  {
    name: 'no final newline, whole last function',
    fault: 'no-final-newline',
    before: noFinalNewline(BASE),
    input: sr(
      `export function total(items: number[]): number {\n${SUM}\n  return sum;\n}`,
      'export function total(items: number[]): number {\n  return items.reduce((a, b) => a + b, 0);\n}',
    ),
    expect: noFinalNewline(swap(BASE, `${SUM}\n  return sum;`, '  return items.reduce((a, b) => a + b, 0);')),
  },
];
