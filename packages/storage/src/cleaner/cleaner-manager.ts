// Kafka's LogCleanerManager: which compacted log is cleaned next, the cleaning state of each
// partition, the uncleanable partitions, and cleaner-offset-checkpoint. No I/O besides the
// checkpoint and no waiting: LogCleaner (log-cleaner.ts) runs the jobs.
//
// A partition's cleaning state (absent = none):
//
//   none --grab--> in-progress --done--> none (checkpoint := the job's end offset)
//                       |
//                     abort --> aborted(p) --job ends--> paused(p), or none when p = 0
//   none --abortAndPause--> paused(1); paused(p) --abortAndPause--> paused(p + 1)
//   paused(p) --resume--> paused(p - 1) ... none
//
// Kafka's abortAndPauseCleaning blocks until the job has stopped; here it returns a promise that
// resolves then, so a resume may come while the job is still unwinding (aborted(p) counts it).
// A job whose state is `aborted` sees CleanAbortedError at its next pacer step, and its end offset
// is not checkpointed. A partition in any state is never grabbed.
//
// grabFilthiestCompactedLog, as Kafka's: among the logs with compaction on, online, not in a
// state, not uncleanable, with bytes to consider, the cleanable ones are those past
// max.compaction.lag.ms with dirty bytes (needCompactionNow) or whose dirty ratio exceeds
// min.cleanable.dirty.ratio (strictly, as Kafka); Tributary adds those whose kept tombstones or
// transaction markers have reached their delete horizon (remembered from the last run's
// CleanResult), so they disappear after delete.retention.ms without new dirty data. The one with
// the highest dirty ratio wins. A checkpoint outside the log (truncated or deleted from the front)
// is reset to the range's first dirty offset, as Kafka's forceUpdateCheckpoint.
import { tpKey } from '../checkpoint-file.ts';
import { dirOf, type FileSystem } from '../fs.ts';
import type { PartitionLog } from '../partition-log.ts';
import type { CleanableRange } from './clean-job.ts';
import { CleanerOffsetCheckpoints } from './cleaner-checkpoint.ts';
import { SILENT_CLEANER_LOGGER, type CleanerLogger } from './cleaner-logger.ts';

/** Why a log was picked. */
export type CleanReason = 'max-compaction-lag' | 'dirty-ratio' | 'delete-horizon';

/** The log picked for cleaning (Kafka's LogToClean). */
export interface LogToClean {
  log: PartitionLog;
  /** `<topic>-<partition>`. */
  key: string;
  /** The log directory holding it (and its cleaner-offset-checkpoint). */
  dir: string;
  range: CleanableRange;
  reason: CleanReason;
}

export type CleaningState =
  | { kind: 'in-progress' }
  | { kind: 'aborted'; pauses: number; reason: string }
  | { kind: 'paused'; pauses: number };

export interface LogCleanerManagerOptions {
  fs: FileSystem;
  logs: () => Iterable<PartitionLog>;
  lastStableOffset: (log: PartitionLog) => number;
  cleanableRange: (log: PartitionLog, checkpoint: number | undefined, lastStableOffset: number, now: number) => CleanableRange;
  logger?: CleanerLogger;
}

export class LogCleanerManager {
  readonly checkpoints: CleanerOffsetCheckpoints;
  private readonly logger: CleanerLogger;
  private readonly states = new Map<string, CleaningState>();
  private readonly uncleanable = new Set<string>();
  /** The earliest pending delete horizon of each log's kept tombstones and markers (from its last run). */
  private readonly horizons = new Map<string, number>();
  private readonly stopWaiters = new Map<string, Array<() => void>>();
  /** Called when a partition's running job is asked to abort (LogCleaner wakes its pacer). */
  onAbort: (key: string) => void = () => {};
  /** Gauges of the last grab (Kafka's max-dirty-percent and time-since-last-run-ms, and PreCleanStats). */
  dirtiestLogCleanableRatio = 0;
  timeOfLastRunMs = -1;
  cleanablePartitions = 0;

