// Kafka's LogCleaner: the background cleaning of compacted logs. `threads` workers (Kafka's
// CleanerThreads, here async loops sharing the event loop through their pacers, pacer.ts) each
// repeat: grab the filthiest cleanable log (cleaner-manager.ts), clean it with the injected
// LogCleaning.cleanLog, checkpoint where it stopped, log one summary line; when no log is
// cleanable, sleep log.cleaner.backoff.ms. Nothing runs when log.cleaner.enable is false.
// reconfigure() takes new settings at runtime (dynamic broker configs), as Kafka's LogCleaner: the
// throttle changes at once, the workers stop (aborting their jobs) and start again.
//
// The cleaning of one log (cleaner.ts, cleanable.ts) is injected as LogCleaning, so this file only
// schedules. A job is aborted — its pacer throws CleanAbortedError at its next step, nothing is
// checkpointed — when its log is truncated ('truncate' event; the checkpoint is also lowered to the
// new end), deleted (removeLog; its checkpoint entry goes), goes offline ('offline' event), or the
// cleaner shuts down (shutdown awaits every job). Any other error of a job marks its partition
// uncleanable (logged, skipped until the partition is deleted), as Kafka; a LogOfflineError just
// ends the job. No error leaves a worker: the broker never dies of its cleaner.
//
// For tests and benches: cleanNow() runs a pass and resolves with its runs, awaitCleaned() waits
// for a checkpoint to reach an offset (Kafka's awaitCleaned), metrics() reads the gauges and
// totals (cleaner-stats.ts).
import { tpKey } from '../checkpoint-file.ts';
import { LogOfflineError } from '../errors.ts';
import { dirOf, type FileSystem } from '../fs.ts';
import type { PartitionLog } from '../partition-log.ts';
import type { Time } from '../time.ts';
import {
  CleanAbortedError,
  type CleanableRange,
  type CleanerPacer,
  type CleanJob,
  type CleanResult,
  type LogCleanerConfig,
} from './clean-job.ts';
import { SILENT_CLEANER_LOGGER, type CleanerLogger } from './cleaner-logger.ts';
import { LogCleanerManager, type LogToClean } from './cleaner-manager.ts';
import { CleanerStats, describeCleanRun, type CleanerTotals, type CleanRun } from './cleaner-stats.ts';
import { CleanerPacing, type JobPacer, type PacingOptions } from './pacer.ts';

/** The cleaning of one log, injected (cleanable.ts's cleanableRange and cleaner.ts's cleanLog). */
export interface LogCleaning {
  cleanableRange(log: PartitionLog, checkpoint: number | undefined, lastStableOffset: number, now: number): CleanableRange;
  cleanLog(log: PartitionLog, job: CleanJob, pacer: CleanerPacer): Promise<CleanResult>;
}

export interface LogCleanerOptions {
  /** log.cleaner.* (see DEFAULT_CLEANER_CONFIG). */
  config: LogCleanerConfig;
  /** Where cleaner-offset-checkpoint lives (each log's dir is the parent of its directory). */
  fs: FileSystem;
  /** Every log the cleaner may consider, read again at every pass. */
  logs: () => Iterable<PartitionLog>;
  time: Time;
  /** The cleaner never cleans at or above it. */
  lastStableOffset: (log: PartitionLog) => number;
  cleaning: LogCleaning;
  logger?: CleanerLogger;
  /** The pacers' slice, clock and yield (tests; see pacer.ts); the throttle comes from config. */
  pacing?: Omit<PacingOptions, 'time' | 'ioMaxBytesPerSecond'>;
}

export interface LogCleanerMetrics {
  totals: CleanerTotals;
  /** Kafka's cleaner-recopy-percent, max-dirty-percent, time-since-last-run-ms (-1 before the first pass). */
  recopyPercent: number;
  maxDirtyPercent: number;
  timeSinceLastRunMs: number;
  /** Kafka's uncleanable-partitions-count (the partitions themselves here). */
  uncleanablePartitions: string[];
  /** Partitions being cleaned now. */
  inProgress: string[];
  /** Logs cleanable at the last pass (Kafka's PreCleanStats.cleanablePartitions). */
  cleanablePartitions: number;
  /** Throttle sleeps asked for, in total ms. */
  throttleSleptMs: number;
}

