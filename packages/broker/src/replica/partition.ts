// Partition: one topic partition on this broker (Kafka's cluster.Partition): its replica state
// (leader, leader epoch, replicas, ISR), its PartitionLog and its high watermark.
//
// Appends: appendRecordsToLeader is the one entry point. Records from clients are validated first
// (log-validator.ts: Kafka's LogValidator, which Kafka's UnifiedLog.appendAsLeader runs); records
// the broker built itself (a coordinator's) are not. Then the idempotent producer checks and the
// write happen in one synchronous step, and the high watermark follows.
//
// High watermark: the offset below which records are committed (replicated to every ISR member)
// and visible to consumers. On a single broker the ISR is this node alone, so the leader's HW
// advances to its log end offset as soon as an append is complete — right after the write, or,
// with tributary.durability=fsync (durableAppend), once the fsync covering it is done. Every HW
// advance notifies `onHighWatermark` (the fetch purgatory wakes waiting Fetches).
import { ErrorCode } from '@tributary/protocol';
import type { BufferPool, PartitionLog, ReadResult, Time } from '@tributary/storage';
import { PartitionError } from './partition-error.ts';
import { ProducerStateManager, idempotentBatches } from './producer-state.ts';
import type { TopicRuntimeConfig } from '../metadata/topic-config.ts';
import { validateRecords } from './log-validator.ts';

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

