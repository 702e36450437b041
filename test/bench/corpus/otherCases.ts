import type { EditCase } from './types';
import { BASE, bom, crlf, insertAfter, noFinalNewline, swap, tabs } from './types';

const SUM = '  let sum = 0;\n  for (const n of items) {\n    sum += n;\n  }';
const sr = (oldStr: string, newStr: string) => ({ command: 'str_replace', old_str: oldStr, new_str: newStr });
const ins = (line: number, text: string) => ({ command: 'insert', insert_line: line, insert_text: text });
const create = (text: string) => ({ command: 'create', file_text: text });

const UNI = [
  "export const title = '請求書の合計';",
  "export const icon = '🧾';",
  "export const label = 'Café total';",
  '',
  'export function status(ok: boolean): string {',
  '  // Don’t translate: the client matches on it.',
  "  return ok ? 'ok' : 'failed';",
  '}',
  'export const msg = "hello";',
  '',
].join('\n');

/** BASE with `total` written twice under two names: its body is no longer unique. */
const DUP = `${BASE}\nexport function total2(items: number[]): number {\n${SUM}\n  return sum;\n}\n`;
const NEAR =
  BASE.replace('function total(', 'function totalA(') +
  `\nexport function totalB(items: number[]): number {\n${SUM}\n  return -sum;\n}\n`;
const INDENTS = 'function a() {\n  x = 1;\n  y = 2;\n}\nfunction b() {\n  if (on) {\n    x = 1;\n    y = 2;\n  }\n}\n';

export const UNICODE_CASES: EditCase[] = [
  {
    name: 'CJK string',
    fault: 'unicode',
    before: UNI,
    input: sr("'請求書の合計'", "'合計'"),
    expect: swap(UNI, "'請求書の合計'", "'合計'"),
  },
  {
    name: 'emoji (surrogate pair)',
    fault: 'unicode',
    before: UNI,
    input: sr("'🧾'", "'📄'"),
    expect: swap(UNI, "'🧾'", "'📄'"),
  },
  {
    name: 'model sends NFD, file is NFC',
    fault: 'unicode',
    before: UNI,
    input: sr("export const label = 'Cafe\u0301 total';", "export const label = 'Total';"),
    expect: swap(UNI, "'Café total'", "'Total'"),
  },
  {
    name: 'model sends smart single quotes',
    fault: 'unicode',
    before: UNI,
    input: sr('  return ok ? ‘ok’ : ‘failed’;', '  return ok ? OK : FAILED;'),
    expect: swap(UNI, "  return ok ? 'ok' : 'failed';", '  return ok ? OK : FAILED;'),
  },
  {
    name: 'model sends smart double quotes',
    fault: 'unicode',
    before: UNI,
    input: sr('export const msg = “hello”;', 'export const msg = greeting;'),
    expect: swap(UNI, 'export const msg = "hello";', 'export const msg = greeting;'),
  },
  {
    name: 'file has a curly apostrophe, model a straight one',
    fault: 'unicode',
    before: UNI,
    input: sr("  // Don't translate: the client matches on it.", '  // Matched by the client.'),
    expect: swap(UNI, '  // Don’t translate: the client matches on it.', '  // Matched by the client.'),
  },
  {
    name: 'exact match wins over a quote-normalised one',
    fault: 'unicode',
    before: "// don't stop\n// don’t stop\n",
    input: sr("// don't stop", '// keep going'),
    expect: '// keep going\n// don’t stop\n',
  },
  {
    name: 'emoji in a CRLF file, LF old_str',
    fault: 'unicode',
    before: crlf(UNI),
    input: sr("export const title = '請求書の合計';\nexport const icon = '🧾';", "export const icon = '🧾';"),
    expect: crlf(swap(UNI, "export const title = '請求書の合計';\n", '')),
  },
];

