// Record batch v2 (magic 2), whole: encode from records, decode to records. The 61-byte header
// layout is in batch-header.ts; records in record.ts. When the attributes name a codec, the bytes
// after RecordsCount are the compressed concatenation of the records. CRC-32C covers Attributes
// to the end of the batch (so BaseOffset and PartitionLeaderEpoch can be rewritten without it).
// Legacy message sets (magic 0 and 1) are detected and refused with InvalidBatchError 'bad-magic'.
import {
  Attr,
  BATCH_HEADER_SIZE,
  CURRENT_MAGIC,
  CompressionType,
  InvalidBatchError,
  LOG_OVERHEAD,
  Off,
  batchSizeAt,
  compressionOf,
  computeBatchCrc,
  readBatchHeader,
  validateBatch,
  type BatchHeader,
} from './batch-header.ts';
import { prepareRecord, writeRecord, decodeRecords, type KafkaRecord, type RecordInput } from './record.ts';
import { RecordFormatError } from './varint.ts';
import { compress, compressSync, decompress, decompressSync, CompressionError, type DecompressOptions } from '../compression/index.ts';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface RecordBatchInput {
  records: RecordInput[];
  baseOffset?: bigint;
  /** Default -1 (unknown), as producers send it. */
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  /** Codec level (gzip, zstd). */
  compressionLevel?: number;
  timestampType?: TimestampType;
  isTransactional?: boolean;
  isControl?: boolean;
  /** Attribute bit 6 (KIP-534); BaseTimestamp then holds the delete horizon. */
  hasDeleteHorizon?: boolean;
  /** Default: the first record's timestamp, else `now`, else Date.now(). */
  baseTimestamp?: bigint;
  /** Default: the largest record timestamp (or `logAppendTime` for LogAppendTime batches). */
  maxTimestamp?: bigint;
  /** Default: the largest record offset delta (0 for an empty batch). */
  lastOffsetDelta?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
}

/** A decoded batch: every header field, the attribute bits spelled out, and its records. */
export interface DecodedBatch extends BatchHeader {
  /** Position of the batch in the buffer it was decoded from, and its total size. */
  position: number;
  sizeInBytes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizon: boolean;
  records: KafkaRecord[];
}

export interface DecodeBatchOptions extends DecompressOptions {
  /** Check the CRC-32C (default true). */
  verifyCrc?: boolean;
}

interface Prepared {
  header: Buffer;
  body: Buffer;
  attributes: number;
  compression: CompressionType;
}

function prepare(input: RecordBatchInput): { prepared: Omit<Prepared, 'body'>; raw: Buffer } {
  const records = input.records;
  const first = records[0]?.timestamp;
  const baseTimestamp = input.baseTimestamp ?? (first !== undefined ? BigInt(first) : BigInt(Date.now()));
  let rawSize = 0;
  let maxTs = records.length ? -(2n ** 63n) : -1n;
  let maxDelta = 0;
  const prepared = records.map((r, i) => {
    const p = prepareRecord(r, i, baseTimestamp);
    rawSize += p.size;
    const ts = baseTimestamp + BigInt(p.timestampDelta);
    if (ts > maxTs) maxTs = ts;
    if (p.offsetDelta > maxDelta) maxDelta = p.offsetDelta;
    return p;
  });
  const raw = Buffer.allocUnsafe(rawSize);
  let pos = 0;
  for (const p of prepared) pos = writeRecord(raw, pos, p);

  const compression = input.compression ?? CompressionType.None;
  let attributes = compression & Attr.CompressionMask;
  if (input.timestampType === 'LogAppendTime') attributes |= Attr.TimestampTypeLogAppend;
  if (input.isTransactional) attributes |= Attr.Transactional;
  if (input.isControl) attributes |= Attr.Control;
  if (input.hasDeleteHorizon) attributes |= Attr.DeleteHorizon;

  const header = Buffer.alloc(BATCH_HEADER_SIZE);
  header.writeBigInt64BE(input.baseOffset ?? 0n, Off.BaseOffset);
  header.writeInt32BE(input.partitionLeaderEpoch ?? -1, Off.PartitionLeaderEpoch);
  header.writeInt8(CURRENT_MAGIC, Off.Magic);
  header.writeInt16BE(attributes, Off.Attributes);
  header.writeInt32BE(input.lastOffsetDelta ?? maxDelta, Off.LastOffsetDelta);
  header.writeBigInt64BE(baseTimestamp, Off.BaseTimestamp);
  header.writeBigInt64BE(input.maxTimestamp ?? maxTs, Off.MaxTimestamp);
  header.writeBigInt64BE(input.producerId ?? -1n, Off.ProducerId);
  header.writeInt16BE(input.producerEpoch ?? -1, Off.ProducerEpoch);
  header.writeInt32BE(input.baseSequence ?? -1, Off.BaseSequence);
  header.writeInt32BE(records.length, Off.RecordsCount);
  return { prepared: { header, attributes, compression }, raw };
}

function assemble({ header, body }: Pick<Prepared, 'header' | 'body'>): Buffer {
  const size = BATCH_HEADER_SIZE + body.length;
  const out = Buffer.allocUnsafe(size);
  header.copy(out, 0);
  body.copy(out, BATCH_HEADER_SIZE);
  out.writeInt32BE(size - LOG_OVERHEAD, Off.BatchLength);
  out.writeUInt32BE(computeBatchCrc(out, 0, size), Off.Crc);
  return out;
}

/** Encodes one record batch v2, compressing its records as the `compression` option says. */
export async function encodeRecordBatch(input: RecordBatchInput): Promise<Buffer> {
  const { prepared, raw } = prepare(input);
  const body = await compress(prepared.compression, raw, { level: input.compressionLevel });
  return assemble({ header: prepared.header, body });
}

