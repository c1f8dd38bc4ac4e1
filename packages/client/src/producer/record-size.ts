// Size of a record inside a v2 record batch, uncompressed, as the producer estimates it to fill
// batches up to `batch.size` (Kafka's DefaultRecord.sizeInBytes): a varint length prefix, then
// attributes int8, timestampDelta varlong, offsetDelta varint, key (varint length, -1 for null),
// value (same), header count varint, and per header a varint-length key and value.
// A batch adds a 61-byte header (RECORD_BATCH_OVERHEAD).

export const RECORD_BATCH_OVERHEAD = 61;

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** Bytes of a zigzag varint/varlong holding `n` (a safe integer). */
export function varintSize(n: number): number {
  // zigzag: non-negative n -> 2n, negative n -> -2n - 1
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

export function recordSizeInBytes(
  offsetDelta: number,
  timestampDelta: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: readonly RecordHeader[],
): number {
  let body = 1 + varintSize(timestampDelta) + varintSize(offsetDelta);
  body += key === null ? varintSize(-1) : varintSize(key.length) + key.length;
  body += value === null ? varintSize(-1) : varintSize(value.length) + value.length;
  body += varintSize(headers.length);
  for (const h of headers) {
    const k = Buffer.byteLength(h.key, 'utf8');
    body += varintSize(k) + k;
    body += h.value === null ? varintSize(-1) : varintSize(h.value.length) + h.value.length;
  }
  return varintSize(body) + body;
}
