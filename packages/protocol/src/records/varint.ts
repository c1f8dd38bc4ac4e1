// Zigzag varints of record batch v2 records (protobuf style, as Kafka's ByteUtils): varint is a
// 32-bit value in at most 5 bytes, varlong a 64-bit value in at most 10. Readers are bounded by an
// `end` position and throw RecordFormatError on overruns and overlong encodings.

export class RecordFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordFormatError';
  }
}

/**
 * A cursor over `buf` up to `end`; methods advance `pos`. `end` may be moved (one cursor walks a
 * whole batch, bounded by each record in turn). Single-byte values, the common case inside
 * records, take a short path.
 */
export class VarintCursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  varint(): number {
    const pos = this.pos;
    const end = this.end;
    if (pos < end) {
      const b = this.buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return (b >>> 1) ^ -(b & 1);
      }
      const b2 = pos + 1 < end ? this.buf[pos + 1]! : 0x80;
      if (b2 < 0x80) {
        // two bytes: lengths up to 8 KiB
        const raw = (b & 0x7f) | (b2 << 7);
        this.pos = pos + 2;
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    return this.varintSlow();
  }

  private varintSlow(): number {
    const { buf, end } = this;
    let pos = this.pos;
    let raw = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= end) throw new RecordFormatError('varint runs past the end of its record');
      const b = buf[pos++]!;
      if (shift === 28) {
        if (b & 0x80) throw new RecordFormatError('varint longer than 5 bytes');
        raw |= b << 28;
        break;
      }
      raw |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
    }
    this.pos = pos;
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** A varlong as a number; exact while |value| < 2^53 (timestamp deltas are far below). */
  varlong(): number {
    const pos = this.pos;
    const end = this.end;
    if (pos < end) {
      const b = this.buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return (b >>> 1) ^ -(b & 1);
      }
      const b2 = pos + 1 < end ? this.buf[pos + 1]! : 0x80;
      if (b2 < 0x80) {
        const raw = (b & 0x7f) | (b2 << 7);
        this.pos = pos + 2;
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    return this.varlongSlow();
  }

  private varlongSlow(): number {
    const { buf, end } = this;
    let pos = this.pos;
    let raw = 0n;
    let small = 0;
    let shift = 0;
    for (; ; shift += 7) {
      if (pos >= end) throw new RecordFormatError('varlong runs past the end of its record');
      if (shift > 63) throw new RecordFormatError('varlong longer than 10 bytes');
      const b = buf[pos++]!;
      if (shift < 28) small |= (b & 0x7f) << shift;
      else raw |= BigInt(b & 0x7f) << BigInt(shift);
      if ((b & 0x80) === 0) break;
    }
    this.pos = pos;
    if (shift < 28) return (small >>> 1) ^ -(small & 1);
    raw |= BigInt(small >>> 0);
    raw = BigInt.asUintN(64, raw);
    return Number((raw >> 1n) ^ -(raw & 1n));
  }

  /** A varint length then that many bytes as a zero-copy slice; -1 means null. */
  bytes(what: string): Buffer | null {
    const len = this.varint();
    if (len === -1) return null;
    if (len < -1) throw new RecordFormatError(`negative ${what} length ${len}`);
    const pos = this.pos;
    if (len > this.end - pos) throw new RecordFormatError(`${what} length ${len} runs past the end of its record`);
    this.pos = pos + len;
    return this.buf.subarray(pos, pos + len);
  }
}

export function varintSize(n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

export function writeVarint(buf: Buffer, pos: number, n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function zigzag64(n: number): bigint {
  const b = BigInt(n);
  return BigInt.asUintN(64, (b << 1n) ^ (b >> 63n));
}

export function varlongSize(n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) return varintSize(n);
  let v = zigzag64(n);
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

export function writeVarlong(buf: Buffer, pos: number, n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) return writeVarint(buf, pos, n);
  let v = zigzag64(n);
  while (v >= 0x80n) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}
