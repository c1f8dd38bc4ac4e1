// The log of one partition: a directory `<topic>-<partition>` of segments (log-segment.ts), the
// leader-epoch-checkpoint, partition.metadata and producer snapshots. Appends take already-validated
// v2 batches, assign offsets by rewriting the batch headers in place and write them with one write
// call; reads return whole batches as stored. Loading and crash recovery live in log-loader.ts.
//
// The log owns its producer state (producer-state.ts, as Kafka's UnifiedLog owns its
// ProducerStateManager), so every path that changes the log keeps it right: leader appends are
// checked first (epochs, sequences, duplicates, transactions) and applied after the write,
// follower appends are applied unchecked, an ABORT marker adds its transaction to the active
// segment's .txnindex; a roll and a clean close take a snapshot; truncation deletes the snapshots
// above the new end and rebuilds the state from the latest one left; deleting segments deletes the
// snapshots at their base offsets. The high watermark is the broker's (Partition): it reports it
// here (onHighWatermarkUpdated), which lets completed transactions become stable.
//
// The log cleaner (cleaner/) reads closed segments while the log lives on, and swaps a cleaned
// segment in with replaceSegments; `truncationCount`, `isClosed`, `isOffline` and each segment's
// `deleted` flag tell a running clean that the log changed under it.
//
// Events: 'append' (AppendInfo) after every append, 'truncate' (newLogEndOffset), 'offline' (Error).
import { BufferPool } from './buffer-pool.ts';
import type { Records, RecordsInto } from './file-records.ts';
import { EventEmitter } from 'node:events';
import { Off, BATCH_HEADER_SIZE, LOG_OVERHEAD, setLogAppendTime } from '@tributary/protocol';
import type { LogConfig } from './config.ts';
import { AppendTruncatedError, InvalidAppendError, LogOfflineError, OffsetOutOfRangeError } from './errors.ts';
import type { LeaderEpochCache } from './leader-epoch-cache.ts';
import { LogSegment, readInt64, type BatchInfo, type SegmentContext } from './log-segment.ts';
import { maxTimestampAndOffset, offsetForTimestamp, type TimestampAndOffset } from './log-time-lookups.ts';
import { PARTITION_METADATA, writePartitionMetadata } from './checkpoint-file.ts';
import { hasProducerId, readProducerBatch, type ProducerBatch } from './producer-batches.ts';
import type { ProducerAppendOrigin } from './producer-append-info.ts';
import type { ProducerStateManager } from './producer-state.ts';
import { applyProducerAppend, rebuildProducerState } from './producer-state-rebuild.ts';
import type { AbortedTxn } from './transaction-index.ts';
import type { TransactionVerificationCheck } from './transaction-verification.ts';
import { CleanAbortedError } from './cleaner/clean-job.ts';
import { swapSegmentFiles } from './cleaner/segment-swap.ts';

/** A log dir whose new subdirectories are not yet fsynced into it (shared by the logs created meanwhile). */
export interface DirSyncToken {
  readonly path: string;
  synced: boolean;
}

export interface AppendOptions {
  /** Written into every batch's PartitionLeaderEpoch; a new epoch is recorded in the leader epoch cache. */
  leaderEpoch: number;
  /** When set (topic uses LogAppendTime), stamped as every batch's MaxTimestamp (CRC recomputed). */
  logAppendTimeMs?: number;
  /** Whose batches these are: which producer-state checks run (default 'client'). */
  origin?: Exclude<ProducerAppendOrigin, 'replication'>;
  /**
   * KIP-890, when transaction verification is on for this append: the guard the producer's
   * verification got (null: none), checked for a transactional batch that opens a transaction.
   */
  verification?: TransactionVerificationCheck;
}

export interface AppendInfo {
  firstOffset: number;
  lastOffset: number;
  /** The stamped LogAppendTime, or -1 when the batches keep their CreateTime. */
  logAppendTimeMs: number;
  /** Largest MaxTimestamp among the appended batches, and the last offset of the batch carrying it. */
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
  batchCount: number;
  recordCount: number;
  bytes: number;
  /** logStartOffset at the time of the append (for the produce response). */
  logStartOffset: number;
  /**
   * The batch repeated one of its idempotent producer's last 5 (nothing was written): the offsets
   * are the original ones, `maxTimestamp` the original batch's MaxTimestamp.
   */
  duplicate: boolean;
}

export interface ReadResult<R extends Records = Buffer> {
  /** Whole batches as stored (empty when nothing is at or after the offset below maxOffset). */
  records: R;
  logStartOffset: number;
  logEndOffset: number;
}

export type { TimestampAndOffset } from './log-time-lookups.ts';

