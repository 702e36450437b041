import type { Logger, OrchestratorEvent } from '../contract';

/**
 * The one event stream of a plan: the session, the runner and the review desk all report through it, and the tree,
 * the gauges and the CLI listen to it. A listener that throws is logged and does not stop the others.
 */
export class EventStream {
  private readonly listeners = new Set<(e: OrchestratorEvent) => void>();

  constructor(private readonly log: Logger) {}

  on(listener: (e: OrchestratorEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  emit(e: OrchestratorEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(e);
      } catch (err) {
        this.log('error', `event listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** A 'subtask' event for each id, once each, in order. */
  subtasks(ids: Iterable<string>): void {
    for (const id of new Set(ids)) {
      this.emit({ kind: 'subtask', id });
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