/** More than one place matches: the call must be refused and the file left alone. */
export const AMBIGUOUS_CASES: EditCase[] = [
  { name: 'a lone closing brace', fault: 'ambiguous', before: BASE, input: sr('}', '};'), expect: 'refuse' },
  {
    name: 'duplicated function body',
    fault: 'ambiguous',
    before: DUP,
    input: sr(`${SUM}\n  return sum;`, '  return 0;'),
    expect: 'refuse',
  },
  {
    name: 'duplicated body, CRLF file, LF old_str',
    fault: 'ambiguous',
    before: crlf(DUP),
    input: sr(`${SUM}\n  return sum;`, '  return 0;'),
    expect: 'refuse',
  },
  {
    name: 'matches two blocks once indentation is ignored',
    fault: 'ambiguous',
    before: INDENTS,
    input: sr('\tx = 1;\n\ty = 2;', '\tx = 3;\n\ty = 4;'),
    expect: 'refuse',
  },
  {
    name: 'matches two blocks once trailing spaces are ignored',
    fault: 'ambiguous',
    before: 'a(); \nb();\nc();\na();  \nb();\n',
    input: sr('a();\nb();', 'a();\nz();'),
    expect: 'refuse',
  },
  {
    name: 'repeated array entry',
    fault: 'ambiguous',
    before: "const list = [\n  'a',\n  'b',\n  'a',\n];\n",
    input: sr("  'a',", "  'c',"),
    expect: 'refuse',
  },
  {
    name: 'two identical test titles',
    fault: 'ambiguous',
    before:
      "describe('x', () => {\n  it('works', () => {\n    run(1);\n  });\n" +
      "  it('works', () => {\n    run(2);\n  });\n});\n",
    input: sr("  it('works', () => {", "  it('still works', () => {"),
    expect: 'refuse',
  },
  {
    name: 'two places once smart quotes are normalised',
    fault: 'ambiguous',
    before: "msg('done');\nlog();\nmsg('done');\n",
    input: sr('msg(‘done’);', 'msg(DONE);'),
    expect: 'refuse',
  },
  {
    name: 'two places once NFC is applied',
    fault: 'ambiguous',
    before: "const a = 'Café';\nconst b = 'Café';\n",
    input: sr("'Cafe\u0301'", "'Bar'"),
    expect: 'refuse',
  },
  { name: 'a bare newline', fault: 'ambiguous', before: BASE, input: sr('\n', '\n\n'), expect: 'refuse' },
];

/** Nothing matches, not even with every tolerance: refused, never applied to the nearest look-alike. */
export const MISSING_CASES: EditCase[] = [
  {
    name: 'typo in a name',
    fault: 'missing',
    before: BASE,
    input: sr('  let summ = 0;', '  let sum = 1;'),
    expect: 'refuse',
  },
  {
    name: 'wrong loop variable',
    fault: 'missing',
    before: BASE,
    input: sr('  for (const m of items) {', '  for (const m of xs) {'),
    expect: 'refuse',
  },
  {
    name: 'a line from another file',
    fault: 'missing',
    before: BASE,
    input: sr('  const rows = await db.query(sql);', ''),
    expect: 'refuse',
  },
  {
    name: 'stale text from before an earlier edit',
    fault: 'missing',
    before: BASE,
    input: sr('  let total = 0;', '  let t = 0;'),
    expect: 'refuse',
  },
  {
    name: 'letter case differs',
    fault: 'missing',
    before: BASE,
    input: sr('  Let sum = 0;', '  let sum = 1;'),
    expect: 'refuse',
  },
  {
    name: 'a third look-alike function',
    fault: 'missing',
    before: NEAR,
    input: sr('export function totalC(items: number[]): number {', 'export function totalD(items: number[]): number {'),
    expect: 'refuse',
  },
  {
    name: 'double quotes where the file has single',
    fault: 'missing',
    before: BASE,
    input: sr('  const lines = text.split("\\n");', '  const lines = text.split(/\\n/);'),
    expect: 'refuse',
  },
  {
    name: 'missing parenthesis',
    fault: 'missing',
    before: BASE,
    input: sr('  for (const n of items {', '  for (const n of xs) {'),
    expect: 'refuse',
  },
  {
    name: 'one extra line that does not exist',
    fault: 'missing',
    before: BASE,
    input: sr(`${SUM}\n  // done`, SUM),
    expect: 'refuse',
  },
  {
    name: 'lines in the wrong order',
    fault: 'missing',
    before: BASE,
    input: sr('  for (const n of items) {\n  let sum = 0;', '  let sum = 0;'),
    expect: 'refuse',
  },
  {
    name: 'spacing inside a line differs',
    fault: 'missing',
    before: BASE,
    input: sr('  let sum=0;', '  let sum = 1;'),
    expect: 'refuse',
  },
  { name: 'file does not exist', fault: 'missing', path: 'src/nowhere.ts', input: sr('x', 'y'), expect: 'refuse' },
];

