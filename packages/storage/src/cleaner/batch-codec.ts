// The cleaner's use of the batch codecs (the protocol package's compression): the records section
// of a stored batch decompressed, and a rebuilt records section compressed with the batch's codec.
// snappy and lz4 run synchronously; zstd has only an async codec; gzip runs synchronously for
// small inputs (a thread-pool round trip costs more than inflating a few KiB) and on libuv's
// thread pool beyond ASYNC_BYTES. A chunk's compressed batches are decompressed up front, the
// async ones in parallel, so one await serves the whole chunk.
import { Attr, BATCH_HEADER_SIZE, CompressionType, Off, compress, compressSync, decompress, decompressSync } from '@tributary/protocol';

/** Inputs from this size on go to the thread pool (gzip; zstd always does). */
const ASYNC_BYTES = 64 * 1024;

function goesAsync(codec: number, bytes: number): boolean {
  return codec === CompressionType.Zstd || (codec === CompressionType.Gzip && bytes >= ASYNC_BYTES);
}

/** The records section of the batch at `pos`, decompressed (a promise only for the async cases). */
export function batchRecords(buf: Buffer, pos: number, size: number): Buffer | Promise<Buffer> {
  const codec = buf.readInt16BE(pos + Off.Attributes) & Attr.CompressionMask;
  const body = buf.subarray(pos + BATCH_HEADER_SIZE, pos + size);
  if (codec === CompressionType.None) return body;
  return goesAsync(codec, body.length) ? decompress(codec, body) : decompressSync(codec, body);
}

/**
 * The records of each compressed, non-empty batch of a chunk (`batches`: [pos, size, ...]),
 * decompressed; null for the others (read in place). Sync when no batch needs an async codec.
 */
export function decompressChunk(buf: Buffer, batches: readonly number[]): Array<Buffer | null> | Promise<Array<Buffer | null>> {
  const out: Array<Buffer | null> = [];
  let pending: Array<Promise<void>> | null = null;
  for (let i = 0; i < batches.length; i += 2) {
    const pos = batches[i]!;
    const compressed = (buf.readInt16BE(pos + Off.Attributes) & Attr.CompressionMask) !== 0;
    if (!compressed || buf.readInt32BE(pos + Off.RecordsCount) === 0) {
      out.push(null);
      continue;
    }
    const records = batchRecords(buf, pos, batches[i + 1]!);
    if (records instanceof Promise) {
      const at = out.length;
      out.push(null);
      (pending ??= []).push(
        records.then((r) => {
          out[at] = r;
        }),
      );
    } else out.push(records);
  }
  return pending ? Promise.all(pending).then(() => out) : out;
}

/** `raw` records compressed with `codec` (a promise only for the async cases). */
export function compressRecords(codec: number, raw: Buffer): Buffer | Promise<Buffer> {
  if (codec === CompressionType.None) return raw;
  return goesAsync(codec, raw.length) ? compress(codec, raw) : compressSync(codec, raw);
}
