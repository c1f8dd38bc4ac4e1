// What the broker does when a log directory fails (Kafka's ReplicaManager.handleLogDirFailure,
// fed by the LogDirFailureChannel): the LogManager has already taken the dir and every log in it
// offline (storage's LogManager.handleLogDirFailure); here the failure is logged at ERROR with the
// path and the cause, the fetchers stop copying into the partitions held there, and the fetches
// and acks=all produces waiting on them are answered at once. From then on those partitions answer
// KAFKA_STORAGE_ERROR (ReplicaManager.getPartitionOrError: Kafka's HostedPartition.Offline),
// Metadata lists this broker among their offline replicas, and DescribeLogDirs answers
// KAFKA_STORAGE_ERROR for the dir. Not done: telling the controller (Kafka 3.7+: BrokerHeartbeat's
// OfflineLogDirs, KIP-858), so in a cluster leadership does not move off the failed dir yet. The
// broker keeps serving every other dir (when none is left, Kafka halts
// the broker; here it says so at ERROR and keeps answering KAFKA_STORAGE_ERROR).
//
// Healing (not in Kafka, which needs a restart): the LogManager probes an offline dir every
// tributary.log.dir.failure.recovery.interval.ms and, once it passes, re-opens it as after an
// unclean shutdown; handleLogDirOnline then serves its partitions again: each hosted Partition
// takes its re-opened log (Partition.reopenLog: the leader is back, Metadata stops listing the
// replica offline, DescribeLogDirs stops reporting the error), the partitions hosted offline
// without a log are made, a follower's fetcher follows its leader again. A log no partition claims
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
  /** A follower fetches from its leader again. */
  followLeader(p: Partition): void;
}

export class LogDirFailureHandler {
  /** The dirs handled so far, in order of failure. */
  readonly offlineDirs: string[] = [];

  private readonly onlineListeners: Array<(dir: string) => void> = [];

  constructor(private readonly options: LogDirFailureHandlerOptions) {}

  /**
   * The event of a failed log dir coming back online: `listener(dir)` is called once per dir
   * brought back, after its partitions are served again (handleLogDirOnline). For the cluster
   * part of KIP-858: the broker tells the controller the dir is online again (BrokerHeartbeat's
   * OfflineLogDirs no longer lists it) so its replicas become eligible for leadership and the
   * ISR. Returns a function that removes the listener. A listener's exception is logged, not thrown.
   */
  onLogDirOnline(listener: (dir: string) => void): () => void {
    this.onlineListeners.push(listener);
    return () => {
      const i = this.onlineListeners.indexOf(listener);
      if (i >= 0) this.onlineListeners.splice(i, 1);
    };
  }

  /** The LogManager re-opened `dir` (its `logs` replace the offline ones): serve its partitions again (see the header). */
  handleLogDirOnline(dir: string, logs: readonly PartitionLog[]): void {
    const i = this.offlineDirs.indexOf(dir);
    if (i >= 0) this.offlineDirs.splice(i, 1);
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
      o.followLeader(p);
      o.completeDelayed(p);
    }
    o.log.info(`Resumed serving replicas in dir ${dir}`, { logDir: dir, partitions: served.map((p) => p.key) });
    for (const listener of [...this.onlineListeners]) {
      try {
        listener(dir);
      } catch (err) {
        o.log.error(`A listener of log dir ${dir} coming back online failed`, { logDir: dir, err });
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
