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

  // ---- snapshots (KIP-630) ----

  /** The latest snapshot: every record below `offset` is in it, the last of epoch `epoch` (null: none). */
  latestSnapshot(): OffsetAndEpoch | null;
  /**
   * Writes a snapshot of the first `id.offset` records (`content`: the state machine's image as the
   * log's unit of transfer), durable once it resolves, then drops the log below it: the log start
   * moves to `id.offset`.
   */
  writeSnapshot(id: OffsetAndEpoch, content: R): Promise<void>;
  /** The size of snapshot `id` in `position` units (bytes on disk), or -1 when there is no such snapshot. */
  snapshotSize(id: OffsetAndEpoch): number;
  /** A chunk of snapshot `id` from `position`, about `maxBytes` at most (FetchSnapshot). */
  readSnapshot(id: OffsetAndEpoch, position: number, maxBytes: number): R;
  /** How far a chunk moves the position. */
  chunkSize(chunk: R): number;
  /** Replaces the whole log by a fetched snapshot (the chunks in order): log start = log end = `id.offset`. */
  installSnapshot(id: OffsetAndEpoch, chunks: readonly R[]): Promise<void>;
}
