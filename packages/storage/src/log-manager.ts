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
// startup starts offline; the LogManager refuses to start only when every dir failed.
//
// Healing (not in Kafka, where a failed dir stays offline until a restart): while a dir is
// offline it is probed every `logDirFailureRecoveryIntervalMs` (log-dir-health.ts: create, write,
// fsync, read back and delete a file; the same meta.properties). Once it passes, the dir is
// re-opened as after an unclean shutdown (every log re-verified from its recovery point: a torn
// tail truncated, indexes and producer state rebuilt), its logs replace the offline ones and
// `onLogDirOnline` is told; a dir that fails again while being re-opened stays offline (its
// logs loaded so far closed) and is probed again later. Startup and re-opening log what
// recovery did, per log (log-loader.ts), per dir and in total, as Kafka's LogManager.loadLogs.
//
// Moving a replica between dirs (AlterReplicaLogDirs; Kafka's future logs): a partition may have,
// besides its current log, one future log in another dir (`<topic>-<partition>.<uuid>-future`,
// log-dir-names.ts) that the broker's mover copies the current log into. Once it has caught up,
// replaceCurrentWithFutureLog swaps them in one synchronous step (Kafka's
// replaceCurrentWithFutureLog): both are flushed and closed, the future dir is renamed to the
// current name and reopened, the old log is renamed `<...>.<uuid>-delete` and deleted
// asynchronously. The producer snapshot and leader-epoch-checkpoint of the old log (taken at its
// log end on close) replace the future log's own, so the new current log has exactly the old
// one's producer state and leader epochs. A future log found at startup is loaded (the broker
// resumes the move); the log cleaner leaves a partition alone while it has a future log. A
// partition not hosted yet may be given a preferred dir (maybeUpdatePreferredLogDir): its log is
// created there. Future logs count in a dir's load and its checkpoints, and go offline with it.
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
import { metaPropertiesChanged, probeLogDir } from './log-dir-health.ts';

export { CLUSTER_METADATA_TOPIC };
import type { SegmentContext } from './log-segment.ts';
import { LogDirNotFoundError, LogOfflineError } from './errors.ts';
import { LEADER_EPOCH_CHECKPOINT } from './leader-epoch-cache.ts';
import { logDeleteDirName, logFutureDirName, parseLogDirName } from './log-dir-names.ts';
import { PRODUCER_SNAPSHOT_SUFFIX, snapshotFileName } from './producer-snapshot.ts';
import { ensureMetaProperties, MetaPropertiesError, type MetaProperties } from './meta-properties.ts';
import { checkMetaPropertiesEnsemble, isIoError, nextLogDirs, type LogDirState } from './log-dirs.ts';
import type { DirSyncToken, PartitionLog } from './partition-log.ts';
import { DEFAULT_CLEANER_CONFIG, type LogCleanerConfig } from './cleaner/clean-job.ts';
import type { CleanerLogger } from './cleaner/cleaner-logger.ts';
import { LogCleaner, type LogCleaning } from './cleaner/log-cleaner.ts';
import type { PacingOptions } from './cleaner/pacer.ts';
import { cleanLog } from './cleaner/cleaner.ts';
import { cleanableRange } from './cleaner/cleanable.ts';

/** The cleaning of one log that the LogCleaner runs when LogManagerOptions.cleaning is not given (tests pass fakes). */
const DEFAULT_LOG_CLEANING: LogCleaning = { cleanableRange, cleanLog };

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

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

interface LogDir extends LogDirState {
  recoveryPoints: Map<string, number>;
  logStartOffsets: Map<string, number>;
  /** Shared by the logs created in this dir since it was last fsynced. */
  newDirs: DirSyncToken | null;
  /** Why the last attempt to re-open this offline dir failed (logged once per distinct reason). */
  reopenError?: string;
}