  constructor(private readonly o: LogCleanerManagerOptions) {
    this.logger = o.logger ?? SILENT_CLEANER_LOGGER;
    this.checkpoints = new CleanerOffsetCheckpoints(o.fs, (dir) => this.logsIn(dir), this.logger);
  }

  private logsIn(dir: string): Set<string> {
    const keys = new Set<string>();
    for (const log of this.o.logs()) if (dirOf(log.dir) === dir) keys.add(tpKey(log.topic, log.partition));
    return keys;
  }

  /** Picks the filthiest cleanable log and marks it in progress; null when none (see the header). `exclude`: keys to pass over. */
  grabFilthiestCompactedLog(now: number, exclude?: ReadonlySet<string>): LogToClean | null {
    this.timeOfLastRunMs = now;
    let best: LogToClean | null = null;
    let maxRatio = 0;
    let cleanable = 0;
    for (const log of this.o.logs()) {
      if (!log.config.compact || log.isOffline) continue;
      const key = tpKey(log.topic, log.partition);
      if (this.states.has(key) || this.uncleanable.has(key) || exclude?.has(key)) continue;
      const dir = dirOf(log.dir);
      let range: CleanableRange;
      try {
        const checkpoint = this.checkpoints.get(dir, log.topic, log.partition);
        range = this.o.cleanableRange(log, checkpoint, this.o.lastStableOffset(log), now);
        if (checkpoint !== undefined && range.firstDirtyOffset !== checkpoint) {
          this.logger.warn(
            `Resetting first dirty offset of ${key} to ${range.firstDirtyOffset} since the checkpointed offset ${checkpoint} is invalid`,
          );
          this.checkpoints.update(dir, log.topic, log.partition, range.firstDirtyOffset);
        }
      } catch (err) {
        this.logger.warn(`Failed to calculate log cleaning stats for partition ${key}. Marking it as uncleanable`, { err });
        this.markUncleanable(key);
        continue;
      }
      if (range.cleanBytes + range.dirtyBytes <= 0) continue;
      if (range.cleanableRatio > maxRatio) maxRatio = range.cleanableRatio;
      const reason = this.reasonToClean(key, log, range, now);
      if (!reason) continue;
      cleanable++;
      if (!best || range.cleanableRatio > best.range.cleanableRatio) best = { log, key, dir, range, reason };
    }
    this.dirtiestLogCleanableRatio = maxRatio;
    this.cleanablePartitions = cleanable;
    if (best) this.states.set(best.key, { kind: 'in-progress' });
    return best;
  }

  private reasonToClean(key: string, log: PartitionLog, range: CleanableRange, now: number): CleanReason | null {
    if (range.needCompactionNow && range.dirtyBytes > 0) return 'max-compaction-lag';
    if (range.cleanableRatio > log.config.minCleanableDirtyRatio) return 'dirty-ratio';
    const horizon = this.horizons.get(key);
    if (horizon !== undefined && horizon <= now) return 'delete-horizon';
    return null;
  }

  cleaningState(key: string): CleaningState | undefined {
    return this.states.get(key);
  }

  /** Why the partition's job must stop, or null (Kafka's checkCleaningAborted). */
  abortReason(key: string): string | null {
    const s = this.states.get(key);
    return s?.kind === 'aborted' ? s.reason : null;
  }

  /**
   * Aborts the partition's job if one runs and pauses its cleaning until resumeCleaning (Kafka's
   * abortAndPauseCleaning). Resolves once no job of it runs any more.
   */
  abortAndPauseCleaning(key: string, reason: string): Promise<void> {
    const s = this.states.get(key);
    if (!s) this.states.set(key, { kind: 'paused', pauses: 1 });
    else if (s.kind === 'paused' || s.kind === 'aborted') s.pauses++;
    else {
      this.states.set(key, { kind: 'aborted', pauses: 1, reason });
      this.onAbort(key);
    }
    return this.awaitStopped(key);
  }