interface RunningJob {
  ltc: LogToClean;
  pacer: JobPacer;
  ended: Promise<void>;
}

/** A cleanNow() call waiting for every worker to find nothing to clean. */
interface IdleWaiter {
  need: Set<number>;
  runs: CleanRun[];
  resolve: (runs: CleanRun[]) => void;
}

interface CleanedWaiter {
  key: string;
  offset: number;
  resolve: (cleaned: boolean) => void;
}

export class LogCleaner {
  private _config: LogCleanerConfig;
  readonly manager: LogCleanerManager;
  readonly pacing: CleanerPacing;
  readonly stats = new CleanerStats();
  private _threads: number;
  private readonly logger: CleanerLogger;
  private readonly running = new Map<string, RunningJob>();
  private workers: Promise<void>[] = [];
  private started = false;
  private shuttingDown = false;
  private readonly wakers = new Set<() => void>();
  private idleWaiters: IdleWaiter[] = [];
  private cleanedWaiters: CleanedWaiter[] = [];
  /** A reconfigure() restarting the workers. */
  private reconfiguring: Promise<void> | null = null;
  private readonly watched = new WeakMap<PartitionLog, { truncate: (end: number) => void; offline: () => void }>();

  constructor(private readonly o: LogCleanerOptions) {
    this._config = o.config;
    this._threads = Math.max(1, Math.floor(o.config.threads));
    this.logger = o.logger ?? SILENT_CLEANER_LOGGER;
    this.pacing = new CleanerPacing({ ...o.pacing, time: o.time, ioMaxBytesPerSecond: o.config.ioMaxBytesPerSecond });
    this.manager = new LogCleanerManager({
      fs: o.fs,
      logs: o.logs,
      lastStableOffset: o.lastStableOffset,
      cleanableRange: (log, checkpoint, lso, now) => o.cleaning.cleanableRange(log, checkpoint, lso, now),
      logger: this.logger,
    });
    this.manager.onAbort = (key) => this.running.get(key)?.pacer.wake();
  }

  get isRunning(): boolean {
    return this.started;
  }

  /** log.cleaner.* as the cleaner runs with them now. */
  get config(): LogCleanerConfig {
    return this._config;
  }

  /** Workers (Kafka's cleaner threads). */
  get threads(): number {
    return this._threads;
  }

  /**
   * Takes new settings (dynamic broker configs), as Kafka's LogCleaner.reconfigure: the settings and
   * the throttle change at once; a running cleaner stops its workers (running jobs are aborted, to
   * be cleaned again later) and starts them again, now `threads` of them. log.cleaner.enable is
   * not dynamic and stays as it was. cleanNow() waits for a reconfiguration in progress.
   */
  reconfigure(config: LogCleanerConfig): Promise<void> {
    this._config = { ...config, enable: this._config.enable };
    this._threads = Math.max(1, Math.floor(config.threads));
    this.pacing.throttler.desiredRatePerSec = config.ioMaxBytesPerSecond;
    if (!this.started) return Promise.resolve();
    this.logger.info('Reconfiguring the log cleaner', { threads: this._threads });
    const restart = (this.reconfiguring ?? Promise.resolve()).then(async () => {
      if (!this.started) return;
      await this.stopWorkers();
      // a waiting cleanNow() now waits for each new worker to find nothing to clean
      for (const w of this.idleWaiters) w.need = new Set(Array.from({ length: this._threads }, (_, i) => i));
      this.startup();
    });
    this.reconfiguring = restart;
    void restart.then(() => {
      if (this.reconfiguring === restart) this.reconfiguring = null;
    });
    return restart;
  }

  /** Starts the workers (none when log.cleaner.enable is false). */
  startup(): void {
    if (this.started || !this.config.enable) return;
    this.logger.info('Starting the log cleaner');
    this.started = true;
    this.shuttingDown = false;
    for (const log of this.o.logs()) this.watch(log);
    for (let i = 0; i < this.threads; i++) this.workers.push(this.work(i));
  }

