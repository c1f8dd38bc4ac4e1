// Partition: one topic partition on this broker (Kafka's cluster.Partition): its replica state
// (leader, leader epoch, replicas, ISR), its PartitionLog and its high watermark.
//
// Appends: appendRecordsToLeader is the one entry point. Records from clients are validated first
// (log-validator.ts: Kafka's LogValidator, which Kafka's UnifiedLog.appendAsLeader runs); records
// the broker built itself (a coordinator's) are not. Then the idempotent producer checks and the
// write happen in one synchronous step, and the high watermark follows.
//
// Leader (Kafka's Partition as leader): one Replica (replica.ts) per remote follower, updated by
// the follower's Fetch. The high watermark, the offset below which records are committed and
// visible to consumers, is the minimum log end offset over the leader and every follower in the
// maximal ISR (the ISR plus a member being added), or caught up and eligible to join (so a follower
// rejoining is waited for); it only moves forward and, as since Kafka 3.7 (KIP-966's strict min
// ISR), not while the ISR is smaller than min.insync.replicas. The leader's own offset counts once
// the append is complete: right after the write, or with tributary.durability=fsync once the
// fsync covering it is done. On one broker (ISR = the leader) the HW follows the log end offset.
// ISR changes are proposals to the controller (Kafka's AlterPartition): a follower not caught up
// for replica.lag.time.max.ms leaves (maybeShrinkIsr, run periodically by the ReplicaManager); a
// follower whose log end offset reaches the HW and the leader epoch start offset rejoins
// (maybeExpandIsr, on its fetch). One proposal at a time; until it is answered the maximal ISR
// counts for the HW. The controller's answer is told to `alterPartitionListener` (Kafka's
// AlterPartitionListener: an accepted shrink or expansion, or a failure; the ReplicaManager's
// IsrShrinksPerSec, IsrExpandsPerSec, FailedIsrUpdatesPerSec). Every HW advance notifies
// `onHighWatermark` (purgatories wake).
//
// Follower: records come from the ReplicaFetcher (appendRecordsAsFollower); the HW is the
// leader's, capped at the local log end offset (updateFollowerHighWatermark).
//
// Transactions: the log keeps the producer state (storage's ProducerStateManager: idempotence
// checks, open transactions, aborted ones in each segment's .txnindex). The last stable offset is
// min(HW, the log's first unstable offset) (Kafka's UnifiedLog.lastStableOffset); read_committed
// reads stop there and name the aborted transactions they overlap (readCommitted). The
// transaction coordinator's COMMIT/ABORT markers arrive through appendTxnMarker.
//
// Moving the replica to another log dir (AlterReplicaLogDirs): once the future log caught up, the
// mover swaps it in (replaceLog) in the same synchronous step as its last check, so no append,
// truncation or read sees a half-swapped partition; the high watermark and every counter stay.
import { ControlRecordType, ErrorCode, Off, buildEndTxnMarkerBatch } from '@tributary/protocol';
import type {
  AbortedTxn,
  BufferPool,
  PartitionLog,
  ReadResult,
  Records,
  RecordsInto,
  Time,
  TransactionVerificationCheck,
  VerificationGuard,
} from '@tributary/storage';
import { FileRecords } from '@tributary/storage';
import { AppendBytes } from './append-bytes.ts';
import { PartitionError } from './partition-error.ts';
import type { TopicRuntimeConfig } from '../metadata/topic-config.ts';
import { validateRecords } from './log-validator.ts';
import { Replica } from './replica.ts';

export { PartitionError };

/** What an append answers: the offsets assigned (or, for a retried duplicate, the original ones). */
export interface AppendResult {
  firstOffset: number;
  lastOffset: number;
  /** -1 for CreateTime topics. */
  logAppendTimeMs: number;
  /** True when the batch repeated one already appended by an idempotent producer (not appended again). */
  duplicate: boolean;
}

/**
 * Who appends (Kafka's AppendOrigin): a client's records are validated, a coordinator's (records
 * the broker encoded itself) are not.
 */
export type AppendOrigin = 'client' | 'coordinator';

export interface AppendOptions {
  /** 0, 1 or -1 (all): -1 checks min.insync.replicas against the ISR first. */
  requiredAcks: number;
  origin: AppendOrigin;
  /** The Produce request version (Kafka's per-version checks); only for client appends. */
  produceVersion?: number;
  /**
   * The node this append is served as (default: this broker). Only the shared-log test cluster,
   * whose nodes share one ReplicaManager, serves as other nodes.
   */
  servingNode?: number;
}

