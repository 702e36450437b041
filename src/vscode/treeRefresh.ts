import type { FrameScheduler } from './frame';
import { nodeId } from './treeNodes';
import type { TreeNode } from './treeNodes';

/** Minimum gap between two refreshes of one row while its tokens stream: the gauge stays live, the tree smooth. */
export const REFRESH_INTERVAL_MS = 100;
/**
 * Minimum gap between two refreshes of the plan row while subtasks run. VS Code refreshes a row together with every
 * row below it, so a refresh of the plan row re-renders all the subtasks: its running total may lag a second.
 */
export const PLAN_ROW_INTERVAL_MS = 1000;

/** What one `onDidChangeTreeData` event carries: the rows to refresh, or undefined for the whole tree. */
export type TreeChange = TreeNode | TreeNode[] | undefined;

/**
 * Collects the rows that changed and refreshes them once per frame, in one event: the smallest rows that changed
 * (a subtask, never the plan above it unless its own text changed), a row whose tokens stream at most every
 * REFRESH_INTERVAL_MS, the plan row at most every PLAN_ROW_INTERVAL_MS.
 */
export class TreeRefresher {
  private readonly dirty = new Map<string, { node: TreeNode; usageOnly: boolean }>();
  private readonly lastFired = new Map<string, number>();
  private everything = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly flushTask = (): void => this.flush();

  constructor(
    private readonly frame: FrameScheduler,
    private readonly fire: (change: TreeChange) => void,
    /** Whether the plan row reads differently from the last time it was sent (and remembers what it reads now). */
    private readonly planRowChanged: () => boolean,
  ) {}

  /** Everything in the next frame (a new plan, a new orchestrator, a settings change). */
  all(): void {
    this.dirty.clear();
    this.everything = true;
    this.frame.schedule(this.flushTask);
  }

  /** `node` in the next frame; `usageOnly` when only its live tokens changed, which may wait for its interval. */
  mark(node: TreeNode | undefined, usageOnly: boolean): void {
    if (!node || this.everything) {
      return;
    }
    const key = nodeId(node);
    const prior = this.dirty.get(key);
    this.dirty.set(key, { node, usageOnly: usageOnly && (prior?.usageOnly ?? true) });
    this.frame.schedule(this.flushTask);
  }

  dispose(): void {
    clearTimeout(this.retry);
    this.dirty.clear();
  }

  /** One event for everything that changed since the last frame and is due; the rest waits for its turn. */
  private flush(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    if (this.everything) {
      this.everything = false;
      this.lastFired.clear();
      this.planRowChanged();
      this.fire(undefined);
      return;
    }
    const now = Date.now();
    const due: TreeNode[] = [];
    let wait = Number.POSITIVE_INFINITY;
    for (const [key, { node, usageOnly }] of this.dirty) {
      const interval = node.kind === 'plan' ? PLAN_ROW_INTERVAL_MS : usageOnly ? REFRESH_INTERVAL_MS : 0;
      const next = (this.lastFired.get(key) ?? 0) + interval;
      if (next > now) {
        wait = Math.min(wait, next - now);
        continue;
      }
      this.dirty.delete(key);
      if (node.kind === 'plan' && !this.planRowChanged()) {
        continue;
      }
      this.lastFired.set(key, now);
      due.push(node);
    }
    if (wait !== Number.POSITIVE_INFINITY) {
      this.retry = setTimeout(() => this.frame.schedule(this.flushTask), wait);
    }
    if (due.length > 0) {
      this.fire(due.length === 1 ? due[0] : due);
    }
  }
}
