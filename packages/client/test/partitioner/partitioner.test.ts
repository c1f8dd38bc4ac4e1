// The default partitioner: explicit partition, custom partitioner, keyed (murmur2), and the sticky
// partition for unkeyed records that switches after batch.size bytes (BuiltInPartitioner, KIP-794).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultPartitioner, StickyPartitioner, partitionForKey } from '../../src/partitioner/index.ts';

/** A deterministic random source returning the given values in turn. */
function seq(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

test('explicit partition wins, and is range-checked', () => {
  const p = new DefaultPartitioner();
  assert.deepEqual(p.partition('t', Buffer.from('k'), null, 4, [0, 1, 2, 3], 2), { partition: 2, sticky: false });
  assert.throws(() => p.partition('t', null, null, 4, [0, 1, 2, 3], 4), RangeError);
});

test('keyed records go to murmur2 partition over all partitions, even unavailable ones', () => {
  const p = new DefaultPartitioner();
  const key = Buffer.from('foobar');
  // toPositive(-790332482) = 1357151166; 1357151166 % 6 = 0
  assert.equal(partitionForKey(key, 6), 1357151166 % 6);
  assert.deepEqual(p.partition('t', key, null, 6, [1], undefined), { partition: 1357151166 % 6, sticky: false });
});

test('ignoreKeys sends keyed records to the sticky partition', () => {
  const p = new DefaultPartitioner({ ignoreKeys: true, random: seq(7) });
  assert.deepEqual(p.partition('t', Buffer.from('foobar'), null, 4, [0, 1, 2, 3]), { partition: 3, sticky: true });
});

test('custom partitioner is used, undefined defers to the default rule', () => {
  const p = new DefaultPartitioner({
    custom: ({ key, partitionCount }) => (key?.toString() === 'vip' ? partitionCount - 1 : undefined),
    random: seq(5),
  });
  assert.equal(p.partition('t', Buffer.from('vip'), null, 8, [0, 1]).partition, 7);
  assert.equal(p.partition('t', Buffer.from('21'), null, 8, [0, 1]).partition, partitionForKey(Buffer.from('21'), 8));
  assert.deepEqual(p.partition('t', null, null, 8, [0, 1]), { partition: 1, sticky: true });
  const bad = new DefaultPartitioner({ custom: () => 9 });
  assert.throws(() => bad.partition('t', null, null, 8, [0]), /custom partitioner returned 9/);
});

test('unkeyed records stick to one available partition until batch.size bytes, then switch', () => {
  const p = new DefaultPartitioner({ batchSize: 100, random: seq(1, 2, 4) });
  const avail = [0, 2, 3];
  // random 1 % 3 -> index 1 -> partition 2
  assert.equal(p.partition('t', null, null, 4, avail).partition, 2);
  p.onStickyAppend('t', 60, 4, avail);
  assert.equal(p.partition('t', null, null, 4, avail).partition, 2);
  p.onStickyAppend('t', 40, 4, avail); // 100 >= batch.size: switch, random 2 -> partition 3
  assert.equal(p.partition('t', null, null, 4, avail).partition, 3);
  // topics are independent
  assert.equal(p.partition('u', null, null, 4, avail).partition, 2); // random 4 % 3 = 1 -> partition 2
});

test('sticky switch waits for a full batch up to twice batch.size', () => {
  const s = new StickyPartitioner(100, seq(0, 1, 2));
  assert.equal(s.partition(3, [0, 1, 2]), 0);
  s.onAppend(150, 3, [0, 1, 2], false); // over batch.size but the batch is not full: stay
  assert.equal(s.partition(3, [0, 1, 2]), 0);
  s.onAppend(50, 3, [0, 1, 2], false); // 200 = 2 * batch.size: switch regardless
  assert.equal(s.partition(3, [0, 1, 2]), 1);
  assert.equal(s.produced, 0);
});

test('no available partition: pick among all partitions', () => {
  const s = new StickyPartitioner(10, seq(11));
  assert.equal(s.partition(4, []), 3);
});

test('adaptive load stats: cumulative frequency table and weighted choice', () => {
  // queue sizes 0 3 1 -> inverted 4 1 3 -> CFT 4 5 8 (the Java client's own example)
  const s = new StickyPartitioner(10, seq(3, 4, 5, 7, 8));
  s.updateLoadStats([0, 3, 1], [10, 11, 12]);
  assert.deepEqual(s.loadStats, [4, 5, 8]);
  const picks: number[] = [];
  for (let i = 0; i < 5; i++) {
    picks.push(s.partition(20, [10, 11, 12]));
    s.onAppend(10, 20, [10, 11, 12]);
  }
  // 3 -> p10, 4 -> p11, 5 -> p12, 7 -> p12, 8 % 8 = 0 -> p10
  assert.deepEqual(picks, [10, 11, 12, 12, 10]);
  s.updateLoadStats([2, 2, 2], [10, 11, 12]);
  assert.equal(s.loadStats, null);
  s.updateLoadStats([5], [1]);
  assert.equal(s.loadStats, null);
});
