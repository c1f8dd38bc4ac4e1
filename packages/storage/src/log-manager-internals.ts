// The LogManager's state that its helpers work on (log-dir-loading.ts: loading a dir; future-logs.ts:
// moving a replica between log dirs; log-dir-healing.ts: bringing an offline dir back): its maps of logs and dirs and the few
// operations of its own they call. The LogManager hands them one object of this shape; nothing
// here is part of its public API but the names of three per-dir files (re-exported by
// log-manager.ts), which the helpers read too.
import type { CleanerLogger } from './cleaner/cleaner-logger.ts';
import type { LogCleaner } from './cleaner/log-cleaner.ts';
import type { LogConfig } from './config.ts';
import type { FileSystem } from './fs.ts';
import type { LogDirState } from './log-dirs.ts';
import type { LoadReport } from './log-loader.ts';
import type { SegmentContext } from './log-segment.ts';
import type { DirSyncToken, PartitionLog } from './partition-log.ts';
import type { Time } from './time.ts';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

/** What the LogManager's startup found: partitions loaded, which dirs were clean, recovery work done. */
export interface StartupReport {
  partitions: number;
  cleanDirs: string[];
  uncleanDirs: string[];
  recovery: LoadReport;
}

/** What the LogManager keeps of each log dir. */
export interface LogDir extends LogDirState {
  recoveryPoints: Map<string, number>;
  logStartOffsets: Map<string, number>;
  /** Shared by the logs created in this dir since it was last fsynced. */
  newDirs: DirSyncToken | null;
  /** Why the last attempt to re-open this offline dir failed (logged once per distinct reason). */
  reopenError?: string;
}

/** The LogManager, as its helpers see it. Maps are keyed `<topic>-<partition>` (tpKey). */
export interface LogManagerInternals {
  readonly fs: FileSystem;
  readonly time: Time;
  readonly ctx: SegmentContext;
  readonly cleaner: LogCleaner | null;
  readonly logger: CleanerLogger | undefined;
  /** The node and cluster every log dir must belong to (an empty dir is formatted for them). */
  readonly brokerId: number | undefined;
  readonly clusterId: string | undefined;
  /** What startup found (loadLogDir adds to it). */
  readonly startupReport: StartupReport;
  /** Between startup() and shutdown(). */
  isStarted(): boolean;
  /** The config of a log loaded without one of its own (it may be reconfigured). */
  defaultConfig(): LogConfig;
  readonly dirs: LogDir[];
  /** Current logs and the dir each is in. */
  readonly logs: Map<string, PartitionLog>;
  readonly dirOf: Map<string, string>;
  /** Future logs (replicas moving to another dir) and the dir each is in. */
  readonly futureLogs: Map<string, PartitionLog>;
  readonly futureDirOf: Map<string, string>;
  /** Where the log of a partition not hosted yet goes when made (Kafka's preferredLogDirs). */
  readonly preferredLogDirs: Map<string, string>;
  /** Renamed `-delete` logs whose files are still to be removed (asynchronously, or at shutdown). */
  readonly pendingDeletes: Map<string, () => void>;
  /** The configured log dir named by `path` (compared as absolute paths), or undefined. */
  configuredDir(path: string): LogDir | undefined;
  /** Serves a current log loaded or re-opened in `dir` from now on. */
  register(log: PartitionLog, dir: LogDir): void;
  /** Keeps a future log found at startup (the broker resumes its move). */
  registerFuture(log: PartitionLog, dir: LogDir): void;
  watchForFailure(log: PartitionLog, dir: string): void;
  handleLogDirFailure(path: string, cause: Error): void;
  inLiveDir(d: LogDir, write: () => void): void;
  checkpointDir(d: LogDir): void;
  onLogDirOnline?: (dir: string, logs: PartitionLog[]) => void;
}