/** Adds a dir's recovery counters to the startup's. */
function addLoadReport(to: LoadReport, from: Required<LoadReport>): void {
  to.recoveredSegments += from.recoveredSegments;
  to.truncatedBytes += from.truncatedBytes;
  to.deletedSegments += from.deletedSegments;
  to.rebuiltIndexes += from.rebuiltIndexes;
  to.scannedBytes = (to.scannedBytes ?? 0) + from.scannedBytes;
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
        this.loadDir(path);
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

  private loadDir(path: string): void {
    const fs = this.fs;
    fs.mkdirSync(path);
    const meta = this.identify(path);
    const cleanMarker = `${path}/${CLEAN_SHUTDOWN_FILE}`;
    const clean = fs.statSync(cleanMarker) !== null;
    (clean ? this.startupReport.cleanDirs : this.startupReport.uncleanDirs).push(path);
    const toMap = (entries: OffsetCheckpointEntry[]) => new Map(entries.map((e) => [tpKey(e.topic, e.partition), e.offset]));
    const dir: LogDir = {
      path,
      meta,
      recoveryPoints: toMap(readOffsetCheckpoint(fs, `${path}/${RECOVERY_POINT_CHECKPOINT}`)),
      logStartOffsets: toMap(readOffsetCheckpoint(fs, `${path}/${LOG_START_OFFSET_CHECKPOINT}`)),
      logCount: 0,
      newDirs: null,
      offline: null,
    };
    this.dirs.push(dir);
    const { current, future } = this.loadLogsIn(
      path,
      clean,
      (key) => dir.recoveryPoints.get(key) ?? 0,
      (key) => dir.logStartOffsets.get(key) ?? 0,
    );
    for (const log of current) this.register(log, dir);
    for (const log of future) this.registerFuture(log, dir);
    this.startupReport.partitions += current.length;
    // From here on a crash must recover: the marker only means "nothing written since a clean shutdown".
    if (clean) {
      fs.unlinkSync(cleanMarker);
      fs.fsyncDirSync(path);
    }
  }

  /** Reads (formatting an empty one) and checks a log dir's meta.properties against the dirs already loaded. */
  private identify(path: string): MetaProperties | null {
    const meta = ensureMetaProperties(this.fs, path, { clusterId: this.options.clusterId, nodeId: this.options.brokerId });
    const others = this.dirs.filter((d) => d.path !== path);
    if (meta) checkMetaPropertiesEnsemble(others, path, meta);
    const twin = meta?.directoryId ? others.find((d) => d.meta?.directoryId === meta.directoryId) : undefined;
    if (twin)
      throw new MetaPropertiesError(
        `Duplicate directory ID ${meta!.directoryId} found. It was the ID of ${twin.path}, but also of ${path}`,
      );
    return meta;
  }

  /**
   * Loads every partition log in a log dir (recovering them after an unclean shutdown), logging
   * what was done as Kafka's LogManager.loadLogs does per dir. Nothing is registered: on an error
   * the logs loaded so far are closed and the error thrown.
   */
  private loadLogsIn(
    path: string,
    clean: boolean,
    recoveryPoint: (key: string) => number,
    logStartOffset: (key: string) => number,
    configOf: (key: string) => LogConfig = () => this.defaultConfig,
    futureLogs: 'load' | 'drop' = 'load',
  ): { current: PartitionLog[]; future: PartitionLog[] } {
    const fs = this.fs;
    const logger = this.options.logger;
    const startMs = performance.now();
    const report = emptyLoadReport();
    const found: Array<{ name: string; topic: string; partition: number; future: boolean }> = [];
    for (const name of fs.readdirSync(path)) {
      const full = `${path}/${name}`;
      if (!fs.statSync(full)?.isDirectory) continue;
      const parsed = parseLogDirName(name);
      // a log being deleted, or a future log whose move ended when its dir failed (re-opening): removed
      if (parsed?.kind === 'delete' || (parsed?.kind === 'future' && futureLogs === 'drop')) {
        fs.rmSync(full);
        continue;
      }
      if (parsed && parsed.topic !== CLUSTER_METADATA_TOPIC) found.push({ name, ...parsed, future: parsed.kind === 'future' });
    }
    const names = found;
    if (clean) logger?.info(`Skipping recovery of ${names.length} logs from ${path} since clean shutdown file was found`, { logDir: path });
    else logger?.info(`Recovering ${names.length} logs from ${path} since no clean shutdown file was found`, { logDir: path });
    const loaded: PartitionLog[] = [];
    const future: PartitionLog[] = [];
    try {
      for (const tp of names) {
        const key = tpKey(tp.topic, tp.partition);
        const dirOf = tp.future ? this.futureDirOf : this.dirOf;
        if (dirOf.has(key) && dirOf.get(key) !== path)
          throw new Error(
            `${tp.future ? 'future log of ' : ''}partition ${key} found in two log directories (${dirOf.get(key)} and ${path})`,
          );
        const log = loadPartitionLog(
          this.ctx,
          `${path}/${tp.name}`,
          tp.topic,
          tp.partition,
          configOf(key),
          { cleanShutdown: clean, recoveryPoint: recoveryPoint(key), logStartOffset: logStartOffset(key), logger },
          report,
        );
        for (const seg of log.segments) seg.close();
        (tp.future ? future : loaded).push(log);
      }
    } catch (err) {
      for (const log of [...loaded, ...future]) log.close(false);
      this.ctx.fds.closeUnder(`${path}/`);
      throw err;
    }
    if (!this.started) addLoadReport(this.startupReport.recovery, report);
    const ms = Math.round(performance.now() - startMs);
    if (clean) logger?.info(`Loaded ${loaded.length} logs from ${path} in ${ms}ms`, { logDir: path });
    else
      logger?.info(
        `Loaded ${loaded.length} logs from ${path} in ${ms}ms after an unclean shutdown: ${report.recoveredSegments} segments ` +
          `(${report.scannedBytes} bytes) scanned, ${report.truncatedBytes} bytes truncated, ${report.deletedSegments} segments deleted, ` +
          `${report.rebuiltIndexes} indexes rebuilt`,
        { logDir: path, ...report },
      );
    return { current: loaded, future };
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
   * Probes every offline dir and re-opens those that pass (see the header); returns the dirs
   * brought back online. Run every logDirFailureRecoveryIntervalMs while a dir is offline.
   */
  recoverOfflineLogDirs(): string[] {
    const back: string[] = [];
    for (const d of this.dirs) if (this.started && d.offline && this.reopenLogDir(d)) back.push(d.path);
    return back;
  }

  /** One attempt to bring an offline dir back: probe, identity, re-open every log as after an unclean shutdown. */
  private reopenLogDir(d: LogDir): boolean {
    const logger = this.options.logger;
    const refuse = (reason: string) => {
      if (d.reopenError !== reason) logger?.error(reason, { logDir: d.path });
      d.reopenError = reason;
      return false;
    };
    let meta: MetaProperties | null;
    try {
      probeLogDir(this.fs, d.path);
      const changed = d.meta ? metaPropertiesChanged(this.fs, d.path, d.meta) : null;
      if (changed) return refuse(`Log directory ${d.path} stays offline: ${changed}`);
      meta = d.meta ?? this.identify(d.path);
    } catch (err) {
      if (!isIoError(err)) return refuse(`Log directory ${d.path} stays offline: ${(err as Error).message}`);
      return false; // still failing: probed again later
    }
    const startMs = performance.now();
    const cause = d.offline!;
    const old = new Map<string, PartitionLog>();
    for (const [key, log] of this.logs) if (this.dirOf.get(key) === d.path) old.set(key, log);
    // said once per failure: a re-open failing again is said at ERROR (refuse), once per reason
    if (d.reopenError === undefined)
      logger?.warn(
        `Log directory ${d.path} passed its health check after failing with ${cause.message}: re-opening its ${old.size} logs as after an unclean shutdown`,
        { logDir: d.path },
      );
    for (const log of old.values()) log.close(false);
    this.ctx.fds.closeUnder(`${d.path}/`);
    let loaded: PartitionLog[];
    try {
      const toMap = (file: string) =>
        new Map(readOffsetCheckpoint(this.fs, `${d.path}/${file}`).map((e) => [tpKey(e.topic, e.partition), e.offset]));
      const rps = toMap(RECOVERY_POINT_CHECKPOINT);
      const lsos = toMap(LOG_START_OFFSET_CHECKPOINT);
      // the offline logs' own recovery points: everything below was fsynced before the failure
      loaded = this.loadLogsIn(
        d.path,
        false,
        (key) => old.get(key)?.recoveryPoint ?? rps.get(key) ?? 0,
        (key) => old.get(key)?.logStartOffset ?? lsos.get(key) ?? 0,
        (key) => old.get(key)?.config ?? this.defaultConfig, // the topic's overrides the broker gave it
        'drop',
      ).current;
    } catch (err) {
      if (isIoError(err)) d.offline = err as Error;
      return refuse(`Log directory ${d.path} failed again while being re-opened, it stays offline: ${(err as Error).message}`);
    }
    const found = new Set(loaded.map((l) => tpKey(l.topic, l.partition)));
    const missing = [...old.keys()].filter((k) => !found.has(k));
    if (missing.length > 0) {
      for (const log of loaded) log.close(false);
      this.ctx.fds.closeUnder(`${d.path}/`);
      return refuse(`Log directory ${d.path} stays offline: the logs of ${missing.join(',')} are missing from it`);
    }
    for (const key of old.keys()) {
      this.logs.delete(key);
      this.dirOf.delete(key);
    }
    d.logCount = 0;
    for (const log of loaded) this.register(log, d);
    d.meta = meta;
    d.offline = null;
    d.reopenError = undefined;
    d.newDirs = null;
    logger?.info(
      `Log directory ${d.path} is back online with ${loaded.length} logs, re-opened in ${Math.round(performance.now() - startMs)}ms`,
      { logDir: d.path },
    );
    this.options.onLogDirOnline?.(d.path, loaded);
    return true;
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

  // ---- Moving a replica between log dirs (future logs; see the header) ----

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
   * log's), empty, with the current log's topic id and config; the log cleaner leaves the partition
   * alone until the move ends. Returns the existing future log when there is one in `dir`.
   */
  createFutureLog(topic: string, partition: number, dir: string): PartitionLog {
    const key = tpKey(topic, partition);
    const current = this.logs.get(key);
    if (!current) throw new Error(`partition ${key} has no log to move`);
    const d = this.configuredDir(dir);
    if (!d) throw new LogDirNotFoundError(`Log dir ${dir} is not found in the config.`);
    if (d.offline) throw new LogOfflineError(`Log dir ${dir} is offline`);
    const existing = this.futureLogs.get(key);
    if (existing) {
      if (this.futureDirOf.get(key) === d.path) return existing;
      throw new Error(`the future log of ${key} is in ${this.futureDirOf.get(key)}, not ${d.path}`);
    }
    if (this.dirOf.get(key) === d.path) throw new Error(`the log of ${key} is already in ${d.path}`);
    const log = loadPartitionLog(this.ctx, `${d.path}/${logFutureDirName(topic, partition)}`, topic, partition, current.config, {
      cleanShutdown: true,
      topicId: current.topicId ?? undefined,
    });
    if (!d.newDirs || d.newDirs.synced) d.newDirs = { path: d.path, synced: false };
    log.markCreated(d.newDirs);
    this.watchForFailure(log, d.path);
    this.futureLogs.set(key, log);
    this.futureDirOf.set(key, d.path);
    d.logCount++;
    this.preferredLogDirs.delete(key);
    void this.cleaner?.abortAndPauseCleaning(topic, partition);
    return log;
  }

  /** Drops a partition's future log (the move is cancelled or its partition deleted): closed, renamed `-delete`, deleted. */
  removeFutureLog(topic: string, partition: number): boolean {
    const key = tpKey(topic, partition);
    const log = this.futureLogs.get(key);
    if (!log) return false;
    const dir = this.futureDirOf.get(key)!;
    this.futureLogs.delete(key);
    this.futureDirOf.delete(key);
    const d = this.dirs.find((x) => x.path === dir);
    if (d) d.logCount--;
    log.removeAllListeners('offline');
    log.close(false);
    if (d) this.renameForDeletion(d, log);
    this.cleaner?.resumeCleaning(topic, partition);
    return true;
  }

  /**
   * The swap (Kafka's replaceCurrentWithFutureLog), in one synchronous step: the caller has checked
   * that the future log has caught up (same log end offset) and nothing may append in between.
   * Both logs are flushed and closed; the old log's producer snapshot and leader-epoch-checkpoint
   * replace the future log's; the future dir is renamed to `<topic>-<partition>` and reopened; the
   * old log is renamed `-delete` and deleted asynchronously. Returns the new current log. Throws
   * (touching nothing) when either log is offline.
   */
  replaceCurrentWithFutureLog(topic: string, partition: number): PartitionLog {
    const key = tpKey(topic, partition);
    const src = this.logs.get(key);
    const dest = this.futureLogs.get(key);
    if (!src || !dest) throw new Error(`partition ${key} has no ${src ? 'future' : 'current'} log`);
    if (src.logEndOffset !== dest.logEndOffset)
      throw new Error(`the future log of ${key} ends at ${dest.logEndOffset}, the current one at ${src.logEndOffset}`);
    if (src.isOffline || dest.isOffline) throw new LogOfflineError(`cannot swap the logs of ${key}: a log is offline`);
    const srcD = this.dirs.find((d) => d.path === this.dirOf.get(key))!;
    const destD = this.dirs.find((d) => d.path === this.futureDirOf.get(key))!;
    const fs = this.fs;
    src.removeAllListeners('offline');
    dest.removeAllListeners('offline');
    src.close();
    dest.close();
    if (src.isOffline) {
      this.handleLogDirFailure(srcD.path, new LogOfflineError(`log ${key} failed while closing for the swap`));
      throw new LogOfflineError(`cannot swap the logs of ${key}: ${srcD.path} failed`);
    }
    const target = `${destD.path}/${key}`;
    const end = src.logEndOffset;
    try {
      if (dest.isOffline) throw Object.assign(new Error(`the future log of ${key} failed while closing`), { code: 'EIO' });
      // the old log's state files (written by close() at its log end) replace the future's own
      for (const name of fs.readdirSync(dest.dir)) if (name.endsWith(PRODUCER_SNAPSHOT_SUFFIX)) fs.unlinkSync(`${dest.dir}/${name}`);
      const snap = snapshotFileName(end);
      copyFileDurably(fs, `${src.dir}/${snap}`, `${dest.dir}/${snap}`);
      copyFileDurably(fs, `${src.dir}/${LEADER_EPOCH_CHECKPOINT}`, `${dest.dir}/${LEADER_EPOCH_CHECKPOINT}`);
      this.ctx.fds.closeUnder(`${dest.dir}/`);
      fs.fsyncDirSync(dest.dir);
      fs.renameSync(dest.dir, target);
      fs.fsyncDirSync(destD.path);
    } catch (err) {
      if (!isIoError(err)) throw err;
      this.futureLogs.delete(key);
      this.futureDirOf.delete(key);
      this.handleLogDirFailure(destD.path, err as Error);
      // the current log is closed: reopen it as it was
      this.reopenAfterFailedSwap(srcD, src);
      throw new LogOfflineError(`cannot swap the logs of ${key}: ${(err as Error).message}`, { cause: err });
    }
    const log = loadPartitionLog(this.ctx, target, topic, partition, src.config, {
      cleanShutdown: true,
      recoveryPoint: end,
      logStartOffset: Math.max(src.logStartOffset, dest.logStartOffset),
    });
    for (const s of log.segments) s.close();
    // an epoch begun at the log end with no batch yet (a new leader's) is dropped by the load: kept
    for (const x of src.leaderEpochCache.all) log.leaderEpochCache.assign(x.epoch, x.startOffset);
    this.futureLogs.delete(key);
    this.futureDirOf.delete(key);
    this.logs.set(key, log);
    this.dirOf.set(key, destD.path);
    srcD.logCount--;
    this.watchForFailure(log, destD.path);
    void this.cleaner?.removeLog(src);
    this.cleaner?.watch(log);
    this.cleaner?.resumeCleaning(topic, partition);
    this.renameForDeletion(srcD, src);
    this.inLiveDir(srcD, () => this.checkpointDir(srcD));
    return log;
  }

  /** After a swap failed in the future log's dir: the current log is loaded again from its (clean) files. */
  private reopenAfterFailedSwap(d: LogDir, old: PartitionLog): void {
    const log = loadPartitionLog(this.ctx, old.dir, old.topic, old.partition, old.config, {
      cleanShutdown: true,
      recoveryPoint: old.logEndOffset,
      logStartOffset: old.logStartOffset,
    });
    for (const s of log.segments) s.close();
    const key = tpKey(old.topic, old.partition);
    this.logs.set(key, log);
    this.watchForFailure(log, d.path);
    void this.cleaner?.removeLog(old);
    this.cleaner?.watch(log);
    this.cleaner?.resumeCleaning(old.topic, old.partition);
  }

  /** Renames a closed log `<...>.<uuid>-delete` (fsynced) and removes its files asynchronously (or at shutdown). */
  private renameForDeletion(d: LogDir, log: PartitionLog): void {
    this.ctx.fds.closeUnder(`${log.dir}/`);
    this.inLiveDir(d, () => {
      const doomed = `${d.path}/${logDeleteDirName(log.topic, log.partition)}`;
      this.fs.renameSync(log.dir, doomed);
      this.fs.fsyncDirSync(d.path);
      const remove = () => {
        this.pendingDeletes.delete(doomed);
        this.inLiveDir(d, () => this.fs.rmSync(doomed));
      };
      const cancel = this.time.setTimeout(remove, 0);
      this.pendingDeletes.set(doomed, () => {
        cancel();
        remove();
      });
    });
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

/** Copies a file when it exists and fsyncs the copy (the caller syncs the directory entry). */
function copyFileDurably(fs: FileSystem, from: string, to: string): void {
  const data = fs.readFileSync(from);
  if (data === null) return;
  const fd = fs.openSync(to, true);
  try {
    fs.ftruncateSync(fd, 0);
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off, off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
