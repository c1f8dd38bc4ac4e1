// Producer state of one partition log (Kafka's ProducerStateManager, ProducerStateEntry and
// ProducerAppendInfo), built from batch headers only. Per producer id: its epoch, its last 5
// batches (sequence range, offsets, MaxTimestamp), the coordinator epoch of its last transaction
// marker and the first offset of its ongoing transaction in this partition.
//
// Checks of an append (prepareAppend; none for 'replication', the follower copies what the leader
// accepted):
//   - an epoch below the producer's -> INVALID_PRODUCER_EPOCH (47), data or marker;
//   - 'client' appends only (a coordinator's batches carry no sequences): a new epoch must start at
//     sequence 0, the same epoch must continue the last sequence (wrapping at Int32.MAX) ->
//     OUT_OF_ORDER_SEQUENCE_NUMBER (45); a producer with no state (new, or its state lost) may
//     start anywhere (KIP-360); a batch repeating one of the last 5 is a duplicate: not appended,
//     answered with the original offsets;
//   - a non-transactional batch while the producer has a transaction open -> INVALID_TXN_STATE (48);
//   - a marker whose coordinator epoch is below the last one seen -> TRANSACTION_COORDINATOR_FENCED (52).
//
// Transactions: a transactional batch (attributes bit 4) of a producer without an open transaction
// opens one at its first offset; a COMMIT/ABORT marker (a control batch) closes it. The first
// unstable offset is the first offset of the oldest transaction that is open, or completed with
// its marker not yet below the high watermark (Kafka's ongoing and unreplicated transactions); the
// partition's last stable offset is min(HW, that). An aborted transaction is written to the
// marker's segment's .txnindex with the LSO at that moment (the caller does, see PartitionLog).
//
// Snapshots (producer-snapshot.ts) are taken at `mapEndOffset` (the offset the state reflects):
// at segment roll, on close, after a rebuild; see producer-state-rebuild.ts for loading.
// KIP-890 verification (transaction-verification.ts): when an append carries a verification check,
// a transactional data batch of a producer with no open transaction here is accepted only with the
// producer's current verification guard, else INVALID_TXN_STATE (48) "Record was not part of an
// ongoing transaction"; the entry goes once a transactional batch or marker of the producer is applied.
// Not implemented: producer.id.expiration.ms.
import { ErrorCode } from '@tributary/protocol';
import type { FileSystem } from './fs.ts';
import {
  ProducerAppendInfo,
  ProducerStateError,
  addBatch,
  emptyEntry,
  firstOffsetOf,
  firstSeqOf,
  setEpoch,
  type CompletedTxn,
  type ProducerAppendOrigin,
  type ProducerStateEntry,
} from './producer-append-info.ts';
import type { ProducerBatch } from './producer-batches.ts';
import { TransactionVerifications, type TransactionVerificationCheck } from './transaction-verification.ts';
import {
  CorruptSnapshotError,
  decodeSnapshot,
  listSnapshotFiles,
  snapshotFileName,
  writeSnapshotFile,
  type SnapshotEntry,
} from './producer-snapshot.ts';

/** What prepareAppend found: a duplicate to answer, or the updates to apply once the batches are written. */
export interface PreparedAppend {
  duplicate: { firstOffset: number; lastOffset: number; timestamp: number } | null;
  infos: ProducerAppendInfo[];
  completed: CompletedTxn[];
}

export class ProducerStateManager {
  readonly producers = new Map<bigint, ProducerStateEntry>();
  /** Open transactions: first offset -> producer id, in offset order. */
  private ongoing = new Map<number, bigint>();
  /** Completed transactions whose marker is not yet below the HW: first offset -> marker offset. */
  private readonly unreplicated = new Map<number, number>();
  /** The state reflects every batch below this offset. */
  mapEndOffset = 0;
  private lastSnapOffset = 0;
  /** Offsets of the snapshot files on disk, ascending. */
  private snapshots: number[];
  /** False: snapshots are never written (a log without producers, see LoadOptions.producerSnapshots). */
  private snapshotsEnabled = true;
  /** Snapshot files written without fsync (synced by syncSnapshots, at the next flush). */
  private readonly unsynced = new Set<number>();
  /** KIP-890: producers being verified with their transaction coordinator. */
  readonly verifications = new TransactionVerifications();

