// Where a zero-copy fetch region ends (LogSegment.slice): the last batch boundary that the copy
// read (LogSegment.read) would stop at, found without reading every batch header of the region.
// Kafka's LogSegment.read sends min(maxPosition - start, max(maxSize, first batch size)) bytes and
// may end in the middle of a batch (clients drop the partial batch); Tributary's copy path returns
// whole batches only, so the region must end at a batch boundary too. The offset index names batch
// starts (each entry: a batch's last offset and its position, written when the batch was appended
// or recovered): the last entry inside the budget is a boundary, and only the batches after it
// (at most index.interval.bytes and one batch) have their headers read, in one or two small reads.
import { Off, BATCH_HEADER_SIZE, LOG_OVERHEAD, CURRENT_MAGIC } from '@tributary/protocol';
import { readFully, type FileSystem } from './fs.ts';
import type { IndexFile } from './index-file.ts';

/** The copy read returns nothing. */
export const SLICE_EMPTY = -1;
/** Something unexpected (a bad header, a file shorter than known, an index entry that is not a batch start): let the copy read decide. */
export const SLICE_ASK_READ = -2;
/** The batch at `from` is not in the region (internal). */
const NOT_INCLUDED = -3;

/** Header bytes read per batch: up to LastOffsetDelta. */
const SLICE_HEADER = Off.LastOffsetDelta + 4;
const CHUNK = 4096;
const chunk = Buffer.allocUnsafe(CHUNK);

function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

export interface SliceEndInput {
  fs: FileSystem;
  fd: number;
  offsetIndex: IndexFile;
  /** Bytes in the segment file. */
  size: number;
  /** Start of the region (a batch start). */
  position: number;
  /** The budget: the copy read reads [position, position + limit). */
  limit: number;
  maxOffset: number;
  minOneBatch: boolean;
}

/**
 * The end of the region the copy read would return from `position` (a position > position), or
 * SLICE_EMPTY, or SLICE_ASK_READ. `out.nextOffset` gets the offset after the region's last batch.
 */
export function sliceEnd(input: SliceEndInput, out: { nextOffset: number }): number {
  const { offsetIndex: idx, position, limit, maxOffset } = input;
  const end = position + limit;
  const i = idx.count > 0 ? idx.lastEntryAtOrBefore(maxOffset, end) : -1;
  if (i >= 0 && idx.positionAt(i) > position) {
    // Every batch before the entry's batch is in the region: it starts at or before `end`, and
    // its base offset is below the entry's offset, which is <= maxOffset.
    const at = idx.positionAt(i);
    const r = scan(input, at, idx.baseOffset + idx.relOffsetAt(i), Infinity, out);
    if (r !== NOT_INCLUDED) return r;
    // The region ends at `at`: the offset after it is read from the batches before it.
    if (i > 0 && idx.positionAt(i - 1) > position) {
      const r2 = scan(input, idx.positionAt(i - 1), idx.baseOffset + idx.relOffsetAt(i - 1), at, out);
      return r2 === at ? at : SLICE_ASK_READ;
    }
    const r3 = scan(input, position, -1, at, out);
    return r3 === at ? at : SLICE_ASK_READ;
  }
  return scan(input, position, -1, Infinity, out);
}

/**
 * Reads headers from `from` (a batch start; `fromLastOffset` >= 0: the index entry's offset there,
 * checked against the batch) while the batches belong in the region, stopping at `stopAt`.
 */
function scan(input: SliceEndInput, from: number, fromLastOffset: number, stopAt: number, out: { nextOffset: number }): number {
  const { fs, fd, size, position, limit, maxOffset, minOneBatch } = input;
  const end = position + limit;
  let chunkStart = 0;
  let chunkLen = 0;
  let cur = from;
  let nextOffset = -1;
  while (cur < stopAt && cur + LOG_OVERHEAD <= size) {
    if (cur !== position && cur + BATCH_HEADER_SIZE > end) {
      // no batch fits in what is left of the budget
      if (cur === from) return NOT_INCLUDED;
      break;
    }
    if (cur < chunkStart || cur + SLICE_HEADER > chunkStart + chunkLen) {
      chunkStart = cur;
      chunkLen = readFully(fs, fd, chunk, 0, Math.min(Math.max(Math.min(end - cur, CHUNK), SLICE_HEADER), size - cur), cur);
      if (chunkLen < SLICE_HEADER) return SLICE_ASK_READ;
    }
    const at = cur - chunkStart;
    const baseOffset = readInt64(chunk, at);
    const batchSize = chunk.readInt32BE(at + Off.BatchLength) + LOG_OVERHEAD;
    const lastOffset = baseOffset + chunk.readInt32BE(at + Off.LastOffsetDelta);
    const framed = batchSize >= BATCH_HEADER_SIZE && cur + batchSize <= size && chunk.readInt8(at + Off.Magic) === CURRENT_MAGIC;
    if (cur === from && fromLastOffset >= 0 && (!framed || lastOffset !== fromLastOffset)) return SLICE_ASK_READ;
    if (baseOffset >= maxOffset) {
      if (cur === position) return SLICE_EMPTY;
      if (cur === from) return NOT_INCLUDED;
      break;
    }
    if (!framed) return SLICE_ASK_READ;
    if (cur === position && batchSize > limit) {
      // the first batch, larger than the budget: returned alone, or not at all
      if (!minOneBatch) return SLICE_EMPTY;
      out.nextOffset = lastOffset + 1;
      return position + batchSize;
    }
    if (cur + batchSize > end) {
      if (cur === from && cur !== position) return NOT_INCLUDED;
      break;
    }
    nextOffset = lastOffset + 1;
    cur += batchSize;
  }
  if (cur === from || nextOffset < 0) return cur === position ? SLICE_EMPTY : SLICE_ASK_READ;
  out.nextOffset = nextOffset;
  return cur;
}