  /** Stops the workers, aborts every running job and resolves once all have ended. */
  async shutdown(): Promise<void> {
    if (this.started) this.logger.info('Shutting down the log cleaner.');
    await this.stopWorkers();
    for (const w of this.idleWaiters) w.resolve(w.runs);
    this.idleWaiters = [];
    for (const w of this.cleanedWaiters) w.resolve(false);
    this.cleanedWaiters = [];
  }

  /** Stops the workers and aborts every running job; resolves once all have ended. */
  private async stopWorkers(): Promise<void> {
    this.shuttingDown = true;
    this.started = false;
    this.wake();
    for (const j of this.running.values()) j.pacer.wake();
    await Promise.all([...this.workers, ...[...this.running.values()].map((j) => j.ended)]);
    this.workers = [];
  }

  /** Follows the log's truncations and failure (idempotent; startup and every job do it too). */
  watch(log: PartitionLog): void {
    if (this.watched.has(log)) return;
    const key = tpKey(log.topic, log.partition);
    const truncate = (end: number) => {
      try {
        this.manager.maybeTruncateCheckpoint(log, end);
        void this.manager.abortCleaning(key, `the log was truncated to ${end}`);
      } catch (err) {
        this.logger.error(`Cannot handle the truncation of ${key} in the log cleaner`, { err });
      }
    };
    const offline = () => {
      void this.manager.abortCleaning(key, 'the log went offline');
    };
    log.on('truncate', truncate);
    log.on('offline', offline);
    this.watched.set(log, { truncate, offline });
  }

  private unwatch(log: PartitionLog): void {
    const l = this.watched.get(log);
    if (!l) return;
    log.off('truncate', l.truncate);
    log.off('offline', l.offline);
    this.watched.delete(log);
  }

  /** The log is being deleted: aborts its job, forgets its checkpoint entry and marks; resolves once its job ended. */
  removeLog(log: PartitionLog): Promise<void> {
    const key = tpKey(log.topic, log.partition);
    this.unwatch(log);
    const stopped = this.manager.abortCleaning(key, 'the log was deleted');
    this.manager.forget(log);
    this.stats.forget(key);
    return stopped;
  }

  /**
   * The partition's log moved from log dir `fromDir` to `toDir` (AlterReplicaLogDirs' swap): its
   * cleaner-offset-checkpoint entry moves to `toDir`'s file, so the moved log is not cleaned from
   * its start again (Kafka's alterCheckpointDir). True when there was an entry to move.
   */
  alterCheckpointDir(topic: string, partition: number, fromDir: string, toDir: string): boolean {
    return this.manager.alterCheckpointDir(topic, partition, fromDir, toDir);
  }

  /** Aborts the partition's job if one runs (Kafka's abortCleaning); resolves once it ended. */
  abortCleaning(topic: string, partition: number): Promise<void> {
    return this.manager.abortCleaning(tpKey(topic, partition), 'cleaning was aborted');
  }

  /** Aborts the partition's job and keeps it from being cleaned until resumeCleaning (Kafka's abortAndPauseCleaning). */
  abortAndPauseCleaning(topic: string, partition: number): Promise<void> {
    return this.manager.abortAndPauseCleaning(tpKey(topic, partition), 'cleaning was paused');
  }

  resumeCleaning(topic: string, partition: number): void {
    this.manager.resumeCleaning(tpKey(topic, partition));
  }

  /** The partition's checkpointed first dirty offset (undefined: none, or no such log). */
  checkpoint(topic: string, partition: number): number | undefined {
    const log = this.findLog(tpKey(topic, partition));
    return log ? this.manager.checkpoints.get(dirOf(log.dir), topic, partition) : undefined;
  }

