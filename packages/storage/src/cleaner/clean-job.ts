// The contract between the log cleaner's two halves (Kafka's Cleaner and LogCleanerManager):
// cleaner.ts cleans one log once (offset map of the dirty section, rewrite of the older segments,
// crash-safe swap); log-cleaner.ts decides which log to clean when, keeps cleaner-offset-checkpoint,
// and paces the work so produce and fetch never wait on it (PacedWork below).
//
// Offsets, as Kafka names them: the "clean" section is [logStartOffset, firstDirtyOffset), already
// compacted; the "dirty" section is [firstDirtyOffset, firstUncleanableOffset); the rest (the active
// segment, anything at or above the last stable offset, anything newer than min.compaction.lag.ms)
// is never touched.

/** What the cleaner may clean in one log now (Kafka's LogToClean / cleanableOffsets). */
export interface CleanableRange {
  /** Where the dirty section starts: the checkpoint, clamped to [logStartOffset, logEndOffset]. */
  firstDirtyOffset: number;
  /** Exclusive end of what may be cleaned: min(active segment base, last stable offset, min.compaction.lag bound). */
  firstUncleanableOffset: number;
  /** Bytes of the segments in [logStart, firstDirtyOffset) and in [firstDirtyOffset, firstUncleanableOffset). */
  cleanBytes: number;
  dirtyBytes: number;
  /** dirtyBytes / (cleanBytes + dirtyBytes), 0 when both are 0. */
  cleanableRatio: number;
  /** max.compaction.lag.ms has passed for the first dirty segment: clean now whatever the ratio. */
  needCompactionNow: boolean;
}

/** One run of the cleaner over one log. */
export interface CleanJob {
  /** From cleanableRange. */
  firstDirtyOffset: number;
  firstUncleanableOffset: number;
  /** The clock reading the job runs at (delete horizons are computed from it). */
  now: number;
  /** The offset map's memory: log.cleaner.dedupe.buffer.size / log.cleaner.threads (24 bytes per key). */
  dedupeBufferBytes: number;
  /** The offset map is never filled beyond this share (log.cleaner.io.buffer.load.factor, 0.9). */
  loadFactor: number;
}

/**
 * How the cleaner shares the event loop: `step` is awaited after every unit of work (a batch or a
 * chunk of batches) with the bytes it read and wrote. The pacer yields to the event loop once the
 * current slice has run long enough, sleeps to hold log.cleaner.io.max.bytes.per.second, and
 * throws CleanAbortedError when the job must stop (the log was truncated, deleted, closed, or the
 * cleaner is shutting down).
 */
export interface CleanerPacer {
  step(bytesRead: number, bytesWritten: number): void | Promise<void>;
}

/** What one run did (Kafka's CleanerStats), for the cleaner's log line, metrics and the bench. */
export interface CleanResult {
  /** The new first dirty offset to checkpoint: the end of what the offset map covered. */
  endOffset: number;
  bytesRead: number;
  bytesWritten: number;
  messagesRead: number;
  messagesWritten: number;
  /** Keys in the offset map, and of how many records (and bytes of log) they were built. */
  mapKeys: number;
  mapMessages: number;
  mapBytesRead: number;
  /** Keyless records dropped (Kafka's invalid messages). */
  invalidMessages: number;
  segmentsBefore: number;
  segmentsAfter: number;
  /** The earliest delete horizon still pending in what was kept (tombstones, markers), or -1: clean again then. */
  nextDeleteHorizonMs: number;
  elapsedMs: number;
}

/** A job stopped before its swap: nothing in the log changed and its .cleaned files are gone. */
export class CleanAbortedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CleanAbortedError';
  }
}

/** The broker's log.cleaner.* settings (Kafka's CleanerConfig), with Kafka's defaults in DEFAULT_CLEANER_CONFIG. */
export interface LogCleanerConfig {
  /** log.cleaner.enable. */
  enable: boolean;
  /** log.cleaner.threads: logs cleaned at once, each a job sharing the event loop (see CleanerPacer). */
  threads: number;
  /** log.cleaner.dedupe.buffer.size: offset-map memory across all jobs. */
  dedupeBufferSize: number;
  /** log.cleaner.io.buffer.load.factor. */
  ioBufferLoadFactor: number;
  /** log.cleaner.io.max.bytes.per.second: read+write throttle across all jobs. */
  ioMaxBytesPerSecond: number;
  /** log.cleaner.backoff.ms: sleep when no log needs cleaning. */
  backoffMs: number;
}

export const DEFAULT_CLEANER_CONFIG: Readonly<LogCleanerConfig> = Object.freeze({
  enable: true,
  threads: 1,
  dedupeBufferSize: 128 * 1024 * 1024,
  ioBufferLoadFactor: 0.9,
  ioMaxBytesPerSecond: Number.MAX_VALUE,
  backoffMs: 15000,
});