/** Synchronous encodeRecordBatch; throws CompressionError for zstd (no sync codec). */
export function encodeRecordBatchSync(input: RecordBatchInput): Buffer {
  const { prepared, raw } = prepare(input);
  const body = compressSync(prepared.compression, raw, { level: input.compressionLevel });
  return assemble({ header: prepared.header, body });
}

/**
 * Checks the batch at `pos` of `buf` (legacy magic 0/1 refused, length, magic 2, and the CRC-32C
 * when `verifyCrc`) and returns its size; throws InvalidBatchError. Shared with the client's fetch
 * decoder, which reads records without building a BatchHeader.
 */
export function checkBatchFormat(buf: Buffer, pos: number, verifyCrc: boolean): number {
  const size = batchSizeAt(buf, pos);
  if (size >= 0 && buf.length - pos > Off.Magic) {
    const magic = buf.readInt8(pos + Off.Magic);
    if (magic === 0 || magic === 1) {
      throw new InvalidBatchError(
        'bad-magic',
        `legacy message set v${magic} (magic ${magic}) is not supported; only record batch v2 (magic 2, Kafka 0.11+)`,
      );
    }
  }
  if (verifyCrc) validateBatch(buf, pos);
  else {
    if (size < 0) throw new InvalidBatchError('truncated', 'batch shorter than its 12-byte prefix');
    if (size < BATCH_HEADER_SIZE)
      throw new InvalidBatchError('bad-length', `batch length ${size - LOG_OVERHEAD} is below the v2 header size`);
    if (pos + size > buf.length) throw new InvalidBatchError('truncated', `batch of ${size} bytes runs past the end of its buffer`);
    if (buf.readInt8(pos + Off.Magic) !== CURRENT_MAGIC)
      throw new InvalidBatchError('bad-magic', `unsupported magic ${buf.readInt8(pos + Off.Magic)}`);
  }
  return size;
}

/** The compression codec of a batch's attributes; an unknown codec id is InvalidBatchError. */
export function batchCodec(attributes: number): CompressionType {
  const codec = compressionOf(attributes);
  if (codec > CompressionType.Zstd) throw new InvalidBatchError('unsupported-compression', `unknown compression codec id ${codec}`);
  return codec;
}

function finish(buf: Buffer, pos: number, size: number, header: BatchHeader, records: Buffer, codec: CompressionType): DecodedBatch {
  const logAppend = (header.attributes & Attr.TimestampTypeLogAppend) !== 0;
  let decoded: KafkaRecord[];
  try {
    decoded = decodeRecords(records, 0, records.length, header.recordsCount, {
      baseOffset: header.baseOffset,
      baseTimestamp: header.baseTimestamp,
      logAppendTime: logAppend ? header.maxTimestamp : null,
    });
  } catch (err) {
    if (err instanceof RecordFormatError) throw new InvalidBatchError('bad-record', `batch at offset ${header.baseOffset}: ${err.message}`);
    throw err;
  }
  return {
    ...header,
    position: pos,
    sizeInBytes: size,
    compression: codec,
    timestampType: logAppend ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (header.attributes & Attr.Transactional) !== 0,
    isControl: (header.attributes & Attr.Control) !== 0,
    hasDeleteHorizon: (header.attributes & Attr.DeleteHorizon) !== 0,
    records: decoded,
  };
}

function compressionFailure(err: unknown): never {
  if (err instanceof CompressionError) throw new InvalidBatchError('bad-compression', err.message);
  throw err;
}

/** Decodes the batch at `pos`: validates it (CRC unless disabled), decompresses, decodes every record. */
export async function decodeRecordBatch(buf: Buffer, pos = 0, opts: DecodeBatchOptions = {}): Promise<DecodedBatch> {
  const size = checkBatchFormat(buf, pos, opts.verifyCrc ?? true);
  const header = readBatchHeader(buf, pos);
  const codec = batchCodec(header.attributes);
  let records = buf.subarray(pos + BATCH_HEADER_SIZE, pos + size);
  if (codec !== CompressionType.None) records = await decompress(codec, records, opts).catch(compressionFailure);
  return finish(buf, pos, size, header, records, codec);
}

/** Synchronous decodeRecordBatch; zstd batches throw InvalidBatchError 'bad-compression'. */
export function decodeRecordBatchSync(buf: Buffer, pos = 0, opts: DecodeBatchOptions = {}): DecodedBatch {
  const size = checkBatchFormat(buf, pos, opts.verifyCrc ?? true);
  const header = readBatchHeader(buf, pos);
  const codec = batchCodec(header.attributes);
  let records = buf.subarray(pos + BATCH_HEADER_SIZE, pos + size);
  if (codec !== CompressionType.None) {
    try {
      records = decompressSync(codec, records, opts);
    } catch (err) {
      compressionFailure(err);
    }
  }
  return finish(buf, pos, size, header, records, codec);
}

/**
 * Decodes every complete batch in a records blob (a Fetch response's `records`, a log slice).
 * A partial trailing batch (the broker cuts at max bytes) is skipped, as clients do. Uncompressed
 * batches are decoded synchronously; only compressed ones wait for their codec.
 */
export async function decodeRecordBatches(buf: Buffer, opts: DecodeBatchOptions = {}): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const size = batchSizeAt(buf, pos);
    if (size < 0 || pos + size > buf.length) break;
    const compressed = size > Off.Attributes + 2 && compressionOf(buf.readInt16BE(pos + Off.Attributes)) !== CompressionType.None;
    out.push(compressed ? await decodeRecordBatch(buf, pos, opts) : decodeRecordBatchSync(buf, pos, opts));
    pos += size;
  }
  return out;
}
