// Test helper: builds uncompressed record batch v2 bytes (header + records + CRC-32C) without the
// full record encoder. Records carry no key, a value and no headers.
import { computeBatchCrc, Off, BATCH_HEADER_SIZE, LOG_OVERHEAD } from '@tributary/protocol';

function zigzag(n: number): number[] {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

export interface TestRecord {
  value: Buffer | string;
  timestamp?: number;
}

export interface BatchOptions {
  baseTimestamp?: number;
  records?: TestRecord[];
  count?: number;
  valueSize?: number;
  attributes?: number;
  producerId?: number;
}

/** One batch; `count` records of `valueSize` bytes unless `records` is given. Timestamps default to baseTimestamp + i. */
export function buildBatch(opts: BatchOptions = {}): Buffer {
  const baseTs = opts.baseTimestamp ?? 1_700_000_000_000;
  const records: TestRecord[] =
    opts.records ??
    Array.from({ length: opts.count ?? 1 }, (_, i) => ({ value: Buffer.alloc(opts.valueSize ?? 10, i & 0xff), timestamp: baseTs + i }));
  const parts: Buffer[] = [];
  let maxTs = baseTs;
  records.forEach((r, i) => {
    const value = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    const ts = r.timestamp ?? baseTs + i;
    if (ts > maxTs) maxTs = ts;
    const body = Buffer.concat([
      Buffer.from([0]),
      Buffer.from(zigzag(ts - baseTs)),
      Buffer.from(zigzag(i)),
      Buffer.from(zigzag(-1)),
      Buffer.from(zigzag(value.length)),
      value,
      Buffer.from(zigzag(0)),
    ]);
    parts.push(Buffer.from(zigzag(body.length)), body);
  });
  const recs = Buffer.concat(parts);
  const buf = Buffer.alloc(BATCH_HEADER_SIZE + recs.length);
  buf.writeBigInt64BE(0n, Off.BaseOffset);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, Off.BatchLength);
  buf.writeInt32BE(-1, Off.PartitionLeaderEpoch);
  buf.writeInt8(2, Off.Magic);
  buf.writeInt16BE(opts.attributes ?? 0, Off.Attributes);
  buf.writeInt32BE(records.length - 1, Off.LastOffsetDelta);
  buf.writeBigInt64BE(BigInt(baseTs), Off.BaseTimestamp);
  buf.writeBigInt64BE(BigInt(maxTs), Off.MaxTimestamp);
  buf.writeBigInt64BE(BigInt(opts.producerId ?? -1), Off.ProducerId);
  buf.writeInt16BE(-1, Off.ProducerEpoch);
  buf.writeInt32BE(-1, Off.BaseSequence);
  buf.writeInt32BE(records.length, Off.RecordsCount);
  recs.copy(buf, BATCH_HEADER_SIZE);
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), Off.Crc);
  return buf;
}

/** Splits a records blob into its batches' (baseOffset, lastOffset). */
export function batchOffsets(buf: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let pos = 0;
  while (pos + LOG_OVERHEAD <= buf.length) {
    const size = buf.readInt32BE(pos + Off.BatchLength) + LOG_OVERHEAD;
    if (pos + size > buf.length) break;
    const base = Number(buf.readBigInt64BE(pos));
    out.push([base, base + buf.readInt32BE(pos + Off.LastOffsetDelta)]);
    pos += size;
  }
  return out;
}
