// The LogManager owns every partition log across one or more log directories (Kafka's
// LogManager): loads them at startup (recovering after an unclean shutdown), creates and deletes
// them, keeps per-directory checkpoint files, runs retention and flush as periodic tasks of its Time, and on
// shutdown flushes everything and leaves a clean-shutdown marker so the next start skips recovery.
//
// JBOD (several log.dirs): every dir must be formatted for the same cluster and node (Kafka's
// MetaPropertiesEnsemble check); a new log goes to the live dir holding the fewest partitions
// (Kafka's nextLogDirs; ties in configured order). An I/O error on any log of a dir, or on a
// checkpoint in it, takes the whole dir offline (Kafka's LogDirFailureChannel and
// LogManager.handleLogDirFailure): all its logs go offline (they stay listed, answering
// KAFKA_STORAGE_ERROR), no checkpoint or clean-shutdown marker is written there again, no new
// log is placed there, and `onLogDirFailure` tells the broker once. A dir that cannot be read at
// startup starts offline; the LogManager refuses to start only when every dir failed. Loading a
// dir (meta.properties, checkpoints, every log in it) is in log-dir-loading.ts.
//
// Healing (not in Kafka, where a failed dir stays offline until a restart): an offline dir is
// probed every `logDirFailureRecoveryIntervalMs` and re-opened as after an unclean shutdown once it
// passes; see log-dir-healing.ts. Startup and re-opening log what recovery did, per log
// (log-loader.ts), per dir and in total, as Kafka's LogManager.loadLogs.
//
// Moving a replica between dirs (AlterReplicaLogDirs; Kafka's future logs): a partition may have,
// besides its current log, one future log in another dir that the broker's mover copies the
// current log into; creating, cancelling and swapping it in (replaceCurrentWithFutureLog) are in
// future-logs.ts, the maps of future logs and the look-ups here. A future log found at startup is
// loaded (the broker resumes the move). A partition not hosted yet may be given a preferred dir
// (maybeUpdatePreferredLogDir): its log is created there. Future logs count in a dir's load and its
// checkpoints, and go offline with it. The state those helpers work on: log-manager-internals.ts.
//
// Per log directory:
//   meta.properties                      version=1, node.id, cluster.id, directory.id (meta-properties.ts;
//                                        an empty dir is formatted with brokerId/clusterId, a formatted one checked)
//   recovery-point-offset-checkpoint     "<topic> <partition> <recoveryPoint>" lines
//   log-start-offset-checkpoint          "<topic> <partition> <logStartOffset>" lines
//   replication-offset-checkpoint        high watermarks, written for the broker (writeHighWatermarks)
//   cleaner-offset-checkpoint            the log cleaner's first dirty offset of each compacted log
//                                        (cleaner/cleaner-checkpoint.ts; written by the LogCleaner)
//   .kafka_cleanshutdown                 present only between a clean shutdown and the next start
//   <topic>-<partition>/                 one PartitionLog
//   __cluster_metadata-0/                 the KRaft metadata log: not the LogManager's (the metadata
//                                         layer opens it itself), skipped at startup, as Kafka's LogManager does
import { resolve } from 'node:path';
import { systemTime, type Time } from './time.ts';
import { readOffsetCheckpoint, tpKey, writeOffsetCheckpoint, type OffsetCheckpointEntry } from './checkpoint-file.ts';
import { logConfig, LONG_MAX, type LogConfig } from './config.ts';
import { FdCache } from './fd-cache.ts';
import { NodeFileSystem, type FileSystem } from './fs.ts';
import { IndexCache } from './index-file.ts';
import { CLUSTER_METADATA_TOPIC, emptyLoadReport, loadPartitionLog, type LoadReport } from './log-loader.ts';
import { createFutureLog, removeFutureLog, replaceCurrentWithFutureLog } from './future-logs.ts';
import { recoverOfflineLogDirs } from './log-dir-healing.ts';
import { loadLogDir } from './log-dir-loading.ts';
import {
  CLEAN_SHUTDOWN_FILE,
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT,
  type LogDir,
  type LogManagerInternals,
} from './log-manager-internals.ts';

