// ReplicaManager without TCP: applyDelta (partitions follow the metadata image: made for local
// replicas, leadership and epochs, deleted topics, config changes), getPartitionOrError,
// appendRecords' per-partition answers (request order, Kafka's error codes, sync or promise),
// fetchMessages' KIP-74 read budget and its long poll in the purgatory (minBytes, maxWaitMs on
// MockTime, abort, leader change, topic deletion), and shutdown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataDelta, MetadataImage, imageRecords } from '@tributary/metadata';
import { Off } from '@tributary/protocol';
import { runtimeConfig, toLogConfig } from '../../src/metadata/topic-config.ts';
import type { AppendRecordsRequest, FetchMessagesRequest, FetchMessagesResponse } from '../../src/replica/replica-manager.ts';
import { baseOffsets, batch, harness, topicIdOf, type Harness } from './helpers.ts';

type Data = AppendRecordsRequest['topics'][number]['partitionData'];

function produce(h: Harness, topics: Array<[string, Data]>, o: Partial<AppendRecordsRequest> = {}) {
  return h.replicas.appendRecords({
    requiredAcks: 1,
    internalTopicsAllowed: false,
    origin: 'client',
    produceVersion: 11,
    topics: topics.map(([name, partitionData]) => ({ name, partitionData })),
    ...o,
  });
}

/** Fetch partitions of `topic`: [partition, fetchOffset, partitionMaxBytes?, currentLeaderEpoch?]. */
function fetch(
  h: Harness,
  topic: string,
  parts: Array<[number, number, number?, number?]>,
  o: Partial<FetchMessagesRequest> & { servingNode?: number } = {},
  signal = new AbortController().signal,
) {
  const { servingNode, ...req } = o;
  return h.replicas.fetchMessages(
    {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      ...req,
      topics: [
        {
          topic,
          topicId: topicIdOf(topic),
          partitions: parts.map(([partition, off, max, epoch]) => ({
            partition,
            fetchOffset: BigInt(off),
            partitionMaxBytes: max ?? 1 << 20,
            currentLeaderEpoch: epoch ?? -1,
          })),
        },
      ],
    },
    signal,
    servingNode,
  );
}

const ok = (index: number, baseOffset: number) => ({
  index,
  errorCode: 0,
  baseOffset: BigInt(baseOffset),
  logAppendTimeMs: -1n,
  logStartOffset: 0n,
  recordErrors: [],
  errorMessage: null,
});
const failed = (index: number, errorCode: number, errorMessage: string | null = null) => ({
  index,
  errorCode,
  baseOffset: -1n,
  logAppendTimeMs: -1n,
  logStartOffset: -1n,
  recordErrors: [],
  errorMessage,
});
const summary = (r: FetchMessagesResponse) =>
  r[0]!.partitions.map((p) => [
    p.partitionIndex,
    p.errorCode,
    Number(p.highWatermark),
    baseOffsets((p.records ?? Buffer.alloc(0)) as Buffer),
  ]);

