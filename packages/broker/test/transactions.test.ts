// The transaction coordinator over a real socket: FindCoordinator key type 1 (creating
// __transaction_state as Kafka configures it), InitProducerId with a transactional id,
// AddPartitionsToTxn (v3 and the batched v4 form), AddOffsetsToTxn, EndTxn, DescribeTransactions,
// ListTransactions, and a restart that replays __transaction_state from disk and finishes a
// transaction left between PrepareCommit and CompleteCommit. Markers go to an injected writer
// (the partition side's writeTxnMarkers is another helper's; tested there).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { TestTopics } from './helpers/test-topics.ts';

class FakeMarkers {
  sent: Array<{ destination: number; request: WriteTxnMarkersRequest }> = [];
  hold: Promise<void> | null = null;
  fail = false;
  readonly write = async (destination: number, request: WriteTxnMarkersRequest): Promise<WriteTxnMarkersResponse> => {
    this.sent.push({ destination, request });
    if (this.hold) await this.hold;
    if (this.fail) throw new Error('unreachable');
    return {
      markers: request.markers.map((m) => ({
        producerId: m.producerId,
        topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, errorCode: 0 })) })),
      })),
    };
  };
}

async function withBroker(
  fn: (ctx: { c: KafkaTestClient; markers: FakeMarkers; b: Awaited<ReturnType<typeof startTestBroker>> }) => Promise<void>,
  settings: Record<string, string | number> = {},
) {
  const markers = new FakeMarkers();
  const b = await startTestBroker(
    { 'transaction.state.log.num.partitions': 3, 'offsets.topic.num.partitions': 2, ...settings },
    { transactionCoordinator: { markerWriter: markers.write } },
  );
  const c = await kafkaClient(b.port);
  try {
    await fn({ c, markers, b });
  } finally {
    c.close();
    await b.stop();
  }
}

const init = (
  c: KafkaTestClient,
  version: number,
  transactionalId: string,
  more: { producerId?: bigint; producerEpoch?: number; transactionTimeoutMs?: number } = {},
) =>
  c
    .request(ApiKey.InitProducerId, version, { transactionalId, transactionTimeoutMs: 60_000, ...more })
    .then((r) => [r.errorCode, r.producerId, r.producerEpoch]);

