// A CoordinatorLog over a __consumer_offsets partition log (storage's PartitionLog, or anything
// with the same append/read shape): each append is one uncompressed record batch stamped with the
// partition's leader epoch (a TxnOffsetCommit's batch also carries its producer: see
// coordinator-batches.ts); loading reads the log from its start to its end in chunks of
// offsets.load.buffer.size (5 MiB), batch by batch, yielding data records and transaction markers.
import { decodeRecordBatches } from '@tributary/protocol';
import { coordinatorEntriesOf, encodeCoordinatorBatch } from './coordinator-batches.ts';
import type { CoordinatorLog, StoredEntry, TransactionalAppend } from './coordinator-log.ts';
import type { SerializedRecord } from './records.ts';
import type { Time } from '@tributary/storage';

/** The part of storage's PartitionLog this adapter uses. */
export interface CoordinatorPartition {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  append(batches: Buffer, opts: { leaderEpoch: number }): Promise<{ lastOffset: number }>;
  read(fetchOffset: number, maxBytes: number, maxOffset?: number): { records: Buffer };
}

export interface PartitionCoordinatorLogOptions {
  /** The partition's current leader epoch, written into appended batches. */
  leaderEpoch: () => number;
  /** Stamps the CreateTime of appended batches. */
  time: Time;
  /** offsets.load.buffer.size */
  loadBufferBytes?: number;
}

export class PartitionCoordinatorLog implements CoordinatorLog {
  constructor(
    private readonly partition: CoordinatorPartition,
    private readonly opts: PartitionCoordinatorLogOptions,
  ) {}

  async append(records: SerializedRecord[], producer?: TransactionalAppend): Promise<number> {
    const batch = encodeCoordinatorBatch(records, this.opts.time.now(), producer);
    const info = await this.partition.append(batch, { leaderEpoch: this.opts.leaderEpoch() });
    return info.lastOffset;
  }

  async *readAll(): AsyncIterable<StoredEntry> {
    const end = this.partition.logEndOffset;
    let offset = this.partition.logStartOffset;
    const chunk = this.opts.loadBufferBytes ?? 5 * 1024 * 1024;
    while (offset < end) {
      const { records } = this.partition.read(offset, chunk, end);
      if (records.length === 0) break;
      const batches = await decodeRecordBatches(records);
      if (batches.length === 0) break;
      for (const batch of batches) {
        const next = Number(batch.baseOffset) + batch.lastOffsetDelta + 1;
        if (next <= offset) continue; // a batch the read started inside of
        yield* coordinatorEntriesOf(batch, offset);
        offset = next;
      }
    }
  }
}
