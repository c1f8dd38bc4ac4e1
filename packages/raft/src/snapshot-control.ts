// The control batches that open and close a snapshot (KIP-630; Kafka's RecordsSnapshotWriter and
// ControlRecordUtils): a snapshot file starts with a control batch whose first record is the
// SNAPSHOT_HEADER and ends with a control batch holding the SNAPSHOT_FOOTER.
//
//   batch: v2, attributes = control bit (0x20) only (not transactional, uncompressed),
//          ProducerId -1, ProducerEpoch -1, BaseSequence -1, PartitionLeaderEpoch = the snapshot's
//          epoch, BaseTimestamp = the time of writing, one record
//   key   (4 bytes): ControlRecordType version int16 (0), type int16 (3 = SNAPSHOT_HEADER,
//          4 = SNAPSHOT_FOOTER)
//   value: SnapshotHeaderRecord v0 {Version int16 0, LastContainedLogTimestamp int64, tagged fields}
//          or SnapshotFooterRecord v0 {Version int16 0, tagged fields}; no version prefix (the
//          record's own Version field comes first)
//
// Kafka at kraft.version 1 puts KRAFT_VERSION (5) and KRAFT_VOTERS (6) records in the header batch
// after the header; readers here accept and ignore them (Tributary writes kraft.version 0).
import {
  Reader,
  Writer,
  decodeControlKey,
  decodeRecordBatchSync,
  decodeSnapshotFooterRecord,
  decodeSnapshotHeaderRecord,
  encodeControlKey,
  encodeRecordBatchSync,
  encodeSnapshotFooterRecord,
  encodeSnapshotHeaderRecord,
  type ControlRecordType,
  type DecodedBatch,
} from '@tributary/protocol';

/** ControlRecordType ids of the KRaft control records (protocol's enum names only the transaction markers). */
export const KraftControlType = {
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
  KRAFT_VERSION: 5,
  KRAFT_VOTERS: 6,
} as const;

/** ControlRecordUtils.SNAPSHOT_HEADER_CURRENT_VERSION / SNAPSHOT_FOOTER_CURRENT_VERSION. */
export const SNAPSHOT_HEADER_VERSION = 0;
export const SNAPSHOT_FOOTER_VERSION = 0;

export interface SnapshotHeader {
  /** The SnapshotHeaderRecord's Version field. */
  version: number;
  /** The append time of the last record of the log the snapshot contains (ms). */
  lastContainedLogTimestamp: number;
}

interface ControlBatchInput {
  baseOffset: number;
  /** PartitionLeaderEpoch: the snapshot's epoch. */
  epoch: number;
  timestampMs: number;
}

function controlBatch(input: ControlBatchInput, type: number, value: Buffer): Buffer {
  const timestamp = BigInt(input.timestampMs);
  return encodeRecordBatchSync({
    baseOffset: BigInt(input.baseOffset),
    partitionLeaderEpoch: input.epoch,
    isControl: true,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    baseTimestamp: timestamp,
    records: [{ key: encodeControlKey(type as ControlRecordType), value, timestamp }],
  });
}

/** The control batch holding the SNAPSHOT_HEADER. */
export function buildSnapshotHeaderBatch(input: ControlBatchInput & { lastContainedLogTimestamp: number }): Buffer {
  const w = new Writer(32);
  encodeSnapshotHeaderRecord(w, SNAPSHOT_HEADER_VERSION, {
    version: SNAPSHOT_HEADER_VERSION,
    lastContainedLogTimestamp: BigInt(input.lastContainedLogTimestamp),
  });
  return controlBatch(input, KraftControlType.SNAPSHOT_HEADER, w.finish());
}

/** The control batch holding the SNAPSHOT_FOOTER. */
export function buildSnapshotFooterBatch(input: ControlBatchInput): Buffer {
  const w = new Writer(8);
  encodeSnapshotFooterRecord(w, SNAPSHOT_FOOTER_VERSION, { version: SNAPSHOT_FOOTER_VERSION });
  return controlBatch(input, KraftControlType.SNAPSHOT_FOOTER, w.finish());
}

/** The ControlRecordType of a decoded batch's first record, or null when it is not a control batch with records. */
export function firstControlType(batch: DecodedBatch): number | null {
  const record = batch.records[0];
  if (!batch.isControl || !record) return null;
  return decodeControlKey(record.key).type;
}

/** The SnapshotHeaderRecord of the batch at `pos`; throws (with `why`) when the batch does not start with one. */
export function readSnapshotHeader(buf: Buffer, pos = 0): SnapshotHeader {
  const batch = decodeRecordBatchSync(buf, pos);
  const type = firstControlType(batch);
  if (type !== KraftControlType.SNAPSHOT_HEADER) {
    throw new Error(
      batch.isControl ? `first control record is type ${type}, not a snapshot header (3)` : 'first batch is not a control batch',
    );
  }
  const value = batch.records[0]!.value;
  if (value === null) throw new Error('snapshot header record has a null value');
  const header = decodeSnapshotHeaderRecord(new Reader(value), SNAPSHOT_HEADER_VERSION);
  return { version: header.version, lastContainedLogTimestamp: Number(header.lastContainedLogTimestamp) };
}

/** Checks that the batch at `pos` is a control batch starting with a SnapshotFooterRecord; returns its Version. */
export function readSnapshotFooter(buf: Buffer, pos = 0): number {
  const batch = decodeRecordBatchSync(buf, pos);
  const type = firstControlType(batch);
  if (type !== KraftControlType.SNAPSHOT_FOOTER) {
    throw new Error(
      batch.isControl ? `last control record is type ${type}, not a snapshot footer (4)` : 'last batch is not a control batch',
    );
  }
  const value = batch.records[0]!.value;
  if (value === null) throw new Error('snapshot footer record has a null value');
  return decodeSnapshotFooterRecord(new Reader(value), SNAPSHOT_FOOTER_VERSION).version;
}
