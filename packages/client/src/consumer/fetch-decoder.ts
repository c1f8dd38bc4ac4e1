// Turns one partition's records blob from a Fetch response into ConsumerRecords, one object per
// record built straight from the batch bytes (no intermediate record): each complete batch is
// checked (magic 2, length, CRC-32C as Java's check.crcs=true), control batches are skipped,
// compressed batches are decompressed, and each record gets its absolute offset (BaseOffset plus
// its delta: number arithmetic, one bigint per record) and timestamp (BaseTimestamp plus delta, or
// MaxTimestamp for LogAppendTime batches). A partial trailing batch (cut at max bytes) is left
// for the next fetch. Synchronous unless a batch is compressed: only then does it wait for the codec.
// read_committed (the fetch's abortedTransactions given): Java's CompletedFetch algorithm — the
// aborted transactions ordered by first offset; before each batch of a producer, those starting
// at or before its last offset put their producer in the aborted set; a transactional batch of a
// producer in the set is skipped whole; an ABORT marker (control batch) takes its producer out.
// Control batches are never yielded; the next fetch offset still moves past every batch.
import {
  Attr,
  BATCH_HEADER_SIZE,
  ControlRecordType,
  CompressionType,
  InvalidBatchError,
  Off,
  RecordFormatError,
  batchCodec,
  batchSizeAt,
  checkBatchFormat,
  compressionOf,
  decompress,
  readRecords,
  type RecordHeader,
} from '@tributary/protocol';
import type { ConsumerRecord } from '../api.ts';

export interface DecodedFetch {
  /** Data records in offset order (control records left out). */
  records: ConsumerRecord[];
  /** The offset after the last complete batch, or null when the blob held no complete batch. */
  nextFetchOffset: bigint | null;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A transaction the partition's leader reports aborted within the fetched range (Fetch v4+). */
export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/** read_committed state of one partition's fetch (Java's CompletedFetch abortedProducerIds and abortedTransactions). */
class AbortedFilter {
  private readonly pending: AbortedTransaction[];
  private next = 0;
  /** Producers whose aborted transaction the batches being read belong to. */
  readonly producers = new Set<bigint>();