export { CLUSTER_METADATA_TOPIC };
import type { SegmentContext } from './log-segment.ts';
import { LogDirNotFoundError, LogOfflineError } from './errors.ts';
import { logDeleteDirName } from './log-dir-names.ts';
import type { MetaProperties } from './meta-properties.ts';
import { isIoError, nextLogDirs } from './log-dirs.ts';
import type { PartitionLog } from './partition-log.ts';
import { DEFAULT_CLEANER_CONFIG, type LogCleanerConfig } from './cleaner/clean-job.ts';
import type { CleanerLogger } from './cleaner/cleaner-logger.ts';
import { LogCleaner, type LogCleaning } from './cleaner/log-cleaner.ts';
import type { PacingOptions } from './cleaner/pacer.ts';
import { cleanLog } from './cleaner/cleaner.ts';
import { cleanableRange } from './cleaner/cleanable.ts';

/** The cleaning of one log that the LogCleaner runs when LogManagerOptions.cleaning is not given (tests pass fakes). */
const DEFAULT_LOG_CLEANING: LogCleaning = { cleanableRange, cleanLog };

export { CLEAN_SHUTDOWN_FILE, LOG_START_OFFSET_CHECKPOINT, RECOVERY_POINT_CHECKPOINT };
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';

export interface LogManagerOptions {
  logDirs: string[];
  fs?: FileSystem;
  /** The clock and the scheduler of the background tasks (default systemTime). */
  time?: Time;
  /** Run retention, flush and checkpoints periodically (default true); false: call cleanupLogs / flushDirtyLogs / checkpoint yourself. */
  backgroundTasks?: boolean;
  /** Defaults for every log (Kafka's log.* broker settings); per-topic overrides go to getOrCreateLog. */
  defaultConfig?: Partial<LogConfig>;
  /** Bound on open file descriptors across all partitions (default 1024). */
  maxOpenFiles?: number;
  /** Bound on index bytes held in memory across all segments (default 32 MiB). */
  indexCacheBytes?: number;
  /** The node id every log dir must belong to (node.id / broker.id in meta.properties). */
  brokerId?: number;
  /** The cluster every log dir must belong to; empty dirs are formatted for it (with brokerId). */
  clusterId?: string;
  /** log.retention.check.interval.ms (default 300000). */
  retentionCheckIntervalMs?: number;
  /** How often flush.ms is checked (log.flush.scheduler.interval.ms; default 1000). */
  flushCheckIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms (default 60000): flush + write recovery points. */
  recoveryPointCheckpointIntervalMs?: number;
  /** log.flush.start.offset.checkpoint.interval.ms (default 60000). */
  logStartOffsetCheckpointIntervalMs?: number;
  /** Retention never deletes at or above a partition's high watermark (default: logEndOffset). */
  highWatermark?: (topic: string, partition: number) => number | undefined;
  /** The log cleaner (compacted topics): log.cleaner.* (default DEFAULT_CLEANER_CONFIG). */
  cleaner?: Partial<LogCleanerConfig>;
  /**
   * The cleaner never cleans at or above a partition's last stable offset: min(high watermark,
   * first unstable offset) (default: the log's own first unstable offset, else logEndOffset).
   */
  lastStableOffset?: (topic: string, partition: number) => number | undefined;
  /** The cleaning of one log the LogCleaner runs (default DEFAULT_LOG_CLEANING; tests pass fakes). */
  cleaning?: LogCleaning;
  /** The cleaner jobs' event-loop slice and clock (see cleaner/pacer.ts). */
  cleanerPacing?: Omit<PacingOptions, 'time' | 'ioMaxBytesPerSecond'>;
  /** Where the log cleaner's messages go (default: nowhere). */
  logger?: CleanerLogger;
  /** Called once per log dir taken offline, with the I/O error that did it (Kafka's LogDirFailureChannel). */
  onLogDirFailure?: (dir: string, cause: Error) => void;
  /**
   * How often an offline dir is probed to bring it back without a restart
   * (tributary.log.dir.failure.recovery.interval.ms; default 10000; 0 or less: never, as Kafka).
   */
  logDirFailureRecoveryIntervalMs?: number;
  /** Called once per offline dir brought back online, with its re-opened logs (they replace the offline ones). */
  onLogDirOnline?: (dir: string, logs: PartitionLog[]) => void;
}

