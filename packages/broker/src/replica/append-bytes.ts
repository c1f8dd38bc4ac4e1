// Byte counters of one partition that long polls (DelayedFetch) diff instead of reading the log:
// bytes appended (followers read up to the log end), bytes below the high watermark (consumers
// reading uncommitted, isolation_level 0) and bytes below the last stable offset (read_committed
// consumers, isolation_level 1). All three only grow while this object lives.
//
// Each append is remembered as [end offset, cumulative bytes] until the LSO passes it; `hwIndex`
// splits the remembered appends below the HW (counted as committed, not yet stable) from those
// above it.

export class AppendBytes {
  /** Bytes appended, committed or not. */
  appended = 0;
  /** Bytes appended below the high watermark. */
  committed = 0;
  /** Bytes appended below the last stable offset. */
  stable = 0;
  private pending: Array<[number, number]> = [];
  private hwIndex = 0;

  /** An append of `bytes` ending (exclusive) at `endOffset`. */
  onAppend(endOffset: number, bytes: number): void {
    this.appended += bytes;
    this.pending.push([endOffset, this.appended]);
  }

  /** The HW and the LSO (<= HW) are now these. */
  advance(highWatermark: number, lastStableOffset: number): void {
    const p = this.pending;
    while (this.hwIndex < p.length && p[this.hwIndex]![0] <= highWatermark) this.committed = p[this.hwIndex++]![1];
    let i = 0;
    while (i < this.hwIndex && p[i]![0] <= lastStableOffset) this.stable = p[i++]![1];
    if (i > 0) {
      p.splice(0, i);
      this.hwIndex -= i;
    }
  }

  /** The log was truncated to `logEndOffset`: appends cut away never will be committed, stop counting them. */
  truncate(logEndOffset: number): void {
    this.pending = this.pending.filter(([end]) => end <= logEndOffset);
    this.hwIndex = Math.min(this.hwIndex, this.pending.length);
    this.appended = this.pending.at(-1)?.[1] ?? this.committed;
  }
}