export const INSERT_CREATE_CASES: EditCase[] = [
  {
    name: 'insert at the top',
    fault: 'insert',
    before: BASE,
    input: ins(0, '// Totals.'),
    expect: insertAfter(BASE, 0, '// Totals.'),
  },
  {
    name: 'insert in the middle',
    fault: 'insert',
    before: BASE,
    input: ins(9, '  let count = 0;'),
    expect: insertAfter(BASE, 9, '  let count = 0;'),
  },
  {
    name: 'insert after the last line',
    fault: 'insert',
    before: BASE,
    input: ins(14, 'export const ONE = 1;'),
    expect: insertAfter(BASE, 14, 'export const ONE = 1;'),
  },
  {
    name: 'insert several lines in a CRLF file',
    fault: 'insert',
    before: crlf(BASE),
    input: ins(2, '// a\n// b'),
    expect: insertAfter(crlf(BASE), 2, '// a\n// b'),
  },
  {
    name: 'insert at the top of a BOM file',
    fault: 'insert',
    before: bom(BASE),
    input: ins(0, "'use strict';"),
    expect: insertAfter(bom(BASE), 0, "'use strict';"),
  },
  {
    name: 'insert at the end of a file without final newline',
    fault: 'insert',
    before: noFinalNewline(BASE),
    input: ins(14, 'export const ONE = 1;'),
    expect: insertAfter(noFinalNewline(BASE), 14, 'export const ONE = 1;'),
  },
  {
    name: 'insert into a tab file, text as given',
    fault: 'insert',
    before: tabs(BASE),
    input: ins(9, '\tlet count = 0;'),
    expect: insertAfter(tabs(BASE), 9, '\tlet count = 0;'),
  },
  {
    name: 'insert unicode text',
    fault: 'insert',
    before: BASE,
    input: ins(1, '// 合計 🧾 Café'),
    expect: insertAfter(BASE, 1, '// 合計 🧾 Café'),
  },
  { name: 'insert past the end', fault: 'insert', before: BASE, input: ins(40, 'x'), expect: 'refuse' },
  { name: 'insert at a negative line', fault: 'insert', before: BASE, input: ins(-1, 'x'), expect: 'refuse' },
  {
    name: 'create a new file',
    fault: 'create',
    path: 'src/created.ts',
    input: create('export const A = 1;\n'),
    expect: 'export const A = 1;\n',
  },
  {
    name: 'create without final newline',
    fault: 'create',
    path: 'src/created.ts',
    input: create('export const A = 1;'),
    expect: 'export const A = 1;',
  },
  {
    name: 'create in a new folder',
    fault: 'create',
    path: 'src/deep/new/module.ts',
    input: create('export {};\n'),
    expect: 'export {};\n',
  },
  {
    // Refused: overwriting a whole existing file hides what changed; the model is told to use str_replace.
    name: 'create over an existing file',
    fault: 'create',
    before: BASE,
    input: create('export const B = 2;\n'),
    expect: 'refuse',
  },
  {
    name: 'create with unicode',
    fault: 'create',
    path: 'src/i18n.ts',
    input: create("export const ja = '合計';\n"),
    expect: "export const ja = '合計';\n",
  },
  { name: 'create an empty file', fault: 'create', path: 'src/empty.ts', input: create(''), expect: '' },
];

/** Malformed calls: an is_error the model can act on, nothing written. */
export const INVALID_CASES: EditCase[] = [
  { name: 'unknown command', fault: 'invalid', before: BASE, input: { command: 'delete' }, expect: 'refuse' },
  {
    name: 'str_replace without old_str',
    fault: 'invalid',
    before: BASE,
    input: { command: 'str_replace', new_str: 'x' },
    expect: 'refuse',
  },
  {
    name: 'insert without text',
    fault: 'invalid',
    before: BASE,
    input: { command: 'insert', insert_line: 1 },
    expect: 'refuse',
  },
  {
    name: 'create without file_text',
    fault: 'invalid',
    path: 'src/created.ts',
    input: { command: 'create' },
    expect: 'refuse',
  },
];
