// Turns a drained ProducerBatch into record batch v2 bytes for a Produce request, with the
// producer's compression codec and, for idempotent producers, the producer id, epoch and the
// partition's base sequence (KIP-98). The producer's hot path: one pass sizes the records, one
// writes them straight into the output buffer (header first, CRC-32C last); with a codec the
// records go to a scratch buffer that @tributary/protocol's `compress` turns into the body.
// Byte for byte what @tributary/protocol's encodeRecordBatch produces for the same records.
//   header (61 bytes, batch-header.ts Off): BaseOffset 0, BatchLength, PartitionLeaderEpoch -1,
//   Magic 2, CRC, Attributes, LastOffsetDelta, BaseTimestamp (first record), MaxTimestamp,
//   ProducerId, ProducerEpoch, BaseSequence, RecordsCount; then the (compressed) records, each
//   varint length, attributes 0, varlong timestampDelta, varint offsetDelta, key, value, headers.
import { Attr, BATCH_HEADER_SIZE, CompressionType, LOG_OVERHEAD, Off, compress, crc32c } from '@tributary/protocol';
import { varintSize, varlongSize, writeVarint, writeVarlong } from '@tributary/protocol/records/varint';
import type { AccumulatorRecord, ProducerBatch } from './accumulator.ts';

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const COMPRESSION_TYPES: Record<CompressionName, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

export interface BatchEncodeOptions {
  compression?: CompressionName;
  compressionLevel?: number;
  /** Idempotence / transactions: -1 / -1 / -1 when not idempotent. */
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  /** Where the uncompressed batch's bytes go (default Buffer.allocUnsafe; the sender's pool). */
  alloc?: (size: number) => Buffer;
}

const bytesSize = (b: Buffer | null): number => (b === null ? 1 : varintSize(b.length) + b.length);

function writeBytes(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  pos = writeVarint(buf, pos, b.length);
  return pos + b.copy(buf, pos);
}

/** Body sizes (without their own length prefix) into `bodies`; returns the records' total size. */
function sizeRecords(records: readonly AccumulatorRecord[], base: number, bodies: Int32Array): number {
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    let body = 1 + varlongSize(r.timestamp - base) + varintSize(i) + bytesSize(r.key) + bytesSize(r.value);
    const hs = r.headers;
    body += varintSize(hs.length);
    for (let h = 0; h < hs.length; h++) {
      const k = Buffer.byteLength(hs[h]!.key, 'utf8');
      body += varintSize(k) + k + bytesSize(hs[h]!.value);
    }
    bodies[i] = body;
    total += varintSize(body) + body;
  }
  return total;
}

function writeRecords(buf: Buffer, pos: number, records: readonly AccumulatorRecord[], base: number, bodies: Int32Array): number {
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    pos = writeVarint(buf, pos, bodies[i]!);
    buf[pos++] = 0;
    pos = writeVarlong(buf, pos, r.timestamp - base);
    pos = writeVarint(buf, pos, i);
    pos = writeBytes(buf, pos, r.key);
    pos = writeBytes(buf, pos, r.value);
    const hs = r.headers;
    pos = writeVarint(buf, pos, hs.length);
    for (let h = 0; h < hs.length; h++) {
      const key = hs[h]!.key;
      const k = Buffer.byteLength(key, 'utf8');
      pos = writeVarint(buf, pos, k);
      pos += buf.write(key, pos, k, 'utf8');
      pos = writeBytes(buf, pos, hs[h]!.value);
    }
  }
  return pos;
}

/** The batch's bytes: synchronous without compression, a promise with a codec. */
export function encodeProducerBatch(batch: ProducerBatch, options: BatchEncodeOptions = {}): Buffer | Promise<Buffer> {
  const records = batch.records;
  const n = records.length;
  const base = n > 0 ? records[0]!.timestamp : Date.now();
  let max = n > 0 ? base : -1;
  for (let i = 1; i < n; i++) if (records[i]!.timestamp > max) max = records[i]!.timestamp;
  const bodies = new Int32Array(n);
  const rawSize = sizeRecords(records, base, bodies);
  const codec = COMPRESSION_TYPES[options.compression ?? 'none'];

  if (codec === CompressionType.None) {
    const out = (options.alloc ?? Buffer.allocUnsafe)(BATCH_HEADER_SIZE + rawSize);
    writeRecords(out, BATCH_HEADER_SIZE, records, base, bodies);
    return finishHeader(out, codec, n, base, max, options);
  }
  const raw = Buffer.allocUnsafe(rawSize);
  writeRecords(raw, 0, records, base, bodies);
  return compress(codec, raw, { level: options.compressionLevel }).then((body) => {
    const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + body.length);
    body.copy(out, BATCH_HEADER_SIZE);
    return finishHeader(out, codec, n, base, max, options);
  });
}

/** Fills the 61-byte header in front of the records, CRC-32C last. */
function finishHeader(out: Buffer, codec: CompressionType, n: number, base: number, max: number, options: BatchEncodeOptions): Buffer {
  let attributes = codec & Attr.CompressionMask;
  if (options.transactional) attributes |= Attr.Transactional;
  out.writeBigInt64BE(0n, Off.BaseOffset);
  out.writeInt32BE(out.length - LOG_OVERHEAD, Off.BatchLength);
  out.writeInt32BE(-1, Off.PartitionLeaderEpoch);
  out.writeInt8(2, Off.Magic);
  out.writeInt16BE(attributes, Off.Attributes);
  out.writeInt32BE(n > 0 ? n - 1 : 0, Off.LastOffsetDelta);
  out.writeBigInt64BE(BigInt(base), Off.BaseTimestamp);
  out.writeBigInt64BE(BigInt(max), Off.MaxTimestamp);
  out.writeBigInt64BE(options.producerId ?? -1n, Off.ProducerId);
  out.writeInt16BE(options.producerEpoch ?? -1, Off.ProducerEpoch);
  out.writeInt32BE(options.baseSequence ?? -1, Off.BaseSequence);
  out.writeInt32BE(n, Off.RecordsCount);
  out.writeUInt32BE(crc32c(out.subarray(Off.Attributes)), Off.Crc);
  return out;
}
