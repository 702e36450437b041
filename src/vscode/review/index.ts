import * as vscode from 'vscode';
import type { Controller } from '../controller';
import { HunkLensProvider } from './hunkLenses';
import { PROPOSAL_SCHEME, ProposalDocuments } from './proposalDocuments';
import { ReviewCommands } from './reviewCommands';

/**
 * The diff review: proposal documents, the per-hunk CodeLenses on them, and the accept / reject / open-diff commands.
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
  const updateContext = (): void => void review.updateContext();
  const command = (id: string, run: (arg?: unknown) => Promise<boolean>): vscode.Disposable =>
    vscode.commands.registerCommand(`opusOrchestrator.${id}`, run);
  context.subscriptions.push(
    documents,
    lenses,
    vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, documents),
    vscode.languages.registerCodeLensProvider({ scheme: PROPOSAL_SCHEME }, lenses),
    command('openDiff', (arg) => review.openDiff(arg)),
    command('nextFile', (arg) => review.nextFile(arg)),
    command('acceptHunk', (arg) => review.acceptHunk(arg)),
    command('rejectHunk', (arg) => review.rejectHunk(arg)),
    command('acceptFile', (arg) => review.acceptFile(arg)),
    command('rejectFile', (arg) => review.rejectFile(arg)),
    command('acceptProposal', (arg) => review.acceptProposal(arg)),
    command('rejectProposal', (arg) => review.rejectProposal(arg)),
    command('redispatch', (arg) => review.redispatch(arg)),
    vscode.window.tabGroups.onDidChangeTabs(updateContext),
    vscode.window.tabGroups.onDidChangeTabGroups(updateContext),
    controller.onDidChange((e) => {
      if (e.kind === 'proposal' || e.kind === 'plan') {
        updateContext();
      }
    }),
  );
}
