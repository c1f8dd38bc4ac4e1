// Rebuilding a partition's producer state from its snapshots and its log (Kafka's
// UnifiedLog.rebuildProducerState), used when a log is loaded and after a truncation:
//
//   1. snapshots above the target offset, or at or below the log start offset, are deleted;
//   2. unless the state already ends at the target, it is reloaded from the latest snapshot left
//      (none: empty at the log start offset);
//   3. the batch headers of the log from there up to the target are replayed (markers included),
//      taking the snapshots Kafka takes on the way (at the bases of the last two segments);
//   4. a snapshot is taken at the target (written now, fsynced with the next flush).
//
// A log loaded after a clean shutdown without any snapshot (written before snapshots existed) is
// not scanned: empty snapshots are written at the bases of the last two segments and at the end
// (Kafka's upgrade path); producers of such a log start unknown (any sequence accepted).
// A state that was empty and already at or past the target (no producer ever appended) is not
// rebuilt by replaying either (Kafka's isEmptyBeforeTruncation shortcut).
import { Off } from '@tributary/protocol';
import { readInt64, type LogSegment } from './log-segment.ts';
import { readProducerBatch } from './producer-batches.ts';
import type { PreparedAppend, ProducerStateManager } from './producer-state.ts';

export function rebuildProducerState(
  psm: ProducerStateManager,
  segments: readonly LogSegment[],
  logStartOffset: number,
  lastOffset: number,
  reloadFromCleanShutdown: boolean,
  /** Makes a segment's offset index usable (replay may start inside a segment). */
  ensureIndexes: (seg: LogSegment) => void,
): void {
  const last = segments.at(-1);
  const toSnapshot: number[] = [];
  if (last) {
    const lower = segments.at(-2);
    if (lower) toSnapshot.push(lower.baseOffset);
    toSnapshot.push(last.baseOffset);
  }
  toSnapshot.push(lastOffset);

  if (psm.latestSnapshotOffset() === null && reloadFromCleanShutdown) {
    for (const offset of toSnapshot) {
      psm.updateMapEndOffset(offset);
      psm.takeSnapshot(false);
    }
    return;
  }
  const emptyBefore = psm.isEmpty && psm.mapEndOffset >= lastOffset;
  psm.truncateAndReload(logStartOffset, lastOffset);
  if (lastOffset > psm.mapEndOffset && !emptyBefore) {
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const end = segments[i + 1]?.baseOffset ?? lastOffset;
      if (end <= psm.mapEndOffset || seg.baseOffset >= lastOffset) continue;
      const start = Math.max(seg.baseOffset, psm.mapEndOffset, logStartOffset);
      psm.updateMapEndOffset(start);
      if (toSnapshot.includes(seg.baseOffset)) psm.takeSnapshot(false);
      if (start > seg.baseOffset) ensureIndexes(seg);
      psm.loadBatches(seg.producerBatches(start, lastOffset));
    }
  }
  psm.updateMapEndOffset(lastOffset);
  psm.takeSnapshot(false);
}

/**
 * Applies a written append's producer updates; each aborted transaction it completes goes to the
 * transaction index of `segment` (the one holding its marker) with the LSO of that moment.
 * Returns true when that created the segment's .txnindex file.
 */
export function applyProducerAppend(psm: ProducerStateManager, prepared: PreparedAppend, segment: LogSegment): boolean {
  let created = false;
  psm.applyAppend(prepared, (txn, lastStableOffset) => {
    if (!txn.isAborted) return;
    const c = segment.txnIndex.append({
      producerId: txn.producerId,
      firstOffset: txn.firstOffset,
      lastOffset: txn.lastOffset,
      lastStableOffset,
    });
    created ||= c;
  });
  return created;
}

/** Recovery of `segment` (LogSegment.recover's hook): one valid batch, as a follower appends it. */
export function recoverProducerBatch(psm: ProducerStateManager, segment: LogSegment, buf: Buffer, at: number, size: number): void {
  const b = readProducerBatch(buf, at, size);
  if (b) applyProducerAppend(psm, psm.prepareAppend([b], 'replication'), segment);
  psm.updateMapEndOffset(readInt64(buf, at) + buf.readInt32BE(at + Off.LastOffsetDelta) + 1);
}
