// DelayedOperationPurgatory: where requests wait for something to happen to a partition (Kafka's
// DelayedOperationPurgatory). An operation watches keys (`<topic>-<partition>`); whenever
// something a waiter may be waiting for changes on a key (a partition's high watermark advanced,
// its leader moved), the owner calls `checkAndComplete(key)` and every operation watching that key
// re-checks itself. Nothing polls. Operations also complete on their own timer, on abort, and all
// at once on `completeAll()` (broker stop) or `completeKey()` (partition deleted or its leadership
// changed). One purgatory per kind of operation: Fetch now, acks=all Produce and DeleteRecords
// once replication lands (the ReplicaManager owns them).
import { systemTime, type Time } from '@tributary/storage';
import type { DelayedOperation } from './delayed-operation.ts';

export class DelayedOperationPurgatory<Op extends DelayedOperation = DelayedOperation> {
  private readonly watchers = new Map<string, Set<Op>>();

  constructor(
    readonly name: string,
    private readonly time: Time = systemTime,
  ) {}

  /** Number of distinct waiting operations (for tests and metrics). */
  get size(): number {
    const all = new Set<Op>();
    for (const s of this.watchers.values()) for (const op of s) all.add(op);
    return all.size;
  }

  /**
   * Completes `op` now if it can; otherwise watches it on `keys` and arms its timer. Returns true
   * when it completed now (Kafka's tryCompleteElseWatch).
   */
  tryCompleteElseWatch(op: Op, keys: readonly string[]): boolean {
    if (op.isCompleted || op.tryComplete()) return true;
    for (const k of keys) {
      let s = this.watchers.get(k);
      if (!s) this.watchers.set(k, (s = new Set()));
      s.add(op);
    }
    // However it completes (a check, its timer, an abort), it stops being watched at once.
    op.watched(() => this.unwatch(keys, op));
    op.startTimer(this.time);
    return false;
  }

  private unwatch(keys: readonly string[], op: Op): void {
    for (const k of keys) {
      const s = this.watchers.get(k);
      if (!s) continue;
      s.delete(op);
      if (s.size === 0) this.watchers.delete(k);
    }
  }

  /** Re-checks every operation watching `key`; returns how many completed. */
  checkAndComplete(key: string): number {
    const s = this.watchers.get(key);
    if (!s) return 0;
    let completed = 0;
    for (const op of [...s]) if (!op.isCompleted && op.tryComplete()) completed++;
    return completed;
  }

  /** Forces every operation watching `key` to complete (partition deleted, leadership moved). */
  completeKey(key: string): void {
    const s = this.watchers.get(key);
    if (!s) return;
    for (const op of [...s]) op.forceComplete();
  }

  /** Forces every waiting operation to complete (broker stop). */
  completeAll(): void {
    const all = new Set<Op>();
    for (const s of this.watchers.values()) for (const op of s) all.add(op);
    for (const op of all) op.forceComplete();
  }
}
