// What producer state reads of a stored v2 batch (Kafka's RecordBatch as ProducerAppendInfo sees
// it): the header fields ProducerId, ProducerEpoch, BaseSequence, LastOffsetDelta, MaxTimestamp
// and the Transactional (bit 4) and Control (bit 5) attributes; for a control batch also its first
// record, the transaction marker:
//
//   record:  length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
//            keyLength varint, key, valueLength varint, value, headers count varint
//   key:     version int16, type int16 (0 ABORT, 1 COMMIT)
//   value:   version int16, coordinatorEpoch int32  (Kafka's EndTransactionMarker)
//
// Markers are written uncompressed (Kafka never compresses them); a compressed or empty control
// batch, or one whose record is not a COMMIT/ABORT marker, carries no marker (`marker` null), as
// an empty control batch in Kafka (its transaction was cleaned away).
import { Attr, BATCH_HEADER_SIZE, LOG_OVERHEAD, Off } from '@tributary/protocol';

const INT32_MAX = 2147483647;

/** An int64 at `at` as a JS number (exact below 2^53; log-segment.ts has the same, imported the other way). */
function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

export interface TxnMarker {
  commit: boolean;
  coordinatorEpoch: number;
}

/** One stored batch with a producer id (idempotent, transactional or a transaction marker). */
export interface ProducerBatch {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  /** BaseSequence + LastOffsetDelta, wrapping past Int32.MAX to 0 (Kafka's lastSequence). */
  lastSequence: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  isTransactional: boolean;
  isControl: boolean;
  /** A control batch's COMMIT/ABORT marker; null otherwise (see the header). */
  marker: TxnMarker | null;
}

/** Whether the batch at `pos` carries a producer id (ProducerId >= 0), read without a bigint. */
export function hasProducerId(buf: Buffer, pos: number): boolean {
  return buf.readInt32BE(pos + Off.ProducerId) >= 0;
}

/** The batch at `pos` (whole, `size` bytes, offsets as stored) as producer state sees it; null without a producer id. */
export function readProducerBatch(buf: Buffer, pos: number, size: number): ProducerBatch | null {
  if (!hasProducerId(buf, pos)) return null;
  const attributes = buf.readInt16BE(pos + Off.Attributes);
  const baseSequence = buf.readInt32BE(pos + Off.BaseSequence);
  const delta = buf.readInt32BE(pos + Off.LastOffsetDelta);
  const baseOffset = readInt64(buf, pos + Off.BaseOffset);
  const isControl = (attributes & Attr.Control) !== 0;
  return {
    producerId: buf.readBigInt64BE(pos + Off.ProducerId),
    producerEpoch: buf.readInt16BE(pos + Off.ProducerEpoch),
    baseSequence,
    lastSequence: baseSequence > INT32_MAX - delta ? baseSequence + delta - INT32_MAX - 1 : baseSequence + delta,
    baseOffset,
    lastOffset: baseOffset + delta,
    maxTimestamp: readInt64(buf, pos + Off.MaxTimestamp),
    isTransactional: (attributes & Attr.Transactional) !== 0,
    isControl,
    marker: isControl && (attributes & Attr.CompressionMask) === 0 ? readMarker(buf, pos, size) : null,
  };
}

/** The COMMIT/ABORT marker of the control batch at `pos`, or null (see the header). */
function readMarker(buf: Buffer, pos: number, size: number): TxnMarker | null {
  if (buf.readInt32BE(pos + Off.RecordsCount) < 1) return null;
  const end = pos + size;
  const at = { pos: pos + BATCH_HEADER_SIZE };
  const varint = (): number => {
    let raw = 0;
    for (let shift = 0; shift <= 63; shift += 7) {
      if (at.pos >= end) return Number.NaN;
      const b = buf[at.pos++]!;
      if (shift < 28) raw |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return shift < 28 ? (raw >>> 1) ^ -(raw & 1) : 0; // (only small values are read back)
    }
    return Number.NaN;
  };
  varint(); // record length
  at.pos += 1; // attributes
  varint(); // timestamp delta (varlong)
  varint(); // offset delta
  const keyLength = varint();
  if (!(keyLength >= 4) || at.pos + keyLength > end) return null;
  const type = buf.readInt16BE(at.pos + 2);
  at.pos += keyLength;
  const valueLength = varint();
  if (!(valueLength >= 6) || at.pos + valueLength > end) return null;
  if (type !== 0 && type !== 1) return null;
  return { commit: type === 1, coordinatorEpoch: buf.readInt32BE(at.pos + 2) };
}

/** Calls `visit` for every batch with a producer id in a blob of whole batches. */
export function forEachProducerBatch(buf: Buffer, visit: (b: ProducerBatch) => void): void {
  let pos = 0;
  while (pos + BATCH_HEADER_SIZE <= buf.length) {
    const size = buf.readInt32BE(pos + Off.BatchLength) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE || pos + size > buf.length) return;
    const b = readProducerBatch(buf, pos, size);
    if (b) visit(b);
    pos += size;
  }
}