/** InitProducerId, retried while the coordinator loads (as clients do). */
async function initReady(c: KafkaTestClient, id: string) {
  for (;;) {
    const r = await init(c, 4, id);
    if (r[0] !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return r;
    await new Promise((res) => setTimeout(res, 10));
  }
}

const addV3 = (
  c: KafkaTestClient,
  id: string,
  producerId: bigint,
  producerEpoch: number,
  topics: Array<{ name: string; partitions: number[] }>,
  version = 3,
) =>
  c
    .request(ApiKey.AddPartitionsToTxn, version, {
      v3AndBelowTransactionalId: id,
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: topics,
    })
    .then((r) =>
      r.resultsByTopicV3AndBelow.map((t) => [t.name, t.resultsByPartition.map((p) => [p.partitionIndex, p.partitionErrorCode])]),
    );

async function settle(ms = 50) {
  await new Promise((r) => setTimeout(r, ms));
}

describe('transactions over the wire', () => {
  it('FindCoordinator key type 1 creates __transaction_state (compacted, internal) and names this broker', async () => {
    await withBroker(async ({ c, b }) => {
      const v3 = await c.request(ApiKey.FindCoordinator, 3, { keyType: 1, key: 'tx' });
      assert.deepEqual([v3.errorCode, v3.nodeId, v3.host, v3.port], [0, b.broker.config.nodeId, '127.0.0.1', b.port]);
      const v4 = await c.request(ApiKey.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['a', 'b'] });
      assert.deepEqual(
        v4.coordinators.map((k) => [k.key, k.nodeId, k.errorCode]),
        [
          ['a', b.broker.config.nodeId, 0],
          ['b', b.broker.config.nodeId, 0],
        ],
      );
      const s = b.broker.services;
      assert.equal(s.metadata.topic('__transaction_state')?.partitions.length, 3);
      assert.deepEqual(s.metadata.topicConfigs('__transaction_state'), {
        'cleanup.policy': 'compact',
        'compression.type': 'uncompressed',
        'unclean.leader.election.enable': 'false',
        'min.insync.replicas': '1', // transaction.state.log.min.isr (2) capped at the one broker
        'segment.bytes': '104857600',
      });
      // it is internal: clients cannot produce to it
      const md = await c.request(ApiKey.Metadata, 12, { topics: [{ name: '__transaction_state', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }] });
      assert.equal(md.topics[0]!.isInternal, true);
    });
  });

  it('InitProducerId: a producer id, epoch bumps, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH below v4), timeout bounds', async () => {
    await withBroker(
      async ({ c }) => {
        await c.request(ApiKey.FindCoordinator, 3, { keyType: 1, key: 'tx' });
        const [code, pid, epoch] = await initReady(c, 'tx');
        assert.deepEqual([code, epoch], [0, 0]);
        assert.deepEqual(await init(c, 4, 'tx'), [0, pid, 1]);
        assert.deepEqual(await init(c, 4, 'tx', { producerId: pid as bigint, producerEpoch: 1 }), [0, pid, 2]);
        assert.deepEqual(await init(c, 4, 'tx', { producerId: pid as bigint, producerEpoch: 0 }), [ErrorCode.PRODUCER_FENCED, -1n, -1]);
        assert.deepEqual(await init(c, 3, 'tx', { producerId: pid as bigint, producerEpoch: 0 }), [
          ErrorCode.INVALID_PRODUCER_EPOCH,
          -1n,
          -1,
        ]);
        assert.deepEqual(await init(c, 4, 'tx', { transactionTimeoutMs: 120_001 }), [ErrorCode.INVALID_TRANSACTION_TIMEOUT, -1n, -1]);
        assert.deepEqual(await init(c, 4, 'tx', { transactionTimeoutMs: 0 }), [ErrorCode.INVALID_TRANSACTION_TIMEOUT, -1n, -1]);
        assert.deepEqual(await init(c, 4, ''), [ErrorCode.INVALID_REQUEST, -1n, -1]);
      },
      { 'transaction.max.timeout.ms': 120_000 },
    );
  });

  it('a transaction: AddPartitionsToTxn, AddOffsetsToTxn, EndTxn (CONCURRENT_TRANSACTIONS while markers are pending), describe and list', async () => {
    await withBroker(async ({ c, markers, b }) => {
      await new TestTopics(b.broker.services).createTopic({ name: 't', numPartitions: 2, replicationFactor: 1 });
      await c.request(ApiKey.FindCoordinator, 3, { keyType: 1, key: 'tx' });
      await c.request(ApiKey.FindCoordinator, 3, { keyType: 0, key: 'g' });
      const [, pid] = (await initReady(c, 'tx')) as [number, bigint, number];
      // one unknown partition: nothing is added, the others OPERATION_NOT_ATTEMPTED
      assert.deepEqual(
        await addV3(c, 'tx', pid, 0, [
          { name: 't', partitions: [0, 9] },
          { name: 'nope', partitions: [0] },
        ]),
        [
          [
            't',
            [
              [0, ErrorCode.OPERATION_NOT_ATTEMPTED],
              [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
            ],
          ],
          ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
        ],
      );
      assert.deepEqual(await addV3(c, 'tx', pid, 0, [{ name: '__consumer_offsets', partitions: [0] }]), [
        ['__consumer_offsets', [[0, ErrorCode.TOPIC_AUTHORIZATION_FAILED]]],
      ]);
      assert.deepEqual(await addV3(c, 'tx', pid, 7, [{ name: 't', partitions: [0] }], 1), [['t', [[0, ErrorCode.INVALID_PRODUCER_EPOCH]]]]);
      assert.deepEqual(await addV3(c, 'tx', pid, 0, [{ name: 't', partitions: [0, 1] }]), [
        [
          't',
          [
            [0, 0],
            [1, 0],
          ],
        ],
      ]);
      const offsets = await c.request(ApiKey.AddOffsetsToTxn, 3, {
        transactionalId: 'tx',
        producerId: pid,
        producerEpoch: 0,
        groupId: 'g',
      });
      assert.equal(offsets.errorCode, 0);
      const groupPartition = b.broker.services.groupCoordinator.partitionFor('g');
      // v4: the broker form, verify only
      const verify = await c.request(ApiKey.AddPartitionsToTxn, 4, {
        transactions: [
          { transactionalId: 'tx', producerId: pid, producerEpoch: 0, verifyOnly: true, topics: [{ name: 't', partitions: [1] }] },
          { transactionalId: 'other', producerId: 5n, producerEpoch: 0, verifyOnly: true, topics: [{ name: 't', partitions: [0] }] },
        ],
      });
      assert.deepEqual(
        verify.resultsByTransaction.map((r) => [r.transactionalId, r.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode]),
        [
          ['tx', 0],
          ['other', ErrorCode.INVALID_PRODUCER_ID_MAPPING],
        ],
      );
      const described = await c.request(ApiKey.DescribeTransactions, 0, { transactionalIds: ['tx', 'unknown'] });
      assert.deepEqual(
        described.transactionStates.map((s) => [s.transactionalId, s.errorCode, s.transactionState, s.producerId, s.topics]),
        [
          [
            'tx',
            0,
            'Ongoing',
            pid,
            [
              { topic: '__consumer_offsets', partitions: [groupPartition] },
              { topic: 't', partitions: [0, 1] },
            ],
          ],
          ['unknown', ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, '', 0n, []],
        ],
      );
      let release!: () => void;
      markers.hold = new Promise((r) => (release = r));
      const end = await c.request(ApiKey.EndTxn, 3, { transactionalId: 'tx', producerId: pid, producerEpoch: 0, committed: true });
      assert.equal(end.errorCode, 0);
      const again = await c.request(ApiKey.EndTxn, 3, { transactionalId: 'tx', producerId: pid, producerEpoch: 0, committed: true });
      assert.equal(again.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
      const listed = await c.request(ApiKey.ListTransactions, 1, {
        stateFilters: ['PrepareCommit'],
        producerIdFilters: [],
        durationFilter: -1n,
      });
      assert.deepEqual(
        listed.transactionStates.map((t) => [t.transactionalId, t.transactionState]),
        [['tx', 'PrepareCommit']],
      );
      release();
      await settle();
      assert.deepEqual(
        markers.sent.map((s) => [s.destination, s.request.markers.map((m) => [m.producerId, m.transactionResult, m.topics])]),
        [
          [
            b.broker.config.nodeId,
            [
              [
                pid,
                true,
                [
                  { name: '__consumer_offsets', partitionIndexes: [groupPartition] },
                  { name: 't', partitionIndexes: [0, 1] },
                ],
              ],
            ],
          ],
        ],
      );
      const done = await c.request(ApiKey.DescribeTransactions, 0, { transactionalIds: ['tx'] });
      assert.deepEqual([done.transactionStates[0]!.transactionState, done.transactionStates[0]!.topics], ['CompleteCommit', []]);
      assert.equal(
        (await c.request(ApiKey.EndTxn, 1, { transactionalId: 'tx', producerId: pid, producerEpoch: 0, committed: false })).errorCode,
        ErrorCode.INVALID_TXN_STATE,
      );
      const all = await c.request(ApiKey.ListTransactions, 0, { stateFilters: ['Nope'], producerIdFilters: [] });
      assert.deepEqual([all.errorCode, all.unknownStateFilters, all.transactionStates], [0, ['Nope'], []]);
    });
  });

  it('replays __transaction_state after a restart and completes a transaction left in PrepareCommit', async () => {
    const markers = new FakeMarkers();
    markers.fail = true;
    const settings = { 'transaction.state.log.num.partitions': 1 };
    const b = await startTestBroker(settings, { transactionCoordinator: { markerWriter: markers.write } }, { keep: true });
    let c = await kafkaClient(b.port);
    await new TestTopics(b.broker.services).createTopic({ name: 't', numPartitions: 1, replicationFactor: 1 });
    await c.request(ApiKey.FindCoordinator, 3, { keyType: 1, key: 'tx' });
    const [, pid] = (await initReady(c, 'tx')) as [number, bigint, number];
    await initReady(c, 'idle');
    assert.deepEqual(await addV3(c, 'tx', pid, 0, [{ name: 't', partitions: [0] }]), [['t', [[0, 0]]]]);
    assert.equal(
      (await c.request(ApiKey.EndTxn, 3, { transactionalId: 'tx', producerId: pid, producerEpoch: 0, committed: true })).errorCode,
      0,
    );
    c.close();
    await b.stop();

    const markers2 = new FakeMarkers();
    const b2 = await startTestBroker({ ...settings, 'log.dirs': b.dataDir }, { transactionCoordinator: { markerWriter: markers2.write } });
    c = await kafkaClient(b2.port);
    try {
      await b2.broker.services.txnCoordinator.loaded();
      await settle();
      assert.deepEqual(
        markers2.sent.map((s) => s.request.markers.map((m) => [m.producerId, m.producerEpoch, m.transactionResult, m.coordinatorEpoch])),
        [[[pid, 0, true, 0]]],
      );
      const d = await c.request(ApiKey.DescribeTransactions, 0, { transactionalIds: ['tx', 'idle'] });
      assert.deepEqual(
        d.transactionStates.map((s) => [s.transactionalId, s.transactionState, s.producerEpoch]),
        [
          ['tx', 'CompleteCommit', 0],
          ['idle', 'Empty', 0],
        ],
      );
      assert.deepEqual(await init(c, 4, 'tx'), [0, pid, 1]);
    } finally {
      c.close();
      await b2.stop();
    }
  });
});