export interface CreateLogOptions {
  topicId?: string;
  config?: Partial<LogConfig>;
}

export class LogManager {
  readonly fs: FileSystem;
  readonly time: Time;
  readonly ctx: SegmentContext;
  private _defaultConfig: LogConfig;
  private logs = new Map<string, PartitionLog>();
  private dirOf = new Map<string, string>();
  /** Future logs (replicas moving to another dir), keyed as `logs`, and the dir each is in. */
  private futureLogs = new Map<string, PartitionLog>();
  private futureDirOf = new Map<string, string>();
  /** Where the log of a partition not hosted yet goes when made (Kafka's preferredLogDirs). */
  private preferredLogDirs = new Map<string, string>();
  /** Renamed `-delete` logs whose files are still to be removed (asynchronously, or at shutdown). */
  private pendingDeletes = new Map<string, () => void>();
  private dirs: LogDir[] = [];
  private cancels: Array<() => void> = [];
  private started = false;
  /** This LogManager's state as its helpers (future-logs.ts, log-dir-healing.ts) see it. */
  private readonly internals: LogManagerInternals;
  /** Kafka's LogCleaner (compacted topics); null without cleaning functions. Started with the background tasks when log.cleaner.enable. */
  readonly cleaner: LogCleaner | null;
  /** What startup found: partitions loaded, which dirs were clean, recovery work done. */
  readonly startupReport = {
    partitions: 0,
    cleanDirs: [] as string[],
    uncleanDirs: [] as string[],
    recovery: emptyLoadReport() as LoadReport,
  };

  constructor(readonly options: LogManagerOptions) {
    this.fs = options.fs ?? new NodeFileSystem();
    this.time = options.time ?? systemTime;
    this._defaultConfig = logConfig(options.defaultConfig);
    this.ctx = {
      fs: this.fs,
      time: this.time,
      fds: new FdCache(this.fs, options.maxOpenFiles ?? 1024),
      indexCache: new IndexCache(options.indexCacheBytes ?? 32 * 1024 * 1024),
    };
    const cleaning = options.cleaning ?? DEFAULT_LOG_CLEANING;
    this.cleaner = cleaning
      ? new LogCleaner({
          config: { ...DEFAULT_CLEANER_CONFIG, ...options.cleaner },
          fs: this.fs,
          logs: () => this.logs.values(),
          time: this.time,
          lastStableOffset: (log) => this.lastStableOffset(log),
          cleaning,
          logger: options.logger,
          pacing: options.cleanerPacing,
        })
      : null;
    // live views of the private state and bound private methods, for the helpers (log-manager-internals.ts)
    this.internals = {
      fs: this.fs,
      time: this.time,
      ctx: this.ctx,
      cleaner: this.cleaner,
      logger: options.logger,
      brokerId: options.brokerId,
      clusterId: options.clusterId,
      startupReport: this.startupReport,
      isStarted: () => this.started,
      defaultConfig: () => this.defaultConfig,
      dirs: this.dirs,
      logs: this.logs,
      dirOf: this.dirOf,
      futureLogs: this.futureLogs,
      futureDirOf: this.futureDirOf,
      preferredLogDirs: this.preferredLogDirs,
      pendingDeletes: this.pendingDeletes,
      configuredDir: (path) => this.configuredDir(path),
      register: (log, dir) => this.register(log, dir),
      registerFuture: (log, dir) => this.registerFuture(log, dir),
      watchForFailure: (log, dir) => this.watchForFailure(log, dir),
      handleLogDirFailure: (path, cause) => this.handleLogDirFailure(path, cause),
      inLiveDir: (d, write) => this.inLiveDir(d, write),
      checkpointDir: (d) => this.checkpointDir(d),
      onLogDirOnline: options.onLogDirOnline,
    };
  }

  /** The config of a log created or loaded without one of its own. */
  get defaultConfig(): LogConfig {
    return this._defaultConfig;
  }

