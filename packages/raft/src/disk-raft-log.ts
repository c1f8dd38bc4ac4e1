// DiskRaftLog: the replicated log of the quorum as `__cluster_metadata-0` on disk, in Kafka's
// format (storage's PartitionLog: segments, indexes, leader-epoch-checkpoint), under a log dir:
//
//   <log dir>/__cluster_metadata-0/00000000000000000000.log   v2 batches, PartitionLeaderEpoch = epoch
//                                  ...index, ...timeindex, leader-epoch-checkpoint, quorum-state
//
// Rules:
// - Appends write to the page cache and return at once; nothing is durable until `flush()`
//   resolves (no fsync on the append path; a segment roll flushes the old segment in the
//   background, as Kafka). Concurrent flushes share fsyncs; each resolves once everything
//   appended before it was called is durable. `flushedOffset`: every offset below it is fsynced.
//   A truncation lowers it to the new log end, also under an fsync in flight: storage credits
//   such an fsync only up to the lowest log end a truncation left while it ran, and fsyncs a cut
//   segment again even if it grew back to the size that fsync saw.
// - Opening runs storage's recovery scan over the whole log (a torn or corrupt tail is cut off,
//   the epochs of the batches re-read), then fsyncs what is left: a reopened log is all flushed.
// - The leader's batches come from `encode` (the state machine's record-batch encoder); the log
//   stamps BaseOffset and PartitionLeaderEpoch. A follower's batches keep the leader's offsets and
//   epochs; they must start at the log end, follow each other, and carry epochs that never go down.
// - Truncation removes whole batches: truncateTo(offset) inside a batch removes that batch too
//   (Raft truncates at epoch boundaries, which are batch boundaries).
// - endOffsetForEpoch: see raft-log.ts; an empty log answers `{ epoch: -1, offset: startOffset }`
//   (no epoch in it is at or below any epoch), the same answer as an epoch below every epoch,
//   unless the log starts at a snapshot: its last epoch is then the floor.
// - Snapshots (snapshot-file.ts, `<offset>-<epoch>.checkpoint` beside the segments): writing one
//   keeps the previous one and the log after it (Kafka keeps the log for metadata.max.retention.*;
//   here: one snapshot's worth), dropping what is older; installing a fetched one replaces the log.
import {
  CLUSTER_METADATA_TOPIC,
  FdCache,
  IndexCache,
  NodeFileSystem,
  loadPartitionLog,
  logConfig,
  systemTime,
  type FileSystem,
  type LoadReport,
  type PartitionLog,
  type Time,
} from '@tributary/storage';
import { Attr, Off, batchSizeAt, batchesIn, validateBatch } from '@tributary/protocol';
import type { OffsetAndEpoch } from './raft-messages.ts';
import type { AppendedRange, RaftLog } from './raft-log.ts';
import { buildLeaderChangeBatch } from './leader-change.ts';
import {
  deleteSnapshotsBefore,
  listSnapshots,
  readSnapshot as readSnapshotFile,
  readSnapshotBytes,
  snapshotSize as snapshotFileSize,
  writeSnapshot as writeSnapshotFile,
} from './snapshot-file.ts';
import { SnapshotWriter } from './snapshot-writer.ts';

/** `__cluster_metadata-0`: the directory of the metadata partition in a log dir. */
export const CLUSTER_METADATA_PARTITION_DIR = `${CLUSTER_METADATA_TOPIC}-0`;

export interface DiskRaftLogOptions<D> {
  /** The log dir holding `__cluster_metadata-0`. */
  logDir: string;
  fs?: FileSystem;
  time?: Time;
  /** metadata.log.segment.bytes (default 1 GiB, as Kafka). */
  segmentBytes?: number;
  /** Encodes what the leader appends as one v2 batch (BaseOffset and PartitionLeaderEpoch are then overwritten in place). */
  encode: (data: D, epoch: number, appendTimeMs: number) => Buffer;
}

/** One batch of the log, as `batches()` yields it. */
export interface RaftLogBatch {
  baseOffset: number;
  lastOffset: number;
  /** The batch's PartitionLeaderEpoch. */
  epoch: number;
  /** A control batch (LEADER_CHANGE): no state-machine records in it. */
  isControl: boolean;
  /** The whole batch as stored (a view into a read buffer). */
  bytes: Buffer;
}

