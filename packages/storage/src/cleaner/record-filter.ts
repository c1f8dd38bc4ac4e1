// The cleaner's rewrite of one stored v2 batch (Kafka's MemoryRecords.filterTo with the
// LogCleaner's RecordFilter). First the batch as a whole:
//
//   - its transaction (transaction-cleaning.ts) says whether it is discardable: a data batch of an
//     aborted transaction, or a marker of a transaction with no data left;
//   - a data batch that is discardable loses every record; a marker loses its record only once
//     discardable AND past its delete horizon;
//   - retention: RETAIN_EMPTY when the batch is its producer's last in the log (the last data batch
//     holds the producer's last sequence; a last marker at the producer's epoch holds the fencing
//     epoch), or when the caller says so (the last batch of a cleaned group, see cleaner.ts); else
//     DELETE when its records are all to go (not even walked), else DELETE_EMPTY.
//
// Then record by record: one above the offset map's latestOffset is kept; a keyless one is dropped
// (Kafka counts it invalid); a keyed one is kept when its offset is at least the map's offset for
// the key (or the key is absent), unless it is a tombstone (null value) past the batch's delete
// horizon. Control records are kept unless the batch lost its records above.
//
// The result: every record kept and no horizon to set -> the batch byte for byte. Some kept ->
// a new batch with the same base offset, LastOffsetDelta (so the producer's sequence range
// survives), producer id/epoch, base sequence, attributes, codec and leader epoch; each record
// keeps its offset delta and timestamp. BaseTimestamp is the first kept record's timestamp, or
// with KIP-534's DeleteHorizon attribute the delete horizon (set to now + delete.retention.ms the
// first time a tombstone, or a marker of an empty transaction, is kept); record timestamp deltas
// are recomputed against it. MaxTimestamp: the largest kept record timestamp (LogAppendTime
// batches keep theirs). None kept but RETAIN_EMPTY -> Kafka's empty batch: the header alone,
// record count 0, uncompressed, no delete horizon, BaseTimestamp -1, the original MaxTimestamp.
import { Attr, BATCH_HEADER_SIZE, LOG_OVERHEAD, Off, computeBatchCrc } from '@tributary/protocol';
import { readInt64 } from '../log-segment.ts';
import { compressRecords } from './batch-codec.ts';
import type { SkimpyOffsetMap } from './offset-map.ts';
import { reencodedSize, walkRecords, writeReencoded, type RawRecord } from './record-walker.ts';
import { CONTROL_NONE, type CleanedTransactionMetadata, type ControlType } from './transaction-cleaning.ts';

/** What a producer's last batch in the log is, from the producer state (Kafka's LastRecord). */
export interface ProducerLastRecord {
  /** Last offset of its last data batch, -1 when it has none. */
  lastDataOffset: number;
  producerEpoch: number;
}

export interface FilterContext {
  map: SkimpyOffsetMap;
  now: number;
  deleteRetentionMs: number;
  txn: CleanedTransactionMetadata;
  lastRecords: ReadonlyMap<bigint, ProducerLastRecord>;
  /** Counters, added to by every call. */
  stats: { messagesRead: number; messagesWritten: number; invalidMessages: number };
}

/** The type of the control batch whose records are `records` (see ControlType). */
export function controlTypeOf(records: Buffer, count: number): ControlType {
  if (count <= 0) return CONTROL_NONE;
  let type = -2;
  let first = true;
  walkRecords(records, 0, records.length, count, (r) => {
    if (first && r.keyLength >= 4) type = records.readInt16BE(r.keyStart + 2);
    first = false;
  });
  return type === 0 || type === 1 ? type : -2;
}

/**
 * Filters the batch at buf[pos, pos + size) (see the header). `records`: its records section
 * decompressed (batch-codec.ts), null when it is not compressed. Returns the bytes to write (the
 * input's own bytes when unchanged) or null when the batch goes; a promise (of bytes) only when a
 * rebuilt batch needs an async codec. `retainEmpty`: keep at least the empty batch.
 */
export function filterBatch(
  ctx: FilterContext,
  buf: Buffer,
  pos: number,
  size: number,
  retainEmpty: boolean,
  records: Buffer | null,
): Buffer | null | Promise<Buffer> {
  const recs = records ?? buf.subarray(pos + BATCH_HEADER_SIZE, pos + size);
  const attrs = buf.readInt16BE(pos + Off.Attributes);
  const isControl = (attrs & Attr.Control) !== 0;
  const count = buf.readInt32BE(pos + Off.RecordsCount);
  const baseOffset = readInt64(buf, pos + Off.BaseOffset);
  const lastOffset = baseOffset + buf.readInt32BE(pos + Off.LastOffsetDelta);
  const producerId = buf.readInt32BE(pos + Off.ProducerId) >= 0 ? buf.readBigInt64BE(pos + Off.ProducerId) : -1n;
  const horizon = (attrs & Attr.DeleteHorizon) !== 0 ? readInt64(buf, pos + Off.BaseTimestamp) : null;

  // the batch as a whole (Kafka's checkBatchRetention)
  const canDiscard = isControl
    ? ctx.txn.onControlBatchRead(producerId, lastOffset, controlTypeOf(recs, count))
    : ctx.txn.onBatchRead(producerId, lastOffset, (attrs & Attr.Transactional) !== 0);
  const discardRecords = isControl ? canDiscard && horizon !== null && horizon <= ctx.now : canDiscard;
  const retainEmptyBatch = retainEmpty || (producerId >= 0n && isLastOfProducer(ctx, producerId, lastOffset, isControl, buf, pos));
  if (!retainEmptyBatch && discardRecords) return null; // DELETE
  if (count === 0) return retainEmptyBatch ? buf.subarray(pos, pos + size) : null; // already empty

  // record by record
  let tombstones = false;
  const kept: RawRecord[] = [];
  walkRecords(recs, 0, recs.length, count, (r) => {
    ctx.stats.messagesRead++;
    if (discardRecords) return;
    if (!isControl && !retainRecord(ctx, recs, r, baseOffset + r.offsetDelta, horizon)) return;
    if (r.valueLength < 0) tombstones = true;
    kept.push({ ...r });
  });
  ctx.stats.messagesWritten += kept.length;
  if (kept.length === 0) return retainEmptyBatch ? emptyBatch(buf, pos) : null;
  const setHorizon = (tombstones || (canDiscard && isControl)) && horizon === null;
  if (kept.length === count && !setHorizon) return buf.subarray(pos, pos + size);
  const newHorizon = setHorizon ? ctx.now + ctx.deleteRetentionMs : horizon;
  return rebuild(buf, pos, recs, kept, readInt64(buf, pos + Off.BaseTimestamp), newHorizon);
}

