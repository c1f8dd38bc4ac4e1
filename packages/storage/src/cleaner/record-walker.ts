// Raw access to the records of a v2 batch (uncompressed form), for the cleaner: it needs each
// record's key, whether its value is null (a tombstone), its deltas and its byte span, and
// re-encodes a kept record by rewriting only its timestamp delta (the rest is copied verbatim).
//
//   record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//           keyLength varint | key | valueLength varint | value | headerCount varint | headers
//
// Varints are zigzag encoded; varlongs are read and written as JS numbers (exact below 2^53,
// which holds every timestamp delta).
import { RecordFormatError } from '@tributary/protocol';

/** One record as the walker sees it (the same object is reused for every record). */
export interface RawRecord {
  /** Byte span of the whole record, length prefix included. */
  start: number;
  end: number;
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  /** Where keyLength starts: key, value and headers are copied from here to `end` unchanged. */
  fieldsStart: number;
  /** Key bytes are buf[keyStart, keyStart + keyLength); keyLength -1 = null key. */
  keyStart: number;
  keyLength: number;
  /** -1 = null value (a tombstone). */
  valueLength: number;
}

class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  /** A zigzag varlong (also reads varints) as a number. */
  long(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new RecordFormatError('varint runs past the end of its record');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      mul *= 128;
    }
    throw new RecordFormatError('varint longer than 10 bytes');
  }
}

/**
 * Calls `visit` for each of the `count` records in buf[pos, end), until it returns false. Throws
 * RecordFormatError when a record is malformed or the records do not fill the span exactly.
 */
export function walkRecords(buf: Buffer, pos: number, end: number, count: number, visit: (r: RawRecord) => unknown): void {
  const r: RawRecord = {
    start: 0,
    end: 0,
    attributes: 0,
    timestampDelta: 0,
    offsetDelta: 0,
    fieldsStart: 0,
    keyStart: 0,
    keyLength: -1,
    valueLength: -1,
  };
  const c = new Cursor(buf, pos, end);
  for (let i = 0; i < count; i++) {
    c.end = end;
    r.start = c.pos;
    const length = c.long();
    if (length <= 0 || length > end - c.pos) throw new RecordFormatError(`record ${i} length ${length} does not fit its batch`);
    r.end = c.pos + length;
    c.end = r.end;
    r.attributes = buf[c.pos++]!;
    r.timestampDelta = c.long();
    r.offsetDelta = c.long();
    r.fieldsStart = c.pos;
    r.keyLength = c.long();
    r.keyStart = c.pos;
    if (r.keyLength < -1 || r.keyLength > r.end - c.pos) throw new RecordFormatError(`record ${i} key length ${r.keyLength} is invalid`);
    if (r.keyLength > 0) c.pos += r.keyLength;
    r.valueLength = c.long();
    if (r.valueLength < -1 || r.valueLength > r.end - c.pos)
      throw new RecordFormatError(`record ${i} value length ${r.valueLength} is invalid`);
    if (visit(r) === false) return;
    c.pos = r.end;
  }
  if (c.pos !== end) throw new RecordFormatError(`${end - c.pos} bytes remain after the last of ${count} records`);
}

/** Bytes of `n` as a zigzag varint/varlong. */
export function varlongSize(n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/** Writes `n` as a zigzag varint/varlong at `pos`; returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  while (v >= 128) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/** Size of record `r` of `buf` re-encoded with timestamp delta `timestampDelta`. */
export function reencodedSize(r: RawRecord, timestampDelta: number): number {
  const body = 1 + varlongSize(timestampDelta) + varlongSize(r.offsetDelta) + (r.end - r.fieldsStart);
  return varlongSize(body) + body;
}

/** Writes record `r` of `src` at `pos` of `dst` with timestamp delta `timestampDelta`; returns the position after it. */
export function writeReencoded(dst: Buffer, pos: number, src: Buffer, r: RawRecord, timestampDelta: number): number {
  const body = 1 + varlongSize(timestampDelta) + varlongSize(r.offsetDelta) + (r.end - r.fieldsStart);
  pos = writeVarlong(dst, pos, body);
  dst[pos++] = r.attributes;
  pos = writeVarlong(dst, pos, timestampDelta);
  pos = writeVarlong(dst, pos, r.offsetDelta);
  return pos + src.copy(dst, pos, r.fieldsStart, r.end);
}
