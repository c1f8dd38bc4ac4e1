// Control records: the single record of a control batch (attributes bit 5, and bit 4 for
// transaction markers), written by the transaction coordinator when a transaction ends.
//
//   key   (4 bytes): version int16 (0), type int16 (0 = ABORT, 1 = COMMIT; others reserved)
//   value (6 bytes, for ABORT/COMMIT, "EndTransactionMarker"): version int16 (0), coordinatorEpoch int32
//
// A marker batch carries the transaction's producer id and epoch, BaseSequence -1, one record.
import { InvalidBatchError } from './batch-header.ts';
import { encodeRecordBatch, encodeRecordBatchSync, type DecodedBatch } from './record-batch.ts';
import type { KafkaRecord } from './record.ts';

export enum ControlRecordType {
  Abort = 0,
  Commit = 1,
}

export const CONTROL_KEY_VERSION = 0;
export const END_TXN_MARKER_VERSION = 0;

export interface ControlRecordKey {
  version: number;
  type: number;
}

export interface EndTxnMarker {
  type: ControlRecordType;
  coordinatorEpoch: number;
}

export function encodeControlKey(type: ControlRecordType): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt16BE(CONTROL_KEY_VERSION, 0);
  b.writeInt16BE(type, 2);
  return b;
}

export function decodeControlKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < 4)
    throw new InvalidBatchError('bad-record', `control record key must be at least 4 bytes, got ${key?.length ?? 'null'}`);
  const version = key.readInt16BE(0);
  if (version < 0) throw new InvalidBatchError('bad-record', `negative control record key version ${version}`);
  return { version, type: key.readInt16BE(2) };
}

export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const b = Buffer.allocUnsafe(6);
  b.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

export interface EndTxnMarkerBatchInput {
  type: ControlRecordType;
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  /** Marker timestamp in ms (the coordinator's clock). */
  timestamp: bigint;
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
}

function markerBatch(m: EndTxnMarkerBatchInput) {
  return {
    baseOffset: m.baseOffset ?? 0n,
    partitionLeaderEpoch: m.partitionLeaderEpoch ?? -1,
    isTransactional: true,
    isControl: true,
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    baseSequence: -1,
    baseTimestamp: m.timestamp,
    records: [{ key: encodeControlKey(m.type), value: encodeEndTxnMarkerValue(m.coordinatorEpoch), timestamp: m.timestamp }],
  };
}

/** A complete COMMIT or ABORT marker batch (uncompressed, as Kafka writes them). */
export function buildEndTxnMarkerBatch(m: EndTxnMarkerBatchInput): Buffer {
  return encodeRecordBatchSync(markerBatch(m));
}

export async function buildEndTxnMarkerBatchAsync(m: EndTxnMarkerBatchInput): Promise<Buffer> {
  return encodeRecordBatch(markerBatch(m));
}

/** Reads the COMMIT/ABORT marker of one control record. */
export function readEndTxnMarker(record: KafkaRecord): EndTxnMarker {
  const { type } = decodeControlKey(record.key);
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) {
    throw new InvalidBatchError('bad-record', `control record type ${type} is not a transaction marker`);
  }
  const v = record.value;
  if (v === null || v.length < 6)
    throw new InvalidBatchError('bad-record', `end transaction marker value must be 6 bytes, got ${v?.length ?? 'null'}`);
  const version = v.readInt16BE(0);
  if (version < 0) throw new InvalidBatchError('bad-record', `negative end transaction marker version ${version}`);
  return { type, coordinatorEpoch: v.readInt32BE(2) };
}

/** The marker of a decoded control batch, or null if the batch is not a transaction marker. */
export function endTxnMarkerOf(batch: DecodedBatch): EndTxnMarker | null {
  if (!batch.isControl || batch.records.length === 0) return null;
  const { type } = decodeControlKey(batch.records[0]!.key);
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) return null;
  return readEndTxnMarker(batch.records[0]!);
}
