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
// that serves again (handleLogDirOnline, below) is announced with logDirOnline(dir): listeners
// hear it (LogDirEvents registers the dir with the controller again). The broker keeps serving
// every other dir (when none is left, Kafka halts the broker; here it says so at ERROR and keeps
// answering KAFKA_STORAGE_ERROR).
//
// Healing (not in Kafka, which needs a restart): the LogManager probes an offline dir every
// tributary.log.dir.failure.recovery.interval.ms and, once it passes, re-opens it as after an
// unclean shutdown; handleLogDirOnline then serves its partitions again: each hosted Partition
// takes its re-opened log (Partition.reopenLog: the leader is back, Metadata stops listing the
// replica offline, DescribeLogDirs stops reporting the error), the partitions hosted offline
// without a log are made, each takes the registration the metadata holds now (leadership may have
// moved while it was offline: KIP-858) and a follower's fetcher follows its leader again. A log no partition claims
// any more (deleted or moved while the dir was offline) is left to the next start's stray-log
// cleanup: here the metadata may not be caught up yet. Then the `onLogDirOnline` listeners are
// told (see there; broker-core.ts has the group and transaction coordinators load the partitions
// of theirs found there). A dir that fails again afterwards is handled as the first time.
//
// After a restart with a dir still failing, a partition whose log is not found is not given a new
// empty log elsewhere unless it is new (logDirOfflineFor): it is hosted offline, answering
// KAFKA_STORAGE_ERROR, until the dir is back.
import type { LogManager, PartitionLog } from '@tributary/storage';
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
  /** The hosted partition (undefined: none). */
  partitionOf(topic: string, partition: number): Partition | undefined;
  /** Makes the partitions hosted offline without a log whose log is now found (or may be made); returns them. */
  resumeOfflinePartitions(): Partition[];
  /**
   * A partition served again takes the metadata's current registration (the leader changes made
   * while its log was offline were not applied to it) and, as a follower, fetches from its leader.
   */
  resumePartition(p: Partition): void;
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

  /** Adds a listener; returns its removal. A listener's exception is logged, not thrown. */
  addListener(l: LogDirListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /**
   * The event of a failed log dir coming back online: `listener(dir)` is called once per dir
   * brought back, after its partitions are served again (handleLogDirOnline). Returns its removal.
   */
  onLogDirOnline(listener: (dir: string) => void): () => void {
    return this.addListener({ logDirOnline: listener });
  }

  /** The LogManager re-opened `dir` (its `logs` replace the offline ones): serve its partitions again (see the header). */
  handleLogDirOnline(dir: string, logs: readonly PartitionLog[]): void {
    const o = this.options;
    const served: Partition[] = [];
    for (const log of logs) {
      const p = o.partitionOf(log.topic, log.partition);
      if (!p) continue;
      p.reopenLog(log);
      served.push(p);
    }
    served.push(...o.resumeOfflinePartitions());
    for (const p of served) {
      o.resumePartition(p);
      o.completeDelayed(p);
    }
    o.log.info(`Resumed serving replicas in dir ${dir}`, { logDir: dir, partitions: served.map((p) => p.key) });
    this.logDirOnline(dir);
  }

  /**
   * A failed dir serves again (handleLogDirOnline, once its partitions are served; tests may call
   * it alone): it is no longer counted offline here, and listeners hear of it (LogDirEvents
   * registers the dir with the controller again, KIP-858; the coordinators load what it holds).
   */
  logDirOnline(dir: string): void {
    const i = this.offlineDirs.indexOf(dir);
    if (i < 0) return;
    this.offlineDirs.splice(i, 1);
    this.options.log.info(`Log dir ${dir} is back online`, { logDir: dir });
    for (const l of [...this.listeners]) {
      try {
        l.logDirOnline?.(dir);
      } catch (err) {
        this.options.log.error(`A listener of log dir ${dir} coming back online failed`, { logDir: dir, err });
      }
    }
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
