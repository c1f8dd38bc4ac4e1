// The record accumulator with a fake clock: batch sizing, linger, readiness, drain per leader,
// retries with backoff, delivery timeout, flush, and the sticky partitioner feedback loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordAccumulator, type AccumulatorRecord, type ProducerBatch } from '../../src/producer/accumulator.ts';
import { recordSizeInBytes, varintSize, RECORD_BATCH_OVERHEAD } from '../../src/producer/record-size.ts';
import { partitionAndAppend } from '../../src/producer/partition-and-append.ts';
import { DefaultPartitioner } from '../../src/partitioner/index.ts';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}
const rec = (value: string | Buffer | null, key: string | null = null, timestamp = 1_000_000): AccumulatorRecord => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : typeof value === 'string' ? Buffer.from(value) : value,
  headers: [],
  timestamp,
});
const leaders = (m: Record<string, number>) => (topic: string, partition: number) => m[`${topic}-${partition}`];

test('record size: varints and DefaultRecord.sizeInBytes', () => {
  assert.deepEqual([0, -1, 1, 63, 64, -64, -65, 8191, 8192].map(varintSize), [1, 1, 1, 1, 2, 1, 2, 2, 3]);
  // null key and value, no headers: attrs 1 + ts 1 + offset 1 + key -1 (1) + value -1 (1) + 0 headers (1) = 6, +1 length
  assert.equal(recordSizeInBytes(0, 0, null, null, []), 7);
  assert.equal(recordSizeInBytes(0, 0, Buffer.from('k'), Buffer.from('v'), []), 9);
  // attrs 1, ts delta 1000 (zigzag 2000: 2), offset 1, null key 1, value 2 + 100, 1 header: count 1, key 1 + 1, value 1 + 2
  // = 113 body bytes, + 2 for the length varint
  assert.equal(recordSizeInBytes(1, 1000, null, Buffer.alloc(100), [{ key: 'h', value: Buffer.from('xy') }]), 115);
});

test('appends to one partition share a batch up to batch.size; oversized record gets its own batch', () => {
  const c = fakeClock();
  const acc = new RecordAccumulator({ batchSize: 200, clock: c.now });
  const r1 = acc.append('t', 0, rec(Buffer.alloc(50)));
  assert.equal(r1.newBatchCreated, true);
  assert.equal(r1.batch.sizeInBytes, RECORD_BATCH_OVERHEAD + recordSizeInBytes(0, 0, null, Buffer.alloc(50), []));
  const r2 = acc.append('t', 0, rec(Buffer.alloc(50)));
  assert.equal(r2.batch, r1.batch);
  assert.equal(r2.index, 1);
  assert.equal(r2.newBatchCreated, false);
  const r3 = acc.append('t', 0, rec(Buffer.alloc(50))); // 61 + 3*57 = 232 > 200: new batch
  assert.notEqual(r3.batch, r1.batch);
  assert.equal(r3.batchIsFull, true); // two batches queued
  const big = acc.append('t', 1, rec(Buffer.alloc(1000)));
  assert.equal(big.batch.recordCount, 1);
  assert.equal(big.lastBatchFull, true);
  const other = acc.append('u', 0, rec('x'));
  assert.notEqual(other.batch, r1.batch);
});

test('ready after linger.ms (default 5), or at once when full / queued behind / flushing', () => {
  const c = fakeClock();
  const acc = new RecordAccumulator({ batchSize: 200, clock: c.now });
  assert.equal(acc.lingerMs, 5);
  acc.append('t', 0, rec('a'));
  acc.append('t', 1, rec('b'));
  const l = leaders({ 't-0': 1, 't-1': 2 });
  let r = acc.ready(l);
  assert.deepEqual([...r.readyNodes], []);
  assert.equal(r.nextReadyCheckDelayMs, 5);
  c.advance(3);
  assert.equal(acc.ready(l).nextReadyCheckDelayMs, 2);
  c.advance(2);
  assert.deepEqual([...acc.ready(l).readyNodes].sort(), [1, 2]);

  const acc2 = new RecordAccumulator({ batchSize: 100, lingerMs: 1000, clock: c.now });
  acc2.append('t', 0, rec(Buffer.alloc(30)));
  acc2.append('t', 0, rec(Buffer.alloc(30))); // second batch: first is sendable
  acc2.append('t', 1, rec('x'));
  r = acc2.ready(l);
  assert.deepEqual([...r.readyNodes], [1]);
  assert.equal(r.nextReadyCheckDelayMs, 1000);
  acc2.beginFlush();
  assert.deepEqual([...acc2.ready(l).readyNodes].sort(), [1, 2]);
  acc2.endFlush();
  assert.deepEqual([...acc2.ready(l).readyNodes], [1]);
});

