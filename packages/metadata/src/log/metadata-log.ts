// MetadataLog: where a controller backend keeps its records (Kafka's RaftClient as the controller
// sees it: append, then read back in order). The local implementation (local-metadata-log.ts)
// is `__cluster_metadata-0` on one node; a Raft quorum replicating the same log comes next.
import type { MetadataBatch } from '../records/record-serde.ts';
import type { MetadataRecord } from '../records/metadata-record.ts';

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
}

export interface MetadataLog {
  /** The offset the next record gets (Kafka's log end offset). */
  readonly endOffset: number;
  /** The leader epoch of the last batch written (-1 for an empty log). */
  readonly latestEpoch: number;
  /**
   * Appends the records as one batch (all or nothing after a crash) in `leaderEpoch`; resolves once
   * it is durable (fsynced), rejects if it cannot be written.
   */
  append(records: readonly MetadataRecord[], leaderEpoch: number): Promise<AppendResult>;
  /** Every batch holding records at or after `fromOffset`, in order (control batches included, without records). */
  read(fromOffset: number): Iterable<MetadataBatch>;
  /**
   * The batches from the one holding `fromOffset` as stored (whole v2 batches, the first even when
   * larger than `maxBytes`): what a Fetch of the metadata partition answers. Empty at the end.
   */
  readBytes(fromOffset: number, maxBytes: number): Buffer;
  close(): void;
}
