// Moving replicas between this broker's log dirs (JBOD): AlterReplicaLogDirs' decisions (Kafka's
// ReplicaManager.alterReplicaLogDirs) and the mover that copies each moving replica (Kafka's
// ReplicaAlterLogDirsManager and ReplicaAlterLogDirsThread).
//
// alterReplicaLogDirs, per partition (a partition named twice: the last dir wins, as Kafka's map):
//   - the dir is not among log.dirs (absolute paths compared): LOG_DIR_NOT_FOUND;
//   - the dir is offline: KAFKA_STORAGE_ERROR; the partition's replica is offline: KAFKA_STORAGE_ERROR;
//   - a move of the partition to another dir is running: it is cancelled (its future log deleted);
//   - the dir is remembered as the partition's preferred dir (LogManager.maybeUpdatePreferredLogDir):
//     a partition not hosted here yet answers REPLICA_NOT_AVAILABLE (Kafka keeps that code for
//     compatibility), and its log is created in that dir when the metadata gives it to this broker;
//   - the replica already in that dir: NONE, nothing to do (this is also how a move is cancelled);
//   - while any log dir is offline no future log is made (KAFKA_STORAGE_ERROR), so a partition
//     never has logs in two dirs that could both come back (Kafka's rule);
//   - otherwise a future log is made in the dir (storage's `<topic>-<partition>.<uuid>-future`) and
//     the mover starts: NONE. A topic name too long for the future dir's name: INVALID_TOPIC_EXCEPTION.
//
// The mover: one loop per moving replica. Each turn copies up to replica.fetch.max.bytes from the
// current log to the future log (storage's FutureLogCopier: offsets, leader epochs and producer
// state follow the batches), then yields to the event loop, so producers and consumers keep being
// served. When the future log has caught up, the swap happens in the same synchronous step as the
// check (nothing can append in between; this is Kafka's partition lock): the LogManager swaps the
// logs on disk, the Partition takes the new log, the old one is renamed `-delete` and removed.
// replica.alter.log.dirs.io.max.bytes.per.second (the `alterLogDirs` replication quota) bounds the
// copy: while the measured rate is above it, the loops wait. A future log found at startup is
// resumed when its partition is made (resume). A log dir failure or a deleted partition ends the move.
//
// The seam for KIP-858 (directory assignment in a cluster): `onReplicaDirChanged` is told every
// time a replica's log dir changes: after a swap (reason 'moved') and when a replica's log is
// first created on this broker (reason 'created', told by the ReplicaManager). Nothing is sent to
// the controller here.
import { ErrorCode, errorCodeOf } from '@tributary/protocol';
import {
  FutureLogCopier,
  LogDirNotFoundError,
  LogOfflineError,
  logFutureDirName,
  type LogManager,
  type PartitionLog,
  type Time,
} from '@tributary/storage';
import type { Logger } from '../logger.ts';
import type { ReplicaQuota } from '../quota/replication-quota.ts';
import type { Partition } from './partition.ts';

/** A replica's log dir changed: the seam KIP-858's AssignReplicasToDirs will be sent from. */
export interface ReplicaDirChange {
  topic: string;
  topicId: string;
  partition: number;
  /** The log dir (as configured) now holding the replica's log. */
  logDir: string;
  /** That dir's directory.id (meta.properties), null when it has none. */
  directoryId: string | null;
  /** 'moved': AlterReplicaLogDirs swapped the replica in; 'created': its log was first made here. */
  reason: 'moved' | 'created';
}

export type ReplicaDirChangedListener = (change: ReplicaDirChange) => void;

export interface ReplicaAlterLogDirsOptions {
  logs: LogManager;
  log: Logger;
  time: Time;
  /** replica.alter.log.dirs.io.max.bytes.per.second. */
  quota: Pick<ReplicaQuota, 'record' | 'isQuotaExceeded'>;
  /** Bytes copied per turn (replica.fetch.max.bytes, as Kafka's ReplicaAlterLogDirsThread fetches). */
  maxBytesPerStep: () => number;
  /** The hosted partition, if any. */
  getPartition(topic: string, partition: number): Partition | undefined;
  /** The partition is hosted here offline (its log dir failed). */
  isReplicaOffline(topic: string, partition: number): boolean;
  onReplicaDirChanged?: ReplicaDirChangedListener;
}