const batchPool: BatchInfo[] = [];
function poolAt(i: number): BatchInfo {
  let b = batchPool[i];
  if (!b) {
    b = { position: 0, size: 0, baseOffset: 0, lastOffset: 0, maxTimestamp: 0, attributes: 0 };
    batchPool[i] = b;
  }
  return b;
}

/** Follower appends: the PartitionLeaderEpoch of each batch, parallel to batchPool. */
const epochScratch: number[] = [];

interface SyncWaiter {
  offset: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class PartitionLog extends EventEmitter {
  segments: LogSegment[];
  logStartOffset: number;
  logEndOffset: number;
  /** Everything below this offset is fsynced (log and indexes); recovery scans from here. */
  recoveryPoint: number;
  /** Everything below this offset is fsynced in the log file (durable appends). */
  durableOffset: number;
  readonly leaderEpochCache: LeaderEpochCache;
  /** Idempotent and transactional producers of this partition (see the header). */
  readonly producerState: ProducerStateManager;
  topicId: string | null;
  private unflushedMessages = 0;
  /** Segment files were created or deleted since the directory was last fsynced. */
  private dirDirty = false;
  /** partition.metadata still to be written (at the first flush with data; see recordTopicId). */
  private topicIdPending = false;
  /** A new log: its directory's entry in the log dir is durable once this is synced (see markCreated). */
  private parentDirSync: DirSyncToken | null = null;
  lastFlushMs: number;
  private offlineError: Error | null = null;
  private syncWaiters: SyncWaiter[] = [];
  private syncing = false;
  /**
   * One entry per fsync in flight (group commit, flushAsync): the lowest log end a truncation
   * left while it ran. Data above it may have been written after the fsync began, so that fsync
   * makes nothing durable above it.
   */
  private readonly syncsInFlight = new Set<{ low: number }>();
  private closed = false;
  /** Bumped by every truncation (truncateTo removing anything, truncateFullyAndStartAt). */
  private truncations = 0;

  constructor(
    readonly ctx: SegmentContext,
    readonly dir: string,
    readonly topic: string,
    readonly partition: number,
    public config: LogConfig,
    init: {
      segments: LogSegment[];
      logStartOffset: number;
      logEndOffset: number;
      recoveryPoint: number;
      leaderEpochCache: LeaderEpochCache;
      topicId: string | null;
      producerState: ProducerStateManager;
    },
  ) {
    super();
    this.segments = init.segments;
    this.logStartOffset = init.logStartOffset;
    this.logEndOffset = init.logEndOffset;
    this.recoveryPoint = init.recoveryPoint;
    this.durableOffset = init.recoveryPoint;
    this.leaderEpochCache = init.leaderEpochCache;
    this.producerState = init.producerState;
    this.topicId = init.topicId;
    this.lastFlushMs = ctx.time.now();
  }

  /**
   * Sets the topic id. partition.metadata is written now if the log has files, else with the
   * first flush that has data to make durable: until then a crash loses nothing (the topic store
   * holds the id and the empty partition is recreated or reloaded from its directory).
   */
  recordTopicId(topicId: string): void {
    this.topicId = topicId;
    this.topicIdPending = true;
    if (!this.activeSegment.filesPending) {
      try {
        this.syncDirs();
      } catch (err) {
        throw this.goOffline(err);
      }
    }
  }

  /**
   * The log's directory was just created (LogManager.getOrCreateLog). Nothing is fsynced now —
   * creating thousands of partitions costs no fsync — but before the first data of the log is
   * made durable, its directory and the log dir's entry for it are (`parent` is shared by every
   * log created since the log dir was last synced, so one fsync serves them all).
   */
  markCreated(parent: DirSyncToken): void {
    this.dirDirty = true;
    this.parentDirSync = parent;
  }

  /** Makes the directory entries durable before the data in them (partition.metadata, this dir, the parent's entry) and the leader epochs of that data. */
  private syncDirs(): void {
    if (this.activeSegment.filesPending) return; // no data yet: nothing on disk needs to survive
    // new leader epochs, before the recovery point passes their batches (the dir fsync below covers the rename)
    if (this.leaderEpochCache.persistIfDirty()) this.dirDirty = true;
    if (this.topicIdPending && this.topicId) {
      this.topicIdPending = false;
      writePartitionMetadata(this.ctx.fs, `${this.dir}/${PARTITION_METADATA}`, this.topicId); // fsyncs the file and this dir
      this.dirDirty = false;
    }
    if (this.dirDirty) {
      this.dirDirty = false;
      this.ctx.fs.fsyncDirSync(this.dir);
    }
    const parent = this.parentDirSync;
    if (parent) {
      if (!parent.synced) {
        this.ctx.fs.fsyncDirSync(parent.path);
        parent.synced = true;
      }
      this.parentDirSync = null;
    }
  }

  get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }
  get isOffline(): boolean {
    return this.offlineError !== null;
  }
  get isClosed(): boolean {
    return this.closed;
  }
  /** Truncations so far: a clean begun before the latest one must not swap its segments in. */
  get truncationCount(): number {
    return this.truncations;
  }
  /** Bytes in all segments. */
  get size(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }
  get unflushedMessageCount(): number {
    return this.unflushedMessages;
  }

