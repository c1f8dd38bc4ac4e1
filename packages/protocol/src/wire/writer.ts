// Writer: a growable output buffer with the Kafka wire primitives (the mirror of Reader). It starts
// from a preallocated buffer and doubles when full, writing numbers and strings straight into it
// (no per-field Buffer allocations). `finish()` returns the bytes written as one Buffer (a view of
// the internal buffer: do not keep writing to the Writer after it).
//
// Sized regions (`beginSized`/`endSized`) write a uvarint byte count before data whose size is only
// known afterwards (tagged fields): the data is written first, then shifted to make room.
import { EncodeError } from './errors.ts';

export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(initialCapacity = 512) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  get length(): number {
    return this.pos;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Reserves n bytes (to be filled later with setInt32 etc.) and returns their position. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  setInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }

  writeInt8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
  }

  writeBool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  writeInt16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  writeUInt16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  writeInt32(v: number): void {
    if (this.pos + 4 > this.buf.length) this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
  }

  writeUInt32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  /** int64; a JS number is accepted too (exact up to 2^53). */
  writeInt64(v: bigint | number): void {
    this.ensure(8);
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new EncodeError(`int64 value ${v} is not a safe integer`);
      const hi = Math.floor(v / 0x100000000);
      this.buf.writeInt32BE(hi, this.pos);
      this.buf.writeUInt32BE(v - hi * 0x100000000, this.pos + 4);
    } else {
      this.buf.writeBigInt64BE(v, this.pos);
    }
    this.pos += 8;
  }

  writeFloat64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  /** UUID from its base64url form (22 characters, Kafka's Uuid.toString). */
  writeUuid(v: string): void {
    this.ensure(16);
    if (v.length !== 22 || this.buf.write(v, this.pos, 16, 'base64url') !== 16) {
      throw new EncodeError(`invalid UUID ${JSON.stringify(v)}: expected 22 base64url characters`);
    }
    this.pos += 16;
  }

  writeUVarint(v: number): void {
    if (v >= 0 && v < 0x80 && this.pos < this.buf.length) {
      this.buf[this.pos++] = v;
      return;
    }
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    v = v >>> 0;
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  writeVarint(v: number): void {
    this.writeUVarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  writeVarlong(v: bigint | number): void {
    let z = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n));
    this.ensure(10);
    while (z >= 0x80n) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.pos++] = Number(z);
  }

  private utf8(s: string, len: number): void {
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  writeString(s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    if (len > 0x7fff) throw new EncodeError(`string of ${len} bytes is longer than 32767`);
    this.writeInt16(len);
    this.utf8(s, len);
  }

  writeNullableString(s: string | null): void {
    if (s === null) this.writeInt16(-1);
    else this.writeString(s);
  }

  writeCompactString(s: string): void {
    if (s.length < 42) {
      // At most 123 UTF-8 bytes: the length+1 fits one varint byte, written after the text.
      this.ensure(1 + s.length * 3);
      const at = this.pos++;
      const len = this.buf.write(s, this.pos, 'utf8');
      this.buf[at] = len + 1;
      this.pos += len;
      return;
    }
    const len = Buffer.byteLength(s, 'utf8');
    if (len > 0x7fff) throw new EncodeError(`string of ${len} bytes is longer than 32767`);
    this.writeUVarint(len + 1);
    this.utf8(s, len);
  }

  writeCompactNullableString(s: string | null): void {
    if (s === null) this.writeUVarint(0);
    else this.writeCompactString(s);
  }

  /** Raw bytes with no length prefix. */
  writeRaw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  writeBytes(b: Uint8Array): void {
    this.writeInt32(b.length);
    this.writeRaw(b);
  }

  writeNullableBytes(b: Uint8Array | null): void {
    if (b === null) this.writeInt32(-1);
    else this.writeBytes(b);
  }

  writeCompactBytes(b: Uint8Array): void {
    this.writeUVarint(b.length + 1);
    this.writeRaw(b);
  }

  writeCompactNullableBytes(b: Uint8Array | null): void {
    if (b === null) this.writeUVarint(0);
    else this.writeCompactBytes(b);
  }

  /** ARRAY count (int32) or COMPACT_ARRAY count+1 (uvarint); -1 for null. */
  writeArrayLength(compact: boolean, n: number): void {
    if (compact) this.writeUVarint(n + 1);
    else this.writeInt32(n);
  }

  /** Starts a region whose byte count is written before it by endSized. */
  beginSized(): number {
    return this.pos;
  }

  /** Inserts the uvarint byte count of everything written since `mark` in front of it. */
  endSized(mark: number): void {
    const size = this.pos - mark;
    const prefix = size < 0x80 ? 1 : size < 0x4000 ? 2 : size < 0x200000 ? 3 : size < 0x10000000 ? 4 : 5;
    this.ensure(prefix);
    const buf = this.buf;
    buf.copyWithin(mark + prefix, mark, this.pos);
    let at = mark;
    let n = size;
    while (n >= 0x80) {
      buf[at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[at] = n;
    this.pos += prefix;
  }
}