/** One AlterReplicaLogDirs entry and its answer. */
export interface ReplicaLogDirAssignment {
  topic: string;
  partition: number;
  /** Absolute path of a configured log dir. */
  logDir: string;
}

export interface ReplicaLogDirResult {
  topic: string;
  partition: number;
  errorCode: number;
  message: string | null;
}

interface Move {
  partition: Partition;
  future: PartitionLog;
  copier: FutureLogCopier;
  stopped: boolean;
}

/** How long a throttled mover waits before measuring the rate again. */
const THROTTLED_WAIT_MS = 100;

export class ReplicaAlterLogDirsManager {
  private readonly moves = new Map<string, Move>();
  private running = true;
  /** Told of every change of a replica's log dir (see the header); set at construction or later. */
  onReplicaDirChanged: ReplicaDirChangedListener | null;

  constructor(private readonly o: ReplicaAlterLogDirsOptions) {
    this.onReplicaDirChanged = o.onReplicaDirChanged ?? null;
  }

  /** Partitions being moved now. */
  get movingCount(): number {
    return this.moves.size;
  }

  /** Kafka's ReplicaManager.alterReplicaLogDirs (see the header). */
  alterReplicaLogDirs(assignments: readonly ReplicaLogDirAssignment[]): ReplicaLogDirResult[] {
    const last = new Map<string, ReplicaLogDirAssignment>();
    for (const a of assignments) last.set(`${a.topic}-${a.partition}`, a);
    return [...last.values()].map((a) => {
      try {
        return { topic: a.topic, partition: a.partition, errorCode: this.alterOne(a), message: null };
      } catch (err) {
        const errorCode = err instanceof LogDirNotFoundError || err instanceof LogOfflineError ? err.errorCode : errorCodeOf(err);
        this.o.log.warn(`Unable to alter log dirs for ${a.topic}-${a.partition}`, { logDir: a.logDir, err });
        return { topic: a.topic, partition: a.partition, errorCode, message: (err as Error).message ?? null };
      }
    });
  }

  private alterOne(a: ReplicaLogDirAssignment): number {
    const { logs } = this.o;
    if (logFutureDirName(a.topic, a.partition).length > 255) return ErrorCode.INVALID_TOPIC_EXCEPTION;
    const dir = logs.liveLogDir(a.logDir); // LOG_DIR_NOT_FOUND
    if (dir === null) throw new LogOfflineError(`Log directory ${a.logDir} is offline`);
    const p = this.o.getPartition(a.topic, a.partition);
    if (this.o.isReplicaOffline(a.topic, a.partition)) throw new LogOfflineError(`Partition ${a.topic}-${a.partition} is offline`);
    // a move elsewhere is cancelled (Kafka's futureReplicaDirChanged)
    const futureDir = logs.futureLogDirOf(a.topic, a.partition);
    if (p && futureDir !== undefined && futureDir !== dir) this.cancel(p);
    logs.maybeUpdatePreferredLogDir(a.topic, a.partition, dir);
    if (!p) return ErrorCode.REPLICA_NOT_AVAILABLE;
    if (logs.logDirOf(a.topic, a.partition) === dir) return ErrorCode.NONE;
    if (logs.getFutureLog(a.topic, a.partition)) return ErrorCode.NONE; // already moving there
    const offline = logs.offlineLogDirs();
    if (offline.length > 0)
      throw new LogOfflineError(
        `Can not create log for ${a.topic}-${a.partition} because log directories ${offline.join(',')} are offline`,
      );
    const future = logs.createFutureLog(a.topic, a.partition, dir);
    this.o.log.info(`Moving the replica of ${p.key} to ${dir}`, { partition: p.key, logDir: dir });
    this.start(p, future);
    return ErrorCode.NONE;
  }

  /** A partition made at startup whose future log was found on disk: its move resumes (Kafka does this). */
  resume(p: Partition): void {
    const future = this.o.logs.getFutureLog(p.topic, p.partition);
    if (!future || future.isOffline) return;
    this.o.log.info(`Resuming the move of ${p.key} to ${this.o.logs.futureLogDirOf(p.topic, p.partition)}`, {
      partition: p.key,
      copied: future.logEndOffset,
    });
    this.start(p, future);
  }

