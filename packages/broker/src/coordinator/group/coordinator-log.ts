// The seam between a coordinator shard and its __consumer_offsets partition. The broker
// implements it over a PartitionLog (records written as record batches, key/value bytes as in
// records.ts); tests use `InMemoryCoordinatorLog`.
//
// Transactions: an append may be transactional (TxnOffsetCommit: one batch carrying the
// producer's id and epoch, attributes bit 4); loading yields each data record with the producer id
// of its batch when that batch is transactional, and each transaction marker (a control batch's
// COMMIT/ABORT record, written by the partition's WriteTxnMarkers path) with its producer id, in
// log order, so the shard replays pending transactional offsets and their completion.
import type { SerializedRecord } from './records.ts';

/** A data record of the log. */
export interface StoredRecord extends SerializedRecord {
  offset: number;
  /** The producer id of its batch when the batch is transactional; absent (or -1n) otherwise. */
  producerId?: bigint;
}

/** A transaction marker of the log: the record of a COMMIT or ABORT control batch. */
export interface StoredTxnMarker {
  offset: number;
  marker: 'commit' | 'abort';
  producerId: bigint;
  producerEpoch: number;
}

export type StoredEntry = StoredRecord | StoredTxnMarker;

export function isTxnMarker(e: StoredEntry): e is StoredTxnMarker {
  return 'marker' in e;
}

/** The producer of a transactional append (TxnOffsetCommit). */
export interface TransactionalAppend {
  producerId: bigint;
  producerEpoch: number;
  /** Attributes bit 4; always true for TxnOffsetCommit (kept explicit, as the batch says it). */
  transactional: boolean;
}

export interface CoordinatorLog {
  /**
   * Appends the records atomically (one batch); resolves with the offset of the last record.
   * With `producer`, the batch carries its producer id and epoch (and the transactional bit); the
   * partition's producer state may refuse it (a PartitionError: INVALID_PRODUCER_EPOCH, ...).
   */
  append(records: SerializedRecord[], producer?: TransactionalAppend): Promise<number>;
  /** Every data record and transaction marker of the partition from its log start, in offset order (used on load). */
  readAll(): AsyncIterable<StoredEntry>;
}

export class InMemoryCoordinatorLog implements CoordinatorLog {
  /** Every entry in offset order: an entry's offset is its index. */
  readonly entries: StoredEntry[] = [];
  /** Set to make the next appends fail (fault injection in tests). */
  failAppends: Error | null = null;

  /** The data records (markers left out). */
  get records(): StoredRecord[] {
    return this.entries.filter((e): e is StoredRecord => !isTxnMarker(e));
  }

  async append(records: SerializedRecord[], producer?: TransactionalAppend): Promise<number> {
    if (this.failAppends) throw this.failAppends;
    const producerId = producer?.transactional ? producer.producerId : undefined;
    for (const r of records) {
      const stored: StoredRecord = {
        offset: this.entries.length,
        key: Buffer.from(r.key),
        value: r.value === null ? null : Buffer.from(r.value),
      };
      if (producerId !== undefined) stored.producerId = producerId;
      this.entries.push(stored);
    }
    return this.entries.length - 1;
  }

  /** Writes a COMMIT/ABORT marker, as the partition's WriteTxnMarkers path would (tests); returns its offset. */
  appendMarker(producerId: bigint, producerEpoch: number, commit: boolean): number {
    const offset = this.entries.length;
    this.entries.push({ offset, marker: commit ? 'commit' : 'abort', producerId, producerEpoch });
    return offset;
  }

  async *readAll(): AsyncIterable<StoredEntry> {
    for (const e of this.entries.slice()) yield e;
  }
}
