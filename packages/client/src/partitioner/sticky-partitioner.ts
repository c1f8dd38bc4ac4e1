// The sticky partition of one topic for records without a key (KIP-480, refined by KIP-794 as the
// Java client's `BuiltInPartitioner`): all unkeyed records go to one partition until about
// `batch.size` bytes were appended to it, then a new partition is picked among the available ones
// (partitions with a leader), uniformly at random, or weighted by queue sizes when adaptive
// partitioning has load stats (`updateLoadStats`, fed by the accumulator from per-partition queue
// lengths: a partition with a shorter queue is picked more often).
// The switch waits while the partition's last batch is not full (`enableSwitch` false), up to twice
// batch.size, so that linger-bound batches are not cut into fractions.

export type RandomInt = () => number;

/** A non-negative random 31-bit integer (the Java client's `toPositive(nextInt())`). */
export const defaultRandomInt: RandomInt = () => (Math.random() * 0x80000000) >>> 0;

export class StickyPartitioner {
  private current = -1;
  private producedBytes = 0;
  // adaptive partitioning: cumulative frequency table over partitionIds[0..length)
  private cft: number[] | null = null;
  private cftIds: number[] = [];

  constructor(
    readonly stickyBatchSize: number,
    private readonly random: RandomInt = defaultRandomInt,
  ) {
    if (!(stickyBatchSize >= 1)) throw new RangeError(`stickyBatchSize must be >= 1, got ${stickyBatchSize}`);
  }

  /** The current sticky partition, choosing one first if there is none. */
  partition(partitionCount: number, availablePartitions: readonly number[]): number {
    if (this.current < 0 || this.current >= partitionCount) {
      this.current = this.nextPartition(partitionCount, availablePartitions);
      this.producedBytes = 0;
    }
    return this.current;
  }

  /**
   * Records that `appendedBytes` were appended to the current sticky partition; switches to a new
   * partition once `stickyBatchSize` bytes were produced (and `enableSwitch`, i.e. the partition's
   * batches are all full), or unconditionally at twice that.
   */
  onAppend(appendedBytes: number, partitionCount: number, availablePartitions: readonly number[], enableSwitch = true): void {
    if (this.current < 0) return;
    this.producedBytes += appendedBytes;
    if ((this.producedBytes >= this.stickyBatchSize && enableSwitch) || this.producedBytes >= this.stickyBatchSize * 2) {
      this.current = this.nextPartition(partitionCount, availablePartitions);
      this.producedBytes = 0;
    }
  }

  /** Bytes appended to the current sticky partition so far. */
  get produced(): number {
    return this.producedBytes;
  }

  /**
   * Adaptive partitioning: `queueSizes[i]` is the number of batches queued for `partitionIds[i]`
   * (partitions without a leader left out; only the first `length` entries count). Builds the
   * cumulative frequency table of (maxSize + 1 - size), or clears the stats when all queues are
   * equal, or when there are fewer than two partitions. `null` clears them.
   */
  updateLoadStats(queueSizes: readonly number[] | null, partitionIds: readonly number[] = [], length = queueSizes?.length ?? 0): void {
    if (queueSizes === null || length < 1 || queueSizes.length < 2) {
      this.cft = null;
      return;
    }
    let maxSizePlus1 = queueSizes[0];
    let allEqual = true;
    for (let i = 1; i < length; i++) {
      if (queueSizes[i] !== maxSizePlus1) allEqual = false;
      if (queueSizes[i] > maxSizePlus1) maxSizePlus1 = queueSizes[i];
    }
    maxSizePlus1++;
    if (allEqual && length === queueSizes.length) {
      this.cft = null;
      return;
    }
    const cft = new Array<number>(length);
    cft[0] = maxSizePlus1 - queueSizes[0];
    for (let i = 1; i < length; i++) cft[i] = maxSizePlus1 - queueSizes[i] + cft[i - 1];
    this.cft = cft;
    this.cftIds = partitionIds.slice(0, length);
  }

  /** The cumulative frequency table in use (for tests), or null when not adaptive. */
  get loadStats(): readonly number[] | null {
    return this.cft;
  }

  private nextPartition(partitionCount: number, availablePartitions: readonly number[]): number {
    const random = this.random();
    const cft = this.cft;
    if (cft === null) {
      if (availablePartitions.length > 0) return availablePartitions[random % availablePartitions.length];
      return random % partitionCount;
    }
    const weighted = random % cft[cft.length - 1];
    // index of the first entry strictly greater than `weighted`
    let lo = 0;
    let hi = cft.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cft[mid] > weighted) hi = mid;
      else lo = mid + 1;
    }
    return this.cftIds[lo];
  }
}
