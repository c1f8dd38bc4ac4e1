// Validation of a produced records blob before it is appended (Kafka's LogValidator and
// UnifiedLog.analyzeAndValidateRecords), without decoding records on the normal path:
//
//   - Kafka's ProduceRequest.validateRecords, answered INVALID_RECORD with Kafka's messages:
//     exactly one batch per partition, magic 2 (legacy message sets are refused); zstd before
//     Produce v7 -> UNSUPPORTED_COMPRESSION_TYPE;
//   - the batch whole, CRC-32C correct (CORRUPT_MESSAGE);
//   - Kafka's LogValidator count checks: records count > 0 and == lastOffsetDelta + 1 (INVALID_RECORD);
//   - no control batches from clients (INVALID_RECORD);
//   - CreateTime topics: message.timestamp.after.max.ms against the batch's MaxTimestamp and
//     message.timestamp.before.max.ms against its BaseTimestamp (the first record's timestamp:
//     batch granularity, records are not decoded) -> INVALID_TIMESTAMP;
//   - the batch at most max.message.bytes (MESSAGE_TOO_LARGE), the whole blob at most
//     segment.bytes (RECORD_LIST_TOO_LARGE);
//   - the topic's compression.type: 'producer' keeps the batch as sent; any other codec
//     differing from the batch's is applied by decoding the batch and re-encoding it with the
//     topic's codec. Producer id, epoch, base sequence, transactional flag, timestamps and offset
//     deltas are kept;
//   - compacted topics (cleanup.policy includes compact): every record must have a key (Kafka's
//     LogValidator.validateKey), so their records are decoded (in place when uncompressed, else
//     decompressed once, shared with a recompression); each keyless record is named by its index
//     in the batch and the batch is refused, INVALID_RECORD (RecordValidationError: Produce v8+
//     answers record_errors). Recompression and compacted topics are the only places the broker
//     decodes records.
//
// Offsets, leader epoch and LogAppendTime are stamped by the log on append, not here.
import {
  Attr,
  CURRENT_MAGIC,
  CompressionType,
  ErrorCode,
  BATCH_HEADER_SIZE,
  InvalidBatchError,
  LOG_OVERHEAD,
  Off,
  RecordFormatError,
  batchSizeAt,
  compressionOf,
  decodeRecordBatch,
  encodeRecordBatch,
  readRecords,
  validateBatch,
  type DecodedBatch,
} from '@tributary/protocol';
import { PartitionError, RecordValidationError, type RecordError } from './partition-error.ts';

