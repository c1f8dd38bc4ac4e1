// Admin.describeMetadataQuorum against a scripted broker: DescribeQuorum of __cluster_metadata-0 at
// v2, read into Kafka's QuorumInfo (-1 timestamps as null, Nodes by id); a partition error is a
// KafkaClientError, NOT_LEADER_OR_FOLLOWER retried until the leader answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';
import { startFakeBroker } from '../helpers/fake-broker.ts';

const replica = (replicaId: number, logEndOffset: bigint, lastFetchTimestamp: bigint, lastCaughtUpTimestamp: bigint) => ({
  replicaId,
  replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
  logEndOffset,
  lastFetchTimestamp,
  lastCaughtUpTimestamp,
});

function answer(errorCode: number) {
  return {
    body: {
      errorCode: 0,
      errorMessage: null,
      topics: [
        {
          topicName: '__cluster_metadata',
          partitions: [
            {
              partitionIndex: 0,
              errorCode,
              errorMessage: null,
              leaderId: 3000,
              leaderEpoch: 2,
              highWatermark: 17n,
              currentVoters: [replica(3000, 17n, 1000n, 1000n)],
              observers: [replica(1, 15n, 990n, -1n)],
            },
          ],
        },
      ],
      nodes: [{ nodeId: 3000, listeners: [{ name: 'CONTROLLER', host: 'ctl', port: 9093 }] }],
    },
  };
}

test('describeMetadataQuorum: QuorumInfo from DescribeQuorum v2; NOT_LEADER_OR_FOLLOWER retried', async () => {
  let notLeader = 1;
  const broker = await startFakeBroker((h) => {
    if (h.apiKey !== ApiKey.DescribeQuorum) return undefined;
    return answer(notLeader-- > 0 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.NONE);
  });
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${broker.port}` });
  try {
    const q = await kafka.admin({ retryBackoffMs: 10 }).describeMetadataQuorum();
    const req = broker.requests.filter((r) => r.header.apiKey === ApiKey.DescribeQuorum);
    assert.equal(req.length, 2);
    assert.equal(req[0]!.header.apiVersion, 2);
    assert.deepEqual(req[0]!.body.topics, [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }]);
    assert.deepEqual(q, {
      leaderId: 3000,
      leaderEpoch: 2,
      highWatermark: 17,
      voters: [
        {
          replicaId: 3000,
          replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
          logEndOffset: 17,
          lastFetchTimestamp: 1000,
          lastCaughtUpTimestamp: 1000,
        },
      ],
      observers: [
        {
          replicaId: 1,
          replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
          logEndOffset: 15,
          lastFetchTimestamp: 990,
          lastCaughtUpTimestamp: null,
        },
      ],
      nodes: new Map([[3000, { nodeId: 3000, endpoints: [{ name: 'CONTROLLER', host: 'ctl', port: 9093 }] }]]),
    });
  } finally {
    await kafka.close();
    await broker.close();
  }
});

test('describeMetadataQuorum: a non-retriable partition error is thrown, named', async () => {
  const broker = await startFakeBroker((h) =>
    h.apiKey === ApiKey.DescribeQuorum ? answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED) : undefined,
  );
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${broker.port}` });
  try {
    await assert.rejects(kafka.admin().describeMetadataQuorum(), (e: unknown) => {
      assert.ok(e instanceof KafkaClientError);
      assert.equal(e.type, 'CLUSTER_AUTHORIZATION_FAILED');
      assert.match(e.message, /describe metadata quorum/);
      return true;
    });
  } finally {
    await kafka.close();
    await broker.close();
  }
});
