// ReadEnds: where recent reads of one segment ended, as (next offset, position) pairs, so the next
// fetch of each consumer continuing from there skips the offset-index lookup and the header scan
// (LogSegment.positionOf). Several consumers read a partition at once, each at its own offset: one
// remembered pair would serve only the last of them. A small ring (allocated on the first read, so
// segments nobody reads cost nothing); the pair of the least recent read is forgotten.
const SLOTS = 32;

export class ReadEnds {
  /** offsets[i], positions[i]: a pair; offset -1 = empty slot. */
  private offsets: Float64Array | null = null;
  private positions: Float64Array | null = null;
  private next = 0;
  /** The next offset of the most recent read (-1: none since the last clear). */
  lastOffset = -1;

  /** A read ended before the batch at `position`, the first whose last offset is >= `offset`. */
  remember(offset: number, position: number): void {
    this.lastOffset = offset;
    if (this.offsets === null) {
      this.offsets = new Float64Array(SLOTS).fill(-1);
      this.positions = new Float64Array(SLOTS);
    }
    // known already: it moves to the newest slot (the ring forgets the least recently ended reads)
    const known = this.indexOf(offset);
    if (known >= 0) this.offsets[known] = -1;
    this.offsets[this.next] = offset;
    this.positions![this.next] = position;
    this.next = (this.next + 1) % SLOTS;
  }

  /** The position where a read ending at `offset` stopped, or -1. */
  positionOf(offset: number): number {
    const i = this.indexOf(offset);
    return i < 0 ? -1 : this.positions![i]!;
  }

  /** Forgets everything (the file was cut or rewritten). */
  clear(): void {
    this.offsets?.fill(-1);
    this.lastOffset = -1;
  }

  private indexOf(offset: number): number {
    const o = this.offsets;
    if (o === null) return -1;
    for (let i = 0; i < SLOTS; i++) if (o[i] === offset) return i;
    return -1;
  }
}