  /** Replaces the default config of logs created or loaded from now on (Kafka's reconfigureDefaultLogConfig, for dynamic broker configs). */
  reconfigureDefaultLogConfig(config: Partial<LogConfig>): void {
    this._defaultConfig = logConfig(config);
  }

  /** Where the cleaner must stop in a log: the broker's last stable offset, else the log's first unstable offset, else its end. */
  lastStableOffset(log: PartitionLog): number {
    const lso = this.options.lastStableOffset?.(log.topic, log.partition);
    if (lso !== undefined) return lso;
    const unstable = log.firstUnstableOffset;
    return unstable >= 0 ? unstable : log.logEndOffset;
  }

  /** Opens (or initialises) every log directory and loads every partition in them, then starts the background tasks. */
  startup(): this {
    if (this.started) return this;
    const startMs = performance.now();
    this.options.logger?.info(`Loading logs from log dirs ${this.options.logDirs.join(',')}`);
    for (const path of this.options.logDirs) {
      try {
        loadLogDir(this.internals, path);
      } catch (err) {
        if (!isIoError(err)) throw err;
        if (!this.dirs.some((d) => d.path === path))
          this.dirs.push({
            path,
            meta: null,
            recoveryPoints: new Map(),
            logStartOffsets: new Map(),
            logCount: 0,
            newDirs: null,
            offline: null,
          });
        this.handleLogDirFailure(path, err as Error);
      }
    }
    if (this.dirs.every((d) => d.offline))
      throw new Error(
        `all log dirs (${this.options.logDirs.join(', ')}) have failed: ${this.dirs.map((d) => d.offline!.message).join('; ')}`,
      );
    const unclean = this.startupReport.uncleanDirs;
    this.options.logger?.info(
      `Loaded ${this.startupReport.partitions} logs in ${Math.round(performance.now() - startMs)}ms` +
        (unclean.length ? ` (unclean log dirs = [${unclean.join(', ')}])` : ''),
      { ...this.startupReport.recovery },
    );
    this.started = true;
    if (this.options.backgroundTasks !== false) {
      const o = this.options;
      this.cancels.push(
        this.time.schedule('kafka-log-retention', o.retentionCheckIntervalMs ?? 300000, () => {
          this.cleanupLogs();
        }),
      );
      this.cancels.push(this.time.schedule('kafka-log-flusher', o.flushCheckIntervalMs ?? 1000, () => this.flushDirtyLogs()));
      this.cancels.push(
        this.time.schedule('kafka-recovery-point-checkpoint', o.recoveryPointCheckpointIntervalMs ?? 60000, () =>
          this.flushAndCheckpointRecoveryPoints(),
        ),
      );
      this.cancels.push(
        this.time.schedule('kafka-log-start-offset-checkpoint', o.logStartOffsetCheckpointIntervalMs ?? 60000, () => {
          this.checkpointLogStartOffsets();
        }),
      );
      this.cleaner?.startup();
      const healMs = o.logDirFailureRecoveryIntervalMs ?? 10000;
      if (healMs > 0)
        this.cancels.push(
          this.time.schedule('tributary-log-dir-recovery', healMs, () => {
            if (this.dirs.some((d) => d.offline)) this.recoverOfflineLogDirs();
          }),
        );
    }
    return this;
  }

  /** A future log found at startup: the broker resumes its move (the log cleaner leaves the partition alone meanwhile). */
  private registerFuture(log: PartitionLog, dir: LogDir): void {
    const key = tpKey(log.topic, log.partition);
    this.watchForFailure(log, dir.path);
    this.futureLogs.set(key, log);
    this.futureDirOf.set(key, dir.path);
    dir.logCount++;
    void this.cleaner?.abortAndPauseCleaning(log.topic, log.partition);
  }

  /** A log loaded or re-opened in `dir` is served from now on. */
  private register(log: PartitionLog, dir: LogDir): void {
    const key = tpKey(log.topic, log.partition);
    this.watchForFailure(log, dir.path);
    this.cleaner?.watch(log);
    this.logs.set(key, log);
    this.dirOf.set(key, dir.path);
    dir.logCount++;
  }

