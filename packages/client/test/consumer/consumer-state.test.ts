// Subscription state (assignment, positions, pause, resets, committed offsets) and the fetch
// buffer (order, positions, seek invalidation, pause, byte bound).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubscriptionState, NoOffsetForPartitionError } from '../../src/consumer/subscription-state.ts';
import { FetchBuffer, type CompletedFetch } from '../../src/consumer/fetch-buffer.ts';
import type { ConsumerRecord } from '../../src/api.ts';

const t0 = { topic: 't', partition: 0 };
const t1 = { topic: 't', partition: 1 };

function rec(tp: { topic: string; partition: number }, offset: number): ConsumerRecord {
  return {
    ...tp,
    offset: BigInt(offset),
    timestamp: 0,
    timestampType: 'create',
    key: null,
    value: Buffer.from(String(offset)),
    headers: [],
    leaderEpoch: 3,
  };
}
function fetchOf(tp: { topic: string; partition: number }, from: number, offsets: number[], next: number, size = 100): CompletedFetch {
  return {
    ...tp,
    fetchOffset: BigInt(from),
    records: offsets.map((o) => rec(tp, o)),
    nextFetchOffset: BigInt(next),
    highWatermark: BigInt(next),
    sizeInBytes: size,
  };
}

test('subscription modes and assignment', () => {
  const s = new SubscriptionState('earliest');
  s.subscribe(['b', 'a']);
  assert.deepEqual(s.subscribedTopics(), ['a', 'b']);
  assert.equal(s.usesGroup, true);
  assert.throws(() => s.assign([t0]), /unsubscribe first/);
  s.assignFromGroup([t0, t1]);
  s.seek(t0, 5n);
  s.assignFromGroup([t0]); // t1 revoked, t0 keeps its position
  assert.deepEqual(s.assigned(), [t0]);
  assert.deepEqual(s.position(t0), { offset: 5n, leaderEpoch: -1 });
  s.unsubscribe();
  s.subscribePattern(/^orders-/);
  assert.equal(s.matchTopics(['orders-eu', 'payments', 'orders-us']), true);
  assert.deepEqual(s.subscribedTopics(), ['orders-eu', 'orders-us']);
  assert.equal(s.matchTopics(['orders-us', 'orders-eu']), false);
});

test('positions come from committed offsets, else auto.offset.reset; none throws', () => {
  const s = new SubscriptionState('latest');
  s.assign([t0, t1]);
  assert.deepEqual(s.partitionsAwaitingCommitted(), [t0, t1]);
  assert.deepEqual(s.fetchable(), []);
  s.applyCommitted(t0, { offset: 42n, leaderEpoch: 1 });
  s.applyCommitted(t1, null);
  assert.deepEqual(s.fetchable(), [{ tp: t0, position: { offset: 42n, leaderEpoch: 1 } }]);
  assert.deepEqual(s.partitionsNeedingReset(), [{ tp: t1, target: 'latest' }]);
  s.seek(t1, 7n);
  assert.equal(s.fetchable().length, 2);
  s.pause(t0);
  assert.deepEqual(
    s.fetchable().map((f) => f.tp),
    [t1],
  );
  s.resume(t0);
  s.requestReset(t0, { timestamp: 1000 });
  assert.deepEqual(s.partitionsNeedingReset(), [{ tp: t0, target: { timestamp: 1000 } }]);
  const strict = new SubscriptionState('none');
  strict.assign([t0]);
  assert.throws(() => strict.applyCommitted(t0, null), NoOffsetForPartitionError);
  assert.throws(() => s.seek({ topic: 'x', partition: 0 }, 1n), /not assigned/);
});

