// The request-time histogram: log-linear buckets (8 per doubling from 1 us), quantiles as the
// bucket's upper bound capped at the largest observation, a 5 x 60 s sliding window, and
// cumulative count and sum.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatencyHistogram, bucketIndex, bucketUpperBound } from '../../src/metrics/latency-histogram.ts';

describe('LatencyHistogram', () => {
  it('puts each value in the bucket whose bounds hold it, within 9% of the value', () => {
    assert.deepEqual([bucketIndex(0), bucketIndex(-1), bucketIndex(0.001), bucketIndex(0.00105), bucketIndex(0.0011)], [0, 0, 0, 1, 2]);
    assert.equal(bucketIndex(1e12), 272, 'the last bucket holds everything larger');
    for (const v of [0.0015, 0.02, 0.5, 1, 3.7, 42, 999, 12_345]) {
      const i = bucketIndex(v);
      assert.ok(bucketUpperBound(i) >= v && bucketUpperBound(i - 1) < v, `${v} in bucket ${i}`);
      assert.ok(bucketUpperBound(i) <= v * 1.0906, `${v}: bound ${bucketUpperBound(i)}`);
    }
  });

  it('answers quantiles as bucket bounds, capped at the largest value; NaN when empty', () => {
    const h = new LatencyHistogram();
    assert.ok(Number.isNaN(h.quantile(0.5, 0)));
    // 100 observations: 1 ms x 90, 10 ms x 9, 100 ms x 1
    for (let i = 0; i < 90; i++) h.observe(1, 0);
    for (let i = 0; i < 9; i++) h.observe(10, 0);
    h.observe(100, 0);
    assert.equal(h.quantile(0.5, 0), bucketUpperBound(bucketIndex(1)));
    assert.equal(h.quantile(0.9, 0), bucketUpperBound(bucketIndex(1)), 'the 90th is the last 1 ms one');
    assert.equal(h.quantile(0.95, 0), bucketUpperBound(bucketIndex(10)));
    assert.equal(h.quantile(0.99, 0), bucketUpperBound(bucketIndex(10)));
    assert.equal(h.quantile(0.999, 0), 100, 'capped at the largest observation');
    assert.equal(h.quantile(1, 0), 100);
    assert.deepEqual([h.count, h.sum], [100, 90 + 90 + 100]);
  });

  it('forgets observations older than its windows, but keeps count and sum', () => {
    const h = new LatencyHistogram({ windowMs: 1000, windows: 3 });
    h.observe(50, 0); // window [0, 1000)
    h.observe(5, 1500); // window [1000, 2000)
    assert.equal(h.quantile(1, 2999), 50, 'three windows: [0, 3000) all kept');
    assert.equal(h.quantile(1, 3000), 5, 'the first window has rotated out');
    assert.equal(h.quantile(0.5, 3999), 5);
    assert.ok(Number.isNaN(h.quantile(0.5, 4000)), 'and then the second');
    h.observe(7, 100_000); // long idle: every window cleared at once
    assert.equal(h.quantile(1, 100_000), 7);
    assert.deepEqual([h.count, h.sum], [3, 62]);
  });
});
