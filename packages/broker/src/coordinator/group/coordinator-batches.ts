// Glue between coordinator records and the __consumer_offsets log's record batches, for the
// broker's CoordinatorLog over a PartitionLog: one append = one uncompressed record batch v2
// (CreateTime = now, as Kafka's coordinator writes them), and loading decodes the stored batches
// back into key/value records with their offsets. Control batches (transaction markers) are
// skipped: transactional offset commits are not implemented yet.
import { CompressionType, decodeRecordBatches, encodeRecordBatchSync } from '@tributary/protocol';
import type { StoredRecord } from './coordinator-log.ts';
import type { SerializedRecord } from './records.ts';

export function encodeCoordinatorBatch(records: SerializedRecord[], nowMs: number): Buffer {
  return encodeRecordBatchSync({
    records: records.map((r) => ({ key: r.key, value: r.value, timestamp: BigInt(nowMs) })),
    baseTimestamp: BigInt(nowMs),
    compression: CompressionType.None,
  });
}

/** Records of a blob of stored batches (as PartitionLog.read returns them), in offset order. */
export async function coordinatorRecordsIn(blob: Buffer): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for (const batch of await decodeRecordBatches(blob)) {
    if (batch.isControl) continue;
    for (const r of batch.records) {
      if (r.key === null) continue;
      out.push({ offset: Number(r.offset), key: r.key, value: r.value });
    }
  }
  return out;
}
