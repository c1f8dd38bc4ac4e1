// The cleaner's second pass over one group of segments (Kafka's cleanSegments and cleanInto):
// their batches, in order, go through the record filter (record-filter.ts) into one new segment
// `<base of the first>.log.cleaned` with its indexes (built as appends build them, every
// index.interval.bytes) and, for the aborted transactions whose ABORT marker it keeps, its
// .txnindex. Offsets are kept, so the new segment has gaps where records went.
//
// Before each segment its aborted transactions are fed to the transaction metadata (over the
// segment's whole offset range, so the new .txnindex is complete). Two batches are kept even when
// empty: as Kafka, the one ending right before the round's upper bound (so the log's last offsets
// stay known); and the group's last batch when nothing kept so far reaches the group's last
// segment: the new segment must reach into every segment it replaces, which is what lets the
// loader finish an interrupted swap exactly (segment-swap.ts).
//
// The new segment is fsynced (log, indexes; off the event loop) and gets the group's last modification time; on any
// error (including the pacer's CleanAbortedError) its files are deleted and the error rethrown.
import { Attr, Off } from '@tributary/protocol';
import { readInt64, LogSegment, type BatchInfo } from '../log-segment.ts';
import type { PartitionLog } from '../partition-log.ts';
import type { JobGuard } from './job-guard.ts';
import { filterBatch, type FilterContext } from './record-filter.ts';
import { decodedChunks } from './segment-reader.ts';
import { CLEANED_FILE_SUFFIX } from './segment-swap.ts';

export interface GroupStats {
  bytesRead: number;
  bytesWritten: number;
  /** Earliest delete horizon among the tombstone and marker batches written, or -1. */
  nextDeleteHorizonMs: number;
}

/**
 * Cleans `group` (consecutive closed segments; `groupEnd` = base of the segment after it) into a
 * new fsynced segment. `upperBound`: the round's firstUncleanableOffset.
 */
export async function cleanSegments(
  log: PartitionLog,
  group: readonly LogSegment[],
  groupEnd: number,
  upperBound: number,
  filter: FilterContext,
  guard: JobGuard,
  stats: GroupStats,
): Promise<LogSegment> {
  const cleaned = LogSegment.createWithSuffix(log.ctx, log.dir, group[0]!.baseOffset, CLEANED_FILE_SUFFIX);
  filter.txn.cleanedIndex = cleaned.txnIndex;
  try {
    let lastNonEmpty = group.length - 1;
    while (lastNonEmpty > 0 && group[lastNonEmpty]!.size === 0) lastNonEmpty--;
    const lastBase = group[lastNonEmpty]!.baseOffset;
    /** Offset after the last batch kept so far. */
    let reached = cleaned.baseOffset;
    for (let s = 0; s < group.length; s++) {
      const seg = group[s]!;
      guard.check(seg);
      filter.txn.addAbortedTransactions(log.collectAbortedTransactions(seg.baseOffset, group[s + 1]?.baseOffset ?? groupEnd));
      for await (const { chunk, decompressed } of decodedChunks(log.ctx, seg, 0, guard)) {
        const { buf, batches } = chunk;
        const out: Array<Buffer | Promise<Buffer>> = [];
        let rebuilding = false;
        for (let i = 0; i < batches.length; i += 2) {
          const pos = batches[i]!;
          const size = batches[i + 1]!;
          const nextOffset = readInt64(buf, pos + Off.BaseOffset) + buf.readInt32BE(pos + Off.LastOffsetDelta) + 1;
          const groupLast = s === lastNonEmpty && i === batches.length - 2 && chunk.endPosition === seg.size;
          const retainEmpty = nextOffset === upperBound || (groupLast && reached <= lastBase && lastBase > cleaned.baseOffset);
          const kept = filterBatch(filter, buf, pos, size, retainEmpty, decompressed[i / 2]!);
          if (!kept) continue;
          out.push(kept);
          if (kept instanceof Promise) rebuilding = true;
          reached = nextOffset; // a kept batch keeps its offset range
        }
        // the rebuilt batches needing an async codec, compressed in parallel
        const written = rebuilding ? await Promise.all(out) : (out as Buffer[]);
        if (rebuilding) guard.check(seg);
        const infos: BatchInfo[] = [];
        let bytes = 0;
        for (const batch of written) {
          infos.push(batchInfo(batch, bytes));
          noteHorizon(batch, stats, filter.now);
          bytes += batch.length;
        }
        if (bytes > 0) {
          const all = written.length === 1 ? written[0]! : Buffer.concat(written, bytes);
          cleaned.append(all, 0, bytes, infos, infos.length, log.config.indexIntervalBytes);
        }
        stats.bytesRead += chunk.bytes;
        stats.bytesWritten += bytes;
        await guard.step(chunk.bytes, bytes, seg);
      }
    }
    cleaned.onBecomeInactive();
    await cleaned.flushAsync(); // off the event loop: a whole segment may be waiting for the disk
    guard.check();
    cleaned.lastModifiedMs = group[group.length - 1]!.lastModifiedMs;
    return cleaned;
  } catch (err) {
    try {
      cleaned.deleteFiles();
    } catch (deleteErr) {
      if (err instanceof Error) (err as Error & { suppressed?: unknown }).suppressed = deleteErr;
    }
    throw err;
  } finally {
    filter.txn.cleanedIndex = null;
  }
}

function batchInfo(batch: Buffer, position: number): BatchInfo {
  const baseOffset = readInt64(batch, Off.BaseOffset);
  return {
    position,
    size: batch.length,
    baseOffset,
    lastOffset: baseOffset + batch.readInt32BE(Off.LastOffsetDelta),
    maxTimestamp: readInt64(batch, Off.MaxTimestamp),
    attributes: batch.readInt16BE(Off.Attributes),
  };
}

/** A written batch with a delete horizon still ahead holds tombstones or a marker to clean away then. */
function noteHorizon(batch: Buffer, stats: GroupStats, now: number): void {
  const attrs = batch.readInt16BE(Off.Attributes);
  if ((attrs & Attr.DeleteHorizon) === 0 || batch.readInt32BE(Off.RecordsCount) === 0) return;
  const horizon = readInt64(batch, Off.BaseTimestamp);
  if (horizon > now && (stats.nextDeleteHorizonMs < 0 || horizon < stats.nextDeleteHorizonMs)) stats.nextDeleteHorizonMs = horizon;
}
