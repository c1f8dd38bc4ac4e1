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
   * OffsetForLeaderEpoch: the largest epoch <= `epoch` and its end offset (the next epoch's start
   * offset, or logEndOffset for the latest); {-1, -1} when unknown.
   */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    let i = this.entries.length - 1;
    while (i >= 0 && this.entries[i]!.epoch > epoch) i--;
    if (i < 0) return { epoch: -1, endOffset: -1 };
    const next = this.entries[i + 1];
    return { epoch: this.entries[i]!.epoch, endOffset: next ? next.startOffset : logEndOffset };
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
