// Transactions on the partition side over a real socket: transactional batches produced, COMMIT /
// ABORT markers written with WriteTxnMarkers (27), read_committed Fetch stopping at the last
// stable offset with the exact aborted transactions, ListOffsets answering the LSO,
// DescribeProducers (61), marker errors, an open transaction surviving a broker restart, and the
// authorization of both APIs.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiKey, ErrorCode, decodeRecordBatches, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';
import { AclOperation, ResourceType, type Authorizer } from '../src/server/authorizer.ts';

// (record timestamps near the broker's clock: markers are stamped with it, and segment.ms rolls
// on the distance between record timestamps)
const TS = Date.now();
// Transactional batches are written here without a transaction coordinator (markers come from
// the test): the produce-path verification (KIP-890) is off.
const NO_VERIFICATION = { 'transaction.partition.verification.enable': false };
const P1 = 1000n;
const P2 = 2000n;

function txnBatch(pid: bigint, epoch: number, seq: number, count: number) {
  const records = Array.from({ length: count }, (_, i) => ({ value: `${pid}-${seq + i}`, timestamp: TS + seq + i }));
  return encodeRecordBatch({ records, producerId: pid, producerEpoch: epoch, baseSequence: seq, isTransactional: true });
}

async function produce(c: KafkaTestClient, topic: string, records: Buffer) {
  const res = await c.request(ApiKey.Produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    transactionalId: 'tx',
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}

function markers(
  list: Array<{ pid: bigint; epoch: number; commit: boolean; coordinatorEpoch?: number; topics: Array<[string, number[]]> }>,
) {
  return {
    markers: list.map((m) => ({
      producerId: m.pid,
      producerEpoch: m.epoch,
      transactionResult: m.commit,
      coordinatorEpoch: m.coordinatorEpoch ?? 0,
      topics: m.topics.map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
    })),
  };
}

/** Per marker: [producerId, [[topic, [[partition, errorCode]]]]]. */
async function writeMarkers(c: KafkaTestClient, body: ReturnType<typeof markers>, version = 1) {
  const res = await c.request(ApiKey.WriteTxnMarkers, version, body);
  return res.markers.map((m) => [m.producerId, m.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])])]);
}

async function fetchCommitted(c: KafkaTestClient, topic: string, offset: number, isolationLevel = 1) {
  const res = await c.request(ApiKey.Fetch, 12, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          { partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), logStartOffset: -1n, partitionMaxBytes: 1 << 20 },
        ],
      },
    ],
  });
  const p = res.responses[0]!.partitions[0]!;
  const batches = await decodeRecordBatches(p.records!);
  return {
    errorCode: p.errorCode,
    highWatermark: p.highWatermark,
    lastStableOffset: p.lastStableOffset,
    aborted: p.abortedTransactions,
    batches: batches.map((b) => [Number(b.baseOffset), b.isControl, Number(b.producerId)]),
    maxTimestamps: batches.map((b) => b.maxTimestamp),
  };
}

async function latest(c: KafkaTestClient, topic: string, isolationLevel: number) {
  const res = await c.request(ApiKey.ListOffsets, 7, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
  });
  const p = res.topics[0]!.partitions[0]!;
  return [p.errorCode, p.offset];
}