async function settled(promise: unknown): Promise<boolean> {
  let done = false;
  void Promise.resolve(promise).then(() => {
    done = true;
  });
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
      [
        't',
        [
          { index: 1, records: await batch(2) },
          { index: 0, records: corrupt },
          { index: 7, records: await batch(1) },
          { index: 0, records: null },
        ],
      ],
      ['u', [{ index: 0, records: await batch(3) }]],
      ['bad/name', [{ index: 0, records: await batch(1) }]],
    ]);
    assert.ok(!(r instanceof Promise));
    assert.deepEqual(
      r.map((t) => t.name),
      ['t', 'u', 'bad/name'],
    );
    assert.deepEqual(
      r[0]!.partitionResponses.map((p) => [p.index, p.errorCode]),
      [
        [1, 0],
        [0, 2],
        [7, 3],
        [0, 87],
      ],
    );
    assert.deepEqual(r[0]!.partitionResponses[0], ok(1, 0));
    assert.deepEqual(r[0]!.partitionResponses[2], failed(7, 3, 'This server does not host this topic-partition.'));
    assert.deepEqual(
      r[0]!.partitionResponses[3],
      failed(0, 87, 'Produce requests with version 11 must have at least one record batch per partition'),
    );
    assert.deepEqual(r[1]!.partitionResponses, [ok(0, 0)]);
    assert.deepEqual(
      r[2]!.partitionResponses.map((p) => p.errorCode),
      [17],
    ); // INVALID_TOPIC_EXCEPTION
    assert.deepEqual(
      ['t', 'u'].map((t) => h.replicas.getPartition(t, 0)!.logEndOffset),
      [0, 3],
    );
  });

  it('internal topics refuse client writes (17) unless internalTopicsAllowed', async () => {
    const h = harness();
    h.host('__consumer_offsets');
    const r = produce(h, [['__consumer_offsets', [{ index: 0, records: await batch(1) }]]]);
    assert.deepEqual(r, [
      { name: '__consumer_offsets', partitionResponses: [failed(0, 17, 'Cannot append to internal topic __consumer_offsets')] },
    ]);
    const allowed = produce(h, [['__consumer_offsets', [{ index: 0, records: await batch(1) }]]], { internalTopicsAllowed: true });
    assert.deepEqual(allowed, [{ name: '__consumer_offsets', partitionResponses: [ok(0, 0)] }]);
  });

  it('invalid acks: INVALID_REQUIRED_ACKS (21) on every partition, hosted or not, and nothing appended', async () => {
    const h = harness();
    const p = h.host('t');
    const r = produce(
      h,
      [
        [
          't',
          [
            { index: 0, records: await batch(1) },
            { index: 5, records: await batch(1) },
          ],
        ],
      ],
      { requiredAcks: 2 },
    );
    assert.deepEqual(r, [{ name: 't', partitionResponses: [failed(0, 21), failed(5, 21)] }]);
    assert.equal(p.logEndOffset, 0);
  });

  it('another node leading: NOT_LEADER_OR_FOLLOWER (6), unless served as that node', async () => {
    const h = harness();
    h.host('t', { leader: 2, replicas: [1, 2], isr: [1, 2] });
    const r = produce(h, [['t', [{ index: 0, records: await batch(1) }]]]);
    assert.deepEqual(r, [{ name: 't', partitionResponses: [failed(0, 6, 'This server is not the leader for partition t-0 (leader 2).')] }]);
    assert.deepEqual(produce(h, [['t', [{ index: 0, records: await batch(1) }]]], { servingNode: 2 }), [
      { name: 't', partitionResponses: [ok(0, 0)] },
    ]);
  });

  it('acks=-1 with the ISR below min.insync.replicas: NOT_ENOUGH_REPLICAS (19) for that partition only', async () => {
    const h = harness({ isLocalReplica: (id) => id === 1 || id === 2 }); // replica 2 shares the log: always caught up
    h.host('t', { partition: 0, replicas: [1, 2], isr: [1], configs: { 'min.insync.replicas': '2' } });
    h.host('t', { partition: 1, replicas: [1, 2], isr: [1, 2] }); // the topic's min.insync.replicas, met
    const r = produce(
      h,
      [
        [
          't',
          [
            { index: 0, records: await batch(1) },
            { index: 1, records: await batch(1) },
          ],
        ],
      ],
      { requiredAcks: -1 },
    );
    assert.deepEqual(r, [
      {
        name: 't',
        partitionResponses: [
          failed(0, 19, 'The size of the current ISR [1] is insufficient to satisfy the min.isr requirement of 2 for partition t-0'),
          ok(1, 0),
        ],
      },
    ]);
  });

  it('fsync durability makes the answer a promise, resolved once every partition is committed', async () => {
    const h = harness({ settings: { 'tributary.durability': 'fsync' } });
    const [p0, p1] = [h.host('t', { partition: 0 }), h.host('t', { partition: 1 })];
    const r = produce(h, [
      [
        't',
        [
          { index: 1, records: await batch(2) },
          { index: 9, records: await batch(1) },
          { index: 0, records: await batch(1) },
        ],
      ],
    ]);
    assert.ok(r instanceof Promise);
    assert.deepEqual([p0.highWatermark, p1.highWatermark], [0, 0]);
    assert.deepEqual(await r, [
      { name: 't', partitionResponses: [ok(1, 0), failed(9, 3, 'This server does not host this topic-partition.'), ok(0, 0)] },
    ]);
    assert.deepEqual([p0.highWatermark, p1.highWatermark], [1, 2]);
  });

  it('a partition deleted while its append waits for the fsync answers UNKNOWN_TOPIC_OR_PARTITION (3)', async () => {
    const h = harness({ settings: { 'tributary.durability': 'fsync' } });
    h.host('t');
    const r = produce(h, [['t', [{ index: 0, records: await batch(1) }]]]);
    h.deleteTopic('t');
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
  const all: Array<[number, number]> = [
    [0, 0],
    [1, 0],
    [2, 0],
  ];

  it('a first batch larger than maxBytes is still returned, once; later partitions answer their offsets with no records', async () => {
    const { h } = await threePartitions();
    const r = fetch(h, 't', all, { maxBytes: 10 }) as FetchMessagesResponse;
    assert.deepEqual(summary(r), [
      [0, 0, 2, [0]],
      [1, 0, 2, []],
      [2, 0, 2, []],
    ]);
  });

  it('within the budget, only whole batches that fit, partition by partition', async () => {
    const { h, sizes } = await threePartitions();
    const [a, b] = [sizes[0]![0]!, sizes[1]![0]!];
    const r = fetch(h, 't', all, { maxBytes: 2 * a + b + 5 }) as FetchMessagesResponse;
    assert.deepEqual(summary(r), [
      [0, 0, 2, [0, 1]],
      [1, 0, 2, [0]],
      [2, 0, 2, []],
    ]);
    assert.equal(
      r[0]!.partitions.reduce((n, p) => n + (p.records?.length ?? 0), 0),
      2 * a + b,
    );
  });

  it('partitionMaxBytes bounds each partition; the first non-empty partition gets one batch however small its limit', async () => {
    const { h, sizes } = await threePartitions();
    const r = fetch(h, 't', [
      [0, 2],
      [1, 0, 1],
      [2, 0, sizes[2]![0]!],
    ]) as FetchMessagesResponse; // partition 0 at its end
    assert.deepEqual(summary(r), [
      [0, 0, 2, []],
      [1, 0, 2, [0]],
      [2, 0, 2, [0]],
    ]);
  });

  it('errors per partition, in order, answered at once: 3 unknown, 1 out of range, 74/75 epochs, 6 not leader', async () => {
    const { h } = await threePartitions();
    h.host('t', { partition: 3, leader: 2, replicas: [1, 2], isr: [1, 2] });
    const r = await fetch(
      h,
      't',
      [
        [9, 0],
        [0, 3],
        [1, 0, undefined, 1],
        [2, 0, undefined, 0],
        [3, 0],
      ],
      { maxWaitMs: 500, minBytes: 1 << 20 },
    );
    assert.deepEqual(
      summary(r).map(([i, e]) => [i, e]),
      [
        [9, 3],
        [0, 1],
        [1, 75],
        [2, 0],
        [3, 6],
      ],
    );
    assert.deepEqual(r[0]!.partitions[0], {
      partitionIndex: 9,
      errorCode: 3,
      highWatermark: -1n,
      lastStableOffset: -1n,
      logStartOffset: -1n,
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: Buffer.alloc(0),
    });
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

  it('a leader change answers NOT_LEADER_OR_FOLLOWER (6) now; leading again starts the new epoch at the log end', async () => {
    const h = harness();
    const p = h.host('t', { replicas: [1, 2], isr: [1, 2] });
    produce(h, [['t', [{ index: 0, records: await batch(3) }]]]);
    const r = fetch(h, 't', [[0, 3]], wait);
    h.changePartition(p, { leader: 2, isr: [2] });
    assert.deepEqual(summary(await r), [[0, 6, -1, []]]);
    // a follower starts no epoch of its own (Kafka's makeFollower)
    assert.deepEqual([p.leader, p.leaderEpoch, p.isr, p.log.leaderEpochCache.all.at(-1)], [2, 1, [2], { epoch: 0, startOffset: 0 }]);
    assert.equal(h.replicas.fetchPurgatory.size, 0);
    h.changePartition(p, { leader: 1 });
    assert.deepEqual([p.leader, p.leaderEpoch, p.isr, p.log.leaderEpochCache.all.at(-1)], [1, 2, [1, 2], { epoch: 2, startOffset: 3 }]);
  });

  it('deleting the topic answers UNKNOWN_TOPIC_OR_PARTITION (3) now and deletes its log', async () => {
    const h = harness();
    h.host('t');
    h.host('u');
    const r = fetch(h, 't', [[0, 0]], wait);
    h.deleteTopic('t');
    assert.deepEqual(summary(await r), [[0, 3, -1, []]]);
    assert.equal(h.replicas.fetchPurgatory.size, 0);
    assert.deepEqual([h.fs.statSync('/data/t-0'), h.replicas.getPartition('t', 0)], [null, undefined]);
    assert.deepEqual(
      [...h.replicas.logs.allLogs()].map((l) => l.topic),
      ['u'],
    );
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

describe('ReplicaManager.applyDelta', () => {
  const hosted = (h: Harness) => [...h.replicas.allPartitions()].map((p) => p.key).sort();
  const logs = (h: Harness) => [...h.replicas.logs.allLogs()].map((l) => `${l.topic}-${l.partition}`).sort();

  it('makes a partition only where a local replica is assigned, as registered (leader, epochs, replicas, ISR, topic id)', async () => {
    const h = harness();
    h.assign('t', { partition: 0, replicas: [1, 2], isr: [1, 2], leaderEpoch: 3 });
    h.assign('t', { partition: 1, leader: 2, replicas: [2, 3], isr: [2, 3] });
    h.assign('t', { partition: 2, leader: 3, replicas: [3, 1], isr: [3], leaderEpoch: 5 });
    assert.deepEqual([hosted(h), logs(h), h.fs.statSync('/data/t-1')], [['t-0', 't-2'], ['t-0', 't-2'], null]);
    const [p0, p2] = [h.replicas.getPartition('t', 0)!, h.replicas.getPartition('t', 2)!];
    assert.deepEqual([p0.leader, p0.leaderEpoch, p0.replicas, p0.isr, p0.isLeader], [1, 3, [1, 2], [1, 2], true]);
    assert.deepEqual([p2.leader, p2.leaderEpoch, p2.replicas, p2.isr, p2.isLeader], [3, 5, [3, 1], [3], false]);
    assert.deepEqual([p0.topicId, p0.log.topicId, p2.log.topicId], Array(3).fill(topicIdOf('t')));
    // a later change of a partition with no local replica still makes none
    h.publish(h.controller.changePartition(h.image, { topic: 't', partition: 1, leader: 3 }).records);
    assert.deepEqual([h.image.partition('t', 1)!.leader, h.replicas.getPartition('t', 1)], [3, undefined]);

    // a restart: the whole image as one delta from the empty image (what LocalController.subscribe gives first)
    produce(h, [['t', [{ index: 0, records: await batch(2) }]]]);
    h.replicas.shutdown();
    const h2 = harness({ fs: h.fs, time: h.time });
    h2.replicas.applyDelta(new MetadataDelta(MetadataImage.EMPTY).replayAll(imageRecords(h.image)), h.image);
    assert.deepEqual(hosted(h2), ['t-0', 't-2']);
    const q0 = h2.replicas.getPartition('t', 0)!;
    assert.deepEqual([q0.leaderEpoch, q0.logEndOffset, h2.replicas.getPartition('t', 2)!.leaderEpoch], [3, 2, 5]);
    h2.replicas.shutdown();
  });

  it('a leader epoch change completes waiting fetches; a new epoch starts in the leader epoch cache at the log end only when a local replica leads', async () => {
    const h = harness();
    const p = h.host('t', { replicas: [1, 2, 3], isr: [1, 2, 3] });
    produce(h, [['t', [{ index: 0, records: await batch(2) }]]]);
    const epochs = () => p.log.leaderEpochCache.all.map((e) => [e.epoch, e.startOffset]);
    assert.deepEqual(epochs(), [[0, 0]]);

    const wait = { maxWaitMs: 1000, minBytes: 1 };
    const r = fetch(h, 't', [[0, 2]], wait);
    assert.equal(h.replicas.fetchPurgatory.size, 1);
    h.changePartition(p, { leader: 3 });
    assert.deepEqual(summary(await r), [[0, 6, -1, []]]);
    assert.deepEqual([p.leader, p.leaderEpoch, epochs(), h.replicas.fetchPurgatory.size], [3, 1, [[0, 0]], 0]);

    const served = fetch(h, 't', [[0, 2]], { ...wait, servingNode: 3 });
    assert.equal(h.replicas.fetchPurgatory.size, 1);
    h.changePartition(p, { leader: 1 });
    assert.deepEqual(summary(await served), [[0, 6, -1, []]]); // node 3 no longer leads
    assert.deepEqual(
      [p.leader, p.leaderEpoch, p.isLeader, epochs()],
      [
        1,
        2,
        true,
        [
          [0, 0],
          [2, 2],
        ],
      ],
    );
    // appends carry the new epoch
    produce(h, [['t', [{ index: 0, records: await batch(1) }]]]);
    // (followers 2 and 3 have not fetched it: it is above the HW, read as a follower would)
    assert.equal(p.readForFollower(2, 1 << 20, true).records.readInt32BE(Off.PartitionLeaderEpoch), 2);

    // an ISR change alone keeps the epoch (metadata.version 3.6-IV0+): nothing new in the cache
    h.changePartition(p, { isr: [1] });
    assert.deepEqual(
      [p.leaderEpoch, p.isr, epochs()],
      [
        2,
        [1],
        [
          [0, 0],
          [2, 2],
        ],
      ],
    );

    // a replica this ReplicaManager claims (the shared-log test cluster) counts as local
    const shared = harness({ isLocalReplica: (id) => id === 1 || id === 2 });
    const q = shared.host('t', { replicas: [1, 2], isr: [1, 2] });
    produce(shared, [['t', [{ index: 0, records: await batch(3) }]]]);
    shared.changePartition(q, { leader: 2 });
    assert.deepEqual(q.log.leaderEpochCache.all.at(-1), { epoch: 1, startOffset: 3 });
  });

  it("a deleted topic's partitions are removed, their fetches answered (3) and their logs deleted; a new topic of that name starts afresh", async () => {
    const h = harness();
    const [t0] = [h.host('t', { partition: 0, configs: { 'max.message.bytes': '500' } }), h.host('t', { partition: 1 })];
    h.host('u');
    produce(h, [['t', [{ index: 0, records: await batch(2) }]]]);
    const r = fetch(
      h,
      't',
      [
        [0, 2],
        [1, 0],
      ],
      { maxWaitMs: 1000, minBytes: 1 },
    );
    h.deleteTopic('t');
    assert.deepEqual(summary(await r), [
      [0, 3, -1, []],
      [1, 3, -1, []],
    ]);
    assert.deepEqual([hosted(h), logs(h), h.replicas.fetchPurgatory.size], [['u-0'], ['u-0'], 0]);
    assert.deepEqual(
      ['/data/t-0', '/data/t-1'].map((d) => h.fs.statSync(d)),
      [null, null],
    );
    assert.equal(t0.config.maxMessageBytes, 500);

    const again = h.host('t', { topicId: topicIdOf('t again') });
    assert.notEqual(again, t0);
    assert.deepEqual(
      [again.logEndOffset, again.log.topicId, again.config.maxMessageBytes],
      [0, topicIdOf('t again'), runtimeConfig({}, h.config).maxMessageBytes],
    );
  });

  it('a topic config change reaches its hosted partitions: p.log.config and p.config', () => {
    const h = harness();
    const [p0, p1, other] = [h.host('t', { partition: 0 }), h.host('t', { partition: 1 }), h.host('u')];
    const log0 = p0.log;
    const defaults = { log: toLogConfig({}, h.config), runtime: runtimeConfig({}, h.config) };
    const seen = (p: typeof p0) => [p.log.config.retentionMs, p.log.config.segmentBytes, p.config.maxMessageBytes, p.config.logAppendTime];
    h.alter('t', {
      'retention.ms': '1000',
      'segment.bytes': '4096',
      'max.message.bytes': '2000',
      'message.timestamp.type': 'LogAppendTime',
    });
    assert.deepEqual(
      [seen(p0), seen(p1)],
      [
        [1000, 4096, 2000, true],
        [1000, 4096, 2000, true],
      ],
    );
    assert.deepEqual(seen(other), [defaults.log.retentionMs, defaults.log.segmentBytes, defaults.runtime.maxMessageBytes, false]);
    assert.equal(p0.log, log0); // the same log and Partition, reconfigured
    h.alter('t', { 'retention.ms': '1000' });
    assert.deepEqual(seen(p1), [1000, defaults.log.segmentBytes, defaults.runtime.maxMessageBytes, false]);
    // a topic this broker hosts no replica of: nothing to reconfigure
    h.assign('v', { leader: 2, replicas: [2], isr: [2] });
    h.alter('v', { 'retention.ms': '5' });
    assert.deepEqual([h.image.topicConfigs('v'), h.replicas.getPartition('v', 0)], [{ 'retention.ms': '5' }, undefined]);
  });
});

describe('ReplicaManager.getPartitionOrError', () => {
  it('the hosted Partition; NOT_LEADER_OR_FOLLOWER (6) for a partition the image knows but this broker does not host; UNKNOWN_TOPIC_OR_PARTITION (3) otherwise', async () => {
    const h = harness();
    const p = h.host('t');
    h.assign('t', { partition: 1, leader: 2, replicas: [2, 3], isr: [2, 3] });
    assert.equal(h.replicas.getPartitionOrError('t', 0), p);
    assert.deepEqual(
      [h.replicas.getPartitionOrError('t', 1), h.replicas.getPartitionOrError('t', 2), h.replicas.getPartitionOrError('nope', 0)],
      [6, 3, 3],
    );
    // what Produce and Fetch answer for them
    const r = produce(h, [
      [
        't',
        [
          { index: 1, records: await batch(1) },
          { index: 2, records: await batch(1) },
        ],
      ],
    ]);
    assert.deepEqual(r, [
      {
        name: 't',
        partitionResponses: [
          failed(1, 6, 'This server is not the leader for partition t-1.'),
          failed(2, 3, 'This server does not host this topic-partition.'),
        ],
      },
    ]);
    assert.deepEqual(
      summary(
        await fetch(h, 't', [
          [1, 0],
          [2, 0],
        ]),
      ),
      [
        [1, 6, -1, []],
        [2, 3, -1, []],
      ],
    );
    h.deleteTopic('t');
    assert.deepEqual(
      [0, 1].map((i) => h.replicas.getPartitionOrError('t', i)),
      [3, 3],
    );
  });
});
