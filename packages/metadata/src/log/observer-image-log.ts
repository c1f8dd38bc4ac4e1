// ObserverImageLog: the RaftLog of an observer that keeps no metadata log of its own (a
// broker-only node): the leader serves observers committed batches only, so every batch fetched
// is replayed into the MetadataImage at once and published (Kafka's MetadataLoader, without the
// local copy of `__cluster_metadata-0`). It holds only what the Raft core needs to keep fetching:
// the log end offset and the epoch of the last batch. An observer never leads and never diverges
// (committed records are never truncated): leader appends and truncation throw.
import { parseSnapshotFile, type AppendedRange, type OffsetAndEpoch, type RaftLog } from '@tributary/raft';
import type { MetadataImage } from '../image/metadata-image.ts';
import { imageFromSnapshot } from '../snapshot/metadata-snapshot.ts';
import type { MetadataRecord } from '../records/metadata-record.ts';
import { decodeMetadataBatches } from '../records/record-serde.ts';

/** Receives the records of each fetched chunk of committed batches and where they end. */
export type CommittedBatchesListener = (records: MetadataRecord[], lastOffset: number, lastEpoch: number) => void;

/** Receives the image of a snapshot fetched from the leader (it replaces everything before it). */
export type SnapshotListener = (image: MetadataImage) => void;

export class ObserverImageLog implements RaftLog<never, Buffer> {
  private end = 0;
  private lastEpoch = 0;
  /** Where each epoch starts, in order (endOffsetForEpoch). */
  private readonly epochStarts: OffsetAndEpoch[] = [];

  private snapshot: OffsetAndEpoch | null = null;

  constructor(
    private readonly onBatches: CommittedBatchesListener,
    private readonly onSnapshot: SnapshotListener,
  ) {}

  get startOffset(): number {
    return this.snapshot?.offset ?? 0;
  }

  get endOffset(): number {
    return this.end;
  }

  get flushedOffset(): number {
    return this.end;
  }

  get lastFetchedEpoch(): number {
    return this.lastEpoch;
  }

  latestSnapshot(): OffsetAndEpoch | null {
    return null;
  }

  writeSnapshot(): Promise<void> {
    return Promise.reject(new Error('an observer keeps no snapshots'));
  }

  snapshotSize(): number {
    return -1;
  }

  readSnapshot(): Buffer {
    throw new Error('an observer keeps no snapshots');
  }

  chunkSize(chunk: Buffer): number {
    return chunk.length;
  }

  /** A snapshot file fetched from the leader: its image replaces this one; fetching goes on from its end. */
  async installSnapshot(id: OffsetAndEpoch, chunks: readonly Buffer[]): Promise<void> {
    const file = parseSnapshotFile(Buffer.concat(chunks), `snapshot ${id.offset}-${id.epoch}`);
    const image = imageFromSnapshot(file.batches, id);
    this.snapshot = { ...id };
    this.end = id.offset;
    this.lastEpoch = id.epoch;
    this.epochStarts.length = 0;
    this.onSnapshot(image);
  }

  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    let found = -1;
    for (let i = this.epochStarts.length - 1; i >= 0; i--) {
      if (this.epochStarts[i]!.epoch <= epoch) {
        found = i;
        break;
      }
    }
    if (found < 0) return this.snapshot && this.snapshot.epoch <= epoch ? { ...this.snapshot } : { epoch: -1, offset: this.startOffset };
    const next = this.epochStarts[found + 1];
    return { epoch: this.epochStarts[found]!.epoch, offset: next ? next.offset : this.end };
  }

  appendAsLeader(): AppendedRange {
    throw new Error('an observer never leads the quorum');
  }

  appendLeaderChange(): AppendedRange {
    throw new Error('an observer never leads the quorum');
  }

  appendAsFollower(records: Buffer): void {
    const batches = decodeMetadataBatches(records).filter((b) => b.lastOffset >= this.end);
    if (batches.length === 0) return;
    const replayed: MetadataRecord[] = [];
    for (const b of batches) {
      for (const r of b.records) if (r.offset >= this.end) replayed.push(r.record);
      if (b.leaderEpoch > this.lastEpoch) this.epochStarts.push({ epoch: b.leaderEpoch, offset: b.baseOffset });
      this.lastEpoch = Math.max(this.lastEpoch, b.leaderEpoch);
    }
    const last = batches[batches.length - 1]!;
    this.end = last.lastOffset + 1;
    this.onBatches(replayed, last.lastOffset, last.leaderEpoch);
  }

  truncateTo(offset: number): void {
    if (offset < this.end) throw new Error(`an observer holds committed records only: cannot truncate to ${offset} (log end ${this.end})`);
  }

  async flush(): Promise<void> {}

  read(): Buffer | null {
    return null;
  }
}
