// One record inside a record batch v2, encoded and decoded (uncompressed form):
//
//   length          varint   bytes after this field
//   attributes      int8     (unused, 0)
//   timestampDelta  varlong  timestamp - batch BaseTimestamp
//   offsetDelta     varint   offset - batch BaseOffset
//   keyLength       varint   -1 = null key
//   key             bytes
//   valueLength     varint   -1 = null value
//   value           bytes
//   headerCount     varint
//   headers         [headerKeyLength varint, headerKey utf-8 (never null),
//                    headerValueLength varint (-1 = null), headerValue bytes]
//
// Decoded keys, values and header values are zero-copy slices of the (decompressed) batch.
import { RecordFormatError, VarintCursor, varintSize, varlongSize, writeVarint, writeVarlong } from './varint.ts';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A decoded record; `offset` and `timestamp` are absolute (LogAppendTime batches report MaxTimestamp). */
export interface KafkaRecord {
  offset: bigint;
  timestamp: bigint;
  offsetDelta: number;
  timestampDelta: number;
  attributes: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A record to encode. Strings are written as UTF-8. */
export interface RecordInput {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: { key: string; value?: Buffer | string | null }[];
  /** Absolute timestamp in ms; defaults to the batch's base timestamp. */
  timestamp?: bigint | number;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
}

/** A record with its byte fields resolved and its size computed: the first pass of encoding. */
export interface PreparedRecord {
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: Buffer; value: Buffer | null }[];
  bodySize: number;
  size: number;
}

const toBytes = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v;

const bytesSize = (b: Buffer | null): number => (b === null ? 1 : varintSize(b.length) + b.length);

export function prepareRecord(input: RecordInput, index: number, baseTimestamp: bigint): PreparedRecord {
  const key = toBytes(input.key);
  const value = toBytes(input.value);
  const timestampDelta = input.timestamp === undefined ? 0 : Number(BigInt(input.timestamp) - baseTimestamp);
  const offsetDelta = input.offsetDelta ?? index;
  const headers = (input.headers ?? []).map((h) => ({ key: Buffer.from(h.key, 'utf8'), value: toBytes(h.value) }));
  let bodySize = 1 + varlongSize(timestampDelta) + varintSize(offsetDelta) + bytesSize(key) + bytesSize(value) + varintSize(headers.length);
  for (const h of headers) bodySize += bytesSize(h.key) + bytesSize(h.value);
  return { timestampDelta, offsetDelta, key, value, headers, bodySize, size: varintSize(bodySize) + bodySize };
}

function writeBytes(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  return pos + b.copy(buf, pos);
}

/** Writes a prepared record at `pos`; returns the position after it. */
export function writeRecord(buf: Buffer, pos: number, r: PreparedRecord): number {
  pos = writeVarint(buf, pos, r.bodySize);
  buf[pos++] = 0;
  pos = writeVarlong(buf, pos, r.timestampDelta);
  pos = writeVarint(buf, pos, r.offsetDelta);
  pos = writeBytes(buf, pos, r.key);
  pos = writeBytes(buf, pos, r.value);
  pos = writeVarint(buf, pos, r.headers.length);
  for (const h of r.headers) {
    pos = writeBytes(buf, pos, h.key);
    pos = writeBytes(buf, pos, h.value);
  }
  return pos;
}

/** The smallest possible encoded record: seven one-byte fields. Bounds counts before any allocation. */
export const MIN_RECORD_SIZE = 7;

export interface RecordContext {
  baseOffset: bigint;
  baseTimestamp: bigint;
  /** Set for LogAppendTime batches: every record reports this timestamp. */
  logAppendTime: bigint | null;
}

/**
 * Receives each record `readRecords` decodes, in order: its deltas from the batch's BaseOffset and
 * BaseTimestamp, and zero-copy slices of its key, value and header values. Lets a caller build
 * its own record objects straight from the batch bytes.
 */
export type RecordSink = (
  offsetDelta: number,
  timestampDelta: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: RecordHeader[],
  attributes: number,
) => void;

/**
 * Decodes exactly `count` records from buf[pos, end), handing each to `sink`. Throws
 * RecordFormatError when a record is malformed, when the bytes run out early, or when bytes remain
 * after the last record (records before the bad one have already been handed over).
 */
export function readRecords(buf: Buffer, pos: number, end: number, count: number, sink: RecordSink): void {
  if (count < 0) throw new RecordFormatError(`negative record count ${count}`);
  if (count > (end - pos) / MIN_RECORD_SIZE) throw new RecordFormatError(`record count ${count} cannot fit in ${end - pos} bytes`);
  const c = new VarintCursor(buf, pos, end);
  for (let i = 0; i < count; i++) {
    c.end = end;
    const length = c.varint();
    if (length < 0 || length > end - c.pos) throw new RecordFormatError(`record ${i} length ${length} runs past the end of the batch`);
    const recordEnd = c.pos + length;
    c.end = recordEnd;
    if (c.pos >= recordEnd) throw new RecordFormatError(`record ${i} is empty`);
    const attributes = buf[c.pos++]!;
    const timestampDelta = c.varlong();
    const offsetDelta = c.varint();
    const key = c.bytes('key');
    const value = c.bytes('value');
    const headerCount = c.varint();
    let headers: RecordHeader[];
    if (headerCount === 0) headers = [];
    else {
      if (headerCount < 0) throw new RecordFormatError(`negative header count ${headerCount}`);
      if (headerCount > (recordEnd - c.pos) / 2) throw new RecordFormatError(`header count ${headerCount} cannot fit in its record`);
      headers = new Array(headerCount);
      for (let h = 0; h < headerCount; h++) {
        const hk = c.bytes('header key');
        if (hk === null) throw new RecordFormatError('null header key');
        headers[h] = { key: hk.toString('utf8'), value: c.bytes('header value') };
      }
    }
    if (c.pos !== recordEnd)
      throw new RecordFormatError(`record ${i} declares ${length} bytes but its fields use ${c.pos - (recordEnd - length)}`);
    sink(offsetDelta, timestampDelta, key, value, headers, attributes);
  }
  if (c.pos !== end) throw new RecordFormatError(`${end - c.pos} bytes remain after the last of ${count} records`);
}

/**
 * Decodes exactly `count` records from buf[pos, end) into KafkaRecords. Throws RecordFormatError
 * when a record is malformed, when the bytes run out early, or when bytes remain after the last record.
 */
export function decodeRecords(buf: Buffer, pos: number, end: number, count: number, ctx: RecordContext): KafkaRecord[] {
  const records: KafkaRecord[] = [];
  const { baseOffset, baseTimestamp, logAppendTime } = ctx;
  readRecords(buf, pos, end, count, (offsetDelta, timestampDelta, key, value, headers, attributes) => {
    records.push({
      offset: baseOffset + BigInt(offsetDelta),
      timestamp: logAppendTime ?? baseTimestamp + BigInt(timestampDelta),
      offsetDelta,
      timestampDelta,
      attributes,
      key,
      value,
      headers,
    });
  });
  return records;
}
export { RecordFormatError } from './varint.ts';
