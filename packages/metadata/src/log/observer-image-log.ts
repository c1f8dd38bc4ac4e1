// ObserverImageLog: the RaftLog of an observer that keeps no metadata log of its own (a
// broker-only node): the leader serves observers committed batches only, so every batch fetched
// is replayed into the MetadataImage at once and published (Kafka's MetadataLoader, without the
// local copy of `__cluster_metadata-0`). It holds only what the Raft core needs to keep fetching:
// the log end offset and the epoch of the last batch. An observer never leads and never diverges
// (committed records are never truncated): leader appends and truncation throw.
import type { AppendedRange, OffsetAndEpoch, RaftLog } from '@tributary/raft';
import type { MetadataRecord } from '../records/metadata-record.ts';
import { decodeMetadataBatches } from '../records/record-serde.ts';

/** Receives the records of each fetched chunk of committed batches and where they end. */
export type CommittedBatchesListener = (records: MetadataRecord[], lastOffset: number, lastEpoch: number) => void;

export class ObserverImageLog implements RaftLog<never, Buffer> {
  private end = 0;
  private lastEpoch = 0;
  /** Where each epoch starts, in order (endOffsetForEpoch). */
  private readonly epochStarts: OffsetAndEpoch[] = [];

  constructor(private readonly onBatches: CommittedBatchesListener) {}

  get startOffset(): number {
    return 0;
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

  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    let found = -1;
    for (let i = this.epochStarts.length - 1; i >= 0; i--) {
      if (this.epochStarts[i]!.epoch <= epoch) {
        found = i;
        break;
      }
    }
    if (found < 0) return { epoch: -1, offset: 0 };
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