  private ensureWritable(): void {
    if (this.offlineError)
      throw new LogOfflineError(`log ${this.topic}-${this.partition} is offline: ${this.offlineError.message}`, {
        cause: this.offlineError,
      });
    if (this.closed) throw new LogOfflineError(`log ${this.topic}-${this.partition} is closed`);
  }

  /**
   * Takes the log offline because its log directory failed (LogManager.handleLogDirFailure: an
   * I/O error on another log of the same dir takes them all offline, as Kafka's JBOD does).
   */
  markOffline(err: Error): void {
    this.goOffline(err);
  }

  /** Marks the log offline after an I/O error: appends fail from now on; pending durable appends are rejected. */
  private goOffline(err: unknown): LogOfflineError {
    const e = err instanceof Error ? err : new Error(String(err));
    if (!this.offlineError) {
      this.offlineError = e;
      if (this.listenerCount('offline') > 0) this.emit('offline', e);
    }
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    const off = new LogOfflineError(`log ${this.topic}-${this.partition} is offline: ${e.message}`, { cause: e });
    for (const w of waiters) w.reject(off);
    return off;
  }

  /**
   * Appends whole v2 batches (already validated by the caller), assigning offsets from
   * logEndOffset by rewriting BaseOffset and PartitionLeaderEpoch in place (and LogAppendTime when
   * asked). One write call. Durable once `append()`'s promise resolves in durableAppend mode;
   * otherwise in the page cache (see README).
   */
  appendSync(batches: Buffer, opts: AppendOptions): AppendInfo {
    return this.appendBatches(batches, opts);
  }

  /**
   * Follower append (replication): batches keep the BaseOffset and PartitionLeaderEpoch the
   * leader gave them. Offsets must increase and start at or after logEndOffset (a gap is allowed,
   * as after compaction); new epochs found in the batches go to the leader epoch cache.
   */
  appendAsFollower(batches: Buffer): AppendInfo {
    return this.appendBatches(batches, null);
  }

