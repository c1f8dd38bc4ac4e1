// ReplicaManager without TCP: appendRecords' per-partition answers (request order, Kafka's error
// codes, sync or promise), fetchMessages' KIP-74 read budget and its long poll in the purgatory
// (minBytes, maxWaitMs on MockTime, abort, leader change, removal), and shutdown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppendRecordsRequest, FetchMessagesRequest, FetchMessagesResponse } from '../../src/replica/replica-manager.ts';
import { baseOffsets, batch, harness, type Harness } from './helpers.ts';

type Data = AppendRecordsRequest['topics'][number]['partitionData'];

function produce(h: Harness, topics: Array<[string, Data]>, o: Partial<AppendRecordsRequest> = {}) {
  return h.replicas.appendRecords({
    requiredAcks: 1, internalTopicsAllowed: false, origin: 'client', produceVersion: 11,
    topics: topics.map(([name, partitionData]) => ({ name, partitionData })), ...o,
  });
}

/** Fetch partitions of `topic`: [partition, fetchOffset, partitionMaxBytes?, currentLeaderEpoch?]. */
function fetch(h: Harness, topic: string, parts: Array<[number, number, number?, number?]>, o: Partial<FetchMessagesRequest> = {}, signal = new AbortController().signal) {
  return h.replicas.fetchMessages({
    maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, ...o,
    topics: [{ topic, topicId: `id-${topic}`, partitions: parts.map(([partition, off, max, epoch]) => ({ partition, fetchOffset: BigInt(off), partitionMaxBytes: max ?? 1 << 20, currentLeaderEpoch: epoch ?? -1 })) }],
  }, signal);
}

const ok = (index: number, baseOffset: number) => ({ index, errorCode: 0, baseOffset: BigInt(baseOffset), logAppendTimeMs: -1n, logStartOffset: 0n, errorMessage: null });
const failed = (index: number, errorCode: number, errorMessage: string | null = null) => ({ index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, errorMessage });
const summary = (r: FetchMessagesResponse) => r[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode, Number(p.highWatermark), baseOffsets(p.records ?? Buffer.alloc(0))]);