const BATCHES_CHUNK_BYTES = 1 << 20;

export class DiskRaftLog<D> implements RaftLog<D, Buffer> {
  /** What opening found: bytes of torn or corrupt tail cut off by recovery, segments scanned. */
  readonly recovery: LoadReport;
  /** `<logDir>/__cluster_metadata-0`. */
  readonly dir: string;

  private closed = false;
  /** The latest snapshot in the directory (KIP-630), what a replica below the log start fetches. */
  private snapshot: OffsetAndEpoch | null;
  /** The snapshot the log starts at (the one before the latest; the latest when it is the only one, once trimmed). */
  private base: OffsetAndEpoch | null = null;

  private constructor(
    private readonly log: PartitionLog,
    private readonly fds: FdCache,
    private readonly fs: FileSystem,
    private readonly time: Time,
    private readonly encode: (data: D, epoch: number, appendTimeMs: number) => Buffer,
    recovery: LoadReport,
  ) {
    this.recovery = recovery;
    this.dir = log.dir;
    // partial snapshots a crash left are deleted; the log keeps what follows the snapshot before
    // the latest (retention), and always reaches the latest
    const snapshots = listSnapshots(fs, this.dir, { deleteLeftovers: true });
    this.snapshot = snapshots.at(-1) ?? null;
    const latest = this.snapshot;
    if (latest && latest.offset > log.logEndOffset) {
      log.truncateFullyAndStartAt(latest.offset);
      this.base = latest;
    } else if (snapshots.length >= 2) {
      this.trimTo(snapshots.at(-2)!);
    } else if (latest && log.logStartOffset >= latest.offset) {
      this.base = latest;
    }
  }

  /** Opens (or creates) `<logDir>/__cluster_metadata-0`, recovering it and fsyncing what is left. */
  static open<D>(options: DiskRaftLogOptions<D>): DiskRaftLog<D> {
    const fs = options.fs ?? new NodeFileSystem();
    const time = options.time ?? systemTime;
    const dir = `${options.logDir}/${CLUSTER_METADATA_PARTITION_DIR}`;
    fs.mkdirSync(options.logDir);
    const isNew = fs.statSync(dir) === null;
    const fds = new FdCache(fs, 16);
    const ctx = { fs, time, fds, indexCache: new IndexCache(4 * 1024 * 1024) };
    const config = logConfig({
      durableAppend: false,
      retentionMs: -1,
      retentionBytes: -1,
      ...(options.segmentBytes !== undefined ? { segmentBytes: options.segmentBytes } : {}),
    });
    const report: LoadReport = { recoveredSegments: 0, truncatedBytes: 0, deletedSegments: 0, rebuiltIndexes: 0 };
    const log = loadPartitionLog(ctx, dir, CLUSTER_METADATA_TOPIC, 0, config, { cleanShutdown: false, recoveryPoint: 0 }, report);
    // A new directory: its entry in the log dir is fsynced before the first data is.
    if (isNew) log.markCreated({ path: options.logDir, synced: false });
    log.flush();
    return new DiskRaftLog(log, fds, fs, time, options.encode, report);
  }

  get startOffset(): number {
    return this.log.logStartOffset;
  }

  get endOffset(): number {
    return this.log.logEndOffset;
  }

  get flushedOffset(): number {
    return Math.min(this.log.durableOffset, this.log.logEndOffset);
  }

