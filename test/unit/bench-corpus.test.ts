import assert from 'node:assert/strict';
import {
  AMBIGUOUS_CASES,
  INSERT_CREATE_CASES,
  INVALID_CASES,
  MISSING_CASES,
  UNICODE_CASES,
} from '../bench/corpus/otherCases';
import { REPLACE_CASES } from '../bench/corpus/replaceCases';

const ALL = [
  ...REPLACE_CASES,
  ...UNICODE_CASES,
  ...INSERT_CREATE_CASES,
  ...AMBIGUOUS_CASES,
  ...MISSING_CASES,
  ...INVALID_CASES,
];
const count = (text: string, part: string): number => text.split(part).length - 1;

/** The corpus is the yardstick of the edit rows: a wrong expectation would blame the editor for its own mistake. */
describe('bench edit corpus', () => {
  it('has at least 60 cases covering every fault models make', () => {
    assert.ok(ALL.length >= 60, `${ALL.length} cases`);
    const faults = new Set(ALL.map((c) => c.fault));
    const needed = [
      'crlf',
      'tabs-vs-spaces',
      'trailing-spaces',
      'bom',
      'no-final-newline',
      'ambiguous',
      'missing',
      'unicode',
    ];
    for (const f of needed) {
      assert.ok(faults.has(f as never), `no ${f} case`);
    }
    assert.equal(new Set(ALL.map((c) => `${c.fault}/${c.name}`)).size, ALL.length, 'case names repeat');
  });

  it('gives missing cases an old_str that is nowhere in the file', () => {
    for (const c of MISSING_CASES) {
      assert.equal(count(c.before ?? '', String(c.input.old_str)), 0, c.name);
    }
  });

  it('gives ambiguous cases no unique exact match', () => {
    for (const c of AMBIGUOUS_CASES) {
      assert.notEqual(count(c.before ?? '', String(c.input.old_str)), 1, c.name);
    }
  });

  it('expects every applied str_replace to change the file', () => {
    for (const c of [...REPLACE_CASES, ...UNICODE_CASES]) {
      assert.notEqual(c.expect, c.before, c.name);
      assert.notEqual(c.expect, 'refuse', c.name);
    }
  });
});