  /** `names`: the directory's entries when the caller listed them already. */
  constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    readonly topicPartition: string,
    names?: readonly string[],
  ) {
    this.snapshots = listSnapshotFiles(fs, dir, names);
  }

  get producerCount(): number {
    return this.producers.size;
  }

  /** No producer and no completed transaction waiting for the HW (Kafka's isEmpty). */
  get isEmpty(): boolean {
    return this.producers.size === 0 && this.unreplicated.size === 0;
  }

  lastEntry(producerId: bigint): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /**
   * Checks the producer batches of one append (see the header; throws ProducerStateError) and
   * returns what to apply once they are written, or the duplicate to answer instead.
   */
  prepareAppend(
    batches: readonly ProducerBatch[],
    origin: ProducerAppendOrigin,
    verification?: TransactionVerificationCheck,
  ): PreparedAppend {
    const infos = new Map<bigint, ProducerAppendInfo>();
    const completed: CompletedTxn[] = [];
    for (const b of batches) {
      const entry = this.producers.get(b.producerId);
      if (origin === 'client' && entry && entry.producerEpoch === b.producerEpoch) {
        const dup = entry.batches.find((m) => m.lastSeq === b.lastSequence && firstSeqOf(m) === b.baseSequence);
        if (dup) {
          return {
            duplicate: { firstOffset: firstOffsetOf(dup), lastOffset: dup.lastOffset, timestamp: dup.timestamp },
            infos: [],
            completed: [],
          };
        }
      }
      let info = infos.get(b.producerId);
      if (!info)
        infos.set(
          b.producerId,
          (info = new ProducerAppendInfo(b.producerId, entry ?? emptyEntry(b.producerId), origin, this.topicPartition)),
        );
      if (
        verification &&
        b.isTransactional &&
        !b.isControl &&
        info.updated.currentTxnFirstOffset < 0 &&
        !this.verifications.verifies(b.producerId, verification.guard)
      ) {
        throw new ProducerStateError(ErrorCode.INVALID_TXN_STATE, 'Record was not part of an ongoing transaction');
      }
      const c = info.append(b);
      if (c) completed.push(c);
    }
    return { duplicate: null, infos: [...infos.values()], completed };
  }

  /**
   * Applies a prepared append once written: producers updated, then each completed transaction
   * handed to `onCompleted` with its LSO (aborted ones go to the transaction index) and completed.
   */
  applyAppend(p: PreparedAppend, onCompleted?: (txn: CompletedTxn, lastStableOffset: number) => void): void {
    for (const info of p.infos) this.update(info);
    for (const c of p.completed) {
      onCompleted?.(c, this.lastStableOffset(c));
      this.completeTxn(c);
    }
  }

  /** Replays batches as a follower would (no checks): rebuilding from the log. */
  loadBatches(batches: readonly ProducerBatch[]): void {
    if (batches.length > 0) this.applyAppend(this.prepareAppend(batches, 'replication'));
  }

  private update(info: ProducerAppendInfo): void {
    const next = info.updated;
    const entry = this.producers.get(info.producerId);
    if (entry) {
      setEpoch(entry, next.producerEpoch);
      for (const b of next.batches) addBatch(entry, b);
      entry.coordinatorEpoch = next.coordinatorEpoch;
      entry.currentTxnFirstOffset = next.currentTxnFirstOffset;
      entry.lastTimestamp = next.lastTimestamp;
    } else {
      this.producers.set(info.producerId, next);
    }
    for (const first of info.startedTransactions) this.addOngoing(first, info.producerId);
    if (info.hasTransactionalBatch) this.verifications.clear(info.producerId);
  }

  private addOngoing(firstOffset: number, producerId: bigint): void {
    let last = -1;
    for (const k of this.ongoing.keys()) last = k; // (a handful of open transactions at most)
    this.ongoing.set(firstOffset, producerId);
    if (firstOffset < last) this.ongoing = new Map([...this.ongoing].sort((a, b) => a[0] - b[0]));
  }

  /** The LSO to record with a completed transaction: the oldest other open transaction, else the marker's next offset. */
  lastStableOffset(c: CompletedTxn): number {
    for (const [first, pid] of this.ongoing) if (pid !== c.producerId) return first;
    return c.lastOffset + 1;
  }

  /** The transaction is decided; it stays unstable until the HW passes its marker. */
  completeTxn(c: CompletedTxn): void {
    this.ongoing.delete(c.firstOffset);
    this.unreplicated.set(c.firstOffset, c.lastOffset);
  }

  /** First offset of the oldest open or not yet replicated transaction; -1 when none (Kafka's firstUnstableOffset). */
  firstUnstableOffset(): number {
    let first = -1;
    for (const k of this.ongoing.keys()) {
      first = k;
      break;
    }
    for (const k of this.unreplicated.keys()) if (first < 0 || k < first) first = k;
    return first;
  }

  /** First offset of the oldest open transaction; -1 when none (Kafka's firstUndecidedOffset). */
  firstUndecidedOffset(): number {
    for (const k of this.ongoing.keys()) return k;
    return -1;
  }

  /** Completed transactions whose marker is now below the HW are stable. */
  onHighWatermarkUpdated(highWatermark: number): void {
    this.removeUnreplicated(highWatermark);
  }

  onLogStartOffsetIncremented(logStartOffset: number): void {
    this.removeUnreplicated(logStartOffset);
    if (this.mapEndOffset < logStartOffset) this.mapEndOffset = logStartOffset;
    this.lastSnapOffset = this.latestSnapshotOffset() ?? logStartOffset;
  }

  private removeUnreplicated(offset: number): void {
    for (const [first, last] of this.unreplicated) if (last < offset) this.unreplicated.delete(first);
  }

  updateMapEndOffset(offset: number): void {
    this.mapEndOffset = offset;
  }

  /** Forgets everything and every snapshot: the log restarts empty at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    this.clear();
    for (const s of [...this.snapshots]) this.deleteSnapshot(s);
    this.lastSnapOffset = offset;
    this.mapEndOffset = offset;
  }

  private clear(): void {
    this.producers.clear();
    this.ongoing.clear();
    this.unreplicated.clear();
  }

  // ---- snapshots ----

  latestSnapshotOffset(): number | null {
    return this.snapshots.at(-1) ?? null;
  }

  get snapshotOffsets(): readonly number[] {
    return this.snapshots;
  }

  disableSnapshots(): void {
    this.snapshotsEnabled = false;
  }

  /** Writes a snapshot at mapEndOffset unless one is there already; fsynced now when `sync`, else by syncSnapshots. */
  takeSnapshot(sync: boolean): number | null {
    if (this.mapEndOffset <= this.lastSnapOffset || !this.snapshotsEnabled) return null;
    const offset = this.mapEndOffset;
    writeSnapshotFile(this.fs, `${this.dir}/${snapshotFileName(offset)}`, this.snapshotEntries(), sync);
    if (sync) this.fs.fsyncDirSync(this.dir);
    else this.unsynced.add(offset);
    if (!this.snapshots.includes(offset)) {
      this.snapshots.push(offset);
      this.snapshots.sort((a, b) => a - b);
    }
    this.lastSnapOffset = offset;
    return offset;
  }

  /** Fsyncs the snapshots written without (and their directory entries). */
  syncSnapshots(): void {
    if (this.unsynced.size === 0) return;
    for (const offset of this.unsynced) {
      const fd = this.fs.openSync(`${this.dir}/${snapshotFileName(offset)}`, true);
      try {
        this.fs.fsyncSync(fd);
      } finally {
        this.fs.closeSync(fd);
      }
    }
    this.unsynced.clear();
    this.fs.fsyncDirSync(this.dir);
  }

  /** syncSnapshots with the fsyncs off the event loop (the background flush). */
  async syncSnapshotsAsync(): Promise<void> {
    if (this.unsynced.size === 0) return;
    const offsets = [...this.unsynced];
    this.unsynced.clear();
    try {
      await Promise.all(
        offsets.map(async (offset) => {
          const fd = this.fs.openSync(`${this.dir}/${snapshotFileName(offset)}`, true);
          try {
            await this.fs.fsync(fd);
          } finally {
            this.fs.closeSync(fd);
          }
        }),
      );
    } catch (err) {
      for (const o of offsets) if (this.snapshots.includes(o)) this.unsynced.add(o);
      throw err;
    }
    this.fs.fsyncDirSync(this.dir);
  }

  snapshotEntries(): SnapshotEntry[] {
    return [...this.producers.values()].map((e) => {
      const last = e.batches.at(-1);
      return {
        producerId: e.producerId,
        epoch: e.producerEpoch,
        lastSequence: last?.lastSeq ?? -1,
        lastOffset: last?.lastOffset ?? -1,
        offsetDelta: last?.offsetDelta ?? 0,
        timestamp: e.lastTimestamp,
        coordinatorEpoch: e.coordinatorEpoch,
        currentTxnFirstOffset: e.currentTxnFirstOffset,
      };
    });
  }

  deleteSnapshot(offset: number): void {
    const i = this.snapshots.indexOf(offset);
    if (i < 0) return;
    this.snapshots.splice(i, 1);
    this.unsynced.delete(offset);
    this.fs.unlinkSync(`${this.dir}/${snapshotFileName(offset)}`);
  }

  /**
   * Kafka's removeStraySnapshots: a snapshot at no segment's base offset is deleted, except the
   * largest such one when it is at or above the last segment's base (the one a clean stop wrote).
   */
  removeStraySnapshots(segmentBaseOffsets: readonly number[]): void {
    const bases = new Set(segmentBaseOffsets);
    const strays = this.snapshots.filter((s) => !bases.has(s));
    const keep = strays.at(-1);
    for (const s of strays) if (s !== keep) this.deleteSnapshot(s);
    const maxBase = Math.max(...segmentBaseOffsets);
    if (keep !== undefined && segmentBaseOffsets.length > 0 && keep < maxBase) this.deleteSnapshot(keep);
  }

  /**
   * Kafka's truncateAndReload: snapshots above `logEndOffset` or below `logStartOffset` are
   * deleted (Kafka also deletes one at the log start offset; it is kept here: it holds the state
   * of producers whose batches are gone, such as a transaction still open); unless the state
   * already ends at `logEndOffset`, it is reloaded from the latest snapshot left (the caller then
   * replays the log from mapEndOffset).
   */
  truncateAndReload(logStartOffset: number, logEndOffset: number): void {
    for (const s of [...this.snapshots]) if (s > logEndOffset || s < logStartOffset) this.deleteSnapshot(s);
    if (logEndOffset !== this.mapEndOffset) {
      this.clear();
      this.loadFromSnapshot(logStartOffset);
    } else {
      this.onLogStartOffsetIncremented(logStartOffset);
    }
  }

  /** Loads the latest readable snapshot (corrupt ones are deleted); none: empty state at `logStartOffset`. */
  private loadFromSnapshot(logStartOffset: number): void {
    for (;;) {
      const latest = this.latestSnapshotOffset();
      if (latest === null) {
        this.lastSnapOffset = this.mapEndOffset = logStartOffset;
        return;
      }
      const path = `${this.dir}/${snapshotFileName(latest)}`;
      try {
        const buf = this.fs.readFileSync(path);
        if (!buf) throw new CorruptSnapshotError(`${path} is missing`);
        for (const e of decodeSnapshot(buf, path)) this.loadProducerEntry(e);
        this.lastSnapOffset = this.mapEndOffset = latest;
        return;
      } catch (err) {
        if (!(err instanceof CorruptSnapshotError)) throw err;
        this.clear();
        this.deleteSnapshot(latest);
      }
    }
  }

  private loadProducerEntry(e: SnapshotEntry): void {
    this.producers.set(e.producerId, {
      producerId: e.producerId,
      producerEpoch: e.epoch,
      coordinatorEpoch: e.coordinatorEpoch,
      lastTimestamp: e.timestamp,
      currentTxnFirstOffset: e.currentTxnFirstOffset,
      batches:
        e.lastOffset >= 0
          ? [{ lastSeq: e.lastSequence, lastOffset: e.lastOffset, offsetDelta: e.offsetDelta, timestamp: e.timestamp }]
          : [],
    });
    if (e.currentTxnFirstOffset >= 0) this.addOngoing(e.currentTxnFirstOffset, e.producerId);
  }
}