  get lastFetchedEpoch(): number {
    if (this.log.logEndOffset === this.log.logStartOffset && this.base) return this.base.epoch;
    return Math.max(0, this.log.leaderEpochCache.latestEpoch);
  }

  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    const entries = this.log.leaderEpochCache.all;
    let i = entries.length - 1;
    while (i >= 0 && entries[i]!.epoch > epoch) i--;
    if (i < 0) {
      // nothing in the log is at or below `epoch`: the snapshot's last epoch is the floor, if it is
      const s = this.base;
      if (s && s.offset === this.startOffset && s.epoch <= epoch) return { epoch: s.epoch, offset: s.offset };
      return { epoch: -1, offset: this.startOffset };
    }
    const next = entries[i + 1];
    return { epoch: entries[i]!.epoch, offset: next ? next.startOffset : this.endOffset };
  }

  appendAsLeader(data: D, epoch: number): AppendedRange {
    const batch = this.encode(data, epoch, this.time.now());
    if (batchSizeAt(batch) !== batch.length) throw new Error(`raft log: encode must return exactly one batch (${batch.length} bytes)`);
    return this.appendLeaderBatch(batch, epoch);
  }

  /**
   * `grantingVoters` (beyond the RaftLog interface): the voters that granted the vote, which
   * Kafka writes into the LeaderChangeMessage; none by default.
   */
  appendLeaderChange(epoch: number, leaderId: number, voters: readonly number[], grantingVoters: readonly number[] = []): AppendedRange {
    const batch = buildLeaderChangeBatch({
      epoch,
      leaderId,
      voters: [...voters],
      grantingVoters: [...grantingVoters],
      timestampMs: this.time.now(),
    });
    return this.appendLeaderBatch(batch, epoch);
  }

  private appendLeaderBatch(batch: Buffer, epoch: number): AppendedRange {
    if (epoch < this.log.leaderEpochCache.latestEpoch) {
      throw new Error(`raft log: append in epoch ${epoch} after epoch ${this.log.leaderEpochCache.latestEpoch}`);
    }
    const info = this.log.appendSync(batch, { leaderEpoch: epoch });
    return { baseOffset: info.firstOffset, lastOffset: info.lastOffset };
  }

  /**
   * Appends the whole batches at the front of `records` (a partial trailing batch, which a Fetch
   * may carry, is left for the next fetch, as Kafka's follower does).
   */
  appendAsFollower(records: Buffer): void {
    let expected = this.endOffset;
    let epoch = this.log.leaderEpochCache.latestEpoch;
    let end = 0;
    for (const { pos, size } of batchesIn(records)) {
      validateBatch(records, pos);
      const base = Number(records.readBigInt64BE(pos + Off.BaseOffset));
      const batchEpoch = records.readInt32BE(pos + Off.PartitionLeaderEpoch);
      if (base !== expected) throw new Error(`raft log: fetched batch at offset ${base}, expected ${expected}`);
      if (batchEpoch < epoch) throw new Error(`raft log: fetched batch at offset ${base} has epoch ${batchEpoch} after epoch ${epoch}`);
      expected = base + records.readInt32BE(pos + Off.LastOffsetDelta) + 1;
      epoch = batchEpoch;
      end = pos + size;
    }
    if (end === 0) throw new Error(`raft log: no whole batch in ${records.length} fetched bytes`);
    this.log.appendAsFollower(end === records.length ? records : records.subarray(0, end));
  }

  truncateTo(offset: number): void {
    const segments = this.log.segments.length;
    this.log.truncateTo(offset);
    // Deleted segment files must not reappear after a power loss with their old batches.
    if (this.log.segments.length < segments) this.fs.fsyncDirSync(this.dir);
  }

  async flush(): Promise<void> {
    await this.log.flushAsync();
    if (this.closed) throw new Error(`raft log ${this.dir} is closed`);
    if (this.log.isOffline) throw new Error(`raft log ${this.dir} is offline: nothing more can be made durable`);
  }

  /** See RaftLog.read; also null for an offset outside [startOffset, endOffset). */
  read(offset: number, maxOffset: number, maxBytes: number): Buffer | null {
    if (offset < this.startOffset || offset >= Math.min(maxOffset, this.endOffset)) return null;
    const { records } = this.log.read(offset, maxBytes, maxOffset);
    // storage stops at a batch *starting* at maxOffset; drop one that only straddles it
    let end = 0;
    for (const { pos, size } of batchesIn(records)) {
      const last = Number(records.readBigInt64BE(pos + Off.BaseOffset)) + records.readInt32BE(pos + Off.LastOffsetDelta);
      if (last >= maxOffset) break;
      end = pos + size;
    }
    return end === 0 ? null : records.subarray(0, end);
  }

  /**
   * The batches holding offsets in [fromOffset, toOffset) in order (the first may start before
   * fromOffset), none ending at or past toOffset: the committed data the state machine replays
   * when `toOffset` is the high watermark. Reads lazily, about 1 MiB at a time.
   */
  *batches(fromOffset: number, toOffset: number = this.endOffset): Generator<RaftLogBatch> {
    let offset = Math.max(fromOffset, this.startOffset);
    while (true) {
      const chunk = this.read(offset, toOffset, BATCHES_CHUNK_BYTES);
      if (chunk === null) return;
      for (const { pos, size } of batchesIn(chunk)) {
        const baseOffset = Number(chunk.readBigInt64BE(pos + Off.BaseOffset));
        const lastOffset = baseOffset + chunk.readInt32BE(pos + Off.LastOffsetDelta);
        yield {
          baseOffset,
          lastOffset,
          epoch: chunk.readInt32BE(pos + Off.PartitionLeaderEpoch),
          isControl: (chunk.readInt16BE(pos + Off.Attributes) & Attr.Control) !== 0,
          bytes: chunk.subarray(pos, pos + size),
        };
        offset = lastOffset + 1;
      }
    }
  }

  // ---- snapshots (snapshot-file.ts: `<offset>-<epoch>.checkpoint` beside the segments) ----

  latestSnapshot(): OffsetAndEpoch | null {
    return this.snapshot ? { ...this.snapshot } : null;
  }

  /** `content`: the state machine's v2 batches (the snapshot's data, between its header and footer). */
  async writeSnapshot(id: OffsetAndEpoch, content: Buffer): Promise<void> {
    if (id.offset > this.flushedOffset) throw new Error(`raft log: snapshot at ${id.offset} past the flushed offset ${this.flushedOffset}`);
    const batches = [...batchesIn(content)].map(({ pos, size }) => content.subarray(pos, pos + size));
    await writeSnapshotFile(this.fs, this.dir, {
      endOffset: id.offset,
      epoch: id.epoch,
      lastContainedLogTimestamp: this.time.now(),
      batches,
    });
    // retention: the log after the previous snapshot stays, so a replica a little behind goes on
    // fetching records instead of the whole snapshot
    const previous = this.snapshot;
    this.snapshot = { ...id };
    if (previous) this.trimTo(previous);
  }

  snapshotSize(id: OffsetAndEpoch): number {
    try {
      return snapshotFileSize(this.fs, this.dir, id);
    } catch {
      return -1;
    }
  }

  readSnapshot(id: OffsetAndEpoch, position: number, maxBytes: number): Buffer {
    return readSnapshotBytes(this.fs, this.dir, id, position, maxBytes);
  }

  chunkSize(chunk: Buffer): number {
    return chunk.length;
  }

  /** Writes the fetched file (`.part`, fsync, rename), then empties the log to start at `id.offset`. */
  async installSnapshot(id: OffsetAndEpoch, chunks: readonly Buffer[]): Promise<void> {
    const writer = SnapshotWriter.create(this.fs, this.dir, id);
    try {
      for (const c of chunks) writer.append(c);
      await writer.freeze();
    } catch (err) {
      writer.abort();
      throw err;
    }
    this.log.truncateFullyAndStartAt(id.offset);
    this.snapshot = { ...id };
    this.base = { ...id };
    deleteSnapshotsBefore(this.fs, this.dir, id);
  }

  /** The snapshot's data batches (what the state machine loads). */
  snapshotData(id: OffsetAndEpoch): Buffer {
    return readSnapshotFile(this.fs, this.dir, id).batches;
  }

  /** Drops the log below snapshot `id` and the snapshots before it: the log starts at `id`. */
  private trimTo(id: OffsetAndEpoch): void {
    if (id.offset > this.log.logStartOffset) this.log.deleteRecordsBefore(Math.min(id.offset, this.log.logEndOffset));
    this.base = { ...id };
    deleteSnapshotsBefore(this.fs, this.dir, id);
  }

  /** Closes the files (fsyncing first). */
  close(): void {
    this.closed = true;
    this.log.close();
    this.fds.closeAll();
  }
}
