/**
 * The commands the diff review handles, without the `opusOrchestrator.` prefix. Activation registers them with the
 * others (src/vscode/commandNames.ts), and each call is forwarded to the engine, which the first one loads;
 * package.json contributes those a person can run (`redispatch` and `showReview` are run by buttons and CodeLenses
 * only).
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
