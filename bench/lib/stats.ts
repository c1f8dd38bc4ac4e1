// Small statistics helpers: percentiles of latency samples (nearest-rank on a sorted copy).
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export function latencySummary(samplesMs: number[] | Float64Array): { p50Ms: number; p99Ms: number; p999Ms: number } {
  const sorted = Float64Array.from(samplesMs).sort();
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), p999Ms: percentile(sorted, 99.9) };
}
