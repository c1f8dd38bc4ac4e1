// Reader: reads Kafka wire primitives from a Buffer, advancing a position. Every read checks the
// bytes it needs first and throws DecodeError when the input is malformed: truncated, a negative
// or oversized length, a varint longer than 5 (int) or 10 (long) bytes. No read allocates more than
// the bytes remaining: array lengths are checked against them before any element is read. Bytes
// and records come back as zero-copy subarrays of the input.
//
// Encodings: int16/int32/int64 big-endian; STRING int16 length (-1 = null) + UTF-8; COMPACT_STRING
// unsigned varint length+1 (0 = null); BYTES int32 length (-1 = null); COMPACT_BYTES uvarint
// length+1; ARRAY int32 count (-1 = null); COMPACT_ARRAY uvarint count+1; UUID 16 bytes (shown as
// Kafka's Uuid.toString: base64url without padding); tagged fields: uvarint count, then per field
// uvarint tag, uvarint size, data (unknown tags are skipped; a known one must fill its size exactly).
import { DecodeError } from './errors.ts';

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const EMPTY = Buffer.alloc(0);

export class Reader {
  readonly buf: Buffer;
  /** Next byte to read. */
  pos: number;
  /** One past the last readable byte. */
  readonly end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.pos = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) {
      throw new DecodeError(`truncated input: need ${n} byte(s), ${this.end - this.pos} left`, this.pos);
    }
  }

  skip(n: number): void {
    if (n < 0) throw new DecodeError(`negative skip ${n}`, this.pos);
    this.need(n);
    this.pos += n;
  }

  readInt8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  readBool(): boolean {
    this.need(1);
    return this.buf[this.pos++] !== 0;
  }

  readInt16(): number {
    const p = this.pos;
    if (p + 2 > this.end) this.need(2);
    const b = this.buf;
    this.pos = p + 2;
    return ((b[p]! << 24) | (b[p + 1]! << 16)) >> 16;
  }

  readUInt16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  readInt32(): number {
    const p = this.pos;
    if (p + 4 > this.end) this.need(4);
    const b = this.buf;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  readUInt32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  readInt64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  readFloat64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  readUuid(): string {
    this.need(16);
    const s = this.buf.toString('base64url', this.pos, this.pos + 16);
    this.pos += 16;
    return s;
  }

  /** Unsigned varint of at most 5 bytes, as a non-negative number (< 2^32). */
  readUVarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < this.end && buf[pos]! < 0x80) {
      this.pos = pos + 1;
      return buf[pos]!;
    }
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) throw new DecodeError('truncated varint', pos);
      const b = buf[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        this.pos = pos;
        return result > 0xffffffff ? result % 0x100000000 : result;
      }
    }
    throw new DecodeError('varint longer than 5 bytes', this.pos);
  }

  /** Zigzag-encoded signed varint (int32). */
  readVarint(): number {
    const n = this.readUVarint();
    return (n >>> 1) ^ -(n & 1);
  }

  /** Zigzag-encoded signed varlong of at most 10 bytes. */
  readVarlong(): bigint {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= this.end) throw new DecodeError('truncated varlong', pos);
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        result = BigInt.asUintN(64, result);
        return (result >> 1n) ^ -(result & 1n);
      }
    }
    throw new DecodeError('varlong longer than 10 bytes', this.pos);
  }

  private utf8(len: number): string {
    this.need(len);
    const start = this.pos;
    this.pos += len;
    return this.buf.toString('utf8', start, start + len);
  }

  /** STRING: int16 length, -1 is not allowed. */
  readString(): string {
    const len = this.readInt16();
    if (len < 0) throw new DecodeError(`null or negative string length ${len}`, this.pos - 2);
    return this.utf8(len);
  }

  /** NULLABLE_STRING: int16 length, -1 = null. */
  readNullableString(): string | null {
    const len = this.readInt16();
    if (len === -1) return null;
    if (len < 0) throw new DecodeError(`negative string length ${len}`, this.pos - 2);
    return this.utf8(len);
  }

  /** COMPACT_STRING: uvarint length+1, null not allowed. */
  readCompactString(): string {
    const n = this.readUVarint();
    if (n === 0) throw new DecodeError('null compact string where not nullable', this.pos - 1);
    if (n > 0x8000) throw new DecodeError(`string length ${n - 1} is longer than 32767`, this.pos - 1);
    return this.utf8(n - 1);
  }

  readCompactNullableString(): string | null {
    const n = this.readUVarint();
    if (n === 0) return null;
    if (n > 0x8000) throw new DecodeError(`string length ${n - 1} is longer than 32767`, this.pos - 1);
    return this.utf8(n - 1);
  }

  private slice(len: number): Buffer {
    if (len === 0) return EMPTY;
    this.need(len);
    const start = this.pos;
    this.pos += len;
    return this.buf.subarray(start, start + len);
  }

  /** BYTES: int32 length (-1 not allowed), zero-copy subarray. */
  readBytes(): Buffer {
    const len = this.readInt32();
    if (len < 0) throw new DecodeError(`null or negative bytes length ${len}`, this.pos - 4);
    return this.slice(len);
  }

  readNullableBytes(): Buffer | null {
    const len = this.readInt32();
    if (len === -1) return null;
    if (len < 0) throw new DecodeError(`negative bytes length ${len}`, this.pos - 4);
    return this.slice(len);
  }

  readCompactBytes(): Buffer {
    const n = this.readUVarint();
    if (n === 0) throw new DecodeError('null compact bytes where not nullable', this.pos - 1);
    return this.slice(n - 1);
  }

  readCompactNullableBytes(): Buffer | null {
    const n = this.readUVarint();
    if (n === 0) return null;
    return this.slice(n - 1);
  }

  /** ARRAY count: int32, -1 = null (returned as -1). Never more than the bytes remaining. */
  readArrayLength(): number {
    const n = this.readInt32();
    if (n < -1) throw new DecodeError(`negative array length ${n}`, this.pos - 4);
    if (n > this.end - this.pos) {
      throw new DecodeError(`array length ${n} exceeds the ${this.end - this.pos} bytes remaining`, this.pos - 4);
    }
    return n;
  }

  /** COMPACT_ARRAY count: uvarint count+1, 0 = null (returned as -1). */
  readCompactArrayLength(): number {
    const n = this.readUVarint() - 1;
    if (n > this.end - this.pos) {
      throw new DecodeError(`array length ${n} exceeds the ${this.end - this.pos} bytes remaining`, this.pos);
    }
    return n;
  }

  /** A whole array of int32/string/... with `read` per element; null when the wire says null. */
  readArray<T>(compact: boolean, read: (r: Reader) => T): T[] | null {
    const n = compact ? this.readCompactArrayLength() : this.readArrayLength();
    if (n < 0) return null;
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this));
    return out;
  }

  /** Skips a whole tagged-field section (count, then tag/size/data per field). */
  /** Start of a known tagged field declaring `size` bytes: checks they are there; returns its end. */
  taggedFieldEnd(size: number): number {
    this.need(size);
    return this.pos + size;
  }

  /** End of a known tagged field: it must have used exactly the size it declared. */
  checkTaggedFieldEnd(end: number, field: string): void {
    if (this.pos !== end) {
      throw new DecodeError(
        `tagged field ${field} does not fill its declared size (${this.pos > end ? 'overruns' : 'stops short of'} it by ${Math.abs(this.pos - end)} byte(s))`,
        this.pos,
      );
    }
  }

  skipTaggedFields(): void {
    const count = this.readUVarint();
    for (let i = 0; i < count; i++) {
      this.readUVarint();
      this.skip(this.readUVarint());
    }
  }
}