async function settled(promise: unknown): Promise<boolean> {
  let done = false;
  void Promise.resolve(promise).then(() => { done = true; });
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('ReplicaManager.appendRecords', () => {
  it('answers every partition in request order, valid and invalid mixed', async () => {
    const h = harness();
    h.host('t', { partition: 0 });
    h.host('t', { partition: 1 });
    h.host('u');
    const corrupt = await batch(1);
    corrupt[corrupt.length - 1]! ^= 1;
    const r = produce(h, [
      ['t', [{ index: 1, records: await batch(2) }, { index: 0, records: corrupt }, { index: 7, records: await batch(1) }, { index: 0, records: null }]],
      ['u', [{ index: 0, records: await batch(3) }]],
      ['bad/name', [{ index: 0, records: await batch(1) }]],
    ]);
    assert.ok(!(r instanceof Promise));
    assert.deepEqual(r.map((t) => t.name), ['t', 'u', 'bad/name']);
    assert.deepEqual(r[0]!.partitionResponses.map((p) => [p.index, p.errorCode]), [[1, 0], [0, 2], [7, 3], [0, 87]]);
    assert.deepEqual(r[0]!.partitionResponses[0], ok(1, 0));
    assert.deepEqual(r[0]!.partitionResponses[2], failed(7, 3, 'This server does not host this topic-partition.'));
    assert.deepEqual(r[0]!.partitionResponses[3], failed(0, 87, 'Produce requests with version 11 must have at least one record batch per partition'));
    assert.deepEqual(r[1]!.partitionResponses, [ok(0, 0)]);
    assert.deepEqual(r[2]!.partitionResponses.map((p) => p.errorCode), [17]); // INVALID_TOPIC_EXCEPTION
    assert.deepEqual(['t', 'u'].map((t) => h.replicas.getPartition(t, 0)!.logEndOffset), [0, 3]);
  });

  it('internal topics refuse client writes (17) unless internalTopicsAllowed', async () => {
    const h = harness();
    h.host('__consumer_offsets');
    const r = produce(h, [['__consumer_offsets', [{ index: 0, records: await batch(1) }]]]);
    assert.deepEqual(r, [{ name: '__consumer_offsets', partitionResponses: [failed(0, 17, 'Cannot append to internal topic __consumer_offsets')] }]);
    const allowed = produce(h, [['__consumer_offsets', [{ index: 0, records: await batch(1) }]]], { internalTopicsAllowed: true });
    assert.deepEqual(allowed, [{ name: '__consumer_offsets', partitionResponses: [ok(0, 0)] }]);
  });

  it('invalid acks: INVALID_REQUIRED_ACKS (21) on every partition, hosted or not, and nothing appended', async () => {
    const h = harness();
    const p = h.host('t');
    const r = produce(h, [['t', [{ index: 0, records: await batch(1) }, { index: 5, records: await batch(1) }]]], { requiredAcks: 2 });
    assert.deepEqual(r, [{ name: 't', partitionResponses: [failed(0, 21), failed(5, 21)] }]);
    assert.equal(p.logEndOffset, 0);
  });

  it('another node leading: NOT_LEADER_OR_FOLLOWER (6), unless served as that node', async () => {
    const h = harness();
    h.host('t', { leader: 2, replicas: [1, 2], isr: [1, 2] });
    const r = produce(h, [['t', [{ index: 0, records: await batch(1) }]]]);
    assert.deepEqual(r, [{ name: 't', partitionResponses: [failed(0, 6, 'This server is not the leader for partition t-0 (leader 2).')] }]);
    assert.deepEqual(produce(h, [['t', [{ index: 0, records: await batch(1) }]]], { servingNode: 2 }), [{ name: 't', partitionResponses: [ok(0, 0)] }]);
  });

  it('acks=-1 with the ISR below min.insync.replicas: NOT_ENOUGH_REPLICAS (19) for that partition only', async () => {
    const h = harness();
    h.host('t', { partition: 0, replicas: [1, 2], isr: [1], configs: { 'min.insync.replicas': '2' } });
    h.host('t', { partition: 1 });
    const r = produce(h, [['t', [{ index: 0, records: await batch(1) }, { index: 1, records: await batch(1) }]]], { requiredAcks: -1 });
    assert.deepEqual(r, [{ name: 't', partitionResponses: [
      failed(0, 19, 'The size of the current ISR [1] is insufficient to satisfy the min.isr requirement of 2 for partition t-0'),
      ok(1, 0),
    ] }]);
  });

  it('fsync durability makes the answer a promise, resolved once every partition is committed', async () => {
    const h = harness({ settings: { 'tributary.durability': 'fsync' } });
    const [p0, p1] = [h.host('t', { partition: 0 }), h.host('t', { partition: 1 })];
    const r = produce(h, [['t', [{ index: 1, records: await batch(2) }, { index: 9, records: await batch(1) }, { index: 0, records: await batch(1) }]]]);
    assert.ok(r instanceof Promise);
    assert.deepEqual([p0.highWatermark, p1.highWatermark], [0, 0]);
    assert.deepEqual(await r, [{ name: 't', partitionResponses: [ok(1, 0), failed(9, 3, 'This server does not host this topic-partition.'), ok(0, 0)] }]);
    assert.deepEqual([p0.highWatermark, p1.highWatermark], [1, 2]);
  });

  it('a partition deleted while its append waits for the fsync answers UNKNOWN_TOPIC_OR_PARTITION (3)', async () => {
    const h = harness({ settings: { 'tributary.durability': 'fsync' } });
    h.host('t');
    const r = produce(h, [['t', [{ index: 0, records: await batch(1) }]]]);
    h.replicas.removePartition('t', 0);
    assert.deepEqual(await r, [{ name: 't', partitionResponses: [failed(0, 3, 'This server does not host this topic-partition.')] }]);
  });
});

describe('ReplicaManager.fetchMessages: the read budget (KIP-74)', () => {
  async function threePartitions() {
    const h = harness();
    const sizes: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const p = h.host('t', { partition: i });
      sizes.push([]);
      for (let j = 0; j < 2; j++) {
        const b = await batch(1, { valueBytes: 100 * (i + 1) });
        sizes[i]!.push(b.length);
        p.appendRecordsToLeader(b, { requiredAcks: 1, origin: 'client' });
      }
    }
    return { h, sizes };
  }
  const all: Array<[number, number]> = [[0, 0], [1, 0], [2, 0]];

  it('a first batch larger than maxBytes is still returned, once; later partitions answer their offsets with no records', async () => {
    const { h } = await threePartitions();
    const r = fetch(h, 't', all, { maxBytes: 10 }) as FetchMessagesResponse;
    assert.deepEqual(summary(r), [[0, 0, 2, [0]], [1, 0, 2, []], [2, 0, 2, []]]);
  });

  it('within the budget, only whole batches that fit, partition by partition', async () => {
    const { h, sizes } = await threePartitions();
    const [a, b] = [sizes[0]![0]!, sizes[1]![0]!];
    const r = fetch(h, 't', all, { maxBytes: 2 * a + b + 5 }) as FetchMessagesResponse;
    assert.deepEqual(summary(r), [[0, 0, 2, [0, 1]], [1, 0, 2, [0]], [2, 0, 2, []]]);
    assert.equal(r[0]!.partitions.reduce((n, p) => n + (p.records?.length ?? 0), 0), 2 * a + b);
  });

  it('partitionMaxBytes bounds each partition; the first non-empty partition gets one batch however small its limit', async () => {
    const { h, sizes } = await threePartitions();
    const r = fetch(h, 't', [[0, 2], [1, 0, 1], [2, 0, sizes[2]![0]!]]) as FetchMessagesResponse; // partition 0 at its end
    assert.deepEqual(summary(r), [[0, 0, 2, []], [1, 0, 2, [0]], [2, 0, 2, [0]]]);
  });

  it('errors per partition, in order, answered at once: 3 unknown, 1 out of range, 74/75 epochs, 6 not leader', async () => {
    const { h } = await threePartitions();
    h.host('t', { partition: 3, leader: 2, replicas: [1, 2], isr: [1, 2] });
    const r = await fetch(h, 't', [[9, 0], [0, 3], [1, 0, undefined, 1], [2, 0, undefined, 0], [3, 0]], { maxWaitMs: 500, minBytes: 1 << 20 });
    assert.deepEqual(summary(r).map(([i, e]) => [i, e]), [[9, 3], [0, 1], [1, 75], [2, 0], [3, 6]]);
    assert.deepEqual(r[0]!.partitions[0], { partitionIndex: 9, errorCode: 3, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0) });
    assert.equal(h.replicas.fetchPurgatory.size, 0);
  });
});

