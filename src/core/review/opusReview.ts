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
   * The model to offer the subtask on: after a refusal, the model the refusal suggests (Opus too has one: another
   * model usually answers), never for a request to reveal the model's reasoning (only rephrasing helps); else one
   * step up when it failed, failed its review, or was rejected twice. Undefined when there is nothing to offer.
   */
  escalation(id: string): ModelRole | undefined {
    const view = this.session.subtask(id);
    if (!view) {
      return undefined;
    }
    const { state } = view;
    if (state.status === 'failed' && state.refusal) {
      return state.refusal.category === 'reasoning_extraction' ? undefined : state.refusal.fallback;
    }
    if (state.model === 'opus') {
      return undefined;
    }
    const rejectedTwice = (state.history ?? []).filter((h) => h.outcome === 'rejected').length >= 2;
    const reviewFailed = state.status === 'review' && state.review?.pass === false;
    return state.status === 'failed' || reviewFailed || rejectedTwice ? escalate(state.model) : undefined;
  }
}
