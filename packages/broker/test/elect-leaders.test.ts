// ElectLeaders (43) and UnregisterBroker (64) over a real socket on one broker (its own controller):
// per-partition answers at each version (v0 is PREFERRED and has no top-level ErrorCode), all
// partitions (null), an empty list, an unknown election type, an unknown broker; and ALTER on the
// cluster needed for both (CLUSTER_AUTHORIZATION_FAILED as Kafka's error responses put it).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, ResourceType, type Authorizer } from '../src/server/authorizer.ts';
import { kafkaClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

const NOT_NEEDED = [ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.'];

const flat = (r: {
  replicaElectionResults: Array<{
    topic: string;
    partitionResult: Array<{ partitionId: number; errorCode: number; errorMessage: string | null }>;
  }>;
}) => r.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => [`${t.topic}-${p.partitionId}`, p.errorCode, p.errorMessage]));

describe('ElectLeaders and UnregisterBroker on one broker', async () => {
  const b = await startTestBroker({ 'node.id': 1 });
  const c = await kafkaClient(b.port);
  await topicsOf(b.broker).createTopic({ name: 'one', numPartitions: 2 });
  after(async () => {
    c.close();
    await b.stop();
  });

  it('answers each partition named, at every version', async () => {
    const topicPartitions = [
      { topic: 'one', partitions: [0, 1, 5] },
      { topic: 'nope', partitions: [0] },
    ];
    const expected = [
      ['one-0', ...NOT_NEEDED],
      ['one-1', ...NOT_NEEDED],
      ['one-5', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'No such partition as one-5'],
      ['nope-0', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'No such topic as nope'],
    ];
    for (const v of [0, 1, 2]) {
      const r = await c.request(ApiKey.ElectLeaders, v, { electionType: 0, topicPartitions, timeoutMs: 1000 });
      assert.deepEqual([r.errorCode, flat(r)], [ErrorCode.NONE, expected], `v${v}`);
    }
    // UNCLEAN: every partition has a leader
    const u = await c.request(ApiKey.ElectLeaders, 2, {
      electionType: 1,
      topicPartitions: [{ topic: 'one', partitions: [1] }],
      timeoutMs: 1000,
    });
    assert.deepEqual(flat(u), [['one-1', ...NOT_NEEDED]]);
  });

  it('null: every topic, without the partitions that need no election; empty: nothing', async () => {
    const all = await c.request(ApiKey.ElectLeaders, 2, { electionType: 0, topicPartitions: null, timeoutMs: 1000 });
    assert.deepEqual(all, {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: [{ topic: 'one', partitionResult: [] }],
    });
    const none = await c.request(ApiKey.ElectLeaders, 2, { electionType: 0, topicPartitions: [], timeoutMs: 1000 });
    assert.deepEqual(none, { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: [] });
  });

  it('an unknown election type is INVALID_REQUEST for the whole request', async () => {
    const r = await c.request(ApiKey.ElectLeaders, 2, {
      electionType: 7,
      topicPartitions: [{ topic: 'one', partitions: [0] }],
      timeoutMs: 1000,
    });
    assert.deepEqual(
      [r.errorCode, flat(r)],
      [ErrorCode.INVALID_REQUEST, [['one-0', ErrorCode.INVALID_REQUEST, 'Unknown election type 7']]],
    );
  });

  it('UnregisterBroker of an id that is not registered: BROKER_ID_NOT_REGISTERED', async () => {
    const r = await c.request(ApiKey.UnregisterBroker, 0, { brokerId: 9 });
    assert.deepEqual(r, { throttleTimeMs: 0, errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, errorMessage: 'Broker 9 is not registered.' });
  });
});

describe('ElectLeaders and UnregisterBroker authorization', async () => {
  const noClusterAlter: Authorizer = { authorize: (_ctx, op, type) => !(type === ResourceType.CLUSTER && op === AclOperation.ALTER) };
  const b = await startTestBroker({ 'node.id': 1 }, { authorizer: noClusterAlter });
  const c = await kafkaClient(b.port);
  after(async () => {
    c.close();
    await b.stop();
  });

  it('need ALTER on the cluster', async () => {
    const topicPartitions = [{ topic: 'one', partitions: [0, 1] }];
    const failed = [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.'];
    const r = await c.request(ApiKey.ElectLeaders, 2, { electionType: 0, topicPartitions, timeoutMs: 1000 });
    assert.deepEqual(
      [r.errorCode, flat(r)],
      [
        ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        [
          ['one-0', ...failed],
          ['one-1', ...failed],
        ],
      ],
    );
    const v0 = await c.request(ApiKey.ElectLeaders, 0, { electionType: 0, topicPartitions, timeoutMs: 1000 });
    assert.deepEqual(flat(v0), [
      ['one-0', ...failed],
      ['one-1', ...failed],
    ]);
    const all = await c.request(ApiKey.ElectLeaders, 2, { electionType: 0, topicPartitions: null, timeoutMs: 1000 });
    assert.deepEqual([all.errorCode, all.replicaElectionResults], [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, []]);
    const u = await c.request(ApiKey.UnregisterBroker, 0, { brokerId: 1 });
    assert.deepEqual(u, { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null });
  });
});