describe('ReplicaManager.fetchMessages: the long poll', () => {
  const wait = { maxWaitMs: 1000, minBytes: 1 };

  it('waits until appends commit minBytes, then answers the new records; nothing is left in the purgatory', async () => {
    const h = harness();
    const p = h.host('t');
    const b1 = await batch(1);
    const r = fetch(h, 't', [[0, 0]], { ...wait, minBytes: b1.length + 1 });
    assert.ok(r instanceof Promise);
    assert.equal(h.replicas.fetchPurgatory.size, 1);
    produce(h, [['t', [{ index: 0, records: b1 }]]]);
    assert.equal(await settled(r), false); // one byte short
    produce(h, [['t', [{ index: 0, records: await batch(1) }]]]);
    assert.deepEqual(summary(await r), [[0, 0, 2, [0, 1]]]);
    assert.deepEqual([h.replicas.fetchPurgatory.size, p.highWatermark], [0, 2]);
  });

  it('fsync durability: woken by the fsync that commits the append, not by the append', async () => {
    const h = harness({ settings: { 'tributary.durability': 'fsync' } });
    h.host('t');
    const r = fetch(h, 't', [[0, 0]], wait);
    const appended = produce(h, [['t', [{ index: 0, records: await batch(1) }]]]);
    assert.equal(h.replicas.fetchPurgatory.size, 1);
    await appended;
    assert.deepEqual(summary(await r), [[0, 0, 1, [0]]]);
    assert.equal(h.replicas.fetchPurgatory.size, 0);
  });

  it('answers empty at maxWaitMs on MockTime', async () => {
    const h = harness();
    h.host('t');
    const r = fetch(h, 't', [[0, 0]], wait);
    await h.time.advance(999);
    assert.equal(await settled(r), false);
    await h.time.advance(1);
    assert.deepEqual(summary(await r), [[0, 0, 0, []]]);
    assert.equal(h.replicas.fetchPurgatory.size, 0);
  });

  it('answers at once when aborted (connection closed), and does not wait at all on an aborted signal', async () => {
    const h = harness();
    h.host('t');
    const ac = new AbortController();
    const r = fetch(h, 't', [[0, 0]], wait, ac.signal);
    ac.abort();
    assert.deepEqual(summary(await r), [[0, 0, 0, []]]);
    assert.equal(h.replicas.fetchPurgatory.size, 0);
    assert.ok(!(fetch(h, 't', [[0, 0]], wait, AbortSignal.abort()) instanceof Promise));
    assert.ok(!(fetch(h, 't', [[0, 0]], { ...wait, maxWaitMs: 0 }) instanceof Promise));
  });

  it('a leader change answers NOT_LEADER_OR_FOLLOWER (6) now; the new epoch starts at the log end', async () => {
    const h = harness();
    const p = h.host('t', { replicas: [1, 2], isr: [1, 2] });
    produce(h, [['t', [{ index: 0, records: await batch(3) }]]]);
    const r = fetch(h, 't', [[0, 3]], wait);
    h.replicas.changeLeaderAndIsr(p, 2, [2]);
    assert.deepEqual(summary(await r), [[0, 6, -1, []]]);
    assert.deepEqual([p.leader, p.leaderEpoch, p.isr, p.log.leaderEpochCache.all.at(-1)], [2, 1, [2], { epoch: 1, startOffset: 3 }]);
    assert.equal(h.replicas.fetchPurgatory.size, 0);
  });

  it('removing the partition answers UNKNOWN_TOPIC_OR_PARTITION (3) now and deletes its log', async () => {
    const h = harness();
    h.host('t');
    h.host('u');
    const r = fetch(h, 't', [[0, 0]], wait);
    h.replicas.removePartition('t', 0);
    assert.deepEqual(summary(await r), [[0, 3, -1, []]]);
    assert.equal(h.replicas.fetchPurgatory.size, 0);
    assert.deepEqual([h.fs.statSync('/data/t-0'), h.replicas.getPartition('t', 0)], [null, undefined]);
    assert.deepEqual([...h.replicas.logs.allLogs()].map((l) => l.topic), ['u']);
  });

  it('shutdown answers waiting fetches and writes the high watermark checkpoint', async () => {
    const h = harness();
    h.host('t');
    produce(h, [['t', [{ index: 0, records: await batch(4) }]]]);
    const r = fetch(h, 't', [[0, 4]], wait);
    h.replicas.shutdown();
    assert.equal(await settled(r), true);
    assert.equal(h.fs.bytes('/data/replication-offset-checkpoint').toString(), '0\n1\nt 0 4\n');
  });
});
