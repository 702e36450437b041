import { REVIEW_COMMANDS } from './review/names';

/**
 * Every command the extension registers, without the `opusOrchestrator.` prefix: the Plan view's and the diff
 * review's. Activation registers them all from this list; the handlers come with the views, loaded right after.
 */
export const COMMAND_NAMES = [
  'plan',
  'setApiKey',
  'clearApiKey',
  'selectProvider',
  'dispatch',
  'dispatchAllReady',
  'cancel',
  'cancelAll',
  'retry',
  'changeModel',
  'changeEffort',
  'editFiles',
  'removeSubtask',
  'clearPlan',
  'showLog',
  ...REVIEW_COMMANDS,
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

export type CommandHandler = (...args: unknown[]) => unknown;
