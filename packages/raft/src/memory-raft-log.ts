// MemoryRaftLog: a RaftLog held in memory, one offset per batch, for the quorum simulation and
// tests. A batch is either the leader's data or a LeaderChange record. A snapshot is the list of
// every batch below its offset (position = index in that list); writing or installing one drops
// the log below it. `crash()` keeps only what was flushed, as a process killed before its fsync
// keeps only what reached the disk (snapshots are durable once written).
import type { OffsetAndEpoch } from './raft-messages.ts';
import type { AppendedRange, RaftLog } from './raft-log.ts';

export interface MemoryBatch<D> {
  offset: number;
  epoch: number;
  /** The leader's data; null for a LeaderChange record. */
  data: D | null;
  leaderChange: { leaderId: number; voters: readonly number[] } | null;
}

type Chunk<D> = readonly MemoryBatch<D>[];

export class MemoryRaftLog<D> implements RaftLog<D, Chunk<D>> {
  /** The batches from `start` on. */
  private batches: MemoryBatch<D>[] = [];
  private start = 0;
  private snapshot: { id: OffsetAndEpoch; entries: Chunk<D> } | null = null;
  private flushed = 0;
  /** The lowest log end a truncation left while a flush was in flight (Infinity: none). */
  private truncatedDuringFlush = Number.POSITIVE_INFINITY;

  get startOffset(): number {
    return this.start;
  }

  get endOffset(): number {
    return this.start + this.batches.length;
  }

  get flushedOffset(): number {
    return this.flushed;
  }

  get lastFetchedEpoch(): number {
    return this.batches.at(-1)?.epoch ?? this.snapshot?.id.epoch ?? 0;
  }

  /** The batch at `offset`, from the log or the snapshot below it. */
  entry(offset: number): MemoryBatch<D> | undefined {
    if (offset < this.start) return this.snapshot?.entries[offset];
    return this.batches[offset - this.start];
  }

  /** Every batch below `end`, the snapshot's included (what a snapshot at `end` holds). */
  prefix(end: number): MemoryBatch<D>[] {
    const out: MemoryBatch<D>[] = [];
    for (let o = 0; o < end; o++) {
      const e = this.entry(o);
      if (!e) throw new Error(`no batch at ${o} (log ${this.start}..${this.endOffset})`);
      out.push(e);
    }
    return out;
  }

  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    for (let i = this.batches.length - 1; i >= 0; i--) {
      if (this.batches[i]!.epoch <= epoch) return { epoch: this.batches[i]!.epoch, offset: this.start + i + 1 };
    }
    // nothing in the log is at or below `epoch`: the snapshot's last epoch is the floor, if it is
    const s = this.snapshot?.id;
    if (s && s.epoch <= epoch) return { epoch: s.epoch, offset: s.offset };
    return { epoch: -1, offset: this.start };
  }

  appendAsLeader(data: D, epoch: number): AppendedRange {
    return this.push({ offset: this.endOffset, epoch, data, leaderChange: null });
  }

  appendLeaderChange(epoch: number, leaderId: number, voters: readonly number[]): AppendedRange {
    return this.push({ offset: this.endOffset, epoch, data: null, leaderChange: { leaderId, voters: [...voters] } });
  }

  appendAsFollower(records: Chunk<D>): void {
    for (const b of records) {
      if (b.offset !== this.endOffset) throw new Error(`append at ${b.offset}, log end ${this.endOffset}`);
      if (b.epoch < this.lastFetchedEpoch) throw new Error(`epoch ${b.epoch} after ${this.lastFetchedEpoch}`);
      this.batches.push(b);
    }
  }

  truncateTo(offset: number): void {
    if (offset >= this.endOffset) return;
    if (offset < this.start) throw new Error(`cannot truncate to ${offset}, below the log start ${this.start}`);
    this.batches.length = offset - this.start;
    this.flushed = Math.min(this.flushed, offset);
    this.truncatedDuringFlush = Math.min(this.truncatedDuringFlush, offset);
  }

  async flush(): Promise<void> {
    const upTo = this.endOffset;
    this.truncatedDuringFlush = Number.POSITIVE_INFINITY;
    await Promise.resolve();
    const durable = Math.min(upTo, this.truncatedDuringFlush, this.endOffset);
    this.flushed = Math.max(Math.min(this.flushed, this.endOffset), durable);
  }

  read(offset: number, maxOffset: number, maxBytes: number): Chunk<D> | null {
    if (offset < this.start) return null;
    const end = Math.min(maxOffset, this.endOffset, offset + Math.max(1, maxBytes));
    return offset < end ? this.batches.slice(offset - this.start, end - this.start) : null;
  }

  latestSnapshot(): OffsetAndEpoch | null {
    return this.snapshot ? { ...this.snapshot.id } : null;
  }

  async writeSnapshot(id: OffsetAndEpoch, content: Chunk<D>): Promise<void> {
    if (content.length !== id.offset) throw new Error(`a snapshot at ${id.offset} holds ${id.offset} batches, not ${content.length}`);
    if (id.offset > this.flushed) throw new Error(`snapshot at ${id.offset} past the flushed offset ${this.flushed}`);
    this.snapshot = { id: { ...id }, entries: [...content] };
    if (id.offset > this.start) {
      this.batches = this.batches.slice(id.offset - this.start);
      this.start = id.offset;
    }
  }

  snapshotSize(id: OffsetAndEpoch): number {
    const s = this.snapshot;
    return s && s.id.offset === id.offset && s.id.epoch === id.epoch ? s.entries.length : -1;
  }

  readSnapshot(id: OffsetAndEpoch, position: number, maxBytes: number): Chunk<D> {
    if (this.snapshotSize(id) < 0) throw new Error(`no snapshot ${id.offset}-${id.epoch}`);
    return this.snapshot!.entries.slice(position, position + Math.max(1, maxBytes));
  }

  chunkSize(chunk: Chunk<D>): number {
    return chunk.length;
  }

  async installSnapshot(id: OffsetAndEpoch, chunks: readonly Chunk<D>[]): Promise<void> {
    const entries = chunks.flat();
    if (entries.length !== id.offset) throw new Error(`snapshot ${id.offset}-${id.epoch} arrived with ${entries.length} batches`);
    this.snapshot = { id: { ...id }, entries };
    this.batches = [];
    this.start = id.offset;
    this.flushed = id.offset;
  }

  /** A crash: everything not flushed is gone. */
  crash(): void {
    this.batches.length = Math.max(0, this.flushed - this.start);
  }

  private push(b: MemoryBatch<D>): AppendedRange {
    this.batches.push(b);
    return { baseOffset: b.offset, lastOffset: b.offset };
  }
}
