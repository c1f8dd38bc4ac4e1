// MetadataLog: where a controller backend keeps its records (Kafka's RaftClient as the controller
// sees it: append as the leader, read back what is committed, in order). Implementations:
// local-metadata-log.ts (`__cluster_metadata-0` on one node, a lone voter that always leads) and
// raft-metadata-log.ts (the same log replicated by a Raft quorum of controllers).
import type { QuorumDescription } from '@tributary/raft';
import type { MetadataImage } from '../image/metadata-image.ts';
import type { MetadataBatch } from '../records/record-serde.ts';
import type { MetadataRecord } from '../records/metadata-record.ts';

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
}

export interface MetadataLog {
  /** The offset the next record gets (Kafka's log end offset). */
  readonly endOffset: number;
  /** Every record below it is committed (the whole log for one voter; the high watermark of a quorum). */
  readonly committedOffset: number;
  /**
   * The epoch this node may write in now: it is the leader, with a record of its own epoch
   * committed (a lone voter always is); null otherwise.
   */
  readonly activeEpoch: number | null;
  /** Called after the committed offset moved or leadership changed (a quorum's log); returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  /**
   * Appends the records as one batch (all or nothing after a crash) in `leaderEpoch`; resolves once
   * it is committed (fsynced here, and for a quorum on a majority of voters), rejects if it cannot
   * be written or this node stops leading `leaderEpoch` first (NOT_CONTROLLER).
   */
  append(records: readonly MetadataRecord[], leaderEpoch: number): Promise<AppendResult>;
  /** Every committed batch holding records at or after `fromOffset`, in order (control batches included, without records). */
  read(fromOffset: number): Iterable<MetadataBatch>;
  /**
   * The batches from the one holding `fromOffset` as stored (whole v2 batches, the first even when
   * larger than `maxBytes`): what a Fetch of the metadata partition answers. Empty at the end.
   */
  readBytes(fromOffset: number, maxBytes: number): Buffer;
  /** Where the log starts (everything below is in the latest snapshot); absent: 0, no snapshots. */
  readonly startOffset?: number;
  /** The image of the latest snapshot, or null. */
  snapshotImage?(): MetadataImage | null;
  /** Offers the committed image for a snapshot; the log decides whether one is due. */
  maybeSnapshot?(image: MetadataImage): void;
  /** The quorum as this voter knows it (DescribeQuorum); absent for a lone voter, which describes itself. */
  describeQuorum?(): QuorumDescription;
  close(): void | Promise<void>;
}
