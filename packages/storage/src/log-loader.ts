// Opening a partition directory: finds the segments, removes leftovers of interrupted operations
// (*.tmp, *.deleted, index files without a log), finishes or undoes an interrupted cleaner swap
// (*.cleaned, *.swap: cleaner/segment-swap.ts), and recovers after an unclean
// shutdown: every segment from the one holding the recovery point onward is scanned batch by batch
// (framing, magic, CRC, increasing offsets); the first invalid byte and everything after it is
// truncated (later segments deleted) and the indexes are rebuilt. After a clean shutdown nothing is
// scanned but the active segment's tail after its last index entry (to find logEndOffset).
// A directory without segment files is an empty log (its segment files and partition.metadata
// are written lazily, see LogSegment.createLazy and PartitionLog.recordTopicId).
//
// Producer state (producer-state.ts) is loaded as Kafka's LogLoader does: stray snapshots are
// removed, then after an unclean shutdown the state is rebuilt up to the first segment to recover
// (latest snapshot at or below it, then the log after it) and every recovered segment feeds it,
// rebuilding that segment's .txnindex; finally the state is brought to the log end offset
// (producer-state-rebuild.ts: the latest snapshot at or below it, then the log after it).
//
// Recovery logs what it did, with Kafka's wording (LogLoader, LogSegment, LocalLog) when given a
// logger: "Recovering unflushed segment" (INFO) for each segment scanned, "Found invalid messages
// in log segment" and "Corruption found in segment ..., truncating to offset" (WARN, saying how
// many bytes were cut and whether they were past the last flush, the recovery point, or below it),
// "Deleting segment files" (INFO), and one "Completed load" line per recovered log (segments
// scanned, bytes scanned and truncated, segments deleted, time taken).
import type { LogConfig } from './config.ts';
import { LEADER_EPOCH_CHECKPOINT, LeaderEpochCache } from './leader-epoch-cache.ts';
import { INDEX_SUFFIX, LOG_SUFFIX, LogSegment, TIME_INDEX_SUFFIX, type SegmentContext } from './log-segment.ts';
import { ProducerStateManager } from './producer-state.ts';
import { rebuildProducerState, recoverProducerBatch } from './producer-state-rebuild.ts';
import { TXN_INDEX_SUFFIX } from './transaction-index.ts';
import { PartitionLog } from './partition-log.ts';
import { PARTITION_METADATA, readPartitionMetadata } from './checkpoint-file.ts';
import { recoverInterruptedSwaps } from './cleaner/segment-swap.ts';
import type { CleanerLogger } from './cleaner/cleaner-logger.ts';

/** The KRaft metadata log's topic (Kafka's Topic.CLUSTER_METADATA_TOPIC_NAME): never a LogManager partition. */
export const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

export interface LoadOptions {
  /** Offset below which the log is known flushed (from recovery-point-offset-checkpoint); 0 if unknown. */
  recoveryPoint?: number;
  /** From log-start-offset-checkpoint. */
  logStartOffset?: number;
  /** The previous shutdown was clean: skip recovery. */
  cleanShutdown?: boolean;
  /** Topic id to record in partition.metadata (checked against an existing one). */
  topicId?: string;
  /**
   * Keep producer snapshots and rebuild the producer state from them on load (default: true, but
   * false for the KRaft metadata log, whose batches carry no producer and which is recovered from
   * its start at every load anyway).
   */
  producerSnapshots?: boolean;
  /** Where recovery says what it did (see the header); default: nowhere. */
  logger?: CleanerLogger;
}

export interface LoadReport {
  recoveredSegments: number;
  truncatedBytes: number;
  deletedSegments: number;
  rebuiltIndexes: number;
  /** Bytes of the recovered segments, as found before recovery. */
  scannedBytes?: number;
}

/** An empty LoadReport (the counters recovery adds to). */
export function emptyLoadReport(): Required<LoadReport> {
  return { recoveredSegments: 0, truncatedBytes: 0, deletedSegments: 0, rebuiltIndexes: 0, scannedBytes: 0 };
}

const LEFTOVER = /\.(tmp|deleted)$/;

/** Splits `<topic>-<partition>` (topic names may contain '-'); null when not a partition directory name. */
export function parseTopicPartition(name: string): { topic: string; partition: number } | null {
  const i = name.lastIndexOf('-');
  if (i <= 0) return null;
  const p = name.slice(i + 1);
  if (!/^\d+$/.test(p)) return null;
  return { topic: name.slice(0, i), partition: Number(p) };
}