  /**
   * Cleans what is cleanable now and resolves with the runs. Started: wakes the workers and
   * resolves once each has found nothing (more) to clean. Not started (backgroundTasks off, tests,
   * benches): cleans here, up to `threads` logs at a time, each log at most once. Runs nothing
   * when log.cleaner.enable is false.
   */
  cleanNow(): Promise<CleanRun[]> {
    if (this.reconfiguring) return this.reconfiguring.then(() => this.cleanNow());
    if (!this.config.enable || this.shuttingDown) return Promise.resolve([]);
    if (this.started) {
      return new Promise((resolve) => {
        this.idleWaiters.push({ need: new Set(this.workers.map((_, i) => i)), runs: [], resolve });
        this.wake();
      });
    }
    const done = new Set<string>();
    const runs: CleanRun[] = [];
    const lane = async (thread: number) => {
      while (!this.shuttingDown) {
        const ltc = this.manager.grabFilthiestCompactedLog(this.o.time.now(), done);
        if (!ltc) return;
        done.add(ltc.key);
        const { run } = await this.runJob(ltc, thread);
        if (run) runs.push(run);
      }
    };
    return Promise.all(Array.from({ length: this.threads }, (_, i) => lane(i))).then(() => runs);
  }

  /**
   * Resolves true once the partition's checkpoint is at or past `offset`, false after maxWaitMs
   * (on the Time) or at shutdown (Kafka's awaitCleaned). Wakes sleeping workers.
   */
  awaitCleaned(topic: string, partition: number, offset: number, maxWaitMs = 60000): Promise<boolean> {
    if ((this.checkpoint(topic, partition) ?? -1) >= offset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: CleanedWaiter = {
        key: tpKey(topic, partition),
        offset,
        resolve: (cleaned) => {
          cancel();
          resolve(cleaned);
        },
      };
      const cancel = this.o.time.setTimeout(() => {
        this.cleanedWaiters = this.cleanedWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, maxWaitMs);
      this.cleanedWaiters.push(waiter);
      this.wake();
    });
  }

  metrics(): LogCleanerMetrics {
    const m = this.manager;
    return {
      totals: { ...this.stats.totals },
      recopyPercent: this.stats.recopyPercent,
      maxDirtyPercent: Math.trunc(100 * m.dirtiestLogCleanableRatio),
      timeSinceLastRunMs: m.timeOfLastRunMs < 0 ? -1 : this.o.time.now() - m.timeOfLastRunMs,
      uncleanablePartitions: m.uncleanablePartitions(),
      inProgress: [...this.running.keys()].sort(),
      cleanablePartitions: m.cleanablePartitions,
      throttleSleptMs: this.pacing.throttler.sleptMs,
    };
  }

  private findLog(key: string): PartitionLog | undefined {
    for (const log of this.o.logs()) if (tpKey(log.topic, log.partition) === key) return log;
    return undefined;
  }

  /** Wakes the workers sleeping out their backoff. */
  private wake(): void {
    for (const w of [...this.wakers]) w();
  }

  /** One worker (Kafka's CleanerThread.doWork loop). */
  private async work(thread: number): Promise<void> {
    await this.pacing.yieldToLoop(); // start after startup() returns, as a thread would
    while (this.started) {
      let progressed = false;
      try {
        const ltc = this.manager.grabFilthiestCompactedLog(this.o.time.now());
        if (ltc) {
          const { run, outcome } = await this.runJob(ltc, thread);
          // as Kafka, an aborted job counts as work done; a run that made no progress does not (no busy loop)
          progressed = outcome === 'aborted' || (run !== null && (run.endOffset > run.firstDirtyOffset || run.reason === 'delete-horizon'));
        }
      } catch (err) {
        this.logger.error(`Log cleaner thread ${thread} failed`, { err });
      }
      if (!this.started) break;
      if (progressed) {
        await this.pacing.yieldToLoop();
        continue;
      }
      for (const w of [...this.idleWaiters]) {
        w.need.delete(thread);
        if (w.need.size === 0) {
          this.idleWaiters = this.idleWaiters.filter((x) => x !== w);
          w.resolve(w.runs);
        }
      }
      await this.backoff();
    }
  }

