// One run of the log cleaner over one log (Kafka's Cleaner.doClean):
//
//   1. the offset map of the dirty section [firstDirtyOffset, firstUncleanableOffset)
//      (build-offset-map.ts); endOffset = the map's latestOffset + 1, where it stopped (all of
//      the dirty section unless the map filled up). A run with an empty dirty section vouches for
//      nothing new but still rewrites the clean section, dropping tombstones and markers whose
//      delete horizon has passed (the scheduler runs it at nextDeleteHorizonMs);
//   2. the segments from the log's first up to the one holding endOffset - 1 (never the active
//      segment, never one reaching past firstUncleanableOffset) are grouped by size
//      (segment-groups.ts);
//   3. each group is cleaned into one new segment (clean-segments.ts) and swapped in at once
//      (PartitionLog.replaceSegments, segment-swap.ts).
//
// It runs on the event loop: after every chunk of at most CHUNK_BYTES read, the pacer's step is
// awaited, and the job checks the log did not change under it (job-guard.ts). An abort
// (CleanAbortedError from the pacer or the guard) before a group's swap deletes that group's
// .cleaned files; groups already swapped stay cleaned (the checkpoint, not advanced, makes the
// next run go over them again).
import type { PartitionLog } from '../partition-log.ts';
import type { CleanJob, CleanResult, CleanerPacer } from './clean-job.ts';
import { CleanAbortedError } from './clean-job.ts';
import { buildOffsetMap, type MapStats } from './build-offset-map.ts';
import { cleanSegments, type GroupStats } from './clean-segments.ts';
import { JobGuard } from './job-guard.ts';
import { OFFSET_MAP_ENTRY_SIZE, SkimpyOffsetMap } from './offset-map.ts';
import type { FilterContext, ProducerLastRecord } from './record-filter.ts';
import { groupSegmentsBySize } from './segment-groups.ts';
import { CleanedTransactionMetadata } from './transaction-cleaning.ts';

/** Kafka's lastRecordsOfActiveProducers: each producer's last data offset (or none) and epoch. */
function lastRecordsOfProducers(log: PartitionLog): Map<bigint, ProducerLastRecord> {
  const out = new Map<bigint, ProducerLastRecord>();
  for (const [id, entry] of log.producerState.producers) {
    out.set(id, { lastDataOffset: entry.batches.at(-1)?.lastOffset ?? -1, producerEpoch: entry.producerEpoch });
  }
  return out;
}

export async function cleanLog(log: PartitionLog, job: CleanJob, pacer: CleanerPacer): Promise<CleanResult> {
  const started = performance.now();
  const guard = new JobGuard(log, pacer);
  const start = job.firstDirtyOffset;
  const upper = Math.min(job.firstUncleanableOffset, log.activeSegment.baseOffset);
  // never more memory than the dirty section could fill: one key per offset
  const needed = (Math.ceil(Math.max(1, upper - start) / job.loadFactor) + 1) * OFFSET_MAP_ENTRY_SIZE;
  const map = new SkimpyOffsetMap(Math.min(job.dedupeBufferBytes, needed), job.loadFactor, false);
  const mapStats: MapStats = { messages: 0, bytes: 0 };
  if (upper > start) await buildOffsetMap(log, start, upper, map, guard, mapStats);
  else map.clear();
  if (map.latestOffset < start - 1) map.updateLatestOffset(start - 1);
  const endOffset = map.latestOffset + 1;

  const segments = log.segments;
  const toClean = [];
  for (let i = 0; i + 1 < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.baseOffset >= endOffset || segments[i + 1]!.baseOffset > upper) break;
    toClean.push(seg);
  }
  for (const seg of toClean) {
    log.ensureSegmentLoaded(seg); // may rebuild an index: one segment per pacer step
    await guard.step(0, 0, seg);
  }
  const groups = groupSegmentsBySize(toClean, log.config.segmentBytes, log.config.segmentIndexBytes, upper);

  const stats: GroupStats = { bytesRead: 0, bytesWritten: 0, nextDeleteHorizonMs: -1 };
  const filter: FilterContext = {
    map,
    now: job.now,
    deleteRetentionMs: log.config.deleteRetentionMs,
    txn: new CleanedTransactionMetadata(),
    lastRecords: new Map(),
    stats: { messagesRead: 0, messagesWritten: 0, invalidMessages: 0 },
  };
  let segmentsAfter = 0;
  for (const group of groups) {
    guard.check();
    const after = log.segments.indexOf(group[group.length - 1]!) + 1;
    const next = after > 0 ? log.segments[after] : undefined;
    if (!next) throw new CleanAbortedError(`segment ${group[group.length - 1]!.baseOffset} left log ${log.topic}-${log.partition}`);
    filter.lastRecords = lastRecordsOfProducers(log);
    const cleaned = await cleanSegments(log, group, next.baseOffset, upper, filter, guard, stats);
    try {
      guard.check(); // nothing may have changed since the last step (a truncation between them)
      log.replaceSegments(cleaned, group);
    } catch (err) {
      if (err instanceof CleanAbortedError) cleaned.deleteFiles();
      throw err;
    }
    segmentsAfter++;
  }

  return {
    endOffset,
    bytesRead: stats.bytesRead,
    bytesWritten: stats.bytesWritten,
    messagesRead: filter.stats.messagesRead,
    messagesWritten: filter.stats.messagesWritten,
    mapKeys: map.size,
    mapMessages: mapStats.messages,
    mapBytesRead: mapStats.bytes,
    segmentsBefore: toClean.length,
    segmentsAfter,
    nextDeleteHorizonMs: stats.nextDeleteHorizonMs,
    invalidMessages: filter.stats.invalidMessages,
    elapsedMs: performance.now() - started,
  };
}
