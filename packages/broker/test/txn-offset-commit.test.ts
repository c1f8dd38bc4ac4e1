// TxnOffsetCommit (API key 28) over a real socket against a test broker: the response (Kafka's
// order and codes: unknown topics and partitions, authorization, group checks, metadata size,
// fencing by producer epoch), the transactional batch in __consumer_offsets, pending offsets seen
// through OffsetFetch (UNSTABLE_OFFSET_COMMIT with RequireStable), the marker path (a COMMIT /
// ABORT control batch appended to the partition, then GroupCoordinatorService
// .onTransactionCompleted, as WriteTxnMarkers does), and the state after a broker restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ApiKey, ControlRecordType, buildEndTxnMarkerBatch, decodeRecordBatches } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { AclOperation, ResourceType, type Authorizer } from '../src/server/authorizer.ts';

const SETTINGS = { 'offsets.topic.num.partitions': 3, 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000 };
const E = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  OFFSET_METADATA_TOO_LARGE: 12,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  INVALID_PRODUCER_EPOCH: 47,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  UNSTABLE_OFFSET_COMMIT: 88,
};

/** Resources the test authorizer refuses, as `${resourceType}:${name}:${operation}`. */
const denied = new Set<string>();
const authorizer: Authorizer = { authorize: (_ctx, op, type, name) => !denied.has(`${type}:${name}:${op}`) };

type Offsets = [topic: string, partition: number, offset: number, metadata?: string | null][];

function txnCommit(producerId: bigint, producerEpoch: number, offsets: Offsets, extra: Record<string, unknown> = {}) {
  const names = [...new Set(offsets.map((o) => o[0]))];
  return {
    transactionalId: 'tx',
    groupId: 'g',
    producerId,
    producerEpoch,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    ...extra,
    topics: names.map((name) => ({
      name,
      partitions: offsets
        .filter((o) => o[0] === name)
        .map(([, partitionIndex, o, md]) => ({
          partitionIndex,
          committedOffset: BigInt(o),
          committedLeaderEpoch: 4,
          committedMetadata: md ?? null,
        })),
    })),
  };
}

const answer = (r: { topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }) =>
  r.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]);