  /** A log directory's meta.properties (null when it has none: no cluster id was given for an empty dir). */
  metaProperties(dir = this.options.logDirs[0]!): MetaProperties | null {
    return this.dirs.find((d) => d.path === dir)?.meta ?? null;
  }

  /**
   * The live dirs, least loaded first: where a new log goes (Kafka's LogManager.nextLogDirs: by
   * number of partitions held, ties in configured order).
   */
  nextLogDirs(): string[] {
    return nextLogDirs(this.dirs);
  }

  /** The log dir holding a partition's log (undefined when this broker has none). */
  logDirOf(topic: string, partition: number): string | undefined {
    return this.dirOf.get(tpKey(topic, partition));
  }

  /** The dirs taken offline by an I/O error, in configured order. */
  offlineLogDirs(): string[] {
    return this.dirs.filter((d) => d.offline).map((d) => d.path);
  }

  /** The I/O error that took `dir` offline, or null while it is live (or unknown). */
  logDirFailure(dir: string): Error | null {
    return this.dirs.find((d) => d.path === dir)?.offline ?? null;
  }

  /** A log going offline (an I/O error on it) takes its whole dir offline. */
  private watchForFailure(log: PartitionLog, dir: string): void {
    log.on('offline', (err: Error) => this.handleLogDirFailure(dir, err));
  }

  /**
   * Takes a log dir offline (Kafka's LogManager.handleLogDirFailure): every log in it goes
   * offline, nothing is written there again, and onLogDirFailure is told (once).
   */
  handleLogDirFailure(path: string, cause: Error): void {
    const dir = this.dirs.find((d) => d.path === path);
    if (!dir || dir.offline) return;
    dir.offline = cause;
    dir.reopenError = undefined;
    const keys: string[] = [];
    for (const [key, log] of this.logs) {
      if (this.dirOf.get(key) !== path) continue;
      keys.push(key);
      log.markOffline(cause);
    }
    // a future log in the failed dir is dropped (its files stay; the move is over): Kafka's handleLogDirFailure
    for (const [key, log] of [...this.futureLogs]) {
      if (this.futureDirOf.get(key) !== path) continue;
      log.markOffline(cause);
      this.futureLogs.delete(key);
      this.futureDirOf.delete(key);
      dir.logCount--;
      this.cleaner?.resumeCleaning(log.topic, log.partition);
    }
    this.ctx.fds.closeUnder(`${path}/`);
    this.options.logger?.warn(`Logs for partitions ${keys.join(',')} are offline due to failure on log directory ${path}`, {
      logDir: path,
      cause: (cause as NodeJS.ErrnoException).code ?? cause.message,
    });
    this.options.onLogDirFailure?.(path, cause);
  }

  /**
   * Probes every offline dir and re-opens those that pass (log-dir-healing.ts); returns the dirs
   * brought back online. Run every logDirFailureRecoveryIntervalMs while a dir is offline.
   */
  recoverOfflineLogDirs(): string[] {
    return recoverOfflineLogDirs(this.internals);
  }

  /** Runs `write` for a live dir; an I/O error takes the dir offline instead of being thrown. */
  private inLiveDir(d: LogDir, write: () => void): void {
    if (d.offline) return;
    try {
      write();
    } catch (err) {
      if (!isIoError(err)) throw err;
      this.handleLogDirFailure(d.path, err as Error);
    }
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(tpKey(topic, partition));
  }

  allLogs(): IterableIterator<PartitionLog> {
    return this.logs.values();
  }
  get logCount(): number {
    return this.logs.size;
  }