export interface PartitionInit {
  /** This broker: the node that leads or follows the partition here. */
  localBrokerId: number;
  topic: string;
  topicId: string;
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  log: PartitionLog;
  /** Reads the topic's current runtime config (changes with AlterConfigs). */
  config: () => TopicRuntimeConfig;
  onHighWatermark: (p: Partition) => void;
  time: Time;
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
  readonly log: PartitionLog;
  private hw: number;
  private readonly init: PartitionInit;
  /** Bytes appended below the HW since this object was created (monotonic; long polls diff it). */
  committedBytes = 0;
  /** Appends above the HW, waiting for their fsync: [endOffset, cumulative bytes]. */
  private pendingBytes: Array<[number, number]> = [];
  private appendedBytes = 0;
  /** Idempotent producers' epochs and last sequences (in memory). */
  readonly producerState = new ProducerStateManager();
  private producerStateLoaded = false;

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
    this.log = init.log;
    // Leader with ISR = {self}: everything in the local log is committed.
    this.hw = init.log.logEndOffset;
    init.log.on('truncate', (leo: number) => {
      this.resetHighWatermark();
      this.producerState.truncateTo(leo);
    });
  }

  get config(): TopicRuntimeConfig {
    return this.init.config();
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** No transactions yet: the last stable offset is the high watermark. */
  get lastStableOffset(): number {
    return this.hw;
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

  /** True while this broker leads the partition. */
  get isLeader(): boolean {
    return this.leader === this.localBrokerId;
  }

  /**
   * Appends v2 batches as leader (Kafka's Partition.appendRecordsToLeader): NOT_LEADER_OR_FOLLOWER
   * unless this broker leads; a client's records are validated first (log-validator.ts, which may
   * recompress: then leadership is checked again after). Answers synchronously (throwing
   * PartitionError) unless it has to wait: recompression, or the fsync covering the append
   * (tributary.durability=fsync), so a produce request costs no promise on the common path.
   */
  appendRecordsToLeader(records: Buffer, opts: AppendOptions): AppendResult | Promise<AppendResult> {
    const node = opts.servingNode ?? this.localBrokerId;
    if (this.leader !== node) throw this.notLeaderError();
    if (opts.origin === 'coordinator') return this.appendAsLeader(records, opts.requiredAcks);
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
      timestamps: cfg.logAppendTime
        ? null
        : { now: time.now(), beforeMaxMs: cfg.timestampBeforeMaxMs, afterMaxMs: cfg.timestampAfterMaxMs },
    });
    if (v.records instanceof Promise) {
      // leadership may have moved while the records were recompressed
      return v.records.then((batches) =>
        this.leader === node ? this.appendAsLeader(batches, opts.requiredAcks) : Promise.reject(this.notLeaderError()),
      );
    }
    return this.appendAsLeader(v.records, opts.requiredAcks);
  }

  /** NOT_LEADER_OR_FOLLOWER for this partition, with Kafka's message. */
  notLeaderError(): PartitionError {
    return new PartitionError(
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
      `This server is not the leader for partition ${this.key} (leader ${this.leader}).`,
    );
  }

  /** Appends batches already validated (or built by the broker). */
  private appendAsLeader(batches: Buffer, requiredAcks: number): AppendResult | Promise<AppendResult> {
    const cfg = this.init.config();
    if (requiredAcks === -1 && this.isr.length < cfg.minInsyncReplicas) {
      throw new PartitionError(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `The size of the current ISR [${this.isr.join(', ')}] is insufficient to satisfy the min.isr requirement of ${cfg.minInsyncReplicas} for partition ${this.topic}-${this.partition}`,
      );
    }
    const opts = cfg.logAppendTime
      ? { leaderEpoch: this.leaderEpoch, logAppendTimeMs: this.init.time.now() }
      : { leaderEpoch: this.leaderEpoch };
    // Producer checks and the write happen in one synchronous step: nothing interleaves.
    const idempotent = idempotentBatches(batches);
    if (idempotent.length > 0) {
      if (!this.producerStateLoaded) this.loadProducerState();
      const dup = this.producerState.check(idempotent);
      if (dup) {
        const result = { firstOffset: dup.firstOffset, lastOffset: dup.lastOffset, logAppendTimeMs: dup.logAppendTimeMs, duplicate: true };
        return this.log.config.durableAppend ? this.log.waitDurable(dup.lastOffset + 1).then(() => result) : result;
      }
    }
    const info = this.log.appendSync(batches, opts);
    if (idempotent.length > 0) this.producerState.update(batches, idempotent, info.logAppendTimeMs);
    this.appendedBytes += info.bytes;
    this.pendingBytes.push([info.lastOffset + 1, this.appendedBytes]);
    const result = { firstOffset: info.firstOffset, lastOffset: info.lastOffset, logAppendTimeMs: info.logAppendTimeMs, duplicate: false };
    // fsync mode: committed (HW) once the fsync covering this append is done (group commit).
    if (this.log.config.durableAppend) {
      return this.log.waitDurable(info.lastOffset + 1).then(() => {
        this.maybeIncrementHighWatermark(info.lastOffset + 1);
        return result;
      });
    }
    this.maybeIncrementHighWatermark(info.lastOffset + 1);
    return result;
  }

  /**
   * Producer state is not snapshotted: on the first idempotent append after a start, it is rebuilt
   * from the batch headers of the active segment when that is at most PRODUCER_STATE_SCAN_BYTES
   * (older producers are then unknown, and accepted with any sequence).
   */
  private loadProducerState(): void {
    this.producerStateLoaded = true;
    const seg = this.log.activeSegment;
    if (seg.size === 0 || seg.size > PRODUCER_STATE_SCAN_BYTES) return;
    try {
      const from = Math.max(seg.baseOffset, this.log.logStartOffset);
      if (from >= this.log.logEndOffset) return;
      const { records } = this.log.read(from, seg.size);
      const batches = idempotentBatches(records);
      if (batches.length > 0) this.producerState.update(records, batches, null);
    } catch {
      // unreadable: start without state (any sequence accepted)
    }
  }

  /** Raises the HW (never lowers it) to at most the log end offset; notifies waiters. */
  maybeIncrementHighWatermark(offset: number): boolean {
    const target = Math.min(offset, this.log.logEndOffset);
    if (target <= this.hw) return false;
    this.hw = target;
    let i = 0;
    while (i < this.pendingBytes.length && this.pendingBytes[i]![0] <= target) this.committedBytes = this.pendingBytes[i++]![1];
    if (i > 0) this.pendingBytes.splice(0, i);
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
    // appends truncated away before they were committed never will be: stop counting their bytes
    this.pendingBytes = this.pendingBytes.filter(([end]) => end <= this.log.logEndOffset);
    this.appendedBytes = this.pendingBytes.at(-1)?.[1] ?? this.committedBytes;
  }

  /**
   * Reads for a consumer: whole batches from `fetchOffset`, below the HW. OffsetOutOfRangeError
   * (errorCode 1) when fetchOffset is outside [logStartOffset, logEndOffset]. With `minOneBatch`
   * false, a first batch larger than `maxBytes` is neither read nor returned (KIP-74 only allows
   * it for the first partition of a response).
   */
  read(fetchOffset: number, maxBytes: number, minOneBatch: boolean, pool?: BufferPool): ReadResult {
    return this.log.read(fetchOffset, Math.max(maxBytes, 0), this.hw, pool, minOneBatch);
  }
}

/** Largest active segment scanned to rebuild producer state (see loadProducerState). */
export const PRODUCER_STATE_SCAN_BYTES = 16 * 1024 * 1024;
