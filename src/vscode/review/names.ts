/**
 * The commands the diff review handles, without the `opusOrchestrator.` prefix. The first bundle registers them at
 * activation and forwards each call to the engine, which it loads on the first one; package.json contributes those a
 * person can run (`redispatch` and `showReview` are run by buttons and CodeLenses only).
 */
export const REVIEW_COMMANDS = [
  'openDiff',
  'nextFile',
  'reviewNext',
  'acceptHunk',
  'rejectHunk',
  'acceptFile',
  'rejectFile',
  'acceptProposal',
  'rejectProposal',
  'redispatch',
  'reviewProposal',
  'retryWithSonnet',
  'retryWithOpus',
  'revertSubtask',
  'showReview',
] as const;

export type ReviewCommandName = (typeof REVIEW_COMMANDS)[number];