  private appendBatches(batches: Buffer, opts: AppendOptions | null): AppendInfo {
    this.ensureWritable();
    const len = batches.length;
    const stamp = opts?.logAppendTimeMs;
    const stampBig = stamp === undefined ? 0n : BigInt(stamp);
    let offset = this.logEndOffset;
    let firstOffset = offset;
    let pos = 0;
    let n = 0;
    let records = 0;
    let maxTs = -1;
    let offsetOfMaxTs = -1;
    let producerBatches: ProducerBatch[] | null = null;
    while (pos < len) {
      if (len - pos < BATCH_HEADER_SIZE) throw new InvalidAppendError(`trailing ${len - pos} bytes are not a whole batch`);
      const size = batches.readInt32BE(pos + Off.BatchLength) + LOG_OVERHEAD;
      if (size < BATCH_HEADER_SIZE || pos + size > len) throw new InvalidAppendError(`batch at ${pos} has bad length ${size}`);
      const lastDelta = batches.readInt32BE(pos + Off.LastOffsetDelta);
      if (lastDelta < 0) throw new InvalidAppendError(`batch at ${pos} has negative last offset delta`);
      if (opts) {
        batches.writeInt32BE(Math.floor(offset / 4294967296), pos);
        batches.writeUInt32BE(offset % 4294967296, pos + 4);
        batches.writeInt32BE(opts.leaderEpoch, pos + Off.PartitionLeaderEpoch);
        if (stamp !== undefined) setLogAppendTime(batches, pos, stampBig);
      } else {
        const base = readInt64(batches, pos);
        if (base < offset) throw new InvalidAppendError(`batch base offset ${base} is below the expected ${offset}`);
        if (n === 0) firstOffset = base;
        offset = base;
      }
      const b = poolAt(n++);
      b.position = pos;
      b.size = size;
      b.baseOffset = offset;
      b.lastOffset = offset + lastDelta;
      b.maxTimestamp = readInt64(batches, pos + Off.MaxTimestamp);
      b.attributes = 0;
      if (!opts) epochScratch[n - 1] = batches.readInt32BE(pos + Off.PartitionLeaderEpoch);
      if (b.maxTimestamp > maxTs) {
        maxTs = b.maxTimestamp;
        offsetOfMaxTs = b.lastOffset;
      }
      records += batches.readInt32BE(pos + Off.RecordsCount);
      if (hasProducerId(batches, pos)) (producerBatches ??= []).push(readProducerBatch(batches, pos, size)!);
      offset += lastDelta + 1;
      pos += size;
    }
    if (n === 0) throw new InvalidAppendError('no batches to append');
    const lastOffset = offset - 1;
    // a leader's producer checks (throwing ProducerStateError) before anything is written
    const prepared =
      producerBatches && opts ? this.producerState.prepareAppend(producerBatches, opts.origin ?? 'client', opts.verification) : null;
    if (prepared?.duplicate) {
      const d = prepared.duplicate;
      return {
        firstOffset: d.firstOffset,
        lastOffset: d.lastOffset,
        logAppendTimeMs: -1,
        maxTimestamp: d.timestamp,
        offsetOfMaxTimestamp: d.lastOffset,
        batchCount: 0,
        recordCount: 0,
        bytes: 0,
        logStartOffset: this.logStartOffset,
        duplicate: true,
      };
    }
    const segment = this.maybeRoll(len, firstOffset, lastOffset, maxTs);
    try {
      if (opts) {
        if (opts.leaderEpoch > this.leaderEpochCache.latestEpoch) this.leaderEpochCache.assign(opts.leaderEpoch, firstOffset);
      } else {
        for (let i = 0; i < n; i++) {
          const epoch = epochScratch[i]!;
          if (epoch >= 0 && epoch > this.leaderEpochCache.latestEpoch) this.leaderEpochCache.assign(epoch, batchPool[i]!.baseOffset);
        }
      }
    } catch (err) {
      throw this.goOffline(err);
    }
    try {
      segment.append(batches, 0, len, batchPool, n, this.config.indexIntervalBytes);
    } catch (err) {
      throw this.goOffline(err);
    }
    this.logEndOffset = offset;
    this.unflushedMessages += records;
    if (producerBatches) {
      try {
        if (prepared) {
          if (applyProducerAppend(this.producerState, prepared, segment)) this.dirDirty = true;
        } else {
          // a follower's batches one by one, as recovery replays them: the LSO recorded with an
          // abort is the one of its moment, whatever follows it in the same fetch
          for (const b of producerBatches) {
            if (applyProducerAppend(this.producerState, this.producerState.prepareAppend([b], 'replication'), segment))
              this.dirDirty = true;
          }
        }
      } catch (err) {
        throw this.goOffline(err);
      }
    }
    this.producerState.updateMapEndOffset(offset);
    const info: AppendInfo = {
      firstOffset,
      lastOffset,
      logAppendTimeMs: stamp ?? -1,
      maxTimestamp: maxTs,
      offsetOfMaxTimestamp: offsetOfMaxTs,
      batchCount: n,
      recordCount: records,
      bytes: len,
      logStartOffset: this.logStartOffset,
      duplicate: false,
    };
    if (this.unflushedMessages >= this.config.flushMessages) this.flushInBackground();
    if (this.listenerCount('append') > 0) this.emit('append', info);
    return info;
  }

  /** appendSync, then in durableAppend mode waits for the fsync covering it (group commit). */
  append(batches: Buffer, opts: AppendOptions): Promise<AppendInfo> {
    let info: AppendInfo;
    try {
      info = this.appendSync(batches, opts);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.config.durableAppend) return Promise.resolve(info);
    return this.waitDurable(info.lastOffset + 1).then(() => info);
  }

