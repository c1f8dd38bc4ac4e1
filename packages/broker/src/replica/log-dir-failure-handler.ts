// What the broker does when a log directory fails (Kafka's ReplicaManager.handleLogDirFailure,
// fed by the LogDirFailureChannel): the LogManager has already taken the dir and every log in it
// offline (storage's LogManager.handleLogDirFailure); here the failure is logged at ERROR with the
// path and the cause, the fetchers stop copying into the partitions held there, and the fetches
// and acks=all produces waiting on them are answered at once. From then on those partitions answer
// KAFKA_STORAGE_ERROR (ReplicaManager.getPartitionOrError: Kafka's HostedPartition.Offline),
// Metadata lists this broker among their offline replicas, and DescribeLogDirs answers
// KAFKA_STORAGE_ERROR for the dir. Listeners (addListener) hear of each failure: the broker's
// LogDirEvents (controller/log-dir-events.ts) tells the controller at once (BrokerHeartbeat's
// OfflineLogDirs, KIP-858), which moves leadership and ISR membership off the failed dir. A dir
// that serves again is announced with logDirOnline(dir) (the disk-healing seam): listeners hear
// it (LogDirEvents registers the dir with the controller again). The broker keeps serving every other dir (when none is left, Kafka halts
// the broker; here it says so at ERROR and keeps answering KAFKA_STORAGE_ERROR).
//
// After a restart with a dir still failing, a partition whose log is not found is not given a new
// empty log elsewhere unless it is new (logDirOfflineFor): it is hosted offline, answering
// KAFKA_STORAGE_ERROR, until the dir is back.
import type { LogManager } from '@tributary/storage';
import type { Logger } from '../logger.ts';
import type { Partition } from './partition.ts';

export interface LogDirFailureHandlerOptions {
  nodeId: number;
  log: Logger;
  /** The hosted partitions whose log is in `dir`. */
  partitionsIn(dir: string): Partition[];
  /** Stops the replica fetcher copying into a partition. */
  unfollow(p: Partition): void;
  /** Answers the delayed fetches and produces watching a partition. */
  completeDelayed(p: Partition): void;
}

/** Who hears of log dirs going offline and coming back (the controller's side: LogDirEvents). */
export interface LogDirListener {
  logDirOffline?(dir: string, cause: Error): void;
  logDirOnline?(dir: string): void;
}

export class LogDirFailureHandler {
  /** The dirs handled so far, in order of failure. */
  readonly offlineDirs: string[] = [];
  private readonly listeners = new Set<LogDirListener>();

  constructor(private readonly options: LogDirFailureHandlerOptions) {}

  /** Adds a listener; returns its removal. */
  addListener(l: LogDirListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /**
   * A failed dir serves again (called by whoever brought it back, once the LogManager counts it
   * online): it is no longer counted offline here, and listeners hear of it.
   */
  logDirOnline(dir: string): void {
    const i = this.offlineDirs.indexOf(dir);
    if (i < 0) return;
    this.offlineDirs.splice(i, 1);
    this.options.log.info(`Log dir ${dir} is back online`, { logDir: dir });
    for (const l of [...this.listeners]) l.logDirOnline?.(dir);
  }

  handleLogDirFailure(dir: string, cause: Error, allDirs: readonly string[]): void {
    if (this.offlineDirs.includes(dir)) return;
    this.offlineDirs.push(dir);
    const o = this.options;
    const partitions = o.partitionsIn(dir);
    o.log.error(`Stopped serving replicas in dir ${dir}: ${cause.message}`, {
      logDir: dir,
      cause: (cause as NodeJS.ErrnoException).code ?? cause.name,
      err: cause,
      partitions: partitions.map((p) => p.key),
    });
    for (const p of partitions) {
      o.unfollow(p);
      o.completeDelayed(p);
    }
    for (const l of [...this.listeners]) l.logDirOffline?.(dir, cause);
    if (allDirs.every((d) => this.offlineDirs.includes(d))) {
      o.log.error(`Broker ${o.nodeId} has no log dir left: all log dirs in ${allDirs.join(', ')} have failed`);
    }
  }
}

/**
 * Why a partition's log must not be made (null: it may): it is not on disk while a log dir is
 * offline and the partition is not new (its log may be in that dir; Kafka's
 * LogManager.getOrCreateLog refuses "because log directories ... are offline"), or no dir is live.
 */
export function logDirOfflineFor(logs: LogManager, topic: string, partition: number, isNew: boolean): string | null {
  const offline = logs.offlineLogDirs();
  if (offline.length === 0 || logs.getLog(topic, partition)) return null;
  if (isNew && logs.nextLogDirs().length > 0) return null;
  return `Can not create log for ${topic}-${partition} because log directories ${offline.join(',')} are offline`;
}