function isLastOfProducer(
  ctx: FilterContext,
  producerId: bigint,
  lastOffset: number,
  isControl: boolean,
  buf: Buffer,
  pos: number,
): boolean {
  const last = ctx.lastRecords.get(producerId);
  if (!last) return false;
  if (last.lastDataOffset >= 0) return lastOffset === last.lastDataOffset;
  return isControl && buf.readInt16BE(pos + Off.ProducerEpoch) === last.producerEpoch;
}

/** Kafka's shouldRetainRecord for a data record at `offset`. */
function retainRecord(ctx: FilterContext, recs: Buffer, r: RawRecord, offset: number, horizon: number | null): boolean {
  if (offset > ctx.map.latestOffset) return true;
  if (r.keyLength < 0) {
    ctx.stats.invalidMessages++;
    return false;
  }
  const found = ctx.map.get(recs.subarray(r.keyStart, r.keyStart + r.keyLength));
  if (offset < found) return false;
  return r.valueLength >= 0 || horizon === null || ctx.now < horizon;
}

/** Kafka's writeEmptyHeader for the batch at `pos`. */
function emptyBatch(buf: Buffer, pos: number): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
  buf.copy(out, 0, pos, pos + BATCH_HEADER_SIZE);
  const attrs = buf.readInt16BE(pos + Off.Attributes) & (Attr.TimestampTypeLogAppend | Attr.Transactional | Attr.Control);
  out.writeInt32BE(BATCH_HEADER_SIZE - LOG_OVERHEAD, Off.BatchLength);
  out.writeInt16BE(attrs, Off.Attributes);
  out.writeInt32BE(-1, Off.BaseTimestamp);
  out.writeInt32BE(-1, Off.BaseTimestamp + 4);
  out.writeInt32BE(0, Off.RecordsCount);
  out.writeUInt32BE(computeBatchCrc(out, 0, BATCH_HEADER_SIZE), Off.Crc);
  return out;
}

/** A new batch of the kept records (see the header); `horizon` null: none. */
function rebuild(
  buf: Buffer,
  pos: number,
  recs: Buffer,
  records: readonly RawRecord[],
  oldBaseTimestamp: number,
  horizon: number | null,
): Buffer | Promise<Buffer> {
  const attrs = buf.readInt16BE(pos + Off.Attributes);
  const logAppendTime = (attrs & Attr.TimestampTypeLogAppend) !== 0;
  const baseTimestamp = horizon ?? oldBaseTimestamp + records[0]!.timestampDelta;
  let maxTimestamp = -1;
  let rawSize = 0;
  for (const r of records) {
    const ts = oldBaseTimestamp + r.timestampDelta;
    if (ts > maxTimestamp) maxTimestamp = ts;
    rawSize += reencodedSize(r, ts - baseTimestamp);
  }
  if (logAppendTime) maxTimestamp = readInt64(buf, pos + Off.MaxTimestamp);
  const raw = Buffer.allocUnsafe(rawSize);
  let at = 0;
  for (const r of records) at = writeReencoded(raw, at, recs, r, oldBaseTimestamp + r.timestampDelta - baseTimestamp);
  const assemble = (body: Buffer): Buffer => {
    const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + body.length);
    buf.copy(out, 0, pos, pos + BATCH_HEADER_SIZE);
    body.copy(out, BATCH_HEADER_SIZE);
    out.writeInt32BE(out.length - LOG_OVERHEAD, Off.BatchLength);
    out.writeInt16BE(horizon === null ? attrs & ~Attr.DeleteHorizon : attrs | Attr.DeleteHorizon, Off.Attributes);
    writeInt64(out, Off.BaseTimestamp, baseTimestamp);
    writeInt64(out, Off.MaxTimestamp, maxTimestamp);
    out.writeInt32BE(records.length, Off.RecordsCount);
    out.writeUInt32BE(computeBatchCrc(out, 0, out.length), Off.Crc);
    return out;
  };
  const body = compressRecords(attrs & Attr.CompressionMask, raw);
  return body instanceof Promise ? body.then(assemble) : assemble(body);
}

function writeInt64(buf: Buffer, at: number, n: number): void {
  buf.writeInt32BE(Math.floor(n / 4294967296), at);
  buf.writeUInt32BE(((n % 4294967296) + 4294967296) % 4294967296, at + 4);
}