const CODECS: Record<string, CompressionType | null> = {
  producer: null,
  uncompressed: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

export interface ValidationLimits {
  /** `topic-partition`, read only when an error message needs it (may be a lazy getter). */
  readonly topicPartition: string;
  /** Produce request version (Kafka's per-version checks). */
  produceVersion: number;
  maxMessageBytes: number;
  segmentBytes: number;
  /** Topic compression.type. */
  compressionType: string;
  /** cleanup.policy includes compact: every record needs a key. */
  compactedTopic: boolean;
  /** Timestamp bounds for CreateTime topics (null for LogAppendTime topics). */
  timestamps: { now: number; beforeMaxMs: number; afterMaxMs: number } | null;
}

export interface ValidationResult {
  /** The batch to append: the input itself, or a re-encoded copy when recompressed. */
  records: Buffer | Promise<Buffer>;
}

function batchError(err: InvalidBatchError, tp: string): PartitionError {
  return new PartitionError(ErrorCode.CORRUPT_MESSAGE, `Invalid record batch in produce request to ${tp}: ${err.message}`);
}

/**
 * Validates `records` (throws PartitionError with the Kafka error code); recompresses when the topic asks for it.
 * checkProduceRecords guarantees exactly one whole-length batch, so the single batch at 0 is validated directly.
 */
export function validateRecords(records: Buffer, limits: ValidationLimits): ValidationResult {
  if (records.length > limits.segmentBytes) {
    const tp = limits.topicPartition;
    throw new PartitionError(
      ErrorCode.RECORD_LIST_TOO_LARGE,
      `Message batch size is ${records.length} bytes in append to partition ${tp} which exceeds the maximum configured segment size of ${limits.segmentBytes}.`,
    );
  }
  checkProduceRecords(records, limits.produceVersion);
  let size: number;
  try {
    size = validateBatch(records, 0);
  } catch (err) {
    // A count that does not fit the offset range is Kafka's INVALID_RECORD for produce, not CORRUPT_MESSAGE.
    if (err instanceof InvalidBatchError && err.problem === 'bad-count') checkRecordCount(records, limits);
    if (err instanceof InvalidBatchError) throw batchError(err, limits.topicPartition);
    throw err;
  }
  checkRecordCount(records, limits);
  if (size > limits.maxMessageBytes) {
    throw new PartitionError(
      ErrorCode.MESSAGE_TOO_LARGE,
      `The record batch size in the append to ${limits.topicPartition} is ${size} bytes which exceeds the maximum configured value of ${limits.maxMessageBytes}.`,
    );
  }
  const attrs = records.readInt16BE(Off.Attributes);
  if (attrs & Attr.Control)
    throw new PartitionError(ErrorCode.INVALID_RECORD, `Control records cannot be produced by clients (${limits.topicPartition})`);
  if (limits.timestamps) checkTimestamps(records, 0, limits.timestamps, limits);
  const target = CODECS[limits.compressionType] ?? null;
  const recompress = target !== null && compressionOf(attrs) !== target ? target : null;
  if (limits.compactedTopic) return { records: checkKeys(records, attrs, recompress, limits) };
  return { records: recompress !== null ? recompressBatch(records, recompress, limits) : records };
}

/**
 * Compacted topics: refuses the batch when records lack a key (Kafka's validateKey), naming every
 * such record; then recompresses if asked. Uncompressed batches are scanned in place, synchronously.
 */
function checkKeys(records: Buffer, attrs: number, recompress: CompressionType | null, limits: ValidationLimits): Buffer | Promise<Buffer> {
  if (compressionOf(attrs) === CompressionType.None) {
    const keyless: number[] = [];
    let index = 0;
    try {
      readRecords(records, BATCH_HEADER_SIZE, records.length, records.readInt32BE(Off.RecordsCount), (_o, _t, key) => {
        if (key === null) keyless.push(index);
        index++;
      });
    } catch (err) {
      if (err instanceof RecordFormatError) throw batchError(new InvalidBatchError('bad-record', err.message), limits.topicPartition);
      throw err;
    }
    refuseKeyless(keyless, limits);
    return recompress !== null ? recompressBatch(records, recompress, limits) : records;
  }
  return decodeBatch(records, limits).then((b) => {
    const keyless: number[] = [];
    b.records.forEach((r, i) => {
      if (r.key === null) keyless.push(i);
    });
    refuseKeyless(keyless, limits);
    return recompress !== null ? reencode(b, recompress, limits) : records;
  });
}

function refuseKeyless(indexes: number[], limits: ValidationLimits): void {
  if (indexes.length === 0) return;
  const message = `Compacted topic cannot accept message without key in topic partition ${limits.topicPartition}`;
  const errors: RecordError[] = indexes.map((batchIndex) => ({ batchIndex, batchIndexErrorMessage: message }));
  throw new RecordValidationError(ErrorCode.INVALID_RECORD, errors);
}

/**
 * Kafka's LogValidator.validateRecordBatch count checks (produce only; stored and recovered batches
 * go through validateBatch alone): the offset range must be non-empty, the count positive, and
 * count == lastOffsetDelta + 1 -> else INVALID_RECORD with Kafka's messages.
 */
function checkRecordCount(records: Buffer, limits: ValidationLimits): void {
  const lastDelta = records.readInt32BE(Off.LastOffsetDelta);
  const count = records.readInt32BE(Off.RecordsCount);
  if (count > 0 && count === lastDelta + 1) return;
  const tp = () => limits.topicPartition;
  const base = Number(records.readBigInt64BE(Off.BaseOffset));
  const range = `[${base}, ${base + lastDelta}]`;
  if (lastDelta < 0)
    throw new PartitionError(ErrorCode.INVALID_RECORD, `Batch has an invalid offset range: ${range} in topic partition ${tp()}.`);
  if (count <= 0)
    throw new PartitionError(ErrorCode.INVALID_RECORD, `Invalid reported count for record batch: ${count} in topic partition ${tp()}.`);
  if (count !== lastDelta + 1) {
    throw new PartitionError(
      ErrorCode.INVALID_RECORD,
      `Inconsistent batch offset range ${range} and count of records ${count} in topic partition ${tp()}.`,
    );
  }
}

function checkTimestamps(
  records: Buffer,
  pos: number,
  t: { now: number; beforeMaxMs: number; afterMaxMs: number },
  limits: ValidationLimits,
): void {
  const lo = t.now - t.beforeMaxMs;
  const hi = t.now + t.afterMaxMs;
  const first = Number(records.readBigInt64BE(pos + Off.BaseTimestamp));
  const max = Number(records.readBigInt64BE(pos + Off.MaxTimestamp));
  const bad = max > hi ? max : first >= 0 && first < lo ? first : null;
  if (bad !== null) {
    throw new PartitionError(
      ErrorCode.INVALID_TIMESTAMP,
      `Timestamp ${bad} of message in the append to ${limits.topicPartition} is out of range. The timestamp should be within [${lo}, ${hi}]`,
    );
  }
}

/** Kafka's ProduceRequest.validateRecords (v3+): one whole v2 batch; zstd needs v7+. */
function checkProduceRecords(records: Buffer, version: number): void {
  const invalid = (what: string) => new PartitionError(ErrorCode.INVALID_RECORD, `Produce requests with version ${version} ${what}`);
  const first = batchSizeAt(records, 0);
  if (first < LOG_OVERHEAD + 5 || first > records.length) throw invalid('must have at least one record batch per partition');
  if (records.readInt8(Off.Magic) !== CURRENT_MAGIC) throw invalid('are only allowed to contain record batches with magic version 2');
  if (version < 7 && records.length >= Off.Attributes + 2 && compressionOf(records.readInt16BE(Off.Attributes)) === CompressionType.Zstd) {
    throw new PartitionError(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      `Produce requests with version ${version} are not allowed to use ZStandard compression`,
    );
  }
  if (records.length > first) throw invalid('are only allowed to contain exactly one record batch per partition');
}

async function decodeBatch(records: Buffer, limits: ValidationLimits): Promise<DecodedBatch> {
  try {
    return await decodeRecordBatch(records, 0, { verifyCrc: false });
  } catch (err) {
    if (err instanceof InvalidBatchError) throw batchError(err, limits.topicPartition);
    throw err;
  }
}

async function recompressBatch(records: Buffer, codec: CompressionType, limits: ValidationLimits): Promise<Buffer> {
  return reencode(await decodeBatch(records, limits), codec, limits);
}

async function reencode(b: DecodedBatch, codec: CompressionType, limits: ValidationLimits): Promise<Buffer> {
  const batch = await encodeRecordBatch({
    records: b.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offsetDelta })),
    compression: codec,
    baseTimestamp: b.baseTimestamp,
    maxTimestamp: b.maxTimestamp,
    lastOffsetDelta: b.lastOffsetDelta,
    timestampType: b.timestampType,
    isTransactional: b.isTransactional,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
  });
  if (batch.length > limits.maxMessageBytes) {
    throw new PartitionError(
      ErrorCode.MESSAGE_TOO_LARGE,
      `The record batch size in the append to ${limits.topicPartition} is ${batch.length} bytes after recompression, which exceeds the maximum configured value of ${limits.maxMessageBytes}.`,
    );
  }
  return batch;
}
