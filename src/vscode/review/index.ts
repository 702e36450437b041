import * as vscode from 'vscode';
import { isConfirmArgs } from '../commands';
import type { Controller } from '../controller';
import { HunkLensProvider, SHOW_REVIEW_COMMAND } from './hunkLenses';
import { ReviewLoopCommands } from './loopCommands';
import { PROPOSAL_SCHEME, ProposalDocuments } from './proposalDocuments';
import { ReviewCommands } from './reviewCommands';

/**
 * The diff review: proposal documents, the per-hunk CodeLenses on them, the accept / reject / open-diff commands, and
 * the review loop around them (Review with Opus, retry one model up, revert).
 * Everything registered here is owned by `context`, so it goes away with the extension.
 */
export function registerReview(context: vscode.ExtensionContext, controller: Controller): void {
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
  const command = (id: string, run: (arg?: unknown, more?: unknown) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(`opusOrchestrator.${id}`, run);
  context.subscriptions.push(
    documents,
    lenses,
    vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, documents),
    vscode.languages.registerCodeLensProvider({ scheme: PROPOSAL_SCHEME }, lenses),
    command('openDiff', (arg) => review.openDiff(arg)),
    command('nextFile', (arg) => review.nextFile(arg)),
    command('acceptHunk', (arg) => review.acceptHunk(arg)),
    command('rejectHunk', (arg, opts) => review.rejectHunk(arg, opts)),
    command('acceptFile', (arg) => review.acceptFile(arg)),
    command('rejectFile', (arg, opts) => review.rejectFile(arg, opts)),
    command('acceptProposal', (arg) => review.acceptProposal(arg)),
    command('rejectProposal', (arg, opts) => review.rejectProposal(arg, opts)),
    command('redispatch', (arg) => review.redispatch(arg)),
    command('reviewProposal', (arg) => loop.reviewProposal(arg)),
    command('retryWithSonnet', (arg) => loop.retryWith('sonnet', arg)),
    command('retryWithOpus', (arg) => loop.retryWith('opus', arg)),
    command('revertSubtask', (arg, opts) => loop.revertSubtask(arg, isConfirmArgs(opts) ? opts : undefined)),
    vscode.commands.registerCommand(SHOW_REVIEW_COMMAND, (arg) => loop.showReview(arg)),
    vscode.window.tabGroups.onDidChangeTabs(updateContext),
    vscode.window.tabGroups.onDidChangeTabGroups(updateContext),
    controller.onDidChange((e) => {
      if (e.kind === 'proposal' || e.kind === 'plan') {
        updateContext();
      }
    }),
  );
}