  /** The log of a partition, creating its directory (in the least loaded log dir) when new. */
  getOrCreateLog(topic: string, partition: number, opts: CreateLogOptions = {}): PartitionLog {
    const key = tpKey(topic, partition);
    const existing = this.logs.get(key);
    if (existing) {
      if (opts.config) existing.config = { ...this.defaultConfig, ...opts.config };
      if (opts.topicId && !existing.topicId) existing.recordTopicId(opts.topicId); // partition.metadata lost in a crash
      return existing;
    }
    if (!this.started) throw new Error('LogManager.startup() has not run');
    if (!topic || topic.includes('/') || topic === '.' || topic === '..' || topic === CLUSTER_METADATA_TOPIC)
      throw new Error(`invalid topic name '${topic}'`);
    const preferred = this.preferredLogDirs.get(key);
    const live = this.nextLogDirs();
    const dir = this.dirs.find((d) => d.path === (preferred !== undefined && live.includes(preferred) ? preferred : live[0]));
    if (!dir) throw new LogOfflineError(`cannot create log ${key}: no log dir is online (${this.offlineLogDirs().join(', ')})`);
    // the preferred dir has been satisfied (Kafka's getOrCreateLog)
    this.preferredLogDirs.delete(key);
    const config = { ...this.defaultConfig, ...opts.config };
    const path = `${dir.path}/${key}`;
    // No fsync here (creating 10,000 partitions must not cost 10,000 fsyncs): the directory and
    // its entry in the log dir are synced before the log's first data is (PartitionLog.markCreated).
    // A crash before that loses at most an empty directory, recreated from the topic metadata.
    const log = loadPartitionLog(this.ctx, path, topic, partition, config, { cleanShutdown: true, topicId: opts.topicId });
    if (!dir.newDirs || dir.newDirs.synced) dir.newDirs = { path: dir.path, synced: false };
    log.markCreated(dir.newDirs);
    this.watchForFailure(log, dir.path);
    this.cleaner?.watch(log);
    this.logs.set(key, log);
    this.dirOf.set(key, dir.path);
    dir.logCount++;
    return log;
  }

  // ---- Moving a replica between log dirs (future logs; see the header and future-logs.ts) ----

  /** The configured log dir named by `path` (compared as absolute paths, as Kafka's), or undefined. */
  private configuredDir(path: string): LogDir | undefined {
    const abs = resolve(path);
    return this.dirs.find((d) => resolve(d.path) === abs);
  }

  /**
   * The configured path of the log dir `path` (absolute) while it is live, null while it is offline
   * (Kafka's isLogDirOnline); throws LogDirNotFoundError when it is not among the configured log dirs.
   */
  liveLogDir(path: string): string | null {
    const d = this.configuredDir(path);
    if (!d) throw new LogDirNotFoundError(`Log dir ${path} is not found in the config.`);
    return d.offline ? null : d.path;
  }

  /**
   * Remembers `dir` as where the partition's log goes when it is made here, unless its current or
   * future log is already there (Kafka's maybeUpdatePreferredLogDir).
   */
  maybeUpdatePreferredLogDir(topic: string, partition: number, dir: string): void {
    const key = tpKey(topic, partition);
    const d = this.configuredDir(dir);
    if (!d) return;
    if (this.dirOf.get(key) === d.path || this.futureDirOf.get(key) === d.path) return;
    this.preferredLogDirs.set(key, d.path);
  }

  /** The future log of a partition (a move to another dir in progress), if any. */
  getFutureLog(topic: string, partition: number): PartitionLog | undefined {
    return this.futureLogs.get(tpKey(topic, partition));
  }

  /** The dir holding a partition's future log. */
  futureLogDirOf(topic: string, partition: number): string | undefined {
    return this.futureDirOf.get(tpKey(topic, partition));
  }

  allFutureLogs(): IterableIterator<PartitionLog> {
    return this.futureLogs.values();
  }

  /**
   * Creates the future log of a partition in `dir` (a configured, live dir other than the current
   * log's), empty, with the current log's topic id and config (future-logs.ts). Returns the
   * existing future log when there is one in `dir`.
   */
  createFutureLog(topic: string, partition: number, dir: string): PartitionLog {
    return createFutureLog(this.internals, topic, partition, dir);
  }

  /** Drops a partition's future log (the move is cancelled or its partition deleted): closed, renamed `-delete`, deleted. */
  removeFutureLog(topic: string, partition: number): boolean {
    return removeFutureLog(this.internals, topic, partition);
  }

