// DescribeQuorum on the controller listener (controller/handlers/describe-quorum.ts) over a
// dispatcher with a stand-in backend: every version's encoding (v0 without timestamps, v1 with,
// v2 with directory ids and Nodes: this voter's listeners and the other static voters'), and
// Kafka's errors — a wrong topic or partition answers UNKNOWN_TOPIC_OR_PARTITION per partition, a
// voter that is not the leader NOT_LEADER_OR_FOLLOWER, a principal without DESCRIBE on the
// cluster CLUSTER_AUTHORIZATION_FAILED.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QuorumDescription } from '@tributary/raft';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { BrokerConfig } from '../../src/config/broker-config.ts';
import type { ControllerBackend } from '../../src/controller/controller-backend.ts';
import { createControllerRegistry } from '../../src/controller/controller-apis.ts';
import { AclOperation, type Authorizer } from '../../src/server/authorizer.ts';
import { openDispatcher } from '../helpers/dispatcher-harness.ts';

const T = 1_700_000_000_000;
const QUORUM: QuorumDescription = {
  leaderId: 3000,
  epoch: 4,
  highWatermark: 42,
  voters: [{ replicaId: 3000, logEndOffset: 42, lastFetchTimestamp: T, lastCaughtUpTimestamp: T }],
  observers: [{ replicaId: 1, logEndOffset: 40, lastFetchTimestamp: T - 5, lastCaughtUpTimestamp: -1 }],
};
const config = BrokerConfig.load({
  settings: {
    'process.roles': 'controller',
    'node.id': 3000,
    listeners: 'CONTROLLER://127.0.0.1:9093',
    'controller.listener.names': 'CONTROLLER',
    'controller.quorum.voters': '3000@127.0.0.1:9093,3001@ctl2:9093',
  },
});
const REQUEST = { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] };

function harness(quorum: QuorumDescription, authorizer?: Authorizer) {
  const backend = { describeQuorum: () => quorum } as unknown as ControllerBackend;
  return openDispatcher(createControllerRegistry(backend), {
    services: { nodeId: 3000, config, advertisedListeners: [{ name: 'CONTROLLER', host: '127.0.0.1', port: 19093 }] },
    authorizer,
  });
}

async function ask(version: number, body = REQUEST, quorum = QUORUM, authorizer?: Authorizer) {
  const h = harness(quorum, authorizer);
  h.send(ApiKey.DescribeQuorum, version, 7, body);
  const { correlationId, body: res } = await h.response(ApiKey.DescribeQuorum, version);
  assert.equal(correlationId, 7);
  return res;
}

describe('DescribeQuorum on the controller listener', () => {
  it('v0: leader, epoch, high watermark, voters and observers (no timestamps at v0)', async () => {
    const res = await ask(0);
    assert.equal(res.errorCode, ErrorCode.NONE);
    const p = res.topics[0]!.partitions[0]!;
    assert.deepEqual(
      [res.topics[0]!.topicName, p.partitionIndex, p.errorCode, p.leaderId, p.leaderEpoch, p.highWatermark],
      ['__cluster_metadata', 0, 0, 3000, 4, 42n],
    );
    assert.deepEqual(
      p.currentVoters.map((v) => [v.replicaId, v.logEndOffset, v.lastFetchTimestamp]),
      [[3000, 42n, -1n]],
    );
    assert.deepEqual(
      p.observers.map((v) => [v.replicaId, v.logEndOffset]),
      [[1, 40n]],
    );
  });

  it('v1: LastFetchTimestamp and LastCaughtUpTimestamp', async () => {
    const p = (await ask(1)).topics[0]!.partitions[0]!;
    assert.deepEqual(
      [...p.currentVoters, ...p.observers].map((v) => [v.replicaId, v.lastFetchTimestamp, v.lastCaughtUpTimestamp]),
      [
        [3000, BigInt(T), BigInt(T)],
        [1, BigInt(T - 5), -1n],
      ],
    );
  });

  it("v2: directory ids (zero) and Nodes: this voter's bound listeners, the other static voters'", async () => {
    const res = await ask(2, REQUEST, { ...QUORUM, voters: [...QUORUM.voters, { ...QUORUM.voters[0]!, replicaId: 3001 }] });
    assert.equal(res.topics[0]!.partitions[0]!.currentVoters[0]!.replicaDirectoryId, 'AAAAAAAAAAAAAAAAAAAAAA');
    assert.deepEqual(res.nodes, [
      { nodeId: 3000, listeners: [{ name: 'CONTROLLER', host: '127.0.0.1', port: 19093 }] },
      { nodeId: 3001, listeners: [{ name: 'CONTROLLER', host: 'ctl2', port: 9093 }] },
    ]);
  });

  it('a wrong topic or partition: UNKNOWN_TOPIC_OR_PARTITION on every partition named', async () => {
    for (const body of [
      { topics: [{ topicName: 'orders', partitions: [{ partitionIndex: 0 }] }] },
      { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 1 }, { partitionIndex: 0 }] }] },
    ]) {
      const res = await ask(2, body);
      assert.equal(res.errorCode, ErrorCode.NONE);
      assert.deepEqual(
        res.topics.flatMap((t) => t.partitions.map((p) => [t.topicName, p.partitionIndex, p.errorCode])),
        body.topics.flatMap((t) => t.partitions.map((p) => [t.topicName, p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])),
      );
    }
  });

  it('a voter that is not the leader: NOT_LEADER_OR_FOLLOWER on __cluster_metadata-0', async () => {
    const res = await ask(1, REQUEST, { ...QUORUM, leaderId: 3001 });
    assert.equal(res.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      res.topics.map((t) => [t.topicName, t.partitions[0]!.partitionIndex, t.partitions[0]!.errorCode]),
      [['__cluster_metadata', 0, ErrorCode.NOT_LEADER_OR_FOLLOWER]],
    );
  });

  it('without DESCRIBE on the cluster: CLUSTER_AUTHORIZATION_FAILED', async () => {
    const denyDescribe: Authorizer = { authorize: (_ctx, op) => op !== AclOperation.DESCRIBE };
    const res = await ask(2, REQUEST, QUORUM, denyDescribe);
    assert.deepEqual([res.errorCode, res.topics], [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, []]);
  });
});
