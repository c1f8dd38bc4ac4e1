// AlterPartitionReassignments (45) and ListPartitionReassignments (46) over a real socket on one
// broker (node 1, its own controller): Kafka's per-partition errors and messages, a no-op target,
// the listing (empty: nothing reassigns on one broker), and ALTER / DESCRIBE on the cluster.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, ResourceType, type Authorizer } from '../src/server/authorizer.ts';
import { kafkaClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';

describe('AlterPartitionReassignments / ListPartitionReassignments', async () => {
  const b = await startTestBroker();
  const c = await kafkaClient(b.port);
  after(async () => {
    c.close();
    await b.stop();
  });
  const created = await c.request(ApiKey.CreateTopics, 5, {
    topics: [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);

  it('answers every partition: unknown topics and partitions, bad targets, cancelling none, a target already in place', async () => {
    const r = await c.request(ApiKey.AlterPartitionReassignments, 0, {
      timeoutMs: 5000,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, replicas: [1] },
            { partitionIndex: 1, replicas: [1, 2] },
            { partitionIndex: 1, replicas: [1, 1] },
            { partitionIndex: 1, replicas: [] },
            { partitionIndex: 0, replicas: null },
            { partitionIndex: 5, replicas: [1] },
          ],
        },
        { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [1] }] },
      ],
    });
    const INVALID = ErrorCode.INVALID_REPLICA_ASSIGNMENT;
    assert.deepEqual(r, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      responses: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, errorCode: 0, errorMessage: null },
            {
              partitionIndex: 1,
              errorCode: INVALID,
              errorMessage: 'The manual partition assignment includes broker 2, but no such broker is registered.',
            },
            {
              partitionIndex: 1,
              errorCode: INVALID,
              errorMessage: 'The manual partition assignment includes the broker 1 more than once.',
            },
            { partitionIndex: 1, errorCode: INVALID, errorMessage: 'The manual partition assignment includes an empty replica list.' },
            {
              partitionIndex: 0,
              errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
              errorMessage: 'No partition reassignment is in progress.',
            },
            { partitionIndex: 5, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find partition t:5.' },
          ],
        },
        {
          name: 'nope',
          partitions: [
            { partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find a topic named nope.' },
          ],
        },
      ],
    });
  });

  it('lists no reassignment: all of them, or named partitions', async () => {
    const all = await c.request(ApiKey.ListPartitionReassignments, 0, { timeoutMs: 5000, topics: null });
    assert.deepEqual(all, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [] });
    const named = await c.request(ApiKey.ListPartitionReassignments, 0, {
      timeoutMs: 5000,
      topics: [
        { name: 't', partitionIndexes: [0, 1] },
        { name: 'nope', partitionIndexes: [0] },
      ],
    });
    assert.deepEqual(named.topics, []);
  });
});

describe('reassignment authorization', async () => {
  const deny: Authorizer = {
    authorize: (_ctx, op, type) => !(type === ResourceType.CLUSTER && (op === AclOperation.ALTER || op === AclOperation.DESCRIBE)),
  };
  const b = await startTestBroker({}, { authorizer: deny });
  const c = await kafkaClient(b.port);
  after(async () => {
    c.close();
    await b.stop();
  });

  it('needs ALTER on the cluster to reassign and DESCRIBE on the cluster to list', async () => {
    const FAILED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
    const alter = await c.request(ApiKey.AlterPartitionReassignments, 0, {
      timeoutMs: 5000,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [1] }] }],
    });
    assert.deepEqual(alter, {
      throttleTimeMs: 0,
      errorCode: FAILED,
      errorMessage: 'Cluster authorization failed.',
      responses: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: FAILED, errorMessage: 'Cluster authorization failed.' }] }],
    });
    const list = await c.request(ApiKey.ListPartitionReassignments, 0, { timeoutMs: 5000, topics: [{ name: 't', partitionIndexes: [0] }] });
    assert.deepEqual(list, {
      throttleTimeMs: 0,
      errorCode: FAILED,
      errorMessage: 'Cluster authorization failed.',
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [], addingReplicas: [], removingReplicas: [] }] }],
    });
  });
});
