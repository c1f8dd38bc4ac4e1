// Which part of a compacted log may be cleaned now (Kafka's LogCleanerManager.cleanableOffsets,
// calculateCleanableBytes and maxCompactionDelay, and LogToClean):
//
//   firstDirtyOffset        the cleaner-offset-checkpoint entry; absent, below logStartOffset or
//                           above logEndOffset (the log was truncated or corrupt) -> logStartOffset
//   uncleanable offset      min(last stable offset, active segment's base, base of the first
//                           closed segment from firstDirtyOffset whose largest timestamp is newer
//                           than now - min.compaction.lag.ms (only when that lag is > 0)),
//                           at least firstDirtyOffset
//   firstUncleanableOffset  rounded down to the base of the segment holding it (the active
//                           segment's when it is beyond the closed ones): whole segments only,
//                           never below firstDirtyOffset
//   cleanBytes              sizes of the segments holding offsets below firstDirtyOffset
//   dirtyBytes              sizes of the segments holding [firstDirtyOffset, firstUncleanableOffset)
//                           (as Kafka, a segment holding firstDirtyOffset counts in both)
//   needCompactionNow       the earliest first-batch timestamp (> 0) of the closed segments from
//                           firstDirtyOffset is older than now - max.compaction.lag.ms
import type { LogSegment } from '../log-segment.ts';
import type { PartitionLog } from '../partition-log.ts';
import type { CleanableRange } from './clean-job.ts';

/** Kafka's LogSegments.nonActiveLogSegmentsFrom: closed segments from the one holding `from`. */
function nonActiveSegmentsFrom(log: PartitionLog, from: number): LogSegment[] {
  const segs = log.segments;
  const active = segs[segs.length - 1]!;
  if (from >= active.baseOffset) return [];
  let first = 0;
  for (let i = 0; i < segs.length - 1; i++) if (segs[i]!.baseOffset <= from) first = i;
  return segs.slice(first, segs.length - 1);
}

/** Sum of the sizes of the segments holding offsets in [from, to) (Kafka's logSegments(from, to)). */
function bytesIn(log: PartitionLog, from: number, to: number): number {
  const segs = log.segments;
  let n = 0;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const next = segs[i + 1];
    if (seg.baseOffset >= to) break;
    if (next && next.baseOffset <= from) continue;
    n += seg.size;
  }
  return n;
}

export function cleanableRange(log: PartitionLog, checkpoint: number | undefined, lastStableOffset: number, now: number): CleanableRange {
  const start = log.logStartOffset;
  const firstDirtyOffset = checkpoint === undefined || checkpoint < start || checkpoint > log.logEndOffset ? start : checkpoint;
  const config = log.config;
  const active = log.activeSegment;

  let uncleanable = Math.min(lastStableOffset, active.baseOffset);
  const minLag = Math.max(config.minCompactionLagMs, 0);
  if (minLag > 0) {
    for (const seg of nonActiveSegmentsFrom(log, firstDirtyOffset)) {
      log.ensureSegmentLoaded(seg);
      if (seg.largestTimestamp > now - minLag) {
        uncleanable = Math.min(uncleanable, seg.baseOffset);
        break;
      }
    }
  }
  uncleanable = Math.max(firstDirtyOffset, uncleanable);
  const holding = nonActiveSegmentsFrom(log, uncleanable)[0] ?? active;
  const firstUncleanableOffset = Math.max(firstDirtyOffset, holding.baseOffset);

  const cleanBytes = bytesIn(log, -1, firstDirtyOffset);
  const dirtyBytes = bytesIn(log, Math.min(firstDirtyOffset, holding.baseOffset), holding.baseOffset);
  const total = cleanBytes + dirtyBytes;

  let earliest = Number.POSITIVE_INFINITY;
  for (const seg of nonActiveSegmentsFrom(log, firstDirtyOffset)) {
    const ts = seg.getFirstBatchTimestamp();
    if (ts > 0 && ts < earliest) earliest = ts;
  }
  const cleanUntil = now - Math.max(config.maxCompactionLagMs, 0);

  return {
    firstDirtyOffset,
    firstUncleanableOffset,
    cleanBytes,
    dirtyBytes,
    cleanableRatio: total === 0 ? 0 : dirtyBytes / total,
    needCompactionNow: earliest < cleanUntil,
  };
}
