// LatencyHistogram: request times in milliseconds, for the percentiles Kafka's request metrics
// report (TotalTimeMs's 50th..999th percentiles; request-metrics.ts). Kafka's Yammer histograms
// sample into an exponentially decaying reservoir that favours the last ~5 minutes; this keeps the
// last 4-5 minutes exactly instead, in a ring of 5 windows of 60 s (prom-client's
// maxAgeSeconds/ageBuckets idea), each a log-linear histogram:
//
//   bucket 0          (0, 1 us]
//   bucket i > 0      (1 us * 2^((i-1)/8), 1 us * 2^(i/8)]     8 buckets per doubling, up to ~4.8 h
//
// A quantile is the upper bound of the bucket holding the rank-th smallest observation
// (rank = ceil(q * n)), capped at the largest observation of the windows: at most 9% above the
// exact value. No observation in the windows: NaN. `count` and `sum` are cumulative since start
// (they back the _count and _sum counters). Observing costs a log2, an array increment and, once a
// minute, clearing a window: nothing is allocated.
const MIN_MS = 0.001;
const PER_DOUBLING = 8;
const BUCKETS = 1 + 34 * PER_DOUBLING;

/** The bucket holding `ms`. */
export function bucketIndex(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const i = Math.ceil(Math.log2(ms / MIN_MS) * PER_DOUBLING);
  return i < BUCKETS ? i : BUCKETS - 1;
}

/** The largest value bucket `i` holds. */
export function bucketUpperBound(i: number): number {
  return MIN_MS * 2 ** (i / PER_DOUBLING);
}

export interface LatencyHistogramOptions {
  /** Length of one window (default 60000 ms). */
  windowMs?: number;
  /** Windows kept (default 5): quantiles cover the last windows - 1 to windows window lengths. */
  windows?: number;
}

export class LatencyHistogram {
  /** Observations since start. */
  count = 0;
  /** Sum of the observations since start, in ms. */
  sum = 0;
  private readonly windowMs: number;
  private readonly counts: Uint32Array[];
  private readonly max: Float64Array;
  private head = 0;
  /** When the head window ends (same clock as `now`); NaN until the first observation. */
  private headEndsAt = Number.NaN;

  constructor(opts: LatencyHistogramOptions = {}) {
    this.windowMs = opts.windowMs ?? 60_000;
    const n = opts.windows ?? 5;
    this.counts = Array.from({ length: n }, () => new Uint32Array(BUCKETS));
    this.max = new Float64Array(n);
  }

  /** Records one request time `ms` at time `now` (ms, any monotonic clock used consistently). */
  observe(ms: number, now: number): void {
    this.count++;
    this.sum += ms;
    if (!(now < this.headEndsAt)) this.rotate(now);
    this.counts[this.head]![bucketIndex(ms)]!++;
    if (ms > this.max[this.head]!) this.max[this.head] = ms;
  }

  /** The q-quantile (0 < q <= 1) of the observations in the windows at `now`; NaN when there are none. */
  quantile(q: number, now: number): number {
    if (!(now < this.headEndsAt)) this.rotate(now);
    let n = 0;
    let max = 0;
    for (let w = 0; w < this.counts.length; w++) {
      const c = this.counts[w]!;
      for (let i = 0; i < BUCKETS; i++) n += c[i]!;
      if (this.max[w]! > max) max = this.max[w]!;
    }
    if (n === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      for (const c of this.counts) seen += c[i]!;
      if (seen >= rank) return Math.min(bucketUpperBound(i), max);
    }
    return max;
  }

  /** Moves the head to the window holding `now`, clearing the windows it passes over. */
  private rotate(now: number): void {
    if (Number.isNaN(this.headEndsAt)) {
      this.headEndsAt = now + this.windowMs;
      return;
    }
    const steps = Math.min(this.counts.length, Math.floor((now - this.headEndsAt) / this.windowMs) + 1);
    for (let s = 0; s < steps; s++) {
      this.head = (this.head + 1) % this.counts.length;
      this.counts[this.head]!.fill(0);
      this.max[this.head] = 0;
    }
    this.headEndsAt += Math.floor((now - this.headEndsAt) / this.windowMs + 1) * this.windowMs;
  }
}
