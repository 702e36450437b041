import type * as vscode from 'vscode';

/** About one screen refresh: the workbench draws nothing faster than this, so nothing is sent faster either. */
export const FRAME_MS = 16;

/**
 * Runs scheduled work at most once per frame. While hundreds of subtasks stream, the core reports thousands of events
 * a second; the views mark what changed as events arrive and do the work (tree refreshes, the status bar, badge,
 * decorations, context keys) once per frame, each task once however often it was scheduled.
 */
export class FrameScheduler implements vscode.Disposable {
  private readonly tasks = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ms = FRAME_MS) {}

  /** Runs `task` in the next frame (once, however often it is scheduled before then). */
  schedule(task: () => void): void {
    this.tasks.add(task);
    this.timer ??= setTimeout(() => this.flush(), this.ms);
  }

  /** Runs the scheduled work now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const tasks = [...this.tasks];
    this.tasks.clear();
    for (const task of tasks) {
      try {
        task();
      } catch (err) {
        // One view failing to update must not keep the others stale.
        console.error(`Opus Orchestrator: a view update failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.tasks.clear();
  }
}