export function loadPartitionLog(
  ctx: SegmentContext,
  dir: string,
  topic: string,
  partition: number,
  config: LogConfig,
  opts: LoadOptions = {},
  report?: LoadReport,
): PartitionLog {
  const fs = ctx.fs;
  fs.mkdirSync(dir);
  const bases: number[] = [];
  let names = fs.readdirSync(dir);
  if (recoverInterruptedSwaps(fs, dir, names)) names = fs.readdirSync(dir);
  const logs = new Set(names.filter((n) => n.endsWith(LOG_SUFFIX)).map((n) => n.slice(0, -LOG_SUFFIX.length)));
  for (const name of names) {
    if (LEFTOVER.test(name)) {
      fs.unlinkSync(`${dir}/${name}`);
      continue;
    }
    if (name.endsWith(LOG_SUFFIX)) {
      bases.push(Number(name.slice(0, -LOG_SUFFIX.length)));
      continue;
    }
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) {
      if (name.endsWith(suffix) && !logs.has(name.slice(0, -suffix.length))) fs.unlinkSync(`${dir}/${name}`);
    }
  }
  bases.sort((a, b) => a - b);
  const r = report ?? emptyLoadReport();
  const logger = opts.logger;
  const startMs = performance.now();
  const before = { ...emptyLoadReport(), ...r };
  const name = `${topic}-${partition}`;
  const opened = bases.map((b) => LogSegment.open(ctx, dir, b));
  let segments = opened.map((o) => o.segment);
  const interval = config.indexIntervalBytes;
  const recoveryPoint = opts.recoveryPoint ?? 0;
  const epochs = new LeaderEpochCache(fs, `${dir}/${LEADER_EPOCH_CHECKPOINT}`);
  // As Kafka's recovery: epochs seen in recovered batches that the checkpoint lacks are added.
  const seeEpoch = (epoch: number, baseOffset: number) => {
    if (epoch >= 0 && epoch > epochs.latestEpoch) epochs.assign(epoch, baseOffset);
  };

  const snapshots = opts.producerSnapshots ?? topic !== CLUSTER_METADATA_TOPIC;
  const producerState = new ProducerStateManager(fs, dir, `${topic}-${partition}`, snapshots ? names : []);
  if (!snapshots) producerState.disableSnapshots();
  const checkIndexes = (seg: LogSegment) => {
    if (seg.indexesChecked) return;
    if (seg.ensureIndexes(interval)) r.rebuiltIndexes++;
    seg.indexesChecked = true;
  };

  if (segments.length === 0) {
    // a new log, or one created just before a crash: its files appear with the first append
    segments = [LogSegment.createLazy(ctx, dir, Math.max(0, opts.logStartOffset ?? 0))];
  } else if (!opts.cleanShutdown) {
    let first = 0;
    for (let i = 0; i < segments.length; i++) if (segments[i]!.baseOffset <= recoveryPoint) first = i;
    for (let i = 0; i < first; i++) {
      if (!opened[i]!.indexesOk) {
        segments[i]!.recover(interval);
        segments[i]!.indexesChecked = true;
        r.rebuiltIndexes++;
      }
    }
    // the producer state at the first segment recovered: they rebuild their transaction indexes
    if (snapshots) {
      producerState.removeStraySnapshots(segments.map((s) => s.baseOffset));
      rebuildProducerState(producerState, segments, opts.logStartOffset ?? 0, segments[first]!.baseOffset, false, checkIndexes);
    }
    for (let i = first; i < segments.length; i++) {
      const seg = segments[i]!;
      logger?.info(`Recovering unflushed segment ${seg.baseOffset}. ${i - first}/${segments.length - first} recovered for ${name}.`, {
        logDir: dir,
      });
      r.scannedBytes = (r.scannedBytes ?? 0) + seg.size;
      seg.txnIndex.reset();
      const truncated = seg.recover(interval, (epoch, baseOffset, buf, at, size) => {
        seeEpoch(epoch, baseOffset);
        recoverProducerBatch(producerState, seg, buf, at, size);
      });
      producerState.takeSnapshot(false); // as Kafka: the next recovery need not replay this segment
      seg.indexesChecked = true;
      r.recoveredSegments++;
      r.truncatedBytes += truncated;
      const next = segments[i + 1];
      if (truncated > 0 || (next && seg.nextOffset > next.baseOffset)) {
        // Everything after the first invalid byte is gone, including later segments.
        const later = segments.slice(i + 1);
        if (logger) logTruncation(logger, name, seg, truncated, recoveryPoint, later);
        for (const l of later) {
          l.deleteFiles();
          r.deletedSegments++;
        }
        segments = segments.slice(0, i + 1);
        break;
      }
    }
  } else {
    for (let i = 0; i < segments.length; i++) {
      if (!opened[i]!.indexesOk) {
        segments[i]!.recover(interval);
        segments[i]!.indexesChecked = true;
        r.rebuiltIndexes++;
      }
    }
  }

  const active = segments[segments.length - 1]!;
  if (active.nextOffset < 0) {
    if (active.ensureIndexes(interval)) r.rebuiltIndexes++;
    active.indexesChecked = true;
    active.loadNextOffset();
  }
  const logEndOffset = active.nextOffset;
  let logStartOffset = Math.max(opts.logStartOffset ?? 0, segments[0]!.baseOffset);
  if (logStartOffset > logEndOffset) logStartOffset = logEndOffset;

  epochs.truncateFromEnd(logEndOffset);
  epochs.truncateFromStart(logStartOffset);

  const metaPath = `${dir}/${PARTITION_METADATA}`;
  const topicId = readPartitionMetadata(fs, metaPath);
  if (opts.topicId && topicId && opts.topicId !== topicId) {
    throw new Error(`partition ${topic}-${partition} has topic id ${topicId} on disk, expected ${opts.topicId}`);
  }
  if (active.filesPending || !snapshots) {
    // a new empty log (no file until data comes), or one without producers
    producerState.truncateFullyAndStartAt(logStartOffset);
    producerState.updateMapEndOffset(logEndOffset);
  } else {
    producerState.removeStraySnapshots(segments.map((s) => s.baseOffset));
    rebuildProducerState(producerState, segments, logStartOffset, logEndOffset, opts.cleanShutdown === true, checkIndexes);
  }

  const rp = opts.cleanShutdown ? logEndOffset : Math.min(recoveryPoint, logEndOffset);
  const log = new PartitionLog(ctx, dir, topic, partition, config, {
    segments,
    logStartOffset,
    logEndOffset,
    recoveryPoint: rp,
    leaderEpochCache: epochs,
    topicId,
    producerState,
  });
  if (opts.topicId && !topicId) log.recordTopicId(opts.topicId);
  if (logger && !opts.cleanShutdown && r.recoveredSegments > before.recoveredSegments) {
    const scanned = r.recoveredSegments - before.recoveredSegments;
    const truncated = r.truncatedBytes - before.truncatedBytes;
    logger.info(
      `Completed load of ${name} in dir ${dir.slice(0, dir.lastIndexOf('/'))} with ${segments.length} segments, ` +
        `log-start-offset ${logStartOffset} and log-end-offset ${logEndOffset} in ${Math.round(performance.now() - startMs)}ms: ` +
        `recovered from recovery point ${recoveryPoint}, ${scanned} segments (${(r.scannedBytes ?? 0) - (before.scannedBytes ?? 0)} bytes) scanned, ` +
        `${truncated} bytes truncated, ${r.deletedSegments - before.deletedSegments} segments deleted`,
      { partition: name, logDir: dir },
    );
  }
  return log;
}