  constructor(aborted: readonly AbortedTransaction[]) {
    // Java keeps a min-heap by first offset; sorted once, read in order, is the same here
    this.pending = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /** Every aborted transaction starting at or before `offset` puts its producer in the set. */
  consumeUpTo(offset: bigint): void {
    while (this.next < this.pending.length && this.pending[this.next]!.firstOffset <= offset)
      this.producers.add(this.pending[this.next++]!.producerId);
  }
}

/** Whether the control batch at `pos` holds an ABORT marker (its first record's key: version int16, type int16). */
function isAbortMarker(blob: Buffer, pos: number, size: number): boolean {
  if (blob.readInt32BE(pos + Off.RecordsCount) < 1) return false;
  let type = -1;
  try {
    readRecords(blob, pos + BATCH_HEADER_SIZE, pos + size, 1, (_o, _t, key) => {
      if (key && key.length >= 4) type = key.readInt16BE(2);
    });
  } catch {
    return false;
  }
  return type === ControlRecordType.Abort;
}

type FetchedRecordConstructor = new (
  topic: string,
  partition: number,
  offset: bigint,
  timestamp: number,
  timestampType: ConsumerRecord['timestampType'],
  key: Buffer | null,
  value: Buffer | null,
  headers: RecordHeader[],
  leaderEpoch: number,
) => ConsumerRecord;

/**
 * Makes the ConsumerRecords: plain objects (their prototype is Object.prototype, as a literal's),
 * built by a constructor rather than a literal because V8 may start allocating a literal's
 * objects straight in the old generation when most of them survive a scavenge (buffered records
 * do), which turns cheap scavenges into frequent full collections.
 */
const FetchedRecord = function (
  this: ConsumerRecord,
  topic: string,
  partition: number,
  offset: bigint,
  timestamp: number,
  timestampType: ConsumerRecord['timestampType'],
  key: Buffer | null,
  value: Buffer | null,
  headers: RecordHeader[],
  leaderEpoch: number,
) {
  this.topic = topic;
  this.partition = partition;
  this.offset = offset;
  this.timestamp = timestamp;
  this.timestampType = timestampType;
  this.key = key;
  this.value = value;
  this.headers = headers;
  this.leaderEpoch = leaderEpoch;
} as unknown as FetchedRecordConstructor;
FetchedRecord.prototype = Object.prototype;

/**
 * A look at the batch headers only (no CRC, no records): the offset after the last complete batch
 * (null when there is none), and whether the blob must be decoded now (`eager`: a batch is
 * compressed, or too short to be one) rather than when its records are first needed. Lets the
 * fetcher send the next fetch before these records are decoded.
 */
export function scanFetch(blob: Buffer): { nextFetchOffset: bigint | null; eager: boolean } {
  let last = -1;
  let eager = false;
  for (let pos = 0; pos < blob.length; ) {
    const size = batchSizeAt(blob, pos);
    if (size < 0 || pos + size > blob.length) break;
    if (size < BATCH_HEADER_SIZE || compressionOf(blob.readInt16BE(pos + Off.Attributes)) !== CompressionType.None) {
      eager = true;
      break;
    }
    last = pos;
    pos += size;
  }
  return { nextFetchOffset: last < 0 ? null : offsetAfter(blob, last), eager };
}

/** The offset after the batch at `pos`: BaseOffset + LastOffsetDelta + 1. */
function offsetAfter(blob: Buffer, pos: number): bigint {
  return blob.readBigInt64BE(pos + Off.BaseOffset) + BigInt(blob.readInt32BE(pos + Off.LastOffsetDelta)) + 1n;
}

/**
 * Decodes `blob`; returns a promise only when a batch needs decompressing. Throws InvalidBatchError
 * on a corrupt batch. `aborted` (read_committed): the response's abortedTransactions, whose
 * transactional batches are left out; null reads everything (read_uncommitted).
 */
export function decodeFetch(
  topic: string,
  partition: number,
  blob: Buffer,
  checkCrcs = true,
  aborted: readonly AbortedTransaction[] | null = null,
): DecodedFetch | Promise<DecodedFetch> {
  const out: DecodedFetch = { records: [], nextFetchOffset: null };
  return walk(topic, partition, blob, 0, checkCrcs, out, aborted ? new AbortedFilter(aborted) : null);
}

function walk(
  topic: string,
  partition: number,
  blob: Buffer,
  pos: number,
  checkCrcs: boolean,
  out: DecodedFetch,
  filter: AbortedFilter | null,
): DecodedFetch | Promise<DecodedFetch> {
  let last = -1; // the last complete batch: the next fetch offset is computed once, from it
  while (pos < blob.length) {
    const size = batchSizeAt(blob, pos);
    if (size < 0 || pos + size > blob.length) break; // partial trailing batch
    checkBatchFormat(blob, pos, checkCrcs);
    last = pos;
    const attributes = blob.readInt16BE(pos + Off.Attributes);
    const control = (attributes & Attr.Control) !== 0;
    if (filter !== null && blob.readInt32BE(pos + Off.ProducerId) >= 0) {
      const producerId = blob.readBigInt64BE(pos + Off.ProducerId);
      filter.consumeUpTo(blob.readBigInt64BE(pos + Off.BaseOffset) + BigInt(blob.readInt32BE(pos + Off.LastOffsetDelta)));
      if (control) {
        if (isAbortMarker(blob, pos, size)) filter.producers.delete(producerId);
      } else if ((attributes & Attr.Transactional) !== 0 && filter.producers.has(producerId)) {
        pos += size; // a batch of an aborted transaction
        continue;
      }
    }
    if (control) {
      pos += size;
      continue;
    }
    const codec = batchCodec(attributes);
    const section = blob.subarray(pos + BATCH_HEADER_SIZE, pos + size);
    if (codec !== CompressionType.None) {
      out.nextFetchOffset = offsetAfter(blob, pos);
      const next = pos + size;
      return decompress(codec, section).then(
        (records) => {
          appendRecords(topic, partition, blob, pos, attributes, records, out.records);
          return walk(topic, partition, blob, next, checkCrcs, out, filter);
        },
        (err: Error) => {
          throw new InvalidBatchError('bad-compression', err.message);
        },
      );
    }
    appendRecords(topic, partition, blob, pos, attributes, section, out.records);
    pos += size;
  }
  if (last >= 0) out.nextFetchOffset = offsetAfter(blob, last);
  return out;
}

/** Decodes the (uncompressed) records section of the batch at `pos` of `blob` onto `out`. */
function appendRecords(
  topic: string,
  partition: number,
  blob: Buffer,
  pos: number,
  attributes: number,
  section: Buffer,
  out: ConsumerRecord[],
): void {
  const count = blob.readInt32BE(pos + Off.RecordsCount);
  const leaderEpoch = blob.readInt32BE(pos + Off.PartitionLeaderEpoch);
  const logAppend = (attributes & Attr.TimestampTypeLogAppend) !== 0;
  const timestampType = logAppend ? 'log-append' : 'create';
  const baseOffset = blob.readBigInt64BE(pos + Off.BaseOffset);
  const lastOffset = baseOffset + BigInt(blob.readInt32BE(pos + Off.LastOffsetDelta));
  // LogAppendTime: every record reports MaxTimestamp (the broker's append time)
  const baseTimestamp = Number(blob.readBigInt64BE(pos + (logAppend ? Off.MaxTimestamp : Off.BaseTimestamp)));
  const tsScale = logAppend ? 0 : 1;
  try {
    if (baseOffset >= 0n && lastOffset <= MAX_SAFE) {
      const base = Number(baseOffset);
      readRecords(section, 0, section.length, count, (offsetDelta, timestampDelta, key, value, headers: RecordHeader[]) => {
        out.push(
          new FetchedRecord(
            topic,
            partition,
            BigInt(base + offsetDelta),
            baseTimestamp + timestampDelta * tsScale,
            timestampType,
            key,
            value,
            headers,
            leaderEpoch,
          ),
        );
      });
    } else {
      readRecords(section, 0, section.length, count, (offsetDelta, timestampDelta, key, value, headers: RecordHeader[]) => {
        out.push(
          new FetchedRecord(
            topic,
            partition,
            baseOffset + BigInt(offsetDelta),
            baseTimestamp + timestampDelta * tsScale,
            timestampType,
            key,
            value,
            headers,
            leaderEpoch,
          ),
        );
      });
    }
  } catch (err) {
    if (err instanceof RecordFormatError) throw new InvalidBatchError('bad-record', `batch at offset ${baseOffset}: ${err.message}`);
    throw err;
  }
}
