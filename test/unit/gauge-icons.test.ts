import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  GAUGE_GLYPHS,
  GAUGE_STEPS,
  fillColor,
  gaugeIconPath,
  gaugeIconSvg,
  gaugeStep,
} from '../../src/vscode/gaugeIcons';

const ROOT = path.resolve(__dirname, '../..');
const UPDATE = process.env.OPUS_UPDATE_MEDIA === '1';

describe('gauge icons', () => {
  it('draws a non-zero figure as at least one step and rounds the rest to the nearest tenth', () => {
    assert.deepEqual(
      [0, 0.001, 0.04, 0.05, 0.14, 0.5, 0.94, 1, 3, Number.NaN].map(gaugeStep),
      [0, 1, 1, 1, 1, 5, 9, 10, 10, 0],
    );
  });

  it('colours the ring green below half the budget, amber below 80 %, red above', () => {
    assert.deepEqual([0.1, 0.5, 0.79, 0.8, 1].map(fillColor), ['#3fb950', '#d29922', '#d29922', '#f85149', '#f85149']);
  });

  it('fills the ring in proportion to the step and puts the status glyph inside', () => {
    const empty = gaugeIconSvg('ready', 0);
    assert.doesNotMatch(empty, /stroke-dasharray/);
    const half = gaugeIconSvg('failed', 5);
    assert.match(half, /stroke="#d29922" stroke-width="2.4" stroke-dasharray="19\.48 38\.96"/);
    assert.match(half, /stroke="#f85149"/, 'a failed subtask has the red cross');
    assert.match(gaugeIconSvg('running', 3), /<animateTransform/);
  });

  it('has a committed SVG under media/gauge for every status and step, as the generator draws it', async () => {
    const stale: string[] = [];
    for (const status of GAUGE_GLYPHS) {
      for (let step = 0; step <= GAUGE_STEPS; step++) {
        const file = path.join(ROOT, gaugeIconPath(status, step));
        const expected = gaugeIconSvg(status, step);
        if (UPDATE) {
          await fs.mkdir(path.dirname(file), { recursive: true });
          await fs.writeFile(file, expected);
        }
        const actual = await fs.readFile(file, 'utf8').catch(() => undefined);
        if (actual !== expected) {
          stale.push(path.relative(ROOT, file));
        }
      }
    }
    assert.deepEqual(stale, [], 'regenerate with OPUS_UPDATE_MEDIA=1 npx mocha test/unit/gauge-icons.test.ts');
  });
});