describe('transactions: markers, read_committed Fetch, ListOffsets, DescribeProducers', async () => {
  const b = await startTestBroker(NO_VERIFICATION);
  const c = await kafkaClient(b.port);
  await topicsOf(b.broker).createTopic({ name: 't', numPartitions: 1 });
  after(async () => {
    c.close();
    await b.stop();
  });

  it('read_committed stops at the oldest open transaction; markers move it; aborted transactions are answered exactly', async () => {
    assert.deepEqual((await produce(c, 't', await txnBatch(P1, 0, 0, 2))).baseOffset, 0n); // 0-1
    assert.deepEqual((await produce(c, 't', await txnBatch(P2, 0, 0, 1))).baseOffset, 2n); // 2
    assert.deepEqual((await produce(c, 't', await txnBatch(P1, 0, 2, 1))).baseOffset, 3n); // 3
    assert.deepEqual(await fetchCommitted(c, 't', 0), {
      errorCode: 0,
      highWatermark: 4n,
      lastStableOffset: 0n,
      aborted: [],
      batches: [],
      maxTimestamps: [],
    });
    assert.deepEqual(await latest(c, 't', 1), [0, 0n]);
    assert.deepEqual(await latest(c, 't', 0), [0, 4n]);
    // read_uncommitted sees everything below the HW, with no aborted list
    const all = await fetchCommitted(c, 't', 0, 0);
    assert.deepEqual([all.lastStableOffset, all.aborted, all.batches.length], [0n, null, 3]);

    // P1 aborts (offset 4): the LSO moves to P2's first offset
    assert.deepEqual(
      await writeMarkers(
        c,
        markers([
          {
            pid: P1,
            epoch: 0,
            commit: false,
            topics: [
              ['t', [0, 7]],
              ['nope', [0]],
            ],
          },
        ]),
      ),
      [
        [
          P1,
          [
            [
              't',
              [
                [0, 0],
                [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
              ],
            ],
            ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
          ],
        ],
      ],
    );
    const afterAbort = await fetchCommitted(c, 't', 0);
    assert.deepEqual(
      [afterAbort.errorCode, afterAbort.highWatermark, afterAbort.lastStableOffset, afterAbort.aborted, afterAbort.batches],
      [0, 5n, 2n, [{ producerId: P1, firstOffset: 0n }], [[0, false, 1000]]],
    );
    assert.deepEqual(await latest(c, 't', 1), [0, 2n]);

    // P2 commits (offset 5), v0 of the request: everything is stable
    assert.deepEqual(await writeMarkers(c, markers([{ pid: P2, epoch: 0, commit: true, topics: [['t', [0]]] }]), 0), [
      [P2, [['t', [[0, 0]]]]],
    ]);
    const committed = await fetchCommitted(c, 't', 0);
    assert.deepEqual([committed.errorCode, committed.highWatermark, committed.lastStableOffset], [0, 6n, 6n]);
    assert.deepEqual(committed.aborted, [{ producerId: P1, firstOffset: 0n }]);
    assert.deepEqual(committed.batches, [
      [0, false, 1000],
      [2, false, 2000],
      [3, false, 1000],
      [4, true, 1000],
      [5, true, 2000],
    ]);
    // a fetch from past P1's marker overlaps no aborted transaction
    assert.deepEqual((await fetchCommitted(c, 't', 5)).aborted, []);
    assert.deepEqual(await latest(c, 't', 1), [0, 6n]);
  });

  it('markers: INVALID_PRODUCER_EPOCH below the producer epoch, TRANSACTION_COORDINATOR_FENCED below the last coordinator epoch', async () => {
    await produce(c, 't', await txnBatch(P1, 1, 0, 1)); // 6: P1 at epoch 1
    assert.deepEqual(
      await writeMarkers(
        c,
        markers([
          { pid: P1, epoch: 0, commit: true, topics: [['t', [0]]] },
          { pid: P2, epoch: 0, commit: true, coordinatorEpoch: 3, topics: [['t', [0]]] },
        ]),
      ),
      [
        [P1, [['t', [[0, ErrorCode.INVALID_PRODUCER_EPOCH]]]]],
        [P2, [['t', [[0, ErrorCode.NONE]]]]],
      ],
    );
    assert.deepEqual(await writeMarkers(c, markers([{ pid: P2, epoch: 0, commit: true, coordinatorEpoch: 2, topics: [['t', [0]]] }])), [
      [P2, [['t', [[0, ErrorCode.TRANSACTION_COORDINATOR_FENCED]]]]],
    ]);
    assert.deepEqual(await writeMarkers(c, markers([{ pid: P1, epoch: 1, commit: true, coordinatorEpoch: 1, topics: [['t', [0]]] }])), [
      [P1, [['t', [[0, ErrorCode.NONE]]]]],
    ]);
    assert.deepEqual(await latest(c, 't', 1), [0, 9n]);
  });

  it('DescribeProducers answers the active producers; unknown partitions and topics answer their errors', async () => {
    await produce(c, 't', await txnBatch(P2, 0, 1, 2)); // 9-10: P2 opens a new transaction
    const p1Marker = (await fetchCommitted(c, 't', 8, 0)).maxTimestamps[0]!; // P1's last: its COMMIT marker at 8
    const res = await c.request(ApiKey.DescribeProducers, 0, {
      topics: [
        { name: 't', partitionIndexes: [0, 3] },
        { name: 'nope', partitionIndexes: [0] },
      ],
    });
    const t = res.topics[0]!;
    assert.deepEqual(t.partitions[0], {
      partitionIndex: 0,
      errorCode: 0,
      errorMessage: null,
      activeProducers: [
        { producerId: P1, producerEpoch: 1, lastSequence: 0, lastTimestamp: p1Marker, coordinatorEpoch: 1, currentTxnStartOffset: -1n },
        {
          producerId: P2,
          producerEpoch: 0,
          lastSequence: 2,
          lastTimestamp: BigInt(TS + 2),
          coordinatorEpoch: 3,
          currentTxnStartOffset: 9n,
        },
      ],
    });
    assert.deepEqual(
      [t.partitions[1]!.errorCode, t.partitions[1]!.errorMessage, t.partitions[1]!.activeProducers],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null, []],
    );
    assert.deepEqual(
      [res.topics[1]!.partitions[0]!.errorCode, res.topics[1]!.partitions[0]!.errorMessage],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'],
    );
  });
});

