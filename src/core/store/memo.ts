/**
 * What this process last read or wrote of the store's files, trusted only while it holds the store lock without a
 * break: every process writes the store under that lock, so while this one keeps it nothing on disk changes but through
 * this process. Once the lock is let go (or lost), another process may have written anything, and all is forgotten.
 * A transaction that follows another one at once then checks the records without reading a file.
 */
export class DiskMemo {
  private epoch: number | undefined;
  private readonly known = new Map<string, unknown>();

  /** `epoch`: the lock's current hold, undefined while this process does not hold it. */
  constructor(private readonly hold: () => number | undefined) {}

  /** What the file holds as this process last saw it, or undefined when that is not known for sure. */
  recall<T>(key: string): T | null | undefined {
    return this.current()?.get(key) as T | null | undefined;
  }

  /** The file now holds `value` (null: the file is gone); remembered for the rest of this hold. */
  remember(key: string, value: unknown): void {
    this.current()?.set(key, value);
  }

  /** Something was written that is not known exactly (a failed write, a folder cleared): read everything again. */
  forget(): void {
    this.known.clear();
  }

  private current(): Map<string, unknown> | undefined {
    const epoch = this.hold();
    if (epoch === undefined) {
      return undefined;
    }
    if (epoch !== this.epoch) {
      this.known.clear();
      this.epoch = epoch;
    }
    return this.known;
  }
}
