import { OrchestratorError } from '../contract';
import { acceptHunks, hashText, isStale } from '../edits/proposal';
import type { FileChange, Proposal } from '../edits/types';
import type { SubtaskState } from '../plan/state';
import type { EngineEnv } from '../session/env';
import type { PlanSession } from '../session/session';
import { addToCheckpoint, settle } from './decisions';

/**
 * What accepting a subtask wrote, and getting back from it: Revert Subtask restores each file as it was before the
 * subtask's first accept, and a load finds accepts whose record was cut off by the process ending.
 */
export class Checkpoints {
  constructor(
    private readonly env: EngineEnv,
    private readonly session: PlanSession,
  ) {}

  /**
   * Undoes exactly what accepting this subtask wrote, file by file, and makes it ready to run again. Refuses, changing
   * nothing, when any of those files changed after the accept.
   */
  async revert(id: string): Promise<void> {
    this.session.require(id);
    this.env.requireTrust('change files');
    await this.session.transaction(() => this.revertLocked(id));
  }

  private async revertLocked(id: string): Promise<void> {
    const { state } = this.session.require(id);
    const checkpoint = state.checkpoint ?? [];
    if (checkpoint.length === 0) {
      throw new OrchestratorError('no-proposal', `Subtask "${id}" has no accepted changes to revert.`);
    }
    for (const file of checkpoint) {
      if (hashText(await this.env.io.read(file.path)) !== hashText(file.after)) {
        throw new OrchestratorError(
          'moved-on',
          `${file.path} changed after subtask "${id}" was accepted, so reverting it would lose those changes. ` +
            'Undo it by hand (or with git) instead.',
        );
      }
    }
    for (const file of checkpoint) {
      if (file.before === null) {
        if (!this.env.io.remove) {
          throw new OrchestratorError('invalid', `Cannot delete ${file.path} here: delete it yourself.`);
        }
        await this.env.io.remove(file.path);
      } else {
        await this.env.io.write(file.path, file.before);
      }
    }
    state.checkpoint = undefined;
    state.status = 'pending';
    const touched = this.session.refresh();
    this.env.log('info', `${id}: reverted ${checkpoint.map((f) => f.path).join(', ')}`);
    this.session.changed([id, ...touched]);
    await this.session.commit([id]);
  }

  /**
   * An accept writes the workspace first and its record is saved a moment later; a process that ended in between
   * leaves a file holding accepted hunks that the stored proposal still shows open (and stale). One decision changes
   * a file by one hunk or by all its open hunks, so comparing the file with those candidates finds what was
   * accepted, and it is recorded as if the save had happened — checkpoint included, so it can still be reverted.
   */
  async recover(): Promise<void> {
    for (const { spec, state } of this.session.subtasks()) {
      const proposal = this.session.proposal(spec.id);
      if (state.status !== 'review' || !proposal) {
        continue;
      }
      let recovered = false;
      for (const [at, change] of proposal.files.entries()) {
        const disk = change.hunks.length > 0 ? await this.env.io.read(change.path) : null;
        const rest = change.hunks.length > 0 && isStale(change, disk) ? acceptedTo(change, disk) : undefined;
        if (rest && disk !== null) {
          addToCheckpoint(state, change.path, change.base, disk);
          proposal.files[at] = rest;
          proposal.status = 'partial';
          recovered = true;
          this.env.log('warn', `${spec.id}: ${change.path} already held accepted changes; they are recorded now`);
        }
      }
      if (recovered) {
        this.finish(state, proposal);
      }
    }
  }

  private finish(state: SubtaskState, proposal: Proposal): void {
    if (proposal.files.every((f) => f.hunks.length === 0)) {
      settle(state, proposal, this.env.log);
    }
    this.session.proposalChanged(proposal);
    this.session.changed([state.id, ...this.session.refresh()]);
  }
}

/** What is left of `change` if `disk` is its base with all its open hunks, or one of them, accepted. */
function acceptedTo(change: FileChange, disk: string | null): FileChange | undefined {
  const all = change.hunks.map((h) => h.id);
  const candidates = all.length > 1 ? [all, ...all.map((id) => [id])] : [all];
  for (const ids of candidates) {
    try {
      const { text, change: rest } = acceptHunks(change, ids);
      if (text === disk) {
        return rest;
      }
    } catch {
      // These hunks do not apply to the base: not what was accepted.
    }
  }
  return undefined;
}