  /** Resolves once everything below `offset` is fsynced in the log; one fsync serves all waiters that arrived meanwhile. */
  waitDurable(offset: number): Promise<void> {
    if (this.durableOffset >= offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.syncWaiters.push({ offset, resolve, reject });
      if (!this.syncing) void this.runGroupCommit();
    });
  }

  private async runGroupCommit(): Promise<void> {
    this.syncing = true;
    try {
      while (this.syncWaiters.length && !this.offlineError) {
        const target = this.logEndOffset;
        const sync = { low: target };
        this.syncsInFlight.add(sync);
        try {
          this.syncDirs();
          await this.activeSegment.fsyncLog();
        } catch (err) {
          this.goOffline(err);
          return;
        } finally {
          this.syncsInFlight.delete(sync);
        }
        if (sync.low > this.durableOffset) this.durableOffset = sync.low;
        const waiters = this.syncWaiters;
        this.syncWaiters = [];
        for (const w of waiters) {
          if (w.offset <= this.durableOffset) w.resolve();
          else this.syncWaiters.push(w);
        }
      }
    } finally {
      this.syncing = false;
    }
  }

  /**
   * Kafka's LogSegment.shouldRoll. segment.ms is measured between the first batch's timestamp and
   * the incoming batches' max timestamp (wall clock since creation when the first has none).
   */
  private shouldRoll(segment: LogSegment, incomingBytes: number, lastOffset: number, incomingMaxTs: number): boolean {
    if (segment.size === 0) return false;
    const c = this.config;
    if (segment.size > c.segmentBytes - incomingBytes) return true;
    const waited =
      segment.rollingBasedTimestamp >= 0 ? incomingMaxTs - segment.rollingBasedTimestamp : this.ctx.time.now() - segment.createdMs;
    if (waited > c.segmentMs) return true;
    if (segment.isFull(c.segmentIndexBytes)) return true;
    if (lastOffset - segment.baseOffset > 0x7fffffff) return true;
    return false;
  }

  private maybeRoll(incomingBytes: number, firstOffset: number, lastOffset: number, incomingMaxTs: number): LogSegment {
    const active = this.activeSegment;
    if (!this.shouldRoll(active, incomingBytes, lastOffset, incomingMaxTs)) return active;
    return this.rollAt(firstOffset);
  }

  private rollAt(baseOffset: number): LogSegment {
    const old = this.activeSegment;
    try {
      old.onBecomeInactive();
      if (this.config.durableAppend) old.flush(false);
      const seg = LogSegment.create(this.ctx, this.dir, baseOffset);
      this.segments.push(seg);
      // As Kafka: a snapshot at the new segment's base, so recovering it starts from there
      // (written now, fsynced with the flush that follows).
      this.producerState.updateMapEndOffset(baseOffset);
      this.producerState.takeSnapshot(false);
      // the new file's directory entry must be durable before data in it can be
      if (this.config.durableAppend) this.ctx.fs.fsyncDirSync(this.dir);
      else this.dirDirty = true;
      // As Kafka: the rolled segment is flushed soon after, off the append path.
      this.flushInBackground();
      return seg;
    } catch (err) {
      throw this.goOffline(err);
    }
  }

  /** Closes the active segment and starts a new one at logEndOffset (no-op when the active segment is empty). */
  roll(): LogSegment {
    this.ensureWritable();
    if (this.activeSegment.size === 0) return this.activeSegment;
    return this.rollAt(this.logEndOffset);
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /**
   * Reads whole batches from the one containing `fetchOffset`: the first batch even when larger
   * than maxBytes, then more while within maxBytes, none whose base offset is >= maxOffset (the
   * high watermark for consumers). OffsetOutOfRangeError outside [logStartOffset, logEndOffset];
   * CorruptRecordError if the first batch fails its CRC. `pool`: where the read buffer comes
   * from (the caller then owns its release). `minOneBatch` false: a first batch larger than
   * maxBytes is neither read nor returned (KIP-74 later partitions). `{ fileRecords: true, pool }`
   * instead of a pool: the batches as FileRecords (a region of the segment file, zero-copy fetch;
   * the caller releases it) when the filesystem's descriptors are the kernel's, else read into `pool`.
   */
  read(fetchOffset: number, maxBytes: number, maxOffset?: number, pool?: BufferPool, minOneBatch?: boolean): ReadResult;
  read(fetchOffset: number, maxBytes: number, maxOffset: number, into: RecordsInto | undefined, minOneBatch?: boolean): ReadResult<Records>;
  read(
    fetchOffset: number,
    maxBytes: number,
    maxOffset: number = this.logEndOffset,
    into?: RecordsInto,
    minOneBatch = true,
  ): ReadResult<Records> {
    if (fetchOffset < this.logStartOffset || fetchOffset > this.logEndOffset) {
      throw new OffsetOutOfRangeError(fetchOffset, this.logStartOffset, this.logEndOffset);
    }
    const result: ReadResult<Records> = { records: EMPTY, logStartOffset: this.logStartOffset, logEndOffset: this.logEndOffset };
    if (fetchOffset === this.logEndOffset || fetchOffset >= maxOffset) return result;
    if (!minOneBatch && maxBytes <= 0) return result; // no budget left: no index lookup, no read
    for (let i = this.segmentIndexFor(fetchOffset); i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      this.ensureSegmentLoaded(seg);
      const position = seg.positionOf(fetchOffset);
      if (position < 0) continue;
      try {
        if (into === undefined || into instanceof BufferPool) result.records = seg.read(position, maxBytes, maxOffset, into, minOneBatch);
        else if (this.ctx.fs.kernelDescriptors !== true) result.records = seg.read(position, maxBytes, maxOffset, into.pool, minOneBatch);
        else result.records = seg.slice(position, maxBytes, maxOffset, into.pool, minOneBatch) ?? EMPTY;
      } catch (err) {
        // an I/O error (EIO...) takes the log, and with it its log dir, offline; a corrupt batch does not
        if (typeof (err as NodeJS.ErrnoException).code === 'string') throw this.goOffline(err);
        throw err;
      }
      return result;
    }
    return result;
  }

  /** Closed segments' indexes are checked lazily, on first use (rebuilt when inconsistent). */
  ensureSegmentLoaded(seg: LogSegment): void {
    if (seg.indexesChecked) return;
    try {
      seg.ensureIndexes(this.config.indexIntervalBytes);
    } catch (err) {
      throw this.goOffline(err);
    }
    seg.indexesChecked = true;
  }

  /** ListOffsets by time: the first record at or after `timestamp`, or null (log-time-lookups.ts). */
  offsetForTimestamp(timestamp: number): Promise<TimestampAndOffset | null> {
    return offsetForTimestamp(this, timestamp);
  }

  /** ListOffsets MAX_TIMESTAMP (KIP-734): the largest timestamp and its record's offset (log-time-lookups.ts). */
  maxTimestampAndOffset(): Promise<TimestampAndOffset> {
    return maxTimestampAndOffset(this);
  }

  /**
   * The first offset of the oldest transaction not yet stable (open, or completed with its marker
   * not below the HW), at least logStartOffset; -1 when none (Kafka's firstUnstableOffset).
   */
  get firstUnstableOffset(): number {
    const first = this.producerState.firstUnstableOffset();
    return first < 0 ? -1 : Math.max(first, this.logStartOffset);
  }

  /** The partition's high watermark moved (completed transactions below it become stable). */
  onHighWatermarkUpdated(highWatermark: number): void {
    this.producerState.onHighWatermarkUpdated(highWatermark);
  }

  /**
   * The aborted transactions overlapping [fetchOffset, upperBoundOffset), from the transaction
   * indexes of the segment holding fetchOffset and the later ones as needed (Kafka's
   * LocalLog.collectAbortedTransactions; see transaction-index.ts).
   */
  collectAbortedTransactions(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    for (let i = this.segmentIndexFor(fetchOffset); i < this.segments.length; i++) {
      const r = this.segments[i]!.txnIndex.collectAbortedTxns(fetchOffset, upperBoundOffset);
      for (const t of r.abortedTransactions) out.push(t);
      if (r.isComplete) break;
    }
    return out;
  }

  /** Removes every batch at or after `offset` (whole batches). Returns true if anything was removed. */
  truncateTo(offset: number): boolean {
    this.ensureWritable();
    if (offset < 0) throw new OffsetOutOfRangeError(offset, this.logStartOffset, this.logEndOffset, 'truncation');
    if (offset >= this.logEndOffset) return false;
    if (offset < this.logStartOffset) {
      this.truncateFullyAndStartAt(offset);
      return true;
    }
    this.truncations++;
    try {
      while (this.segments.length > 1 && this.activeSegment.baseOffset >= offset) {
        const gone = this.segments.pop()!;
        gone.deleteFiles();
        this.producerState.deleteSnapshot(gone.baseOffset);
      }
      const seg = this.activeSegment;
      this.ensureSegmentLoaded(seg);
      seg.truncateTo(offset, this.config.indexIntervalBytes);
      seg.indexesChecked = true;
      this.logEndOffset = seg.nextOffset;
    } catch (err) {
      throw this.goOffline(err);
    }
    this.recoveryPoint = Math.min(this.recoveryPoint, this.logEndOffset);
    this.durableOffset = Math.min(this.durableOffset, this.logEndOffset);
    this.afterTruncation();
    this.leaderEpochCache.truncateFromEnd(this.logEndOffset);
    this.rebuildProducerState();
    if (this.listenerCount('truncate') > 0) this.emit('truncate', this.logEndOffset);
    return true;
  }

  /** Deletes every segment and starts an empty log at `offset` (logStart = logEnd = offset). */
  truncateFullyAndStartAt(offset: number): void {
    this.ensureWritable();
    this.truncations++;
    try {
      for (const s of this.segments) s.deleteFiles();
      const seg = LogSegment.create(this.ctx, this.dir, offset);
      seg.indexesChecked = true;
      this.segments = [seg];
    } catch (err) {
      throw this.goOffline(err);
    }
    this.logStartOffset = this.logEndOffset = this.recoveryPoint = this.durableOffset = offset;
    this.afterTruncation();
    this.leaderEpochCache.clear();
    try {
      this.producerState.truncateFullyAndStartAt(offset);
    } catch (err) {
      throw this.goOffline(err);
    }
    if (this.listenerCount('truncate') > 0) this.emit('truncate', offset);
  }

  /** After a truncation: the producer state from the latest snapshot left and the log after it (Kafka's rebuildProducerState). */
  private rebuildProducerState(): void {
    try {
      rebuildProducerState(this.producerState, this.segments, this.logStartOffset, this.logEndOffset, false, (seg) =>
        this.ensureSegmentLoaded(seg),
      );
    } catch (err) {
      throw this.goOffline(err);
    }
  }

  /**
   * Fsyncs in flight no longer cover anything above the new log end, and appends waiting for a
   * durable offset above it never will be: they are rejected (AppendTruncatedError).
   */
  private afterTruncation(): void {
    for (const sync of this.syncsInFlight) sync.low = Math.min(sync.low, this.logEndOffset);
    const gone = this.syncWaiters.filter((w) => w.offset > this.logEndOffset);
    if (gone.length === 0) return;
    this.syncWaiters = this.syncWaiters.filter((w) => w.offset <= this.logEndOffset);
    const err = new AppendTruncatedError(
      `log ${this.topic}-${this.partition} was truncated to ${this.logEndOffset} before the append was durable`,
    );
    for (const w of gone) w.reject(err);
  }

  /**
   * DeleteRecords: raises logStartOffset to `offset` (at most logEndOffset) and deletes segments
   * lying entirely below it. Returns the new logStartOffset.
   */
  deleteRecordsBefore(offset: number): number {
    this.ensureWritable();
    if (offset > this.logEndOffset || offset < 0)
      throw new OffsetOutOfRangeError(offset, this.logStartOffset, this.logEndOffset, 'delete-records');
    if (offset > this.logStartOffset) {
      this.logStartOffset = offset;
      try {
        this.leaderEpochCache.truncateFromStart(offset);
      } catch (err) {
        throw this.goOffline(err); // an I/O error on the leader-epoch-checkpoint takes the log (and its dir) offline
      }
      this.deleteSegmentsWhile((seg, next) => next !== undefined && next.baseOffset <= this.logStartOffset);
      this.producerState.onLogStartOffsetIncremented(this.logStartOffset);
    }
    return this.logStartOffset;
  }

  /**
   * Retention: deletes closed segments (oldest first) below logStartOffset and, when the cleanup
   * policy has `delete`, past retention.ms by their largest timestamp or beyond retention.bytes (a
   * compact-only log keeps them); never the active segment, never one reaching `highWatermark` or
   * beyond. Returns how many segments were deleted.
   */
  deleteOldSegments(highWatermark: number = this.logEndOffset): number {
    if (this.offlineError || this.closed) return 0;
    const c = this.config;
    const now = this.ctx.time.now();
    let deleted = 0;
    const underHw = (next: LogSegment | undefined) => next !== undefined && next.baseOffset <= highWatermark;
    deleted += this.deleteSegmentsWhile((seg, next) => next !== undefined && next.baseOffset <= this.logStartOffset);
    if (c.delete && c.retentionMs >= 0) {
      deleted += this.deleteSegmentsWhile((seg, next) => {
        if (!underHw(next)) return false;
        this.ensureSegmentLoaded(seg);
        return now - seg.largestTimestamp > c.retentionMs;
      });
    }
    if (c.delete && c.retentionBytes >= 0) {
      let excess = this.size - c.retentionBytes;
      deleted += this.deleteSegmentsWhile((seg, next) => {
        if (!underHw(next) || excess - seg.size < 0) return false;
        excess -= seg.size;
        return true;
      });
    }
    return deleted;
  }

  /**
   * The cleaner's swap (Kafka's replaceSegments): `newSegment`, written and fsynced under its
   * .cleaned names, replaces `oldSegments` — consecutive closed segments of this log, the first at
   * the new segment's base offset — on disk crash-safely (cleaner/segment-swap.ts) and in
   * `segments` in one synchronous step. Throws CleanAbortedError, touching nothing, when the log is
   * closed or offline or those segments are no longer consecutive closed segments of it. An I/O
   * error during the swap takes the log offline (the next load completes or undoes the swap).
   * Producer snapshots, leader epochs and logStartOffset are unchanged.
   */
  replaceSegments(newSegment: LogSegment, oldSegments: readonly LogSegment[]): void {
    const name = `${this.topic}-${this.partition}`;
    if (this.offlineError) throw new CleanAbortedError(`log ${name} is offline`);
    if (this.closed) throw new CleanAbortedError(`log ${name} is closed`);
    const first = oldSegments[0];
    if (!first || newSegment.baseOffset !== first.baseOffset)
      throw new Error(`cleaned segment ${newSegment.baseOffset} must replace segments starting at its base offset`);
    const at = this.segments.indexOf(first);
    if (at < 0 || at + oldSegments.length >= this.segments.length || oldSegments.some((s, i) => this.segments[at + i] !== s)) {
      throw new CleanAbortedError(
        `log ${name} no longer has segments ${oldSegments.map((s) => s.baseOffset).join(', ')} before its active segment`,
      );
    }
    try {
      swapSegmentFiles(this.ctx.fs, this.dir, newSegment, oldSegments);
    } catch (err) {
      throw this.goOffline(err);
    }
    this.segments.splice(at, oldSegments.length, newSegment);
  }

  private deleteSegmentsWhile(pred: (seg: LogSegment, next: LogSegment | undefined) => boolean): number {
    let n = 0;
    while (this.segments.length > 1) {
      const seg = this.segments[0]!;
      if (!pred(seg, this.segments[1])) break;
      try {
        seg.deleteFiles();
        this.producerState.deleteSnapshot(seg.baseOffset);
      } catch (err) {
        throw this.goOffline(err);
      }
      this.segments.shift();
      n++;
    }
    if (n > 0) {
      const base = this.segments[0]!.baseOffset;
      if (base > this.logStartOffset) {
        this.logStartOffset = base;
        this.leaderEpochCache.truncateFromStart(base);
        this.producerState.onLogStartOffsetIncremented(base);
      }
    }
    return n;
  }

  /**
   * Fsyncs every segment with unflushed data (log and indexes) and advances the recovery point to
   * logEndOffset. Synchronous (blocks for the fsyncs); `flushInBackground` runs it off the append path.
   */
  flush(): void {
    if (this.offlineError) throw new LogOfflineError(`log ${this.topic}-${this.partition} is offline`, { cause: this.offlineError });
    const upTo = this.logEndOffset;
    const messages = this.unflushedMessages;
    try {
      for (let i = this.segmentIndexFor(this.recoveryPoint); i < this.segments.length; i++) this.segments[i]!.flush(true);
      this.producerState.syncSnapshots();
      this.syncDirs();
    } catch (err) {
      throw this.goOffline(err);
    }
    this.unflushedMessages -= messages;
    this.recoveryPoint = Math.max(this.recoveryPoint, upTo);
    this.durableOffset = Math.max(this.durableOffset, upTo);
    this.lastFlushMs = this.ctx.time.now();
  }

  private flushing: Promise<void> | null = null;
  private flushAgain = false;

  /**
   * Like flush, but the fsyncs run off the event loop (libuv threads). Concurrent calls share one
   * run (and one more afterwards if data arrived meanwhile).
   */
  flushAsync(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    const run = async (): Promise<void> => {
      do {
        this.flushAgain = false;
        if (this.offlineError || this.closed) return;
        const upTo = this.logEndOffset;
        const messages = this.unflushedMessages;
        const segs = this.segments.slice(this.segmentIndexFor(this.recoveryPoint));
        const sync = { low: upTo };
        this.syncsInFlight.add(sync);
        try {
          // all descriptors are pinned synchronously here, before any segment can be deleted
          await Promise.all([...segs.map((s) => s.flushAsync()), this.producerState.syncSnapshotsAsync()]);
          this.syncDirs();
        } catch (err) {
          throw this.goOffline(err);
        } finally {
          this.syncsInFlight.delete(sync);
        }
        this.unflushedMessages = Math.max(0, this.unflushedMessages - messages);
        const durable = Math.min(sync.low, this.logEndOffset);
        if (durable > this.recoveryPoint) this.recoveryPoint = durable;
        if (durable > this.durableOffset) this.durableOffset = durable;
        this.lastFlushMs = this.ctx.time.now();
      } while (this.flushAgain);
    };
    this.flushing = run().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  flushInBackground(): void {
    this.flushAsync().catch(() => {
      /* went offline; reported through the 'offline' event */
    });
  }

  /** Flushes (when healthy and `flush`), persists indexes, closes descriptors. The files stay. Appends waiting to be durable are answered. */
  close(flush = true): void {
    if (this.closed) return;
    if (!this.offlineError && flush) {
      try {
        this.activeSegment.onBecomeInactive();
        // As Kafka: a snapshot at the log end, so the next start needs no scan
        if (!this.activeSegment.filesPending) this.producerState.takeSnapshot(false);
        this.flush();
      } catch {
        /* offline */
      }
    }
    for (const s of this.segments) s.close();
    this.closed = true;
    // appends the closing flush made durable are answered (a replica moving to another log dir
    // closes its old log under them); the others fail
    for (const w of this.syncWaiters) {
      if (!this.offlineError && w.offset <= this.durableOffset) w.resolve();
      else w.reject(new LogOfflineError('log closed'));
    }
    this.syncWaiters = [];
  }

  /** Closes and removes the partition directory. */
  delete(): void {
    this.closed = true;
    for (const s of this.segments) s.close();
    this.ctx.fds.closeUnder(`${this.dir}/`);
    this.ctx.fs.rmSync(this.dir);
  }
}

const EMPTY = Buffer.alloc(0);
