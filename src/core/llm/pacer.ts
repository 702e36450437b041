/**
 * Lets model calls leave one per turn of the event loop. Starting a call is synchronous work of a few milliseconds
 * (the secret sweep of the whole request, the SDK building it, the host's proxy-aware fetch); a few hundred subtasks
 * dispatched at once, or whose first replies end together, would otherwise start in one go and hold the loop for a
 * second, freezing the views and every stream already under way. Calls leave in the order they asked.
 */
export class StartPacer {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  /** Resolves when this call may start: at once for a lone call, else in a later turn of the event loop. */
  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.release());
      }
    });
  }

  private release(): void {
    // An immediate queued from inside an immediate runs in the next turn, after timers and I/O have had theirs.
    const next = this.waiting.shift();
    if (this.waiting.length > 0) {
      setImmediate(() => this.release());
    } else {
      this.scheduled = false;
    }
    next?.();
  }
}

/** One for the process: every client shares the event loop. */
export const callStarts = new StartPacer();
