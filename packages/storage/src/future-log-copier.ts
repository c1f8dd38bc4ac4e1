// Copies a partition's current log into its future log (a replica moving to another log dir:
// AlterReplicaLogDirs), one bounded step at a time, as Kafka's ReplicaAlterLogDirsThread fetches
// from the local current log and appends to the future one as a follower would: batches keep their
// offsets and leader epochs, the future log's producer state and leader epoch cache follow the
// batches (appendAsFollower), its log start offset follows the current one's (retention,
// DeleteRecords), and a current log that falls below the future's end (truncated, or its start
// moved past the future's end) makes the future log truncate too. The caller (the broker's mover)
// decides when to step and, once `caughtUp`, swaps the logs (LogManager.replaceCurrentWithFutureLog)
// without yielding in between.
import type { PartitionLog } from './partition-log.ts';

export interface CopyStep {
  /** Bytes appended to the future log by this step. */
  bytes: number;
  /** The future log ends where the current one does: the logs may be swapped now. */
  caughtUp: boolean;
}

export class FutureLogCopier {
  private readonly onTruncate = (end: number): void => {
    if (this.future.isClosed || this.future.isOffline) return;
    if (end < this.future.logEndOffset) this.future.truncateTo(end);
  };

  constructor(
    readonly current: PartitionLog,
    readonly future: PartitionLog,
  ) {
    current.on('truncate', this.onTruncate);
  }

  /** How far the future log is behind the current one (DescribeLogDirs' OffsetLag of the future replica). */
  get offsetLag(): number {
    return Math.max(0, this.current.logEndOffset - this.future.logEndOffset);
  }

  /** Copies up to `maxBytes` (at least one batch) from the current log to the future log. Throws what the logs throw (offline). */
  step(maxBytes: number): CopyStep {
    const { current, future } = this;
    if (future.logEndOffset < current.logStartOffset || future.logEndOffset > current.logEndOffset) {
      // nothing of the future log is usable: start it again where the current one starts
      future.truncateFullyAndStartAt(current.logStartOffset);
    } else if (future.logStartOffset < current.logStartOffset) {
      future.deleteRecordsBefore(current.logStartOffset);
    }
    let bytes = 0;
    if (future.logEndOffset < current.logEndOffset) {
      const r = current.read(future.logEndOffset, maxBytes);
      if (r.records.length > 0) {
        future.appendAsFollower(r.records);
        bytes = r.records.length;
      }
    }
    return { bytes, caughtUp: future.logEndOffset === current.logEndOffset };
  }

  /** Stops following the current log's truncations (the move ended or was cancelled). */
  detach(): void {
    this.current.off('truncate', this.onTruncate);
  }
}