test('fetch buffer hands out records from the position, in fetch order, advancing positions', () => {
  const s = new SubscriptionState();
  s.assign([t0, t1]);
  s.seek(t0, 10n);
  s.seek(t1, 0n);
  const b = new FetchBuffer(s, 1000);
  // a compressed batch may start before the position: records 8, 9 are skipped
  b.add(fetchOf(t0, 10, [8, 9, 10, 11], 14));
  b.add(fetchOf(t1, 0, [0, 1], 2));
  assert.equal(b.bufferedBytes, 200);
  assert.deepEqual(
    b.bufferedPartitions(),
    new Map([
      ['t\u00000', { fetches: 1, nextFetchOffset: 14n }],
      ['t\u00001', { fetches: 1, nextFetchOffset: 2n }],
    ]),
  );
  assert.equal(b.nextFetchOffset('t', 0, 10n), 14n);
  assert.equal(b.nextFetchOffset('t', 2, 7n), 7n);
  const got: string[] = [];
  for (let r = b.nextRecord(); r; r = b.nextRecord()) got.push(`${r.partition}:${r.offset}`);
  assert.deepEqual(got, ['0:10', '0:11', '1:0', '1:1']);
  // t0 moved past the control records / gap to the fetch's next offset
  assert.deepEqual(s.position(t0), { offset: 14n, leaderEpoch: 3 });
  assert.deepEqual(s.position(t1), { offset: 2n, leaderEpoch: 3 });
  assert.equal(b.bufferedBytes, 0);
});

test('fetches made before a seek or for revoked partitions are dropped; paused ones wait', () => {
  const s = new SubscriptionState();
  s.assign([t0, t1]);
  s.seek(t0, 0n);
  s.seek(t1, 0n);
  const b = new FetchBuffer(s, 150);
  b.add(fetchOf(t0, 0, [0, 1, 2], 3));
  b.add(fetchOf(t1, 0, [0, 1], 2));
  assert.equal(b.hasRoom, false);
  s.seek(t0, 100n); // seek: the buffered t0 data is stale
  s.pause(t1);
  assert.equal(b.nextRecord(), undefined);
  assert.equal(b.bufferedBytes, 100); // t0 dropped, t1 kept while paused
  s.resume(t1);
  const batch = b.nextBatch()!;
  assert.deepEqual(
    batch.records.map((r) => r.offset),
    [0n, 1n],
  );
  assert.equal(batch.highWatermark, 2n);
  b.add(fetchOf(t1, 2, [2], 3));
  s.assign([t0]); // t1 revoked
  assert.equal(b.nextRecord(), undefined);
  assert.equal(b.bufferedBytes, 0);
});

test('waitForData resolves on wakeup (the fetcher wakes it after adding)', async () => {
  const s = new SubscriptionState();
  s.assign([t0]);
  s.seek(t0, 0n);
  const b = new FetchBuffer(s);
  const waiting = b.waitForData();
  b.add(fetchOf(t0, 0, [0], 1));
  b.wakeup();
  await waiting;
  assert.equal(b.nextRecord()!.offset, 0n);
});

test('fetch ahead: a second fetch of a partition follows the first; a seek drops both', () => {
  const s = new SubscriptionState();
  s.assign([t0]);
  s.seek(t0, 0n);
  const b = new FetchBuffer(s, 10_000);
  b.add(fetchOf(t0, 0, [0, 1, 2], 3));
  assert.equal(b.nextFetchOffset('t', 0, 0n), 3n);
  b.add(fetchOf(t0, 3, [3, 4], 5)); // fetched from where the first ends, before it was consumed
  assert.equal(b.nextFetchOffset('t', 0, 0n), 5n);
  const got: bigint[] = [];
  for (let r = b.nextRecord(); r; r = b.nextRecord()) got.push(r.offset);
  assert.deepEqual(got, [0n, 1n, 2n, 3n, 4n]);
  assert.equal(s.position(t0)!.offset, 5n);

  b.add(fetchOf(t0, 5, [5, 6], 7));
  b.add(fetchOf(t0, 7, [7], 8));
  assert.equal(b.nextRecord()!.offset, 5n);
  s.seek(t0, 0n); // what the consumer's seek does, with clearPartition
  b.clearPartition('t', 0);
  assert.equal(b.nextRecord(), undefined);
  assert.equal(b.nextFetchOffset('t', 0, 0n), 0n);
});
