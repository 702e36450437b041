import { OrchestratorError } from '../contract';
import type { ModelRole } from '../models';
import { escalate, modelFor } from '../models';
import type { EngineEnv } from '../session/env';
import type { PlanSession } from '../session/session';
import { reviewProposal } from './review';

/**
 * Opus's side of the review: judging an open proposal against its subtask's acceptance criteria (the verdict is kept
 * on the subtask and on its attempt's record, the calls billed to the subtask), and the model one step up when a
 * subtask keeps failing.
 */
export class OpusReviewer {
  constructor(
    private readonly env: EngineEnv,
    private readonly session: PlanSession,
  ) {}

  async review(id: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const { spec, state } = this.session.require(id);
    const proposal = this.session.proposal(id);
    if (!proposal || state.status !== 'review') {
      throw new OrchestratorError('no-proposal', `Subtask "${id}" has no proposal awaiting review.`);
    }
    if (state.reviewing) {
      throw new OrchestratorError('busy', `Opus is already reviewing subtask "${id}".`);
    }
    state.reviewing = true;
    this.session.events.emit({ kind: 'subtask', id });
    try {
      const review = await reviewProposal({
        llm: this.env.llm,
        model: modelFor('opus', this.env.settings.models),
        subtask: spec,
        files: proposal.files.filter((f) => f.hunks.length > 0),
        attempt: state.attempt,
        signal: opts.signal,
        ledger: this.session.ledger,
        onUsage: (u) => {
          state.live = u;
          this.session.events.emit({ kind: 'usage', id });
        },
      });
      state.review = review;
      const record = state.history?.at(-1);
      if (record && record.attempt === state.attempt) {
        record.review = review;
      }
      this.env.log('info', `${id}: review ${review.pass ? 'passed' : 'failed'}: ${review.summary}`);
    } finally {
      state.reviewing = false;
      state.live = undefined;
      this.session.changed([id]);
      await this.session.flush();
    }
  }

  /**
   * The model one step up, offered when a subtask failed, failed its review, or was rejected twice; undefined when
   * there is no reason to escalate or it already runs on Opus.
   */
  escalation(id: string): ModelRole | undefined {
    const view = this.session.subtask(id);
    if (!view || view.state.model === 'opus') {
      return undefined;
    }
    const { state } = view;
    const rejectedTwice = (state.history ?? []).filter((h) => h.outcome === 'rejected').length >= 2;
    const reviewFailed = state.status === 'review' && state.review?.pass === false;
    return state.status === 'failed' || reviewFailed || rejectedTwice ? escalate(state.model) : undefined;
  }
}