/** A proposed ISR change (AlterPartition), answered with the partition as the controller left it. */
export type AlterIsr = (
  p: Partition,
  newIsr: number[],
) => Promise<{ errorCode: number; isr?: readonly number[]; leaderEpoch?: number; partitionEpoch?: number }>;

/** Told how each proposed ISR change ended (Kafka's AlterPartitionListener). */
export interface AlterPartitionListener {
  /** The controller accepted an ISR expansion. */
  markIsrExpand(): void;
  /** The controller accepted an ISR shrink. */
  markIsrShrink(): void;
  /** The controller refused the change, or it could not be sent. */
  markFailed(): void;
}

export interface PartitionInit {
  /** This broker: the node that leads or follows the partition here. */
  localBrokerId: number;
  /** Replica ids served by this process (the shared-log test cluster claims several): they are never remote. */
  isLocalReplica?: (brokerId: number) => boolean;
  partitionEpoch?: number;
  topic: string;
  topicId: string;
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  log: PartitionLog;
  /** The checkpointed high watermark (replication-offset-checkpoint); default the log end offset. */
  highWatermark?: number;
  /** Reads the topic's current runtime config (changes with AlterConfigs). */
  config: () => TopicRuntimeConfig;
  onHighWatermark: (p: Partition) => void;
  /** Called after a leader append when followers exist (their long polls wait for new records). */
  onAppend?: (p: Partition) => void;
  time: Time;
  /** replica.lag.time.max.ms (default 30000). */
  replicaLagTimeMaxMs?: number;
  /** Sends an ISR change to the controller (default: none, the ISR never changes from here). */
  alterIsr?: AlterIsr;
  /** Told how each ISR change sent ended (default: nobody). */
  alterPartitionListener?: AlterPartitionListener;
  /** Whether a broker may join an ISR (unfenced, not shutting down); default: any. */
  isReplicaIsrEligible?: (brokerId: number) => boolean;
}

export class Partition {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  /** `<topic>-<partition>`: the key of this partition in purgatories and maps. */
  readonly key: string;
  readonly localBrokerId: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  /** Bumped by the controller on every change of this partition (AlterPartition's PartitionEpoch). */
  partitionEpoch: number;
  private _log: PartitionLog;
  /** The replica's current log (replaced when the replica moves to another log dir, or its failed dir is re-opened). */
  get log(): PartitionLog {
    return this._log;
  }
  private hw: number;
  /** The follower replicas hosted by other brokers (the leader's view of them). */
  private remote = new Map<number, Replica>();
  /** The ISR plus a member being added while an AlterPartition is in flight; null when none is. */
  private pendingIsr: number[] | null = null;
  /** The log end offset when this broker became leader in the current epoch (Kafka's LESO). */
  leaderEpochStartOffset = -1;
  /** The end of what the leader itself has completed (written, or fsynced in fsync mode). */
  private localEnd: number;
  private readonly init: PartitionInit;
  /** Appended, committed and stable bytes (long polls diff them; append-bytes.ts). */
  private readonly bytes = new AppendBytes();
  /** Bytes appended below the HW since this object was created (monotonic; long polls diff it). */
  get committedBytes(): number {
    return this.bytes.committed;
  }
  /** Bytes appended below the LSO since this object was created (read_committed long polls diff it). */
  get stableBytes(): number {
    return this.bytes.stable;
  }
  /** Bytes appended since this object was created, committed or not (followers' long polls diff it). */
  get appendedBytesTotal(): number {
    return this.bytes.appended;
  }

  constructor(init: PartitionInit) {
    this.init = init;
    this.topic = init.topic;
    this.topicId = init.topicId;
    this.partition = init.partition;
    this.key = `${init.topic}-${init.partition}`;
    this.localBrokerId = init.localBrokerId;
    this.leader = init.leader;
    this.leaderEpoch = init.leaderEpoch;
    this.replicas = init.replicas;
    this.isr = init.isr;
    this.partitionEpoch = init.partitionEpoch ?? 0;
    this._log = init.log;
    this.localEnd = init.log.logEndOffset;
    // The HW checkpointed at the last clean stop, else the log end when this broker leads alone;
    // a follower learns it from its leader.
    this.hw = Math.min(init.highWatermark ?? init.log.logEndOffset, init.log.logEndOffset);
    init.log.onHighWatermarkUpdated(this.hw);
    this.resetRemoteReplicas();
    if (this.isLeader) this.leaderEpochStartOffset = init.log.logEndOffset;
    init.log.on('truncate', this.onTruncate);
  }

