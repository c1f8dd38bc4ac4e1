// Reads a closed segment's .log in chunks of whole batches for the cleaner (Kafka's readBuffer):
// each chunk is one positional read of up to CHUNK_BYTES (more when a single batch is larger),
// cut after the last whole batch. Every batch is checked (length, magic 2, CRC-32C) before the
// cleaner trusts it: the cleaner rewrites CRCs, so it must never launder a corrupt batch.
// The buffer is reused: a chunk's bytes are valid until the next call of `next`.
import { BATCH_HEADER_SIZE, CURRENT_MAGIC, LOG_OVERHEAD, Off, computeBatchCrc } from '@tributary/protocol';
import { CorruptRecordError } from '../errors.ts';
import { readFully } from '../fs.ts';
import type { LogSegment, SegmentContext } from '../log-segment.ts';
import { decompressChunk } from './batch-codec.ts';
import type { JobGuard } from './job-guard.ts';

/** Bytes read per chunk: the cleaner's unit of work between two pacer steps. */
export const CHUNK_BYTES = 256 * 1024;

export interface SegmentChunk {
  buf: Buffer;
  /** Position in `buf` and size of each batch, in order: [pos0, size0, pos1, size1, ...]. */
  batches: number[];
  /** Bytes of whole batches in the chunk, and the file position just after them. */
  bytes: number;
  endPosition: number;
}

export class SegmentReader {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private position: number;

  constructor(
    private readonly ctx: SegmentContext,
    private readonly segment: LogSegment,
    position: number,
  ) {
    this.position = position;
  }

  /** The next chunk, or null at the end of the segment. */
  next(): SegmentChunk | null {
    const seg = this.segment;
    const end = seg.size;
    if (this.position + LOG_OVERHEAD > end) return null;
    const fs = this.ctx.fs;
    const fd = this.ctx.fds.get(seg.logPath, false);
    let got = readFully(fs, fd, this.buf, 0, Math.min(this.buf.length, end - this.position), this.position);
    const batches: number[] = [];
    let pos = 0;
    while (pos + LOG_OVERHEAD <= got) {
      const size = this.buf.readInt32BE(pos + Off.BatchLength) + LOG_OVERHEAD;
      const at = this.position + pos;
      if (size < BATCH_HEADER_SIZE || at + size > end)
        throw new CorruptRecordError(`${seg.logPath}: bad batch length ${size} at position ${at}`, seg.logPath, at);
      if (pos + size > got) {
        if (pos > 0) break;
        // one batch larger than the buffer: grow it and read the batch whole
        const bigger = Buffer.allocUnsafe(size);
        this.buf.copy(bigger, 0, 0, got);
        got += readFully(fs, fd, bigger, got, size - got, this.position + got);
        this.buf = bigger;
        if (got < size) throw new CorruptRecordError(`${seg.logPath}: short read of the batch at position ${at}`, seg.logPath, at);
      }
      if (this.buf.readInt8(pos + Off.Magic) !== CURRENT_MAGIC)
        throw new CorruptRecordError(`${seg.logPath}: bad magic in batch at position ${at}`, seg.logPath, at);
      if (this.buf.readUInt32BE(pos + Off.Crc) !== computeBatchCrc(this.buf, pos, size))
        throw new CorruptRecordError(`${seg.logPath}: CRC mismatch in batch at position ${at}`, seg.logPath, at);
      batches.push(pos, size);
      pos += size;
    }
    if (batches.length === 0) return null;
    this.position += pos;
    return { buf: this.buf, batches, bytes: pos, endPosition: this.position };
  }
}

/**
 * The chunks of `segment` from `position`, each with its compressed batches' records decompressed
 * (null for an uncompressed batch); after an asynchronous decompression the job is checked again,
 * since the log may have changed meanwhile.
 */
export async function* decodedChunks(
  ctx: SegmentContext,
  segment: LogSegment,
  position: number,
  guard: JobGuard,
): AsyncGenerator<{ chunk: SegmentChunk; decompressed: Array<Buffer | null> }> {
  const reader = new SegmentReader(ctx, segment, position);
  for (;;) {
    const chunk = reader.next();
    if (!chunk) return;
    let decompressed = decompressChunk(chunk.buf, chunk.batches);
    if (decompressed instanceof Promise) {
      decompressed = await decompressed;
      guard.check(segment);
    }
    yield { chunk, decompressed };
  }
}