describe('TxnOffsetCommit', () => {
  let kafka: Awaited<ReturnType<typeof startTestBroker>>;
  let c: KafkaTestClient;

  /** [partition, offset, errorCode] of OffsetFetch v7 for group `groupId`, topic t. */
  const fetchT = async (partitions: number[], requireStable: boolean, groupId = 'g') => {
    const r = await c.request(ApiKey.OffsetFetch, 7, { groupId, topics: [{ name: 't', partitionIndexes: partitions }], requireStable });
    assert.equal(r.errorCode, E.NONE);
    return r.topics[0]!.partitions.map((p) => [p.partitionIndex, Number(p.committedOffset), p.errorCode]);
  };

  /** A COMMIT/ABORT marker appended to the group's partition, then announced (helper A's WriteTxnMarkers path). */
  const endTxn = async (producerId: bigint, producerEpoch: number, commit: boolean, groupId = 'g') => {
    const services = kafka.broker.services;
    const partition = services.groupCoordinator.partitionFor(groupId);
    const p = services.replicas.getPartition('__consumer_offsets', partition)!;
    const type = commit ? ControlRecordType.Commit : ControlRecordType.Abort;
    const batch = buildEndTxnMarkerBatch({ type, producerId, producerEpoch, coordinatorEpoch: 0, timestamp: BigInt(Date.now()) });
    await services.replicas.appendAsCoordinator(p, batch, p.leader, 5000);
    await services.groupCoordinator.onTransactionCompleted(producerId, [partition], commit);
  };

  before(async () => {
    kafka = await startTestBroker(SETTINGS, { authorizer }, { keep: true });
    c = await kafkaClient(kafka.port);
    await c.request(ApiKey.FindCoordinator, 1, { key: 'g', keyType: 0 });
    const created = await c.request(ApiKey.CreateTopics, 5, {
      topics: [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(created.topics[0]!.errorCode, 0);
    await kafka.broker.services.groupCoordinator.loaded();
  });
  after(async () => {
    c.close();
    await kafka.stop();
    rmSync(kafka.dataDir, { recursive: true, force: true });
  });

  it('answers in Kafka order; the offsets are one transactional batch and stay pending until COMMIT', async () => {
    const res = await c.request(
      ApiKey.TxnOffsetCommit,
      3,
      txnCommit(5000n, 0, [
        ['t', 0, 10, 'md'],
        ['t', 9, 1],
        ['t', 1, 11],
        ['nope', 0, 1],
      ]),
    );
    // Kafka's builder: partitions answered by the broker first (t-9, then topic nope), then the
    // coordinator's results appended to their topic.
    assert.deepEqual(answer(res), [
      [
        't',
        [
          [9, E.UNKNOWN_TOPIC_OR_PARTITION],
          [0, E.NONE],
          [1, E.NONE],
        ],
      ],
      ['nope', [[0, E.UNKNOWN_TOPIC_OR_PARTITION]]],
    ]);
    assert.deepEqual(await fetchT([0, 1], false), [
      [0, -1, E.NONE],
      [1, -1, E.NONE],
    ]);
    assert.deepEqual(await fetchT([0, 1], true), [
      [0, -1, E.UNSTABLE_OFFSET_COMMIT],
      [1, -1, E.UNSTABLE_OFFSET_COMMIT],
    ]);

    const services = kafka.broker.services;
    const p = services.replicas.getPartition('__consumer_offsets', services.groupCoordinator.partitionFor('g'))!;
    const batches = await decodeRecordBatches(p.log.read(0, 1 << 20).records);
    const txn = batches.at(-1)!;
    assert.deepEqual(
      [txn.isTransactional, txn.isControl, txn.producerId, txn.producerEpoch, txn.baseSequence, txn.records.length],
      [true, false, 5000n, 0, 0, 2],
    );

    await endTxn(5000n, 0, true);
    const v5 = await c.request(ApiKey.OffsetFetch, 5, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] });
    assert.deepEqual(
      v5.topics[0]!.partitions.map((x) => [x.partitionIndex, x.committedOffset, x.committedLeaderEpoch, x.metadata, x.errorCode]),
      [
        [0, 10n, 4, 'md', E.NONE],
        [1, 11n, 4, '', E.NONE],
      ],
    );
  });

  it('ABORT drops the pending offsets; a lower producer epoch is fenced with INVALID_PRODUCER_EPOCH', async () => {
    assert.deepEqual(answer(await c.request(ApiKey.TxnOffsetCommit, 4, txnCommit(5000n, 1, [['t', 0, 20]]))), [['t', [[0, E.NONE]]]]);
    await endTxn(5000n, 1, false);
    assert.deepEqual(await fetchT([0], true), [[0, 10, E.NONE]]);
    // Epoch 1 is the producer's in the partition now: epoch 0 is refused on every partition.
    const fenced = await c.request(
      ApiKey.TxnOffsetCommit,
      4,
      txnCommit(5000n, 0, [
        ['t', 0, 30],
        ['t', 1, 31],
      ]),
    );
    assert.deepEqual(answer(fenced), [
      [
        't',
        [
          [0, E.INVALID_PRODUCER_EPOCH],
          [1, E.INVALID_PRODUCER_EPOCH],
        ],
      ],
    ]);
    assert.deepEqual(await fetchT([0, 1], true), [
      [0, 10, E.NONE],
      [1, 11, E.NONE],
    ]);
  });

  it('authorization in Kafka order: transactional id, group, topics', async () => {
    const req = txnCommit(6000n, 0, [
      ['t', 0, 1],
      ['u', 0, 1],
    ]);
    denied.add(`${ResourceType.TRANSACTIONAL_ID}:tx:${AclOperation.WRITE}`);
    denied.add(`${ResourceType.GROUP}:g:${AclOperation.READ}`);
    assert.deepEqual(answer(await c.request(ApiKey.TxnOffsetCommit, 3, req)), [
      ['t', [[0, E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]]],
      ['u', [[0, E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]]],
    ]);
    denied.clear();
    denied.add(`${ResourceType.GROUP}:g:${AclOperation.READ}`);
    assert.deepEqual(answer(await c.request(ApiKey.TxnOffsetCommit, 3, req)), [
      ['t', [[0, E.GROUP_AUTHORIZATION_FAILED]]],
      ['u', [[0, E.GROUP_AUTHORIZATION_FAILED]]],
    ]);
    denied.clear();
    denied.add(`${ResourceType.TOPIC}:t:${AclOperation.READ}`);
    assert.deepEqual(answer(await c.request(ApiKey.TxnOffsetCommit, 3, req)), [
      ['t', [[0, E.TOPIC_AUTHORIZATION_FAILED]]],
      ['u', [[0, E.UNKNOWN_TOPIC_OR_PARTITION]]],
    ]);
    denied.clear();
    assert.deepEqual(await fetchT([0], true), [[0, 10, E.NONE]], 'nothing reached the coordinator');
  });

  it('v3 group checks; metadata over offset.metadata.max.bytes; v0 carries no member', async () => {
    const unknownGroup = await c.request(
      ApiKey.TxnOffsetCommit,
      3,
      txnCommit(7000n, 0, [['t', 0, 1]], { groupId: 'fresh', generationId: 1, memberId: 'm' }),
    );
    assert.deepEqual(answer(unknownGroup), [['t', [[0, E.ILLEGAL_GENERATION]]]]);
    const noMember = await c.request(ApiKey.TxnOffsetCommit, 3, txnCommit(7000n, 0, [['t', 0, 1]], { generationId: 1, memberId: 'm' }));
    assert.deepEqual(answer(noMember), [['t', [[0, E.UNKNOWN_MEMBER_ID]]]]);
    const big = await c.request(
      ApiKey.TxnOffsetCommit,
      0,
      txnCommit(7000n, 0, [
        ['t', 0, 40, 'x'.repeat(4097)],
        ['t', 1, 41, 'y'],
      ]),
    );
    assert.deepEqual(answer(big), [
      [
        't',
        [
          [0, E.OFFSET_METADATA_TOO_LARGE],
          [1, E.NONE],
        ],
      ],
    ]);
    assert.deepEqual(await fetchT([0, 1], true), [
      [0, 10, E.NONE],
      [1, -1, E.UNSTABLE_OFFSET_COMMIT],
    ]);
  });

  it('after a restart, committed transactional offsets are kept and ongoing ones are still pending', async () => {
    c.close();
    await kafka.broker.stop();
    kafka = await startTestBroker({ ...SETTINGS, 'log.dirs': kafka.dataDir }, { authorizer }, { keep: true });
    c = await kafkaClient(kafka.port);
    await kafka.broker.services.groupCoordinator.loaded();
    assert.deepEqual(await fetchT([0, 1], true), [
      [0, 10, E.NONE],
      [1, -1, E.UNSTABLE_OFFSET_COMMIT],
    ]);
    await endTxn(7000n, 0, true);
    assert.deepEqual(await fetchT([0, 1], true), [
      [0, 10, E.NONE],
      [1, 41, E.NONE],
    ]);
  });
});