  /** The future replica's lag behind the current one (DescribeLogDirs' OffsetLag), or undefined when none. */
  futureOffsetLag(topic: string, partition: number): number | undefined {
    const current = this.o.logs.getLog(topic, partition);
    const future = this.o.logs.getFutureLog(topic, partition);
    if (!current || !future) return undefined;
    return Math.max(0, current.logEndOffset - future.logEndOffset);
  }

  /** Stops every mover; future logs stay on disk and are resumed at the next start. */
  shutdown(): void {
    this.running = false;
    for (const m of [...this.moves.values()]) this.stop(m);
  }

  /** Cancels the move of a partition: its mover stops and its future log is deleted. */
  cancel(p: Partition): void {
    const m = this.moves.get(p.key);
    if (m) this.stop(m);
    if (this.o.logs.removeFutureLog(p.topic, p.partition)) this.o.log.info(`Cancelled the move of ${p.key}`, { partition: p.key });
  }

  private start(p: Partition, future: PartitionLog): void {
    if (this.moves.has(p.key) || !this.running) return;
    const m: Move = { partition: p, future, copier: new FutureLogCopier(p.log, future), stopped: false };
    this.moves.set(p.key, m);
    void this.run(m);
  }

  private stop(m: Move): void {
    m.stopped = true;
    m.copier.detach();
    if (this.moves.get(m.partition.key) === m) this.moves.delete(m.partition.key);
  }

  /** The move is still the partition's: hosted, same future log, same current log, both healthy. */
  private stillCurrent(m: Move): boolean {
    const { topic, partition } = m.partition;
    return (
      this.o.getPartition(topic, partition) === m.partition &&
      this.o.logs.getFutureLog(topic, partition) === m.future &&
      m.partition.log === m.copier.current &&
      !m.future.isOffline &&
      !m.copier.current.isOffline
    );
  }

  private async run(m: Move): Promise<void> {
    while (!m.stopped && this.running) {
      if (!this.stillCurrent(m)) return this.stop(m);
      if (this.o.quota.isQuotaExceeded()) {
        await new Promise<void>((resolve) => this.o.time.setTimeout(resolve, THROTTLED_WAIT_MS));
        continue;
      }
      let caughtUp: boolean;
      try {
        const step = m.copier.step(this.o.maxBytesPerStep());
        if (step.bytes > 0) this.o.quota.record(step.bytes);
        caughtUp = step.caughtUp;
      } catch (err) {
        this.o.log.warn(`The move of ${m.partition.key} stopped: ${(err as Error).message}`, { partition: m.partition.key, err });
        return this.stop(m);
      }
      // no await between the check and the swap: nothing can append in between
      if (caughtUp) return this.swap(m);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Kafka's maybeReplaceCurrentWithFutureReplica, the future log having caught up. */
  private swap(m: Move): void {
    this.stop(m);
    const p = m.partition;
    const { logs } = this.o;
    let log: PartitionLog;
    try {
      log = logs.replaceCurrentWithFutureLog(p.topic, p.partition);
    } catch (err) {
      this.o.log.error(`Cannot replace the replica of ${p.key} with its future replica`, { partition: p.key, err });
      // a failed swap reopens the current log: the partition takes the reopened one
      const reopened = logs.getLog(p.topic, p.partition);
      if (reopened && reopened !== p.log && !reopened.isClosed) p.replaceLog(reopened);
      return;
    }
    p.replaceLog(log);
    const logDir = logs.logDirOf(p.topic, p.partition)!;
    this.o.log.info(`The current replica is successfully replaced with the future replica for ${p.key}`, { partition: p.key, logDir });
    this.notify(p, logDir, 'moved');
  }

  /** Tells onReplicaDirChanged (its errors are logged, never thrown into the data path). */
  notify(p: Partition, logDir: string, reason: ReplicaDirChange['reason']): void {
    const listener = this.onReplicaDirChanged;
    if (!listener) return;
    try {
      listener({
        topic: p.topic,
        topicId: p.topicId,
        partition: p.partition,
        logDir,
        directoryId: this.o.logs.metaProperties(logDir)?.directoryId ?? null,
        reason,
      });
    } catch (err) {
      this.o.log.error('onReplicaDirChanged failed', { partition: p.key, err });
    }
  }
}
