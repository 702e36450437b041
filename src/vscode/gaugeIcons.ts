import { SUBTASK_STATUSES } from '../core/plan/state';
import type { SubtaskStatus } from '../core/plan/state';

/**
 * The subtask row's icon: a ring filled to the subtask's share of its budget, coloured by that share, around a
 * glyph for its status. One SVG per status and fill step is committed under media/gauge/ (a tree icon is an image
 * file, not something drawn at run time); test/unit/gauge-icons.test.ts checks them against this generator and
 * rewrites them with OPUS_UPDATE_MEDIA=1. Pure: no `vscode` import.
 */

/** Fill steps of the ring: 0, 10 %, … 100 %. */
export const GAUGE_STEPS = 10;

/**
 * The glyph inside the ring: the subtask's status, or for a proposal Opus has reviewed its verdict (`passed`,
 * `flagged`: a criterion not met), which a narrow side bar would otherwise cut from the row's text.
 */
export type GaugeGlyph = SubtaskStatus | 'passed' | 'flagged';

export const GAUGE_GLYPHS: readonly GaugeGlyph[] = [...SUBTASK_STATUSES, 'passed', 'flagged'];

/** The step a fill (0..1) is drawn at: the nearest tenth, but never an empty ring for a non-zero figure. */
export function gaugeStep(fill: number): number {
  if (!Number.isFinite(fill) || fill <= 0) {
    return 0;
  }
  return Math.min(GAUGE_STEPS, Math.max(1, Math.round(fill * GAUGE_STEPS)));
}

/** Green below half the budget, amber below 80 %, red above: the colours of the tooltip's bar too. */
export function fillColor(fill: number): string {
  if (fill < 0.5) {
    return '#3fb950';
  }
  return fill < 0.8 ? '#d29922' : '#f85149';
}

/** Path of the icon under the extension's folder. */
export function gaugeIconPath(status: GaugeGlyph, step: number): string {
  return `media/gauge/${status}-${step}.svg`;
}

const GREY = '#8b949e';
const BLUE = '#3794ff';
const LINE = 'fill="none" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"';

/** The status glyph inside the ring (a 16×16 box, the ring's inside is about 7 px across). */
const GLYPHS: Record<GaugeGlyph, string> = {
  pending: `<circle cx="8" cy="8" r="1.6" fill="${GREY}"/>`,
  blocked: `<path d="M6.5 5.8v4.4M9.5 5.8v4.4" stroke="${GREY}" ${LINE}/>`,
  ready: `<path d="M6.6 5.4v5.2L10.9 8z" fill="${BLUE}"/>`,
  running:
    `<path d="M8 4.9a3.1 3.1 0 0 1 3.1 3.1" stroke="${BLUE}" ${LINE}>` +
    '<animateTransform attributeName="transform" type="rotate" from="0 8 8" to="360 8 8" dur="1s" ' +
    'repeatCount="indefinite"/></path>',
  review: `<circle cx="8" cy="8" r="2.4" fill="${BLUE}"/>`,
  accepted: `<path d="M5.7 8.2l1.6 1.6 3-3.3" stroke="#3fb950" ${LINE}/>`,
  rejected: `<path d="M6.2 9.8l3.6-3.6" stroke="${GREY}" ${LINE}/>`,
  failed: `<path d="M6.3 6.3l3.4 3.4M9.7 6.3l-3.4 3.4" stroke="#f85149" ${LINE}/>`,
  cancelled: `<rect x="6.2" y="6.2" width="3.6" height="3.6" rx=".5" fill="${GREY}"/>`,
  interrupted: `<path d="M8 5.3v3" stroke="#d29922" ${LINE}/><circle cx="8" cy="10.4" r=".9" fill="#d29922"/>`,
  passed: `<path d="M5.7 8.2l1.6 1.6 3-3.3" stroke="${BLUE}" ${LINE}/>`,
  flagged: `<path d="M8 5.3v3" stroke="#f0883e" ${LINE}/><circle cx="8" cy="10.4" r=".9" fill="#f0883e"/>`,
};

const RADIUS = 6.2;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

/** The SVG document of one icon. */
export function gaugeIconSvg(status: GaugeGlyph, step: number): string {
  const fill = step / GAUGE_STEPS;
  const arc = (CIRCUMFERENCE * fill).toFixed(2);
  const ring =
    `<circle cx="8" cy="8" r="${RADIUS}" fill="none" stroke="${GREY}" stroke-opacity=".35" stroke-width="2.4"/>` +
    (step > 0
      ? `<circle cx="8" cy="8" r="${RADIUS}" fill="none" stroke="${fillColor(fill)}" stroke-width="2.4" ` +
        `stroke-dasharray="${arc} ${CIRCUMFERENCE.toFixed(2)}" transform="rotate(-90 8 8)"/>`
      : '');
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">' +
    `${ring}${GLYPHS[status]}</svg>\n`
  );
}