test('unknown leader is reported for a metadata refresh', () => {
  const c = fakeClock();
  const acc = new RecordAccumulator({ lingerMs: 0, clock: c.now });
  acc.append('t', 0, rec('a'));
  acc.append('v', 3, rec('a'));
  const r = acc.ready(leaders({ 't-0': 5 }));
  assert.deepEqual([...r.readyNodes], [5]);
  assert.deepEqual([...r.unknownLeaderTopics], ['v']);
});

test('drain: one batch per partition per node, max request size, round-robin start', () => {
  const c = fakeClock();
  const acc = new RecordAccumulator({ batchSize: 1000, lingerMs: 0, clock: c.now });
  const l = leaders({ 't-0': 1, 't-1': 1, 't-2': 1, 't-3': 2 });
  for (const p of [0, 1, 2, 3]) {
    acc.append('t', p, rec(Buffer.alloc(400)));
    acc.append('t', p, rec(Buffer.alloc(400)));
    acc.append('t', p, rec(Buffer.alloc(400))); // second batch per partition
  }
  let d = acc.drain(l, [1, 2], 1000);
  // node 1: ~870-byte batches; max 1000 per request -> only one batch (t-0)
  assert.deepEqual(
    d.get(1)!.map((b) => b.partition),
    [0],
  );
  assert.deepEqual(
    d.get(2)!.map((b) => b.partition),
    [3],
  );
  assert.equal(d.get(1)![0].closed, true);
  assert.equal(d.get(1)![0].attempts, 1);
  d = acc.drain(l, [1], 1000);
  assert.deepEqual(
    d.get(1)!.map((b) => b.partition),
    [1],
  ); // continues where it stopped
  d = acc.drain(l, [1], 100000);
  assert.deepEqual(
    d
      .get(1)!
      .map((b) => b.partition)
      .sort(),
    [0, 1, 2],
  ); // one per partition
  assert.equal(d.get(1)!.find((b) => b.partition === 2)!.recordCount, 2);
});

test('retry: reenqueued batch waits retry.backoff.ms, keeps its place at the head', () => {
  const c = fakeClock();
  const acc = new RecordAccumulator({ lingerMs: 0, retryBackoffMs: 100, clock: c.now });
  const l = leaders({ 't-0': 1 });
  const first = acc.append('t', 0, rec('a')).batch;
  const [b] = acc.drain(l, [1], 1 << 20).get(1)!;
  assert.equal(b, first);
  acc.append('t', 0, rec('b'));
  acc.reenqueue(b);
  let r = acc.ready(l);
  assert.deepEqual([...r.readyNodes], []);
  assert.equal(r.nextReadyCheckDelayMs, 100);
  c.advance(100);
  r = acc.ready(l);
  assert.deepEqual([...r.readyNodes], [1]);
  const again = acc.drain(l, [1], 1 << 20).get(1)!;
  assert.equal(again[0], b);
  assert.equal(b.attempts, 2);
});