  private readonly onTruncate = (leo: number): void => {
    this.localEnd = Math.min(this.localEnd, leo);
    this.resetHighWatermark();
  };

  /**
   * The replica moved to another log dir: `log`, the future log swapped in (same log end offset,
   * same batches), becomes this partition's log (Kafka's maybeReplaceCurrentWithFutureReplica).
   */
  replaceLog(log: PartitionLog): void {
    if (log.logEndOffset !== this._log.logEndOffset)
      throw new Error(`the new log of ${this.key} ends at ${log.logEndOffset}, not ${this._log.logEndOffset}`);
    this._log.off('truncate', this.onTruncate);
    this._log = log;
    log.on('truncate', this.onTruncate);
    log.onHighWatermarkUpdated(this.hw);
  }

  /**
   * The log dir came back after a failure (log-dir-failure-handler.ts): the partition serves the
   * re-opened log, re-verified from its recovery point. Its end may be below the old one (a torn
   * tail cut): the HW and what the leader had completed are capped to it; a leader records its
   * epoch at the log end if the re-opened leader-epoch cache lacks it (as makeLeader), and a lone
   * leader's HW follows the log end again.
   */
  reopenLog(log: PartitionLog): void {
    this._log.off('truncate', this.onTruncate);
    this._log = log;
    log.on('truncate', this.onTruncate);
    this.localEnd = log.logEndOffset;
    if (this.isLeader && this.leaderEpoch > log.leaderEpochCache.latestEpoch)
      log.leaderEpochCache.assign(this.leaderEpoch, log.logEndOffset);
    this.resetHighWatermark();
    if (this.isLeader) this.maybeIncrementLeaderHighWatermark();
  }

  get config(): TopicRuntimeConfig {
    return this.init.config();
  }

  get highWatermark(): number {
    return this.hw;
  }

