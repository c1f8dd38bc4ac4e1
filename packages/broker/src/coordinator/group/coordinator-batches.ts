// Glue between coordinator records and the __consumer_offsets log's record batches, for the
// broker's CoordinatorLog over a PartitionLog: one append = one uncompressed record batch v2
// (CreateTime = now, as Kafka's coordinator writes them), and loading decodes the stored batches
// back into key/value records with their offsets.
//
// Transactional appends (TxnOffsetCommit) carry the producer id and epoch, attributes bit 4, and
// BaseSequence 0, as Kafka's coordinators build them (the partition checks only the producer
// epoch of a coordinator's batch, not its sequence). On load, a transactional batch's records
// carry its producer id, and a control batch (COMMIT/ABORT marker) becomes one StoredTxnMarker;
// control records of other types are skipped, as Kafka's loader does.
import {
  CompressionType,
  ControlRecordType,
  endTxnMarkerOf,
  encodeRecordBatchSync,
  decodeRecordBatches,
  type DecodedBatch,
} from '@tributary/protocol';
import type { StoredEntry, StoredRecord, TransactionalAppend } from './coordinator-log.ts';
import type { SerializedRecord } from './records.ts';

export function encodeCoordinatorBatch(records: SerializedRecord[], nowMs: number, producer?: TransactionalAppend): Buffer {
  return encodeRecordBatchSync({
    records: records.map((r) => ({ key: r.key, value: r.value, timestamp: BigInt(nowMs) })),
    baseTimestamp: BigInt(nowMs),
    compression: CompressionType.None,
    ...(producer && {
      producerId: producer.producerId,
      producerEpoch: producer.producerEpoch,
      baseSequence: 0,
      isTransactional: producer.transactional,
    }),
  });
}

/** The entries of one decoded batch at or after `fromOffset`, in offset order. */
export function coordinatorEntriesOf(batch: DecodedBatch, fromOffset = 0): StoredEntry[] {
  if (batch.isControl) {
    const marker = endTxnMarkerOf(batch);
    const offset = Number(batch.baseOffset);
    if (!marker || offset < fromOffset) return [];
    return [
      {
        offset,
        marker: marker.type === ControlRecordType.Commit ? 'commit' : 'abort',
        producerId: batch.producerId,
        producerEpoch: batch.producerEpoch,
      },
    ];
  }
  const out: StoredEntry[] = [];
  for (const r of batch.records) {
    const offset = Number(r.offset);
    if (offset < fromOffset || r.key === null) continue;
    const stored: StoredRecord = { offset, key: r.key, value: r.value };
    if (batch.isTransactional) stored.producerId = batch.producerId;
    out.push(stored);
  }
  return out;
}

/** Records and markers of a blob of stored batches (as PartitionLog.read returns them), in offset order. */
export async function coordinatorRecordsIn(blob: Buffer): Promise<StoredEntry[]> {
  return (await decodeRecordBatches(blob)).flatMap((b) => coordinatorEntriesOf(b));
}
