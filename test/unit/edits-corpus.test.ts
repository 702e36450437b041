import assert from 'node:assert/strict';
import { executeEditorCall } from '../../src/core/edits/editorTool';
import { Overlay } from '../../src/core/edits/overlay';
import {
  AMBIGUOUS_CASES,
  INSERT_CREATE_CASES,
  INVALID_CASES,
  MISSING_CASES,
  UNICODE_CASES,
} from '../bench/corpus/otherCases';
import { REPLACE_CASES } from '../bench/corpus/replaceCases';
import type { EditCase } from '../bench/corpus/types';
import { SAMPLE_PATH } from '../bench/corpus/types';

const GROUPS: Array<[string, EditCase[]]> = [
  ['replace', REPLACE_CASES],
  ['unicode', UNICODE_CASES],
  ['insert and create', INSERT_CREATE_CASES],
  ['ambiguous', AMBIGUOUS_CASES],
  ['missing', MISSING_CASES],
  ['invalid', INVALID_CASES],
];

/** Confinement has its own tests; here every corpus path is allowed and only the edit semantics count. */
const allowAll = (p: string): Promise<string> => Promise.resolve(p.replace(/^\.?\//, ''));

describe('edit corpus: every recorded editor-tool call has its one right outcome', () => {
  for (const [group, cases] of GROUPS) {
    describe(group, () => {
      for (const c of cases) {
        it(`${c.fault}: ${c.name}`, async () => {
          const rel = c.path ?? SAMPLE_PATH;
          const before = c.before ?? null;
          const overlay = new Overlay((p) => Promise.resolve(p === rel ? before : null));
          const result = await executeEditorCall(overlay, { ...c.input, path: rel }, allowAll);
          const after = await overlay.read(rel);
          if (c.expect === 'refuse') {
            assert.equal(result.isError, true, `expected a refusal, got: ${result.content}`);
            assert.equal(after, before, 'a refused call must leave the file untouched');
            assert.ok(result.content.length > 0, 'a refusal says what is wrong');
          } else {
            assert.equal(result.isError, false, result.content);
            assert.equal(after, c.expect);
          }
        });
      }
    });
  }
});