  /**
   * Below it every transaction is decided and its marker committed: min(HW, the first unstable
   * offset) (Kafka's UnifiedLog.lastStableOffset). read_committed consumers read up to it.
   */
  get lastStableOffset(): number {
    const unstable = this.log.firstUnstableOffset;
    return unstable >= 0 && unstable < this.hw ? unstable : this.hw;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  /**
   * Whether node `nodeId` may serve a request for this partition (Kafka's Partition
   * checkCurrentLeaderEpoch, then requireLeader): a `currentLeaderEpoch` (>= 0; -1 = none sent)
   * older than the partition's -> FENCED_LEADER_EPOCH, newer -> UNKNOWN_LEADER_EPOCH; then, when
   * the request needs the leader, another node leading -> NOT_LEADER_OR_FOLLOWER. NONE otherwise.
   */
  leaderError(nodeId: number, currentLeaderEpoch = -1, requireLeader = true): number {
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch !== this.leaderEpoch) {
      return currentLeaderEpoch < this.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
    }
    if (requireLeader && this.leader !== nodeId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return ErrorCode.NONE;
  }

  /** True while this broker leads the partition (in the shared-log test cluster: any of its local nodes). */
  get isLeader(): boolean {
    return this.leader !== -1 && this.isLocal(this.leader);
  }

  private isLocal(brokerId: number): boolean {
    return this.init.isLocalReplica ? this.init.isLocalReplica(brokerId) : brokerId === this.localBrokerId;
  }

  /**
   * Appends v2 batches as leader (Kafka's Partition.appendRecordsToLeader): NOT_LEADER_OR_FOLLOWER
   * unless this broker leads; a client's records are validated first (log-validator.ts, which may
   * recompress: then leadership is checked again after). Answers synchronously (throwing
   * PartitionError) unless it has to wait: recompression, or the fsync covering the append
   * (tributary.durability=fsync), so a produce request costs no promise on the common path.
   */
  appendRecordsToLeader(
    records: Buffer,
    opts: AppendOptions,
    verification?: TransactionVerificationCheck,
  ): AppendResult | Promise<AppendResult> {
    const node = opts.servingNode ?? this.localBrokerId;
    if (this.leader !== node) throw this.notLeaderError();
    if (opts.origin === 'coordinator') return this.appendAsLeader(records, opts.requiredAcks, 'coordinator', undefined);
    const cfg = this.init.config();
    const time = this.init.time;
    const p = this;
    const v = validateRecords(records, {
      get topicPartition() {
        return p.key;
      }, // built only for an error message
      produceVersion: opts.produceVersion ?? 11,
      maxMessageBytes: cfg.maxMessageBytes,
      segmentBytes: this.log.config.segmentBytes,
      compressionType: cfg.compressionType,
      compactedTopic: cfg.compacted,
      timestamps: cfg.logAppendTime
        ? null
        : { now: time.now(), beforeMaxMs: cfg.timestampBeforeMaxMs, afterMaxMs: cfg.timestampAfterMaxMs },
    });
    if (v.records instanceof Promise || this.appendQueue !== null) {
      return this.appendInOrder(
        v.records,
        () => {
          // leadership may have moved while the records were recompressed or decoded
          if (this.leader !== node) throw this.notLeaderError();
        },
        opts.requiredAcks,
        verification,
      );
    }
    return this.appendAsLeader(v.records, opts.requiredAcks, 'client', verification);
  }

  /**
   * Appends that had to wait for their validation (recompression, or the key check of a compressed
   * batch on a compacted topic), and every append arriving while one waits: they reach the log in
   * the order they arrived, whether pipelined on one connection (whose requests are handled
   * concurrently, their responses sent in order) or sent on several (librdkafka moves a partition
   * from its bootstrap connection to the broker's with requests in flight): a later batch must not
   * overtake an earlier one that is being decoded. Only the appends are ordered; their acks (ISR,
   * fsync) are awaited apart.
   */
  private appendQueue: Promise<void> | null = null;
  private appendInOrder(
    records: Buffer | Promise<Buffer>,
    check: () => void,
    requiredAcks: number,
    verification: TransactionVerificationCheck | undefined,
  ): Promise<AppendResult> {
    const before = this.appendQueue ?? Promise.resolve();
    const appended = before
      .then(() => records)
      .then((batches) => {
        check();
        return { result: this.appendAsLeader(batches, requiredAcks, 'client', verification) };
      });
    const tail = appended.then(
      () => {},
      () => {},
    );
    this.appendQueue = tail;
    void tail.then(() => {
      if (this.appendQueue === tail) this.appendQueue = null;
    });
    return appended.then((a) => a.result);
  }

  /**
   * KIP-890: the guard to verify a transactional producer's first batch here with its coordinator
   * (Kafka's maybeStartTransactionVerification), or null when it has a transaction open here
   * already (then no verification is needed).
   */
  maybeStartTransactionVerification(producerId: bigint, baseSequence: number, producerEpoch: number): VerificationGuard | null {
    const state = this.log.producerState;
    if ((state.lastEntry(producerId)?.currentTxnFirstOffset ?? -1) >= 0) return null;
    return state.verifications.start(producerId, baseSequence, producerEpoch, this.init.time.now());
  }

  /** NOT_LEADER_OR_FOLLOWER for this partition, with Kafka's message. */
  notLeaderError(): PartitionError {
    return new PartitionError(
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
      `This server is not the leader for partition ${this.key} (leader ${this.leader}).`,
    );
  }

  /**
   * Appends batches already validated (or built by the broker). The log runs the producer checks
   * (PartitionError-like errors with Kafka codes) and answers a retried duplicate with its original offsets.
   */
  private appendAsLeader(
    batches: Buffer,
    requiredAcks: number,
    origin: AppendOrigin,
    verification: TransactionVerificationCheck | undefined,
  ): AppendResult | Promise<AppendResult> {
    const cfg = this.init.config();
    // min.insync.replicas capped at the replica count, as since Kafka 3.7 (KAFKA-15583)
    const minIsr = this.effectiveMinIsr;
    if (requiredAcks === -1 && this.isr.length < minIsr) {
      throw new PartitionError(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `The size of the current ISR [${this.isr.join(', ')}] is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${this.topic}-${this.partition}`,
      );
    }
    const opts = cfg.logAppendTime
      ? { leaderEpoch: this.leaderEpoch, logAppendTimeMs: this.init.time.now(), origin, verification }
      : { leaderEpoch: this.leaderEpoch, origin, verification };
    // Producer checks and the write happen in one synchronous step (in the log): nothing interleaves.
    const info = this.log.appendSync(batches, opts);
    if (info.duplicate) {
      // the original batch's append time: its stored MaxTimestamp on a LogAppendTime topic
      const logAppendTimeMs = cfg.logAppendTime ? info.maxTimestamp : -1;
      const result = { firstOffset: info.firstOffset, lastOffset: info.lastOffset, logAppendTimeMs, duplicate: true };
      return this.log.config.durableAppend ? this.log.waitDurable(info.lastOffset + 1).then(() => result) : result;
    }
    this.bytes.onAppend(info.lastOffset + 1, info.bytes);
    const result = { firstOffset: info.firstOffset, lastOffset: info.lastOffset, logAppendTimeMs: info.logAppendTimeMs, duplicate: false };
    // fsync mode: committed (HW) once the fsync covering this append is done (group commit).
    if (this.log.config.durableAppend) {
      if (this.remote.size > 0) this.init.onAppend?.(this);
      return this.log.waitDurable(info.lastOffset + 1).then(() => {
        this.localEnd = Math.max(this.localEnd, Math.min(info.lastOffset + 1, this.log.logEndOffset));
        this.maybeIncrementLeaderHighWatermark();
        return result;
      });
    }
    this.localEnd = info.lastOffset + 1;
    if (this.remote.size > 0) this.init.onAppend?.(this);
    this.maybeIncrementLeaderHighWatermark();
    return result;
  }

  /**
   * Appends the transaction coordinator's COMMIT or ABORT marker for a producer (Kafka's
   * WriteTxnMarkers path: a control batch with the producer's id and epoch, BaseSequence -1, one
   * record; appended as the coordinator's, acks=all). The log refuses an epoch below the producer's
   * (INVALID_PRODUCER_EPOCH) and a coordinator epoch below the last marker's
   * (TRANSACTION_COORDINATOR_FENCED); NOT_LEADER_OR_FOLLOWER unless `servingNode` leads; an ISR
   * below min.insync.replicas answers NOT_ENOUGH_REPLICAS. The caller waits for the ISR.
   */
  appendTxnMarker(
    marker: { producerId: bigint; producerEpoch: number; coordinatorEpoch: number; commit: boolean },
    servingNode?: number,
  ): AppendResult | Promise<AppendResult> {
    const batch = buildEndTxnMarkerBatch({
      type: marker.commit ? ControlRecordType.Commit : ControlRecordType.Abort,
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      coordinatorEpoch: marker.coordinatorEpoch,
      timestamp: BigInt(this.init.time.now()),
    });
    return this.appendRecordsToLeader(batch, { requiredAcks: -1, origin: 'coordinator', servingNode });
  }

  /**
   * Reads for a read_committed consumer (isolation_level 1): as `read`, below the last stable
   * offset, with the aborted transactions overlapping the batches returned (from the first
   * offset asked to the end of the last batch; none when nothing is returned).
   */
  readCommitted(
    fetchOffset: number,
    maxBytes: number,
    minOneBatch: boolean,
    pool?: BufferPool,
  ): ReadResult & { abortedTransactions: AbortedTxn[] };
  readCommitted(
    fetchOffset: number,
    maxBytes: number,
    minOneBatch: boolean,
    into: RecordsInto,
  ): ReadResult<Records> & { abortedTransactions: AbortedTxn[] };
  readCommitted(
    fetchOffset: number,
    maxBytes: number,
    minOneBatch: boolean,
    into?: RecordsInto,
  ): ReadResult<Records> & { abortedTransactions: AbortedTxn[] } {
    const r = this.log.read(fetchOffset, Math.max(maxBytes, 0), this.lastStableOffset, into, minOneBatch);
    const end = r.records instanceof FileRecords ? r.records.nextOffset : endOffsetOf(r.records);
    return { ...r, abortedTransactions: end < 0 ? [] : this.log.collectAbortedTransactions(fetchOffset, end) };
  }

  /**
   * The producers the log's state knows (Kafka's UnifiedLog.activeProducers, for DescribeProducers):
   * epoch, last sequence (-1: no batch retained), last MaxTimestamp, coordinator epoch of the last
   * marker (-1: none), first offset of the open transaction (-1: none).
   */
  activeProducers(): Array<{
    producerId: bigint;
    producerEpoch: number;
    lastSequence: number;
    lastTimestamp: bigint;
    coordinatorEpoch: number;
    currentTxnStartOffset: bigint;
  }> {
    return [...this.log.producerState.producers.values()].map((e) => ({
      producerId: e.producerId,
      producerEpoch: e.producerEpoch,
      lastSequence: e.batches.at(-1)?.lastSeq ?? -1,
      lastTimestamp: BigInt(e.lastTimestamp),
      coordinatorEpoch: e.coordinatorEpoch,
      currentTxnStartOffset: BigInt(e.currentTxnFirstOffset),
    }));
  }

  // ---- leader: followers, high watermark, ISR ----

  /** min.insync.replicas, capped at the replica count (Kafka's effectiveMinIsr). */
  get effectiveMinIsr(): number {
    return Math.min(this.init.config().minInsyncReplicas, this.replicas.length);
  }

  /** The ISR the HW waits for: the ISR plus a member being added (Kafka's maximalIsr). */
  get maximalIsr(): readonly number[] {
    return this.pendingIsr ?? this.isr;
  }

  /** Whether an AlterPartition of this partition is in flight. */
  get isrChangePending(): boolean {
    return this.pendingIsr !== null;
  }

  /** The leader's view of a remote follower (undefined for local or unknown ids). */
  follower(brokerId: number): Replica | undefined {
    return this.remote.get(brokerId);
  }

  /** One Replica per remote replica id, reset (Kafka's resetReplicaState on becoming leader). */
  private resetRemoteReplicas(): void {
    const now = this.init.time.now();
    const next = new Map<number, Replica>();
    for (const id of this.replicas) {
      if (this.isLocal(id)) continue;
      const r = new Replica(id);
      r.reset(now, this.isr.includes(id));
      next.set(id, r);
    }
    this.remote = next;
  }

  /**
   * The controller's new registration of this partition (leader, epochs, replicas, ISR). Becoming
   * leader in a new epoch starts that epoch in the leader epoch cache at the log end offset, and
   * resets every follower's state (Kafka's makeLeader); the ISR a pending AlterPartition proposed
   * is settled by any newer partition epoch.
   */
  applyRegistration(reg: {
    leader: number;
    leaderEpoch: number;
    partitionEpoch: number;
    replicas: readonly number[];
    isr: readonly number[];
  }): void {
    const becameLeader =
      reg.leader !== -1 && this.isLocal(reg.leader) && (reg.leaderEpoch !== this.leaderEpoch || reg.leader !== this.leader);
    if (reg.partitionEpoch < this.partitionEpoch && reg.leaderEpoch === this.leaderEpoch) return; // older than an AlterPartition answer
    this.leader = reg.leader;
    this.leaderEpoch = reg.leaderEpoch;
    this.partitionEpoch = reg.partitionEpoch;
    this.replicas = [...reg.replicas];
    this.isr = [...reg.isr];
    this.pendingIsr = null;
    if (becameLeader) {
      if (reg.leaderEpoch > this.log.leaderEpochCache.latestEpoch) this.log.leaderEpochCache.assign(reg.leaderEpoch, this.logEndOffset);
      this.leaderEpochStartOffset = this.logEndOffset;
      this.localEnd = this.log.config.durableAppend ? Math.min(this.localEnd, this.logEndOffset) : this.logEndOffset;
      this.resetRemoteReplicas();
    } else if (this.isLeader) {
      // replicas may have changed: the followers that remain keep their state, new ones start reset
      const now = this.init.time.now();
      const next = new Map<number, Replica>();
      for (const id of this.replicas) {
        if (this.isLocal(id)) continue;
        let r = this.remote.get(id);
        if (!r) {
          r = new Replica(id);
          r.reset(now, this.isr.includes(id));
        }
        next.set(id, r);
      }
      this.remote = next;
    } else {
      this.remote.clear();
      this.leaderEpochStartOffset = -1;
    }
    if (this.isLeader) this.maybeIncrementLeaderHighWatermark();
  }

  /**
   * A follower's Fetch from `fetchOffset` (its log end offset) reached this leader (Kafka's
   * updateFollowerFetchState): its state is updated, it may rejoin the ISR, the HW may advance.
   * False when `brokerId` is not a remote replica of this partition.
   */
  updateFollowerFetchState(brokerId: number, fetchOffset: number, logStartOffset: number): boolean {
    const r = this.remote.get(brokerId);
    if (!r) return false;
    r.updateFetchState(fetchOffset, logStartOffset, this.logEndOffset, this.init.time.now());
    this.maybeExpandIsr(r);
    this.maybeIncrementLeaderHighWatermark();
    return true;
  }

  /**
   * The leader's HW rule (see the header, Kafka's maybeIncrementLeaderHW). Returns true when it moved.
   */
  maybeIncrementLeaderHighWatermark(): boolean {
    if (!this.isLeader) return false;
    if (this.isr.length < this.effectiveMinIsr) return false;
    // a lone leader (no remote replica): its own completed end is the HW, no clock read on the append path
    if (this.remote.size === 0) return this.maybeIncrementHighWatermark(this.localEnd);
    const now = this.init.time.now();
    const lag = this.init.replicaLagTimeMaxMs ?? 30_000;
    const leo = this.logEndOffset;
    const maximal = this.maximalIsr;
    let newHw = this.localEnd;
    for (const r of this.remote.values()) {
      const counts = maximal.includes(r.brokerId) || (r.logEndOffset >= 0 && r.isCaughtUp(leo, now, lag) && this.isIsrEligible(r.brokerId));
      if (counts && r.logEndOffset < newHw) newHw = r.logEndOffset;
    }
    return this.maybeIncrementHighWatermark(newHw);
  }

  private isIsrEligible(brokerId: number): boolean {
    return this.init.isReplicaIsrEligible?.(brokerId) ?? true;
  }

  /**
   * ISR members that have not caught up for replica.lag.time.max.ms are proposed out of the ISR
   * (Kafka's maybeShrinkIsr; the ReplicaManager runs it every replica.lag.time.max.ms / 2).
   * Returns the ids proposed out.
   */
  maybeShrinkIsr(): number[] {
    if (!this.isLeader || this.pendingIsr || !this.init.alterIsr) return [];
    const now = this.init.time.now();
    const lag = this.init.replicaLagTimeMaxMs ?? 30_000;
    const leo = this.logEndOffset;
    const out = this.isr.filter((id) => {
      const r = this.remote.get(id);
      return r !== undefined && !r.isCaughtUp(leo, now, lag);
    });
    if (out.length > 0) this.submitIsr(this.isr.filter((id) => !out.includes(id)));
    return out;
  }

  /** A follower at or past both the HW and the leader epoch start offset rejoins (Kafka's maybeExpandIsr). */
  private maybeExpandIsr(r: Replica): void {
    if (this.pendingIsr || !this.init.alterIsr || this.isr.includes(r.brokerId)) return;
    if (r.logEndOffset < this.hw || r.logEndOffset < this.leaderEpochStartOffset) return;
    if (!this.isIsrEligible(r.brokerId)) return;
    this.submitIsr(this.replicas.filter((id) => id === r.brokerId || this.isr.includes(id)));
  }

  /** Proposes `newIsr` to the controller; the maximal ISR counts until the answer (or new metadata). */
  private submitIsr(newIsr: number[]): void {
    const alter = this.init.alterIsr!;
    const maximal = [...new Set([...this.isr, ...newIsr])];
    this.pendingIsr = maximal;
    const leaderEpoch = this.leaderEpoch;
    const shrink = newIsr.length < this.isr.length;
    const listener = this.init.alterPartitionListener;
    alter(this, newIsr).then(
      (res) => {
        // the controller applied it (even when the metadata brought it here first)
        if (res.errorCode !== ErrorCode.NONE) listener?.markFailed();
        else if (shrink) listener?.markIsrShrink();
        else listener?.markIsrExpand();
        if (this.pendingIsr !== maximal || this.leaderEpoch !== leaderEpoch) return; // settled by metadata meanwhile
        this.pendingIsr = null;
        if (res.errorCode === ErrorCode.NONE && res.isr && res.partitionEpoch !== undefined && res.partitionEpoch >= this.partitionEpoch) {
          this.isr = [...res.isr];
          this.partitionEpoch = res.partitionEpoch;
        }
        this.maybeIncrementLeaderHighWatermark();
      },
      () => {
        listener?.markFailed();
        if (this.pendingIsr === maximal) this.pendingIsr = null;
      },
    );
  }

  // ---- follower ----

  /**
   * Appends records fetched from the leader (offsets and epochs as the leader assigned them).
   * Returns the new log end offset.
   */
  appendRecordsAsFollower(records: Buffer): number {
    if (records.length === 0) return this.logEndOffset;
    // (the log's producer state follows on followers too, so a new leader keeps deduplicating)
    this.log.appendAsFollower(records);
    this.localEnd = this.logEndOffset;
    this.bytes.onAppend(this.logEndOffset, records.length);
    return this.logEndOffset;
  }

  /** Cuts the log back to `offset` (a divergent tail, KIP-101); the HW and producer state follow. */
  truncateTo(offset: number): void {
    this.log.truncateTo(offset);
  }

  /** Empties the log and restarts it at `offset` (the follower fell behind the leader's log start). */
  truncateFullyAndStartAt(offset: number): void {
    this.log.truncateFullyAndStartAt(offset);
    this.hw = offset;
    this.log.onHighWatermarkUpdated(offset);
    this.localEnd = offset;
  }

  /** A follower's log start offset follows the leader's (never beyond its own HW). */
  updateFollowerLogStartOffset(leaderLogStartOffset: number): void {
    const target = Math.min(leaderLogStartOffset, this.hw);
    if (target > this.log.logStartOffset) this.log.deleteRecordsBefore(target);
  }

  /** The follower's HW: the leader's, capped at the local log end offset (Kafka's maybeUpdateHighWatermark). */
  updateFollowerHighWatermark(leaderHighWatermark: number): void {
    const target = Math.min(leaderHighWatermark, this.logEndOffset);
    if (target > this.hw) this.maybeIncrementHighWatermark(target);
  }

  /** Raises the HW (never lowers it) to at most the log end offset; notifies waiters. */
  maybeIncrementHighWatermark(offset: number): boolean {
    const target = Math.min(offset, this.log.logEndOffset);
    if (target <= this.hw) return false;
    this.hw = target;
    this.log.onHighWatermarkUpdated(target);
    this.bytes.advance(target, this.lastStableOffset);
    this.init.onHighWatermark(this);
    return true;
  }

  /**
   * DeleteRecords (KIP-107): raises the log start offset to `offset` (-1 = the high watermark).
   * Returns the new low watermark. POLICY_VIOLATION unless cleanup.policy includes delete;
   * OFFSET_OUT_OF_RANGE above the HW or below 0.
   */
  deleteRecords(offset: number): number {
    if (!this.init.config().cleanupPolicy.includes('delete')) {
      throw new PartitionError(
        ErrorCode.POLICY_VIOLATION,
        `Records of partition ${this.topic}-${this.partition} can not be deleted due to the configured policy`,
      );
    }
    const target = offset === -1 ? this.hw : offset;
    if (target < 0 || target > this.hw) {
      throw new PartitionError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Cannot increment the log start offset to ${target} of partition ${this.topic}-${this.partition} since it is larger than the high watermark ${this.hw}`,
      );
    }
    return this.log.deleteRecordsBefore(target);
  }

  /** After a truncation (the log's 'truncate' event) or DeleteRecords, the HW follows the log. */
  resetHighWatermark(): void {
    this.hw = Math.min(Math.max(this.hw, this.log.logStartOffset), this.log.logEndOffset);
    this.log.onHighWatermarkUpdated(this.hw);
    // appends truncated away before they were committed never will be: stop counting their bytes
    this.bytes.truncate(this.log.logEndOffset);
  }

  /**
   * Reads for a consumer: whole batches from `fetchOffset`, below the HW. OffsetOutOfRangeError
   * (errorCode 1) when fetchOffset is outside [logStartOffset, logEndOffset]. With `minOneBatch`
   * false, a first batch larger than `maxBytes` is neither read nor returned (KIP-74 only allows
   * it for the first partition of a response).
   */
  read(fetchOffset: number, maxBytes: number, minOneBatch: boolean, pool?: BufferPool): ReadResult;
  read(fetchOffset: number, maxBytes: number, minOneBatch: boolean, into: RecordsInto): ReadResult<Records>;
  read(fetchOffset: number, maxBytes: number, minOneBatch: boolean, into?: RecordsInto): ReadResult<Records> {
    return this.log.read(fetchOffset, Math.max(maxBytes, 0), this.hw, into, minOneBatch);
  }

  /** Reads for a follower: as `read`, up to the log end offset (followers copy what is not committed yet). */
  readForFollower(fetchOffset: number, maxBytes: number, minOneBatch: boolean, pool?: BufferPool): ReadResult;
  readForFollower(fetchOffset: number, maxBytes: number, minOneBatch: boolean, into: RecordsInto): ReadResult<Records>;
  readForFollower(fetchOffset: number, maxBytes: number, minOneBatch: boolean, into?: RecordsInto): ReadResult<Records> {
    return this.log.read(fetchOffset, Math.max(maxBytes, 0), this.log.logEndOffset, into, minOneBatch);
  }
}

/** The offset after the last whole batch of a records blob; -1 when it holds none. */
function endOffsetOf(records: Buffer): number {
  let pos = 0;
  let end = -1;
  while (pos + Off.RecordsCount <= records.length) {
    const size = records.readInt32BE(pos + Off.BatchLength) + 12;
    if (pos + size > records.length) break;
    end = Number(records.readBigInt64BE(pos)) + records.readInt32BE(pos + Off.LastOffsetDelta) + 1;
    pos += size;
  }
  return end;
}
