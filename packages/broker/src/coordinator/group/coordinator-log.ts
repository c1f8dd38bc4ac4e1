// The seam between a coordinator shard and its __consumer_offsets partition. The broker
// implements it over a PartitionLog (records written as record batches, key/value bytes as in
// records.ts); tests use `InMemoryCoordinatorLog`.
import type { SerializedRecord } from './records.ts';

export interface StoredRecord extends SerializedRecord {
  offset: number;
}

export interface CoordinatorLog {
  /** Appends the records atomically (one batch); resolves with the offset of the last record. */
  append(records: SerializedRecord[]): Promise<number>;
  /** Every record of the partition from its log start, in offset order (used on load). */
  readAll(): AsyncIterable<StoredRecord>;
}

export class InMemoryCoordinatorLog implements CoordinatorLog {
  readonly records: StoredRecord[] = [];
  /** Set to make the next appends fail (fault injection in tests). */
  failAppends: Error | null = null;

  async append(records: SerializedRecord[]): Promise<number> {
    if (this.failAppends) throw this.failAppends;
    for (const r of records) {
      this.records.push({ offset: this.records.length, key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) });
    }
    return this.records.length - 1;
  }

  async *readAll(): AsyncIterable<StoredRecord> {
    for (const r of this.records.slice()) yield r;
  }
}