  /**
   * The swap (Kafka's replaceCurrentWithFutureLog; future-logs.ts), in one synchronous step: the
   * caller has checked that the future log has caught up (same log end offset) and nothing may
   * append in between. Returns the new current log. Throws (touching nothing) when either log is offline.
   */
  replaceCurrentWithFutureLog(topic: string, partition: number): PartitionLog {
    return replaceCurrentWithFutureLog(this.internals, topic, partition);
  }

  /** Writes one dir's recovery-point and log-start-offset checkpoints. */
  private checkpointDir(d: LogDir): void {
    const recovery: OffsetCheckpointEntry[] = [];
    const starts: OffsetCheckpointEntry[] = [];
    for (const [log] of this.logsIn(d.path)) {
      recovery.push({ topic: log.topic, partition: log.partition, offset: log.recoveryPoint });
      if (log.logStartOffset > log.segments[0]!.baseOffset)
        starts.push({ topic: log.topic, partition: log.partition, offset: log.logStartOffset });
    }
    writeOffsetCheckpoint(this.fs, `${d.path}/${RECOVERY_POINT_CHECKPOINT}`, recovery);
    writeOffsetCheckpoint(this.fs, `${d.path}/${LOG_START_OFFSET_CHECKPOINT}`, starts);
  }

  /** The current and future logs in a dir (a partition has at most one of the two in any dir). */
  private *logsIn(path: string): IterableIterator<[PartitionLog, string]> {
    for (const [key, log] of this.logs) if (this.dirOf.get(key) === path) yield [log, key];
    for (const [key, log] of this.futureLogs) if (this.futureDirOf.get(key) === path) yield [log, key];
  }

  /** Closes the log and removes its directory (renamed to `<name>.<uuid>-delete` first, so a crash mid-delete is finished at the next start). */
  deleteLog(topic: string, partition: number): boolean {
    const key = tpKey(topic, partition);
    this.removeFutureLog(topic, partition);
    this.preferredLogDirs.delete(key);
    const log = this.logs.get(key);
    if (!log) return false;
    const dir = this.dirOf.get(key)!;
    this.logs.delete(key);
    this.dirOf.delete(key);
    const d = this.dirs.find((x) => x.path === dir);
    if (d) d.logCount--;
    // aborts its cleaning (the job stops at its next step) and drops its cleaner checkpoint entry
    void this.cleaner?.removeLog(log);
    log.close(false);
    const doomed = `${dir}/${logDeleteDirName(topic, partition)}`;
    this.ctx.fds.closeUnder(`${log.dir}/`);
    // in an offline dir the files stay (nothing is written there); a restart deletes the stray log
    if (d)
      this.inLiveDir(d, () => {
        this.fs.renameSync(log.dir, doomed);
        this.fs.fsyncDirSync(dir);
        this.fs.rmSync(doomed);
      });
    return true;
  }

  /** Retention over every log; returns segments deleted. */
  cleanupLogs(): number {
    let n = 0;
    const hw = this.options.highWatermark;
    for (const log of this.logs.values()) {
      const bound = hw?.(log.topic, log.partition);
      try {
        n += log.deleteOldSegments(bound ?? log.logEndOffset);
      } catch {
        /* log went offline; reported by its event */
      }
    }
    return n;
  }

  /** Flushes (async) the logs whose flush.ms has elapsed since their last flush. */
  async flushDirtyLogs(): Promise<void> {
    const now = this.time.now();
    const runs: Promise<void>[] = [];
    for (const log of this.logs.values()) {
      if (log.config.flushMs >= LONG_MAX || log.isOffline) continue;
      if (log.recoveryPoint < log.logEndOffset && now - log.lastFlushMs >= log.config.flushMs) runs.push(log.flushAsync().catch(() => {}));
    }
    await Promise.all(runs);
  }

  /** Kafka's periodic recovery-point checkpoint: flushes every dirty log (fsyncs off the event loop), then writes the checkpoint files. */
  async flushAndCheckpointRecoveryPoints(): Promise<void> {
    const runs: Promise<void>[] = [];
    for (const log of this.logs.values()) {
      if (!log.isOffline && log.recoveryPoint < log.logEndOffset) runs.push(log.flushAsync().catch(() => {}));
    }
    await Promise.all(runs);
    if (this.started) this.checkpointRecoveryPoints();
  }

