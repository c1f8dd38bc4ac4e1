// The leader epoch cache of one partition (Kafka's LeaderEpochFileCache): for each leader epoch,
// the first offset written in it, persisted in `leader-epoch-checkpoint`. Followers use it
// (through OffsetForLeaderEpoch) to find where their log diverges.
//
// When it is written: truncations and clear() write it at once. A new epoch (assign, on the append
// path) only marks it dirty, and the partition log writes it (persistIfDirty) when it flushes,
// before its recovery point moves past the batches of that epoch. A crash before then loses
// nothing: recovery re-reads every batch after the recovery point and assigns their epochs again.
// So appending to a new partition, or in a new epoch, never waits for an fsync on the event loop
// (Kafka removed the same fsync from its append path in KAFKA-15046).
import { readEpochCheckpoint, writeEpochCheckpoint, type EpochEntry } from './checkpoint-file.ts';
import type { FileSystem } from './fs.ts';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';

export class LeaderEpochCache {
  private entries: EpochEntry[];
  private dirty = false;
  constructor(
    private fs: FileSystem,
    readonly path: string,
  ) {
    this.entries = readEpochCheckpoint(fs, path);
  }

  get all(): ReadonlyArray<EpochEntry> {
    return this.entries;
  }
  get latestEpoch(): number {
    return this.entries.length ? this.entries[this.entries.length - 1]!.epoch : -1;
  }

  /** Records that `epoch` starts at `startOffset` (ignored unless epoch is newer than the latest). */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || epoch <= this.latestEpoch) return;
    // Drop entries that this one supersedes (start offsets must increase).
    while (this.entries.length && this.entries[this.entries.length - 1]!.startOffset >= startOffset) this.entries.pop();
    this.entries.push({ epoch, startOffset });
    this.dirty = true;
  }

  /**
   * Writes the checkpoint if an assigned epoch is not in it yet (before the log's recovery point
   * moves). Returns true when it wrote it: the caller then fsyncs the partition directory.
   */
  persistIfDirty(): boolean {
    if (!this.dirty) return false;
    this.persist(false);
    return true;
  }

  /**
   * The end offset of `epoch` (Kafka's LeaderEpochFileCache.endOffsetFor, which OffsetForLeaderEpoch
   * and a leader's check of a follower's LastFetchedEpoch answer with):
   * - epoch -1 (undefined): {-1, -1};
   * - the latest epoch: it and `logEndOffset`;
   * - above every known epoch (or no epoch known): {-1, -1};
   * - below every known epoch: the requested epoch, ending where the first known one starts;
   * - otherwise the largest known epoch <= the requested one, ending where the next one starts.
   */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    const undefinedEpoch = { epoch: -1, endOffset: -1 };
    if (epoch === -1) return undefinedEpoch;
    if (this.entries.length > 0 && epoch === this.latestEpoch) return { epoch, endOffset: logEndOffset };
    const higher = this.entries.findIndex((e) => e.epoch > epoch);
    if (higher < 0) return undefinedEpoch;
    const next = this.entries[higher]!.startOffset;
    return higher === 0 ? { epoch, endOffset: next } : { epoch: this.entries[higher - 1]!.epoch, endOffset: next };
  }

  /** After truncating the log to `endOffset`: forget epochs starting at or after it. */
  truncateFromEnd(endOffset: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.startOffset < endOffset);
    if (this.entries.length !== before) this.persist();
  }

  /** After the log start offset moved to `startOffset`: drop older epochs, clamp the first kept one. */
  truncateFromStart(startOffset: number): void {
    let changed = false;
    while (this.entries.length > 1 && this.entries[1]!.startOffset <= startOffset) {
      this.entries.shift();
      changed = true;
    }
    const first = this.entries[0];
    if (first && first.startOffset < startOffset) {
      this.entries[0] = { epoch: first.epoch, startOffset };
      changed = true;
    }
    if (changed) this.persist();
  }

  clear(): void {
    if (!this.entries.length) return;
    this.entries = [];
    this.persist();
  }

  private persist(syncDir = true): void {
    writeEpochCheckpoint(this.fs, this.path, this.entries, syncDir);
    this.dirty = false;
  }
}
