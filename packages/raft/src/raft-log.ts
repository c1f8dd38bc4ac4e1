// RaftLog: the replicated log as the quorum core uses it (Kafka's ReplicatedLog): appends as the
// leader (offsets assigned here) or as a follower (offsets as fetched), truncation of a divergent
// tail, the epoch of every offset (the leader-epoch cache) and an explicit flush: a voter reports
// as replicated, and a leader counts towards the high watermark, only what is flushed.
//
// `D` is what the leader appends (the state machine's records), `R` how batches travel in a Fetch.
// Implementations: disk-raft-log.ts (`__cluster_metadata-0` in Kafka's format) and
// memory-raft-log.ts (the simulation's, which loses its unflushed tail on a crash).
import type { OffsetAndEpoch } from './raft-messages.ts';

export interface AppendedRange {
  baseOffset: number;
  lastOffset: number;
}

export interface RaftLog<D, R> {
  /** The first offset held (0 until snapshots trim the log). */
  readonly startOffset: number;
  /** The log end offset: the offset the next record gets. */
  readonly endOffset: number;
  /** Every offset below it is durable. */
  readonly flushedOffset: number;
  /** The epoch of the last batch; 0 for an empty log. */
  readonly lastFetchedEpoch: number;
  /**
   * The largest epoch at or below `epoch` in this log and the offset it ends at (the start of the
   * next epoch, or the log end for the latest): Kafka's LeaderEpochFileCache.endOffsetFor. An
   * epoch below every epoch in the log answers `{ epoch: -1, offset: startOffset }`.
   */
  endOffsetForEpoch(epoch: number): OffsetAndEpoch;
  /** Appends `data` as one batch in `epoch` (not yet flushed). */
  appendAsLeader(data: D, epoch: number): AppendedRange;
  /** Appends the control batch a new leader starts its epoch with (LeaderChangeMessage). */
  appendLeaderChange(epoch: number, leaderId: number, voters: readonly number[]): AppendedRange;
  /** Appends fetched batches, which must start at the log end. */
  appendAsFollower(records: R): void;
  /** Removes every offset at or after `offset`. */
  truncateTo(offset: number): void;
  /** Makes everything appended so far durable. */
  flush(): Promise<void>;
  /**
   * Whole batches from the one holding `offset`, none ending at or past `maxOffset`, about
   * `maxBytes` at most (the first batch even when larger); null when there is none.
   */
  read(offset: number, maxOffset: number, maxBytes: number): R | null;
}