  /** Sleeps log.cleaner.backoff.ms, or until woken. */
  private backoff(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        cancel();
        this.wakers.delete(done);
        resolve();
      };
      const cancel = this.o.time.setTimeout(done, this.config.backoffMs);
      this.wakers.add(done);
    });
  }

  /** Why the partition's job must stop, or null. */
  private abortReason(key: string): string | null {
    return this.shuttingDown ? 'the log cleaner is shutting down' : this.manager.abortReason(key);
  }

  /** Runs one job: the completed run (null when it was aborted or failed). Never throws. */
  private async runJob(ltc: LogToClean, thread: number): Promise<{ run: CleanRun | null; outcome: 'cleaned' | 'aborted' | 'failed' }> {
    const { log, key, range } = ltc;
    this.watch(log);
    const startMs = this.o.time.now();
    const job: CleanJob = {
      firstDirtyOffset: range.firstDirtyOffset,
      firstUncleanableOffset: range.firstUncleanableOffset,
      now: startMs,
      dedupeBufferBytes: Math.floor(this.config.dedupeBufferSize / this.threads),
      loadFactor: this.config.ioBufferLoadFactor,
    };
    const pacer = this.pacing.pacer(key, () => this.abortReason(key));
    let ended!: () => void;
    this.running.set(key, { ltc, pacer, ended: new Promise<void>((r) => (ended = r)) });
    let endOffset: number | null = null;
    let run: CleanRun | null = null;
    let outcome: 'cleaned' | 'aborted' | 'failed' = 'aborted';
    try {
      const result = await this.o.cleaning.cleanLog(log, job, pacer);
      const aborted = this.abortReason(key);
      if (aborted !== null) {
        // the abort came after the job's last step: what it did is not checkpointed
        this.stats.totals.aborted++;
        this.logger.info(`The cleaning of ${key} was aborted: ${aborted}`);
      } else {
        endOffset = result.endOffset;
        outcome = 'cleaned';
        run = {
          thread,
          topic: log.topic,
          partition: log.partition,
          reason: ltc.reason,
          firstDirtyOffset: job.firstDirtyOffset,
          firstUncleanableOffset: job.firstUncleanableOffset,
          endOffset,
          startMs,
          endMs: this.o.time.now(),
          result,
          yields: pacer.yields,
          sleeps: pacer.sleeps,
          sleptMs: pacer.sleptMs,
        };
      }
    } catch (err) {
      const aborted = this.abortReason(key);
      if (err instanceof CleanAbortedError || aborted !== null) {
        this.stats.totals.aborted++;
        this.logger.info(`The cleaning of ${key} was aborted: ${aborted ?? (err as Error).message}`);
      } else if (err instanceof LogOfflineError || log.isOffline) {
        outcome = 'failed';
        this.stats.totals.failed++;
        this.logger.warn(`The cleaning of ${key} stopped: the log is offline`, { err });
      } else {
        outcome = 'failed';
        this.stats.totals.failed++;
        this.manager.markUncleanable(key);
        this.logger.warn(`Unexpected exception thrown when cleaning log ${key}. Marking its partition (${key}) as uncleanable`, { err });
      }
    } finally {
      this.running.delete(key);
      try {
        this.manager.doneCleaning(ltc, endOffset);
      } catch (err) {
        this.logger.error(`Cannot record the end of the cleaning of ${key}`, { err });
      }
      ended();
    }
    if (run) this.completed(key, run);
    return { run, outcome };
  }

  private completed(key: string, run: CleanRun): void {
    const horizon = run.result.nextDeleteHorizonMs;
    // a horizon already passed would have the log cleaned again at once, forever
    this.manager.setDeleteHorizon(key, horizon > run.startMs ? horizon : -1);
    this.stats.record(key, run);
    this.logger.info(describeCleanRun(run), {
      partition: key,
      reason: run.reason,
      firstDirtyOffset: run.firstDirtyOffset,
      endOffset: run.endOffset,
    });
    if (run.endOffset <= run.firstDirtyOffset && run.firstUncleanableOffset > run.firstDirtyOffset)
      this.logger.warn(`The cleaning of ${key} made no progress (dirty section [${run.firstDirtyOffset}, ${run.firstUncleanableOffset}))`);
    for (const w of this.idleWaiters) w.runs.push(run);
    const checkpoint = this.checkpoint(run.topic, run.partition) ?? -1;
    const reached = this.cleanedWaiters.filter((w) => w.key === key && checkpoint >= w.offset);
    if (reached.length === 0) return;
    this.cleanedWaiters = this.cleanedWaiters.filter((w) => !reached.includes(w));
    for (const w of reached) w.resolve(true);
  }
}
