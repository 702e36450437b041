import * as vscode from 'vscode';
import { isConfirmArgs } from '../args';
import type { Controller } from '../controller';
import { closeProposalTabs } from './diffViews';
import { HunkLensProvider } from './hunkLenses';
import { ReviewLoopCommands } from './loopCommands';
import type { ReviewCommandName } from './names';
import { PROPOSAL_SCHEME, ProposalDocuments } from './proposalDocuments';
import { ReviewCommands } from './reviewCommands';

/** A review command's handler; the first bundle registers the command ids and calls these once the engine is up. */
export type ReviewHandler = (arg?: unknown, more?: unknown) => unknown;

/** The review commands by id, without the `opusOrchestrator.` prefix (`showReview` is the verdict lens's). */
export type ReviewHandlers = Readonly<Record<ReviewCommandName, ReviewHandler>>;

/**
 * The diff review: proposal documents, the per-hunk CodeLenses on them, the accept / reject / open-diff handlers,
 * and the review loop around them (Review with Opus, retry one model up, revert). Providers registered here are
 * owned by `context`, so they go away with the extension.
 */
export function createReview(context: vscode.ExtensionContext, controller: Controller): ReviewHandlers {
  const root = (): vscode.Uri | undefined => vscode.workspace.workspaceFolders?.[0]?.uri;
  const documents = new ProposalDocuments(controller, root);
  const lenses = new HunkLensProvider(controller);
  const folder = root();
  if (folder) {
    lenses.watch(folder);
  }
  const review = new ReviewCommands(controller, root);
  const loop = new ReviewLoopCommands(controller, review);
  const updateContext = (): void => void review.updateContext();
  context.subscriptions.push(
    documents,
    lenses,
    vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, documents),
    vscode.languages.registerCodeLensProvider({ scheme: PROPOSAL_SCHEME }, lenses),
    vscode.window.tabGroups.onDidChangeTabs(updateContext),
    vscode.window.tabGroups.onDidChangeTabGroups(updateContext),
    controller.onDidChange((e) => {
      if (e.kind === 'proposal' || e.kind === 'plan') {
        updateContext();
      }
      // However a proposal was settled (its diff, the Plan view, a notification, the CLI), its tabs have nothing left.
      const status = e.kind === 'subtask' ? controller.orchestrator?.subtask(e.id)?.state.status : undefined;
      if (e.kind === 'subtask' && status !== 'review' && status !== undefined) {
        void closeProposalTabs(e.id);
      }
    }),
  );
  updateContext();
  return {
    openDiff: (arg) => review.openDiff(arg),
    nextFile: (arg) => review.nextFile(arg),
    reviewNext: () => review.reviewNext(),
    acceptHunk: (arg) => review.acceptHunk(arg),
    rejectHunk: (arg, opts) => review.rejectHunk(arg, opts),
    acceptFile: (arg) => review.acceptFile(arg),
    rejectFile: (arg, opts) => review.rejectFile(arg, opts),
    acceptProposal: (arg) => review.acceptProposal(arg),
    rejectProposal: (arg, opts) => review.rejectProposal(arg, opts),
    redispatch: (arg) => review.redispatch(arg),
    reviewProposal: (arg) => loop.reviewProposal(arg),
    retryWithSonnet: (arg) => loop.retryWith('sonnet', arg),
    retryWithOpus: (arg) => loop.retryWith('opus', arg),
    revertSubtask: (arg, opts) => loop.revertSubtask(arg, isConfirmArgs(opts) ? opts : undefined),
    showReview: (arg) => loop.showReview(arg),
  };
}