  /** Undoes one pause (Kafka's resumeCleaning); throws when the partition is not paused. */
  resumeCleaning(key: string): void {
    const s = this.states.get(key);
    if (!s || s.kind === 'in-progress' || s.pauses < 1)
      throw new Error(`Compaction for partition ${key} cannot be resumed since it is ${s ? s.kind : 'not paused'}`);
    s.pauses--;
    if (s.kind === 'paused' && s.pauses === 0) this.states.delete(key);
  }

  /** Aborts the partition's job if one runs, without pausing it (Kafka's abortCleaning); resolves once it stopped. */
  abortCleaning(key: string, reason: string): Promise<void> {
    const stopped = this.abortAndPauseCleaning(key, reason);
    this.resumeCleaning(key);
    return stopped;
  }

  /** Resolves once the partition has no job running (immediately when it has none). */
  awaitStopped(key: string): Promise<void> {
    const s = this.states.get(key);
    if (!s || s.kind === 'paused') return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.stopWaiters.get(key);
      if (list) list.push(resolve);
      else this.stopWaiters.set(key, [resolve]);
    });
  }

  /**
   * The job of `ltc` ended (Kafka's doneCleaning): in progress, its end offset (null when it
   * failed) is checkpointed and the state cleared; aborted, the state becomes paused (or none).
   */
  doneCleaning(ltc: LogToClean, endOffset: number | null): void {
    const s = this.states.get(ltc.key);
    if (s?.kind === 'in-progress') {
      if (endOffset !== null) this.checkpoints.update(ltc.dir, ltc.log.topic, ltc.log.partition, endOffset);
      this.states.delete(ltc.key);
    } else if (s?.kind === 'aborted') {
      if (s.pauses > 0) this.states.set(ltc.key, { kind: 'paused', pauses: s.pauses });
      else this.states.delete(ltc.key);
    } else {
      this.logger.error(`Cleaning of partition ${ltc.key} ended in state ${s ? s.kind : 'none'}`);
    }
    const waiters = this.stopWaiters.get(ltc.key);
    this.stopWaiters.delete(ltc.key);
    for (const w of waiters ?? []) w();
  }

  markUncleanable(key: string): void {
    this.uncleanable.add(key);
  }

  isUncleanable(key: string): boolean {
    return this.uncleanable.has(key);
  }

  uncleanablePartitions(): string[] {
    return [...this.uncleanable].sort();
  }

  /** Remembers when the log's kept tombstones and markers may go (a clean is due then); -1 forgets. */
  setDeleteHorizon(key: string, horizonMs: number): void {
    if (horizonMs < 0) this.horizons.delete(key);
    else this.horizons.set(key, horizonMs);
  }

  deleteHorizon(key: string): number | undefined {
    return this.horizons.get(key);
  }

  /** The log was truncated to `offset`: a checkpoint above it comes down to it (Kafka's maybeTruncateCheckpoint). */
  maybeTruncateCheckpoint(log: PartitionLog, offset: number): boolean {
    if (!log.config.compact) return false;
    return this.checkpoints.maybeTruncate(dirOf(log.dir), log.topic, log.partition, offset);
  }

  /** The partition's log moved from `fromDir` to `toDir`: its checkpoint entry goes with it (Kafka's alterCheckpointDir). */
  alterCheckpointDir(topic: string, partition: number, fromDir: string, toDir: string): boolean {
    return this.checkpoints.move(fromDir, toDir, topic, partition);
  }

  /** The log was deleted: its checkpoint entry, uncleanable mark and horizon go (Kafka's updateCheckpoints with partitionToRemove, maintainUncleanablePartitions). */
  forget(log: PartitionLog): void {
    const key = tpKey(log.topic, log.partition);
    this.uncleanable.delete(key);
    this.horizons.delete(key);
    this.checkpoints.remove(dirOf(log.dir), log.topic, log.partition);
  }
}
