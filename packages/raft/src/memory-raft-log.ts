// MemoryRaftLog: a RaftLog held in memory, one offset per batch, for the quorum simulation and
// tests. A batch is either the leader's data or a LeaderChange record. `crash()` keeps only what
// was flushed, as a process killed before its fsync keeps only what reached the disk.
import type { OffsetAndEpoch } from './raft-messages.ts';
import type { AppendedRange, RaftLog } from './raft-log.ts';

export interface MemoryBatch<D> {
  offset: number;
  epoch: number;
  /** The leader's data; null for a LeaderChange record. */
  data: D | null;
  leaderChange: { leaderId: number; voters: readonly number[] } | null;
}

export class MemoryRaftLog<D> implements RaftLog<D, readonly MemoryBatch<D>[]> {
  private batches: MemoryBatch<D>[] = [];
  private flushed = 0;
  /** The lowest log end a truncation left while a flush was in flight (Infinity: none). */
  private truncatedDuringFlush = Number.POSITIVE_INFINITY;

  get startOffset(): number {
    return 0;
  }

  get endOffset(): number {
    return this.batches.length;
  }

  get flushedOffset(): number {
    return this.flushed;
  }

  get lastFetchedEpoch(): number {
    return this.batches.at(-1)?.epoch ?? 0;
  }

  /** Every batch, in offset order (a copy). */
  entries(): MemoryBatch<D>[] {
    return [...this.batches];
  }

  entry(offset: number): MemoryBatch<D> | undefined {
    return this.batches[offset];
  }

  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    let found = -1;
    for (let i = this.batches.length - 1; i >= 0; i--) {
      if (this.batches[i]!.epoch <= epoch) {
        found = i;
        break;
      }
    }
    if (found < 0) return { epoch: -1, offset: this.startOffset };
    const e = this.batches[found]!.epoch;
    return { epoch: e, offset: found + 1 };
  }

  appendAsLeader(data: D, epoch: number): AppendedRange {
    return this.push({ offset: this.batches.length, epoch, data, leaderChange: null });
  }

  appendLeaderChange(epoch: number, leaderId: number, voters: readonly number[]): AppendedRange {
    return this.push({ offset: this.batches.length, epoch, data: null, leaderChange: { leaderId, voters: [...voters] } });
  }

  appendAsFollower(records: readonly MemoryBatch<D>[]): void {
    for (const b of records) {
      if (b.offset !== this.batches.length) throw new Error(`append at ${b.offset}, log end ${this.batches.length}`);
      if (b.epoch < this.lastFetchedEpoch) throw new Error(`epoch ${b.epoch} after ${this.lastFetchedEpoch}`);
      this.batches.push(b);
    }
  }

  truncateTo(offset: number): void {
    if (offset >= this.batches.length) return;
    this.batches.length = offset;
    this.flushed = Math.min(this.flushed, offset);
    this.truncatedDuringFlush = Math.min(this.truncatedDuringFlush, offset);
  }

  async flush(): Promise<void> {
    const upTo = this.batches.length;
    this.truncatedDuringFlush = Number.POSITIVE_INFINITY;
    await Promise.resolve();
    const durable = Math.min(upTo, this.truncatedDuringFlush, this.batches.length);
    this.flushed = Math.max(Math.min(this.flushed, this.batches.length), durable);
  }

  read(offset: number, maxOffset: number, maxBytes: number): readonly MemoryBatch<D>[] | null {
    const end = Math.min(maxOffset, this.batches.length, offset + Math.max(1, maxBytes));
    return offset < end ? this.batches.slice(offset, end) : null;
  }

  /** A crash: everything not flushed is gone. */
  crash(): void {
    this.batches.length = this.flushed;
  }

  private push(b: MemoryBatch<D>): AppendedRange {
    this.batches.push(b);
    return { baseOffset: b.offset, lastOffset: b.offset };
  }
}