/**
 * Recovery cut a segment at its first invalid byte (Kafka's LogSegment.recover and LogLoader's
 * lines, at WARN): where, how much, whether it was past the last flush (data a crash may lose)
 * or below the recovery point (data that had been fsynced: the disk lost or damaged it), and the
 * later segments deleted with it.
 */
function logTruncation(
  logger: CleanerLogger,
  name: string,
  seg: LogSegment,
  truncated: number,
  recoveryPoint: number,
  later: readonly LogSegment[],
): void {
  const fields = { partition: name, truncatedBytes: truncated, recoveryPoint };
  if (truncated > 0) logger.warn(`Found invalid messages in log segment ${seg.logPath} at byte offset ${seg.size}.`, fields);
  const cut = `${truncated} bytes and ${later.length} later segments`;
  const where =
    seg.nextOffset >= recoveryPoint
      ? `${cut} past the last flush (recovery point ${recoveryPoint}) cut`
      : `${cut} cut, below the recovery point ${recoveryPoint}: data that had been flushed was lost`;
  logger.warn(`Corruption found in segment ${seg.baseOffset} of ${name}, truncating to offset ${seg.nextOffset}: ${where}`, fields);
  if (later.length > 0) logger.info(`Deleting segment files ${later.map((l) => l.logPath).join(',')}`, { partition: name });
}
