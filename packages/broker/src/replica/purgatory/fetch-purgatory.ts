// FetchPurgatory: the one place long-polling Fetch requests wait (Kafka's DelayedFetchPurgatory).
// A parked operation watches some partitions (keys `<topic>-<partition>`); whenever a partition's
// high watermark advances (an append completed) the partition layer calls `checkAndComplete(key)`,
// and every operation watching that key re-checks whether it can complete. Nothing polls.
// Operations also complete on their own timer, on abort, and all at once on `completeAll()`
// (broker stop, topic deletion).

export interface DelayedOperation {
  /** Returns true when the operation completed now (it is then forgotten). */
  tryComplete(): boolean;
  /** Completes regardless (timeout, shutdown, topic deleted). Idempotent. */
  forceComplete(): void;
  readonly isCompleted: boolean;
}

export class FetchPurgatory {
  private readonly watchers = new Map<string, Set<DelayedOperation>>();

  /** Number of distinct waiting operations (for tests and metrics). */
  get size(): number {
    const all = new Set<DelayedOperation>();
    for (const s of this.watchers.values()) for (const op of s) all.add(op);
    return all.size;
  }

  watch(keys: Iterable<string>, op: DelayedOperation): void {
    for (const k of keys) {
      let s = this.watchers.get(k);
      if (!s) this.watchers.set(k, (s = new Set()));
      s.add(op);
    }
  }

  /** Removes a completed operation from the keys it watched. */
  unwatch(keys: Iterable<string>, op: DelayedOperation): void {
    for (const k of keys) {
      const s = this.watchers.get(k);
      if (!s) continue;
      s.delete(op);
      if (s.size === 0) this.watchers.delete(k);
    }
  }

  checkAndComplete(key: string): void {
    const s = this.watchers.get(key);
    if (!s) return;
    for (const op of [...s]) {
      if (op.isCompleted) s.delete(op);
      else if (op.tryComplete()) s.delete(op);
    }
    if (s.size === 0) this.watchers.delete(key);
  }

  /** Forces every operation watching `key` to complete (partition deleted). */
  completeKey(key: string): void {
    const s = this.watchers.get(key);
    if (!s) return;
    this.watchers.delete(key);
    for (const op of s) op.forceComplete();
  }

  completeAll(): void {
    const all = new Set<DelayedOperation>();
    for (const s of this.watchers.values()) for (const op of s) all.add(op);
    this.watchers.clear();
    for (const op of all) op.forceComplete();
  }
}