describe('transactions: an open transaction survives a broker restart', () => {
  it('the LSO is held at its first offset until its marker, and the abort is answered after', async () => {
    const b = await startTestBroker(NO_VERIFICATION, {}, { keep: true });
    const c = await kafkaClient(b.port);
    await topicsOf(b.broker).createTopic({ name: 'r', numPartitions: 1, configs: { 'segment.bytes': '200' } });
    await produce(c, 'r', await encodeRecordBatch({ records: [{ value: 'plain', timestamp: TS }] })); // 0
    await produce(c, 'r', await txnBatch(P1, 0, 0, 2)); // 1-2
    for (let i = 0; i < 3; i++) await produce(c, 'r', await encodeRecordBatch({ records: [{ value: 'x'.repeat(80), timestamp: TS }] })); // 3-5, rolling
    assert.deepEqual(await latest(c, 'r', 1), [0, 1n]);
    c.close();
    await b.broker.stop();

    const b2 = await startTestBroker({ ...NO_VERIFICATION, 'log.dirs': b.dataDir });
    const c2 = await kafkaClient(b2.port);
    try {
      assert.ok(topicsOf(b2.broker).partition('r', 0)!.log.segments.length > 1);
      assert.deepEqual(await latest(c2, 'r', 1), [0, 1n]);
      assert.deepEqual(await latest(c2, 'r', 0), [0, 6n]);
      const before = await fetchCommitted(c2, 'r', 0);
      assert.deepEqual([before.lastStableOffset, before.batches, before.aborted], [1n, [[0, false, -1]], []]);
      assert.deepEqual(await writeMarkers(c2, markers([{ pid: P1, epoch: 0, commit: false, topics: [['r', [0]]] }])), [
        [P1, [['r', [[0, 0]]]]],
      ]);
      assert.deepEqual(await latest(c2, 'r', 1), [0, 7n]);
      assert.deepEqual((await fetchCommitted(c2, 'r', 1)).aborted, [{ producerId: P1, firstOffset: 1n }]);
    } finally {
      c2.close();
      await b2.stop();
    }
  });
});

describe('transactions: authorization', () => {
  it('WriteTxnMarkers needs ALTER or CLUSTER_ACTION on the cluster; DescribeProducers READ on the topic', async () => {
    let allowAlter = false;
    const authorizer: Authorizer = {
      authorize: (_ctx, op, type) =>
        type === ResourceType.CLUSTER
          ? op === AclOperation.ALTER && allowAlter
          : !(type === ResourceType.TOPIC && op === AclOperation.READ),
    };
    const b = await startTestBroker(NO_VERIFICATION, { authorizer });
    const c = await kafkaClient(b.port);
    try {
      await topicsOf(b.broker).createTopic({ name: 'a', numPartitions: 1 });
      const body = markers([{ pid: P1, epoch: 0, commit: true, topics: [['a', [0]]] }]);
      assert.deepEqual(await writeMarkers(c, body), [[P1, [['a', [[0, ErrorCode.CLUSTER_AUTHORIZATION_FAILED]]]]]]);
      allowAlter = true;
      assert.deepEqual(await writeMarkers(c, body), [[P1, [['a', [[0, ErrorCode.NONE]]]]]]);
      const res = await c.request(ApiKey.DescribeProducers, 0, { topics: [{ name: 'a', partitionIndexes: [0] }] });
      assert.deepEqual(res.topics[0]!.partitions[0], {
        partitionIndex: 0,
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        errorMessage: 'Topic authorization failed.',
        activeProducers: [],
      });
    } finally {
      c.close();
      await b.stop();
    }
  });
});