test('batches put back after failures (retried or split) return in their original order', async () => {
  const c = fakeClock();
  const acc = new RecordAccumulator({ batchSize: 100, lingerMs: 0, retryBackoffMs: 0, clock: c.now });
  const l = leaders({ 't-0': 1 });
  const vals = ['a', 'b', 'c', 'd', 'e'].map((v) => v.repeat(30));
  for (const v of vals) acc.append('t', 0, rec(v)); // one 30-byte record per 100-byte batch
  const inFlight = [acc.drain(l, [1], 1 << 20).get(1)![0]!, acc.drain(l, [1], 1 << 20).get(1)![0]!, acc.drain(l, [1], 1 << 20).get(1)![0]!];
  // the answers fail in reverse order: the queue is still a, b, c, d, e
  acc.reenqueue(inFlight[2]!);
  acc.reenqueue(inFlight[0]!);
  acc.reenqueue(inFlight[1]!);
  const order: string[] = [];
  for (let d: ProducerBatch[] | undefined; (d = acc.drain(l, [1], 1 << 20).get(1)); ) order.push(d[0]!.records[0]!.value!.toString()[0]!);
  assert.deepEqual(order, ['a', 'b', 'c', 'd', 'e']);

  // a split batch's halves take its place, before the batches created after it
  const big = new RecordAccumulator({ batchSize: 1000, lingerMs: 0, clock: c.now });
  for (let i = 0; i < 6; i++) big.append('t', 0, rec(`${i}`.repeat(100)));
  const later = big.append('t', 0, rec('x'.repeat(900))).batch;
  const [whole] = big.drain(l, [1], 1 << 20).get(1)!;
  assert.equal(whole!.recordCount, 6);
  big.splitAndReenqueue(whole!);
  const [h1] = big.drain(l, [1], 1 << 20).get(1)!;
  big.splitAndReenqueue(h1!); // split again: 2 + 1
  const parts: number[][] = [];
  for (let d: ProducerBatch[] | undefined; (d = big.drain(l, [1], 1 << 20).get(1)); )
    parts.push(d[0] === later ? [-1] : d[0]!.records.map((r) => Number(r.value!.toString()[0])));
  assert.deepEqual(parts, [[0, 1], [2], [3, 4, 5], [-1]]);
});

test('retry: batches of a partition that fail together go back in creation order, whatever order they come back in', () => {
  const c = fakeClock();
  const acc = new RecordAccumulator({ lingerMs: 0, retryBackoffMs: 100, clock: c.now });
  const l = leaders({ 't-0': 1 });
  // three batches in flight at once (one per drain), a fourth still queued
  const inFlight = [0, 1, 2].map((i) => {
    acc.append('t', 0, rec(`r${i}`));
    return acc.drain(l, [1], 1 << 20).get(1)![0]!;
  });
  const queued = acc.append('t', 0, rec('r3')).batch;
  // the leader moved: the answers are handled newest first
  for (const b of [...inFlight].reverse()) acc.reenqueue(b);
  c.advance(100);
  const order = [];
  for (let i = 0; i < 4; i++) order.push(acc.drain(l, [1], 1 << 20).get(1)![0]!);
  assert.deepEqual(order, [...inFlight, queued]);
  assert.deepEqual(
    order.map((b) => b.attempts),
    [2, 2, 2, 1],
  );
});

test('batches past delivery.timeout.ms are expired; results settle once', async () => {
  const c = fakeClock();
  const acc = new RecordAccumulator({ lingerMs: 0, deliveryTimeoutMs: 1000, clock: c.now });
  const a = acc.append('t', 0, rec('a'));
  c.advance(500);
  const b = acc.append('t', 1, rec('b'));
  c.advance(500);
  const expired = acc.expiredBatches();
  assert.deepEqual(expired, [a.batch]);
  a.batch.fail(new Error('expired'));
  a.batch.complete({ baseOffset: 1n, logAppendTime: -1n }); // ignored
  await assert.rejects(a.batch.result, /expired/);
  b.batch.complete({ baseOffset: 40n, logAppendTime: -1n });
  assert.deepEqual(await b.batch.result, { baseOffset: 40n, logAppendTime: -1n });
  assert.equal(acc.hasUndrained(), true);
});

test('sticky partitioning with the accumulator: unkeyed records fill a partition, then switch', () => {
  const c = fakeClock();
  const acc = new RecordAccumulator({ batchSize: 300, lingerMs: 1000, clock: c.now });
  let i = 0;
  const randoms = [1, 2, 0, 1];
  const partitioner = new DefaultPartitioner({ batchSize: 300, random: () => randoms[i++ % randoms.length] });
  const layout = { partitionCount: 3, availablePartitions: [0, 1, 2] };
  const partitions: number[] = [];
  for (let n = 0; n < 12; n++) partitions.push(partitionAndAppend(partitioner, acc, 't', layout, rec(Buffer.alloc(100))).partition);
  // each record is 109 bytes: a batch holds 61 + 2 * 109 = 279 <= 300. Produced bytes per partition:
  // 170 (new batch counts its header), 279, 449 (3rd record opens batch 2: not full -> switch held
  // back), 558, 728 (5th opens batch 3; >= 2 * batch.size -> switch regardless): 5 records each
  assert.deepEqual(partitions, [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 0, 0]);
  // keyed records are not affected
  const keyed = partitionAndAppend(partitioner, acc, 't', layout, rec('v', 'foobar'));
  assert.equal(keyed.partition, 1357151166 % 3);
});
