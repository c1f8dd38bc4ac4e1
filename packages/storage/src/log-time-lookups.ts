// ListOffsets by time on a partition log: the first record at or after a timestamp, and the record
// carrying the largest timestamp (KIP-734). Both find the batch through the segments' time and
// offset indexes and a header scan, then read that one batch (decompressing it when compressed) for
// the record itself, by offset delta, so a batch the log cleaner rewrote (gaps in its offsets)
// answers an offset it still holds. Async (zstd has no synchronous codec); should the cleaner swap
// the segment being searched meanwhile, the search starts again.
import { readFully } from './fs.ts';
import type { BatchInfo, LogSegment, SegmentContext } from './log-segment.ts';
import { firstRecordAtOrAfter } from './record-timestamps.ts';

export interface TimestampAndOffset {
  timestamp: number;
  offset: number;
}

/** What the lookups need of a partition log (PartitionLog is one). */
export interface TimeLookupLog {
  readonly ctx: SegmentContext;
  readonly segments: readonly LogSegment[];
  readonly logStartOffset: number;
  /** Checks a closed segment's indexes on first use. */
  ensureSegmentLoaded(seg: LogSegment): void;
}

/**
 * The first offset whose record timestamp is >= `timestamp` (ListOffsets by time), or null when
 * none. Async: a compressed batch is decompressed to find the record; should the log cleaner swap
 * the segment being searched meanwhile, the search starts again.
 */
export async function offsetForTimestamp(log: TimeLookupLog, timestamp: number): Promise<TimestampAndOffset | null> {
  // a copy: the cleaner's swap and retention change `segments` in place while this awaits
  for (const seg of [...log.segments]) {
    log.ensureSegmentLoaded(seg);
    if (seg.maxTimestamp < timestamp) continue;
    const fromOffset = Math.max(seg.timeIndex.lookupTimestamp(timestamp).offset, log.logStartOffset);
    let from = seg.offsetIndex.lookupOffset(fromOffset).position;
    for (;;) {
      let candidate: BatchInfo | null = null;
      seg.scan(from, (b) => {
        if (b.lastOffset < log.logStartOffset || b.maxTimestamp < timestamp) return true;
        candidate = b;
        return false;
      });
      const b = candidate as BatchInfo | null;
      if (!b) break;
      const buf = Buffer.allocUnsafe(b.size);
      readFully(log.ctx.fs, log.ctx.fds.get(seg.logPath, true), buf, 0, b.size, b.position);
      const hit = await firstRecordAtOrAfter(buf, 0, b.size, timestamp, log.logStartOffset);
      if (seg.deleted) return offsetForTimestamp(log, timestamp);
      if (hit) return hit;
      from = b.position + b.size;
    }
  }
  return null;
}

/**
 * ListOffsets MAX_TIMESTAMP (KIP-734): the largest timestamp in the log and the offset of the
 * first record carrying it ({-1, -1} when empty, or when that batch holds no such record: an
 * empty batch the cleaner kept). Segments track the batch's last offset only (records are not
 * decoded on append); this finds the batch, as Kafka's UnifiedLog.fetchOffsetByTimestamp does,
 * from the offset index entry at or before that offset, the first batch whose MaxTimestamp is
 * the segment's, and reads it (decompressed if need be) for the first record at that timestamp
 * (RecordBatch.offsetOfMaxTimestamp: in a LogAppendTime batch, its first record). Async as
 * offsetForTimestamp; should the cleaner swap the segment meanwhile, it starts again.
 */
export async function maxTimestampAndOffset(log: TimeLookupLog): Promise<TimestampAndOffset> {
  let seg: LogSegment | null = null;
  for (const s of log.segments) {
    log.ensureSegmentLoaded(s);
    if (s.maxTimestamp > (seg?.maxTimestamp ?? -1)) seg = s;
  }
  if (!seg) return { timestamp: -1, offset: -1 };
  const maxTs = seg.maxTimestamp;
  let batch: BatchInfo | null = null;
  seg.scan(seg.offsetIndex.lookupOffset(seg.offsetOfMaxTimestamp).position, (b) => {
    if (b.maxTimestamp !== maxTs) return true;
    batch = b;
    return false;
  });
  const b = batch as BatchInfo | null;
  if (!b) return { timestamp: -1, offset: -1 };
  const buf = Buffer.allocUnsafe(b.size);
  readFully(log.ctx.fs, log.ctx.fds.get(seg.logPath, true), buf, 0, b.size, b.position);
  // no record above MaxTimestamp in a valid batch: the first at or after it is the first equal to it
  const hit = await firstRecordAtOrAfter(buf, 0, b.size, maxTs);
  if (seg.deleted) return maxTimestampAndOffset(log);
  return hit ?? { timestamp: -1, offset: -1 };
}