  /** Writes recovery-point-offset-checkpoint in every dir (each log's current recovery point). */
  checkpointRecoveryPoints(): void {
    for (const d of this.dirs) {
      const entries: OffsetCheckpointEntry[] = [];
      for (const [log] of this.logsIn(d.path)) entries.push({ topic: log.topic, partition: log.partition, offset: log.recoveryPoint });
      this.inLiveDir(d, () => writeOffsetCheckpoint(this.fs, `${d.path}/${RECOVERY_POINT_CHECKPOINT}`, entries));
    }
  }

  checkpointLogStartOffsets(): void {
    for (const d of this.dirs) {
      const entries: OffsetCheckpointEntry[] = [];
      for (const [log] of this.logsIn(d.path)) {
        if (log.logStartOffset <= log.segments[0]!.baseOffset) continue;
        entries.push({ topic: log.topic, partition: log.partition, offset: log.logStartOffset });
      }
      this.inLiveDir(d, () => writeOffsetCheckpoint(this.fs, `${d.path}/${LOG_START_OFFSET_CHECKPOINT}`, entries));
    }
  }

  /** Writes the broker's high watermarks to replication-offset-checkpoint (each partition in its own dir). */
  writeHighWatermarks(hws: Iterable<OffsetCheckpointEntry>): void {
    const byDir = new Map<string, OffsetCheckpointEntry[]>(this.dirs.map((d) => [d.path, []]));
    for (const e of hws) {
      const dir = this.dirOf.get(tpKey(e.topic, e.partition));
      if (dir) byDir.get(dir)!.push(e);
    }
    for (const d of this.dirs) {
      const entries = byDir.get(d.path)!;
      this.inLiveDir(d, () => writeOffsetCheckpoint(this.fs, `${d.path}/${REPLICATION_OFFSET_CHECKPOINT}`, entries));
    }
  }

  /** High watermarks from every dir's replication-offset-checkpoint, keyed `<topic>-<partition>`. */
  readHighWatermarks(): Map<string, number> {
    const out = new Map<string, number>();
    for (const d of this.dirs) {
      this.inLiveDir(d, () => {
        for (const e of readOffsetCheckpoint(this.fs, `${d.path}/${REPLICATION_OFFSET_CHECKPOINT}`))
          out.set(tpKey(e.topic, e.partition), e.offset);
      });
    }
    return out;
  }

  /**
   * Stops the log cleaner and waits for its jobs to end, then shutdown(). Prefer it: shutdown()
   * alone aborts the jobs without waiting for them (each stops at its next step).
   */
  async shutdownAsync(): Promise<void> {
    await this.cleaner?.shutdown();
    this.shutdown();
  }

  /** Stops background tasks and the log cleaner, closes (flushing) every log, writes checkpoints and the clean-shutdown marker. */
  shutdown(): void {
    void this.cleaner?.shutdown();
    for (const c of this.cancels) c();
    this.cancels = [];
    const unhealthy = new Set<string>();
    for (const [key, log] of this.logs) {
      log.close();
      if (log.isOffline) unhealthy.add(this.dirOf.get(key)!);
    }
    for (const [key, log] of this.futureLogs) {
      log.close();
      if (log.isOffline) unhealthy.add(this.futureDirOf.get(key)!);
    }
    for (const remove of [...this.pendingDeletes.values()]) remove();
    this.checkpointRecoveryPoints();
    this.checkpointLogStartOffsets();
    this.ctx.fds.closeAll();
    // the marker goes in each live dir whose logs all closed healthy (Kafka: per live dir)
    for (const d of this.dirs) {
      if (unhealthy.has(d.path)) continue;
      this.inLiveDir(d, () => {
        const marker = `${d.path}/${CLEAN_SHUTDOWN_FILE}`;
        const fd = this.fs.openSync(marker, true);
        this.fs.fsyncSync(fd);
        this.fs.closeSync(fd);
        this.fs.fsyncDirSync(d.path);
      });
    }
    this.started = false;
  }
}
