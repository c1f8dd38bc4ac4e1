// Record batch v2 (magic 2) header: the fixed 61-byte prefix of every batch, read and rewritten in
// place without decoding records. This is the broker's produce path and the storage layer's view.
//
//   offset size field
//   0      8    BaseOffset            int64
//   8      4    BatchLength           int32  (bytes after this field: total size - 12)
//   12     4    PartitionLeaderEpoch  int32
//   16     1    Magic                 int8   (2)
//   17     4    CRC                   uint32 (CRC-32C of bytes 21..end)
//   21     2    Attributes            int16  (bits 0-2 compression, 3 timestamp type,
//                                             4 transactional, 5 control, 6 delete horizon)
//   23     4    LastOffsetDelta       int32
//   27     8    BaseTimestamp         int64
//   35     8    MaxTimestamp          int64
//   43     8    ProducerId            int64
//   51     2    ProducerEpoch         int16
//   53     4    BaseSequence          int32
//   57     4    RecordsCount          int32
//   61          records (compressed as one block when attributes say so)
import { crc32c } from './crc32c.ts';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before BatchLength's coverage starts: BaseOffset + BatchLength. */
export const LOG_OVERHEAD = 12;
export const CURRENT_MAGIC = 2;

export const Off = {
  BaseOffset: 0,
  BatchLength: 8,
  PartitionLeaderEpoch: 12,
  Magic: 16,
  Crc: 17,
  Attributes: 21,
  LastOffsetDelta: 23,
  BaseTimestamp: 27,
  MaxTimestamp: 35,
  ProducerId: 43,
  ProducerEpoch: 51,
  BaseSequence: 53,
  RecordsCount: 57,
} as const;

export const Attr = {
  CompressionMask: 0x07,
  TimestampTypeLogAppend: 0x08,
  Transactional: 0x10,
  Control: 0x20,
  DeleteHorizon: 0x40,
} as const;

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

/** Why a batch was refused; maps onto Kafka error codes in the broker. */
export type BatchProblem =
  | 'truncated'
  | 'bad-length'
  | 'bad-magic'
  | 'bad-crc'
  | 'bad-count'
  /** A record inside the batch is malformed (bad varint, length past its end, count mismatch). */
  | 'bad-record'
  /** The records section does not decompress with the codec the attributes name. */
  | 'bad-compression'
  /** The attributes name a codec id Kafka does not define (5-7). */
  | 'unsupported-compression';

export class InvalidBatchError extends Error {
  constructor(
    readonly problem: BatchProblem,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidBatchError';
  }
}

/** A zero-copy view of one batch's header fields. */
export interface BatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  if (buf.length - pos < BATCH_HEADER_SIZE)
    throw new InvalidBatchError('truncated', `batch header needs ${BATCH_HEADER_SIZE} bytes, have ${buf.length - pos}`);
  return {
    baseOffset: buf.readBigInt64BE(pos + Off.BaseOffset),
    batchLength: buf.readInt32BE(pos + Off.BatchLength),
    partitionLeaderEpoch: buf.readInt32BE(pos + Off.PartitionLeaderEpoch),
    magic: buf.readInt8(pos + Off.Magic),
    crc: buf.readUInt32BE(pos + Off.Crc),
    attributes: buf.readInt16BE(pos + Off.Attributes),
    lastOffsetDelta: buf.readInt32BE(pos + Off.LastOffsetDelta),
    baseTimestamp: buf.readBigInt64BE(pos + Off.BaseTimestamp),
    maxTimestamp: buf.readBigInt64BE(pos + Off.MaxTimestamp),
    producerId: buf.readBigInt64BE(pos + Off.ProducerId),
    producerEpoch: buf.readInt16BE(pos + Off.ProducerEpoch),
    baseSequence: buf.readInt32BE(pos + Off.BaseSequence),
    recordsCount: buf.readInt32BE(pos + Off.RecordsCount),
  };
}

/** Total size in bytes of the batch starting at `pos` (BatchLength + 12), or -1 if the 12-byte prefix is incomplete. */
export function batchSizeAt(buf: Buffer, pos = 0): number {
  if (buf.length - pos < LOG_OVERHEAD) return -1;
  return buf.readInt32BE(pos + Off.BatchLength) + LOG_OVERHEAD;
}

export function computeBatchCrc(buf: Buffer, pos: number, size: number): number {
  return crc32c(buf.subarray(pos + Off.Attributes, pos + size));
}

/**
 * Validates one batch at `pos` in `buf`: length within the buffer, magic 2, CRC-32C, and a record
 * count consistent with LastOffsetDelta. Returns its total size. Does not decode records.
 */
export function validateBatch(buf: Buffer, pos = 0): number {
  const size = batchSizeAt(buf, pos);
  if (size < 0) throw new InvalidBatchError('truncated', 'batch shorter than its 12-byte prefix');
  if (size < BATCH_HEADER_SIZE)
    throw new InvalidBatchError('bad-length', `batch length ${size - LOG_OVERHEAD} is below the v2 header size`);
  if (pos + size > buf.length)
    throw new InvalidBatchError('truncated', `batch of ${size} bytes runs past the end of its ${buf.length - pos}-byte buffer`);
  const magic = buf.readInt8(pos + Off.Magic);
  if (magic !== CURRENT_MAGIC)
    throw new InvalidBatchError('bad-magic', `message format magic ${magic} is not supported; only record batch v2 (magic 2)`);
  const stored = buf.readUInt32BE(pos + Off.Crc);
  const actual = computeBatchCrc(buf, pos, size);
  if (stored !== actual)
    throw new InvalidBatchError('bad-crc', `batch CRC mismatch: stored ${stored.toString(16)}, computed ${actual.toString(16)}`);
  const count = buf.readInt32BE(pos + Off.RecordsCount);
  const lastDelta = buf.readInt32BE(pos + Off.LastOffsetDelta);
  if (count < 0 || lastDelta < 0 || (count > 0 && lastDelta < count - 1)) {
    throw new InvalidBatchError('bad-count', `record count ${count} does not fit last offset delta ${lastDelta}`);
  }
  return size;
}

/** Rewrites BaseOffset in place (not covered by the CRC). */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: bigint): void {
  buf.writeBigInt64BE(baseOffset, pos + Off.BaseOffset);
}

/** Rewrites PartitionLeaderEpoch in place (not covered by the CRC). */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + Off.PartitionLeaderEpoch);
}

/**
 * Stamps LogAppendTime: sets the timestamp-type attribute bit and MaxTimestamp to `now`, then
 * recomputes the CRC (both fields are covered by it).
 */
export function setLogAppendTime(buf: Buffer, pos: number, now: bigint): void {
  const size = batchSizeAt(buf, pos);
  const attrs = buf.readInt16BE(pos + Off.Attributes);
  buf.writeInt16BE(attrs | Attr.TimestampTypeLogAppend, pos + Off.Attributes);
  buf.writeBigInt64BE(now, pos + Off.MaxTimestamp);
  buf.writeUInt32BE(computeBatchCrc(buf, pos, size), pos + Off.Crc);
}

export function compressionOf(attributes: number): CompressionType {
  return (attributes & Attr.CompressionMask) as CompressionType;
}

/** Iterates the batches in a records blob (a fetch response or a log slice), stopping at a partial trailing batch. */
export function* batchesIn(buf: Buffer): Generator<{ pos: number; size: number }> {
  let pos = 0;
  while (pos < buf.length) {
    const size = batchSizeAt(buf, pos);
    if (size < LOG_OVERHEAD || pos + size > buf.length) return;
    yield { pos, size };
    pos += size;
  }
}
