// VerifiedRanges: the byte ranges [start, end) of one segment's .log whose batch CRCs are known
// good in this process (appended here, recovered, or read and checked once). A short sorted list
// of disjoint ranges, merged when they touch or overlap: appends after a restart and reads that
// start mid-segment each grow their own range, which joins its neighbours as the gaps are read.
export class VerifiedRanges {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  get count(): number {
    return this.starts.length;
  }

  /** True when [start, end) lies inside one verified range. */
  covers(start: number, end: number): boolean {
    const i = this.lastStartingAtOrBefore(start);
    return i >= 0 && this.ends[i]! >= end;
  }

  /** Marks [start, end) verified, merging with every range it touches. */
  add(start: number, end: number): void {
    if (end <= start) return;
    const s = this.starts;
    const e = this.ends;
    // first range that ends at or after `start` (it may touch or overlap)
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (e[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    let j = lo;
    while (j < s.length && s[j]! <= end) j++;
    if (j === lo) {
      s.splice(lo, 0, start);
      e.splice(lo, 0, end);
      return;
    }
    s[lo] = Math.min(s[lo]!, start);
    e[lo] = Math.max(e[j - 1]!, end);
    s.splice(lo + 1, j - lo - 1);
    e.splice(lo + 1, j - lo - 1);
  }

  /** Forgets every byte at or after `size` (the file was truncated). */
  truncate(size: number): void {
    while (this.starts.length && this.starts[this.starts.length - 1]! >= size) {
      this.starts.pop();
      this.ends.pop();
    }
    const last = this.ends.length - 1;
    if (last >= 0 && this.ends[last]! > size) this.ends[last] = size;
  }

  clear(): void {
    this.starts.length = 0;
    this.ends.length = 0;
  }

  private lastStartingAtOrBefore(pos: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= pos) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
