// A partition reassignment as the leader's ReplicaManager sees it, on a fake clock, its ISR changes
// sent to the controller state machine as AlterPartition: the adding replica's fetch reaching the
// HW brings it into the ISR, which completes the reassignment (the removed follower's state goes);
// a leader reassigned away stops hosting the partition and deletes its log, and an acks=all produce
// waiting on it is answered NOT_LEADER_OR_FOLLOWER (the partition still exists elsewhere).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import type { AlterIsr } from '../../src/replica/partition.ts';
import type { AppendRecordsResponse, FetchMessagesResponse } from '../../src/replica/replica-manager.ts';
import { batch, harness, topicIdOf, type Harness } from './helpers.ts';

/** AlterPartition v2 from the partition's leader to `h`'s controller, its records published at once. */
function alterPartitionTo(box: { h?: Harness }): AlterIsr {
  return async (p, newIsr) => {
    const h = box.h!;
    const request = {
      brokerId: p.leader,
      brokerEpoch: h.image.cluster.broker(p.leader)!.epoch,
      topics: [
        {
          topicName: p.topic,
          topicId: p.topicId,
          partitions: [
            {
              partitionIndex: p.partition,
              leaderEpoch: p.leaderEpoch,
              partitionEpoch: p.partitionEpoch,
              leaderRecoveryState: 0,
              newIsr,
              newIsrWithEpochs: [],
            },
          ],
        },
      ],
    };
    const { records, response } = h.controller.alterPartition(h.image, request, 2);
    h.publish(records);
    const r = response.topics[0]!.partitions[0]!;
    return { errorCode: r.errorCode, isr: r.isr, leaderEpoch: r.leaderEpoch, partitionEpoch: r.partitionEpoch };
  };
}

function setup(): Harness {
  const box: { h?: Harness } = {};
  const h = harness({ settings: { 'replica.lag.time.max.ms': 10_000 }, alterIsr: alterPartitionTo(box) });
  box.h = h;
  for (const brokerId of [1, 2, 3]) {
    h.publish(
      h.controller.registerBroker(h.image, { brokerId, incarnationId: `inc-${brokerId}`, endpoints: [] }, h.image.provenance.lastOffset + 1)
        .records,
    );
    h.publish(h.controller.unfenceBroker(h.image, brokerId).records);
  }
  return h;
}

function followerFetch(h: Harness, replicaId: number, offset: number) {
  const partitions = [
    { partition: 0, fetchOffset: BigInt(offset), partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: 0n },
  ];
  const req = {
    replicaId,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic: 't', topicId: topicIdOf('t'), partitions }],
  };
  return (h.replicas.fetchMessages(req, new AbortController().signal) as FetchMessagesResponse)[0]!.partitions[0]!;
}

function reassign(h: Harness, replicas: number[]): void {
  const r = h.controller.alterPartitionReassignments(h.image, [{ name: 't', partitions: [{ partitionIndex: 0, replicas }] }]);
  assert.equal(r.response.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  h.publish(r.records);
}

const tick = () => new Promise((r) => setImmediate(r));

describe('reassignment on the leader', () => {
  it('[1,2] -> [1,3]: 3 catches up, joins the ISR, and that completes the move: 2 is no longer a follower', async () => {
    const h = setup();
    const p = h.host('t', { replicas: [1, 2], isr: [1, 2] });
    await h.replicas.appendRecords({
      requiredAcks: 1,
      internalTopicsAllowed: false,
      origin: 'client',
      produceVersion: 11,
      topics: [{ name: 't', partitionData: [{ index: 0, records: await batch(4) }] }],
    });
    followerFetch(h, 2, 4);
    assert.equal(p.highWatermark, 4);
    reassign(h, [1, 3]);
    assert.deepEqual([p.replicas, p.isr, p.follower(3)?.logEndOffset], [[1, 3, 2], [1, 2], -1]);
    // 3 fetches from 0: below the HW it stays out of the ISR; at the HW it joins and the move completes
    assert.equal(followerFetch(h, 3, 0).errorCode, ErrorCode.NONE);
    await tick();
    assert.deepEqual(h.image.partition('t', 0)!.isr, [1, 2]);
    followerFetch(h, 3, 4);
    await tick();
    const reg = h.image.partition('t', 0)!;
    assert.deepEqual(
      [reg.replicas, reg.isr, reg.addingReplicas, reg.removingReplicas, reg.leader, reg.leaderEpoch],
      [[1, 3], [1, 3], [], [], 1, 1],
    );
    // a new leader epoch resets the followers' states (Kafka's makeLeader)
    assert.deepEqual([p.replicas, p.isr, p.leaderEpoch, p.follower(2), p.follower(3)?.logEndOffset], [[1, 3], [1, 3], 1, undefined, -1]);
    assert.equal(followerFetch(h, 2, 4).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER, 'the removed replica is no follower any more');
  });

  it('[1,2] -> [2,3]: once the move completes, broker 1 stops hosting the partition, deletes its log and answers a waiting acks=all produce NOT_LEADER_OR_FOLLOWER', async () => {
    const h = setup();
    h.host('t', { replicas: [1, 2], isr: [1, 2] });
    assert.ok(h.fs.statSync('/data/t-0'));
    reassign(h, [2, 3]);
    // an acks=all produce waits for 2 and 3 (3 is not in the ISR yet, but counts for the HW once it catches up)
    const acked = (async () =>
      h.replicas.appendRecords({
        requiredAcks: -1,
        internalTopicsAllowed: false,
        origin: 'client',
        produceVersion: 11,
        timeoutMs: 30_000,
        topics: [{ name: 't', partitionData: [{ index: 0, records: await batch(2) }] }],
      }))();
    await tick();
    followerFetch(h, 2, 2);
    followerFetch(h, 3, 2);
    await tick();
    const reg = h.image.partition('t', 0)!;
    assert.deepEqual([reg.replicas, reg.isr, reg.leader, reg.leaderEpoch], [[2, 3], [2, 3], 2, 1]);
    assert.equal(h.replicas.getPartition('t', 0), undefined);
    assert.equal(h.fs.statSync('/data/t-0'), null);
    assert.deepEqual(
      h.fs.readdirSync('/data').filter((f) => f.startsWith('t-0')),
      [],
    );
    const r = (await acked) as AppendRecordsResponse;
    // the HW reached 2 with both followers' fetches before the move completed: the produce was acknowledged
    assert.equal(r[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  });

  it('a produce still waiting when the leader is reassigned away is answered NOT_LEADER_OR_FOLLOWER', async () => {
    const h = setup();
    h.host('t', { replicas: [1, 2], isr: [1, 2] });
    reassign(h, [2, 3]);
    const acked = (async () =>
      h.replicas.appendRecords({
        requiredAcks: -1,
        internalTopicsAllowed: false,
        origin: 'client',
        produceVersion: 11,
        timeoutMs: 30_000,
        topics: [{ name: 't', partitionData: [{ index: 0, records: await batch(2) }] }],
      }))();
    await tick();
    // 3 joins the ISR at the HW (0) before it has the records; the move completes with the produce still waiting
    followerFetch(h, 3, 0);
    await tick();
    assert.deepEqual(h.image.partition('t', 0)!.replicas, [2, 3]);
    const r = (await acked) as AppendRecordsResponse;
    assert.deepEqual(
      [r[0]!.partitionResponses[0]!.errorCode, h.replicas.getPartition('t', 0)],
      [ErrorCode.NOT_LEADER_OR_FOLLOWER, undefined],
    );
  });
});
