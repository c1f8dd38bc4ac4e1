// Partition reassignment in the controller (Kafka's ReplicationControlManager
// .alterPartitionReassignments / listPartitionReassignments and PartitionChangeBuilder's
// completion): the exact records of starting, completing (by AlterPartition, at once, after a
// leader was fenced), re-targeting and cancelling a reassignment, every rejection with Kafka's
// error code and message, and the listing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, type AlterPartitionRequest } from '@tributary/protocol';
import { Controller, type MetadataImage, type MetadataRecord, type ReassignableTopic } from '../src/index.ts';
import { clusterImage, commit, options } from './helpers/fixtures.ts';

const c = new Controller(options());

/** Brokers 1-4 unfenced; topic t: p0 on `p0` (default [1, 2]), p1 on [3, 4] (or [3, 4, 1]); every ISR full. */
function cluster(p0 = [1, 2], configs: Record<string, string> = {}): MetadataImage {
  const image = clusterImage([1, 2, 3, 4]);
  const assignments = [
    { partitionIndex: 0, brokerIds: p0 },
    { partitionIndex: 1, brokerIds: [3, 4, 1].slice(0, p0.length) },
  ];
  const r = c.createTopics(image, [{ name: 't', assignments, configs }]);
  assert.equal(r.response[0]!.errorCode, ErrorCode.NONE);
  return commit(image, r.records);
}

/** The cluster with `p0`'s reassignment to `target` started. */
function reassigning(target: number[], p0 = [1, 2], configs: Record<string, string> = {}): MetadataImage {
  const image = cluster(p0, configs);
  return commit(image, c.alterPartitionReassignments(image, reassign(0, target)).records);
}

const reassign = (partitionIndex: number, replicas: number[] | null, name = 't'): ReassignableTopic[] => [
  { name, partitions: [{ partitionIndex, replicas }] },
];

/** The PartitionChangeRecords' data without the topic id and the fields Tributary never writes. */
function changes(records: readonly MetadataRecord[]) {
  return records.map((r) => {
    assert.equal(r.type, 'PartitionChangeRecord');
    if (r.type !== 'PartitionChangeRecord') return {};
    const { topicId: _t, directories: _d, eligibleLeaderReplicas: _e, lastKnownElr: _l, ...rest } = r.data;
    return rest;
  });
}

const UNCHANGED = { isr: null, leader: -2, replicas: null, removingReplicas: null, addingReplicas: null, leaderRecoveryState: -1 };

function state(image: MetadataImage, partition = 0) {
  const p = image.partition('t', partition)!;
  return {
    replicas: p.replicas,
    isr: p.isr,
    adding: p.addingReplicas,
    removing: p.removingReplicas,
    leader: p.leader,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch: p.partitionEpoch,
  };
}

/** AlterPartition from the partition's leader proposing `newIsr`, at request version `version`. */
function alterIsr(image: MetadataImage, newIsr: number[], version = 2) {
  const p = image.partition('t', 0)!;
  const request: AlterPartitionRequest = {
    brokerId: p.leader,
    brokerEpoch: image.cluster.broker(p.leader)!.epoch,
    topics: [
      {
        topicName: 't',
        topicId: image.topic('t')!.topicId,
        partitions: [
          {
            partitionIndex: 0,
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
  return c.alterPartition(image, request, version);
}

const ok = (partitionIndex = 0) => ({ partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null });

describe('controller: AlterPartitionReassignments', () => {
  it('[1,2] -> [2,3]: replicas [2,3,1] adding [3] removing [1]; the ISR taking 3 completes it, moving the leadership off 1', () => {
    let image = cluster();
    const r = c.alterPartitionReassignments(image, reassign(0, [2, 3]));
    assert.deepEqual(r.response, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, responses: [{ name: 't', partitions: [ok()] }] });
    assert.deepEqual(changes(r.records), [
      { ...UNCHANGED, partitionId: 0, replicas: [2, 3, 1], removingReplicas: [1], addingReplicas: [3] },
    ]);
    image = commit(image, r.records);
    assert.deepEqual(state(image), {
      replicas: [2, 3, 1],
      isr: [1, 2],
      adding: [3],
      removing: [1],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 1,
    });
    assert.deepEqual(c.listPartitionReassignments(image), {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] }] }],
    });

    // the leader adds 3 to the ISR: the change completes the reassignment and elects 2 (1 leaves)
    const done = alterIsr(image, [1, 2, 3]);
    assert.deepEqual(changes(done.records), [
      { ...UNCHANGED, partitionId: 0, leader: 2, isr: [2, 3], replicas: [2, 3], removingReplicas: [], addingReplicas: [] },
    ]);
    assert.deepEqual(done.response.topics[0]!.partitions, [
      {
        partitionIndex: 0,
        errorCode: ErrorCode.NEW_LEADER_ELECTED,
        leaderId: 0,
        leaderEpoch: 0,
        isr: [],
        leaderRecoveryState: 0,
        partitionEpoch: 0,
      },
    ]);
    assert.equal(alterIsr(image, [1, 2, 3], 1).response.topics[0]!.partitions[0]!.errorCode, ErrorCode.FENCED_LEADER_EPOCH);
    image = commit(image, done.records);
    assert.deepEqual(state(image), {
      replicas: [2, 3],
      isr: [2, 3],
      adding: [],
      removing: [],
      leader: 2,
      leaderEpoch: 1,
      partitionEpoch: 2,
    });
    assert.deepEqual(c.listPartitionReassignments(image).topics, []);
  });

  it('[1,2] -> [1,3]: the leader stays; completing bumps the leader epoch (a replica left) and answers the leader NONE', () => {
    let image = reassigning([1, 3]);
    assert.deepEqual(state(image), {
      replicas: [1, 3, 2],
      isr: [1, 2],
      adding: [3],
      removing: [2],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 1,
    });
    // an ISR change short of the target (3 not in yet) completes nothing
    const shrink = alterIsr(image, [1]);
    assert.deepEqual(changes(shrink.records), [{ ...UNCHANGED, partitionId: 0, isr: [1] }]);
    image = commit(image, shrink.records);
    const done = alterIsr(image, [1, 3]);
    assert.deepEqual(changes(done.records), [
      { ...UNCHANGED, partitionId: 0, leader: 1, isr: [1, 3], replicas: [1, 3], removingReplicas: [], addingReplicas: [] },
    ]);
    assert.deepEqual(done.response.topics[0]!.partitions, [
      { partitionIndex: 0, errorCode: 0, leaderId: 1, leaderEpoch: 1, isr: [1, 3], leaderRecoveryState: 0, partitionEpoch: 3 },
    ]);
  });

  it('a target the ISR already satisfies completes at once: a reorder, and a shrink to in-sync replicas', () => {
    const image = cluster([1, 2, 3]);
    const reorder = c.alterPartitionReassignments(image, reassign(0, [3, 1, 2]));
    assert.deepEqual(changes(reorder.records), [{ ...UNCHANGED, partitionId: 0, replicas: [3, 1, 2] }]);
    assert.deepEqual(state(commit(image, reorder.records)), {
      replicas: [3, 1, 2],
      isr: [1, 2, 3],
      adding: [],
      removing: [],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 1,
    });
    const shrink = c.alterPartitionReassignments(image, reassign(0, [3, 2]));
    assert.deepEqual(changes(shrink.records), [{ ...UNCHANGED, partitionId: 0, leader: 3, isr: [2, 3], replicas: [3, 2] }]);
    assert.deepEqual(state(commit(image, shrink.records)), {
      replicas: [3, 2],
      isr: [2, 3],
      adding: [],
      removing: [],
      leader: 3,
      leaderEpoch: 1,
      partitionEpoch: 1,
    });
    // the same replicas again: nothing to write
    assert.deepEqual(c.alterPartitionReassignments(image, reassign(0, [1, 2, 3])).records, []);
  });

  it('the leader fenced mid-move: the next replica in the reassigning order leads; its ISR expansion completes the move', () => {
    let image = reassigning([2, 3]);
    const fence = c.fenceBroker(image, 1);
    assert.deepEqual(changes(fence.records.filter((r) => r.type === 'PartitionChangeRecord')), [
      { ...UNCHANGED, partitionId: 0, leader: 2, isr: [2] },
    ]);
    image = commit(image, fence.records);
    assert.deepEqual(state(image), {
      replicas: [2, 3, 1],
      isr: [2],
      adding: [3],
      removing: [1],
      leader: 2,
      leaderEpoch: 1,
      partitionEpoch: 2,
    });
    const done = alterIsr(image, [2, 3]);
    assert.deepEqual(changes(done.records), [
      { ...UNCHANGED, partitionId: 0, leader: 2, isr: [2, 3], replicas: [2, 3], removingReplicas: [], addingReplicas: [] },
    ]);
    assert.equal(done.response.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  });

  it('a new target replaces the one in progress, computed from the current replicas', () => {
    const image = reassigning([2, 3]);
    const r = c.alterPartitionReassignments(image, reassign(0, [2, 4]));
    assert.deepEqual(changes(r.records), [
      { ...UNCHANGED, partitionId: 0, replicas: [2, 4, 1, 3], removingReplicas: [1, 3], addingReplicas: [4] },
    ]);
  });

  it('cancelling restores the original replica set (Kafka keeps the reassigning order) and drops the adding replicas from the ISR', () => {
    let image = reassigning([3, 4]);
    assert.deepEqual(state(image).replicas, [3, 4, 1, 2]);
    const isr = alterIsr(image, [1, 2, 3]);
    assert.deepEqual(changes(isr.records), [{ ...UNCHANGED, partitionId: 0, isr: [1, 2, 3] }]);
    image = commit(image, isr.records);
    const cancel = c.alterPartitionReassignments(image, reassign(0, null));
    assert.deepEqual(cancel.response.responses, [{ name: 't', partitions: [ok()] }]);
    assert.deepEqual(changes(cancel.records), [
      { ...UNCHANGED, partitionId: 0, leader: 1, isr: [1, 2], replicas: [1, 2], removingReplicas: [], addingReplicas: [] },
    ]);
    image = commit(image, cancel.records);
    assert.deepEqual(state(image), {
      replicas: [1, 2],
      isr: [1, 2],
      adding: [],
      removing: [],
      leader: 1,
      leaderEpoch: 1,
      partitionEpoch: 3,
    });
    const again = c.alterPartitionReassignments(image, reassign(0, null));
    assert.deepEqual(again.records, []);
    assert.deepEqual(again.response.responses[0]!.partitions, [
      { partitionIndex: 0, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: 'No partition reassignment is in progress.' },
    ]);
  });

  it('cancelling when only adding replicas are in sync needs an unclean election: refused unless the topic enables it', () => {
    for (const unclean of [false, true]) {
      const configs: Record<string, string> = unclean ? { 'unclean.leader.election.enable': 'true' } : {};
      let image = reassigning([3, 4], [1, 2], configs);
      image = commit(image, alterIsr(image, [1, 2, 3]).records);
      image = commit(image, c.fenceBroker(image, 1).records);
      image = commit(image, c.fenceBroker(image, 2).records);
      assert.deepEqual(state(image), {
        replicas: [3, 4, 1, 2],
        isr: [3],
        adding: [3, 4],
        removing: [1, 2],
        leader: 3,
        leaderEpoch: 1,
        partitionEpoch: 4,
      });
      image = commit(image, c.unfenceBroker(image, 1).records);
      const cancel = c.alterPartitionReassignments(image, reassign(0, null));
      if (!unclean) {
        assert.deepEqual(cancel.records, []);
        assert.deepEqual(cancel.response.responses[0]!.partitions, [
          {
            partitionIndex: 0,
            errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            errorMessage: 'Unable to revert partition assignment for t:0 because it would require an unclean leader election.',
          },
        ]);
        continue;
      }
      assert.deepEqual(changes(cancel.records), [
        { ...UNCHANGED, partitionId: 0, leader: 1, isr: [1], replicas: [1, 2], removingReplicas: [], addingReplicas: [] },
      ]);
    }
  });

  it('a fenced broker may be a target: it is added and waits to join the ISR', () => {
    let image = cluster();
    image = commit(image, c.fenceBroker(image, 4).records);
    const r = c.alterPartitionReassignments(image, reassign(0, [1, 4]));
    assert.deepEqual(changes(r.records), [
      { ...UNCHANGED, partitionId: 0, replicas: [1, 4, 2], removingReplicas: [2], addingReplicas: [4] },
    ]);
  });

  it('rejects bad targets per partition with Kafka errors, writing only the valid ones', () => {
    const image = cluster();
    const r = c.alterPartitionReassignments(image, [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, replicas: [] },
          { partitionIndex: 0, replicas: [7, 2] },
          { partitionIndex: 0, replicas: [3, 2, 3] },
          { partitionIndex: 9, replicas: [1] },
          { partitionIndex: 1, replicas: [4, 1] },
        ],
      },
      { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [1] }] },
    ]);
    const INVALID = ErrorCode.INVALID_REPLICA_ASSIGNMENT;
    const UNKNOWN = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    assert.deepEqual(r.response.responses, [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, errorCode: INVALID, errorMessage: 'The manual partition assignment includes an empty replica list.' },
          {
            partitionIndex: 0,
            errorCode: INVALID,
            errorMessage: 'The manual partition assignment includes broker 7, but no such broker is registered.',
          },
          { partitionIndex: 0, errorCode: INVALID, errorMessage: 'The manual partition assignment includes the broker 3 more than once.' },
          { partitionIndex: 9, errorCode: UNKNOWN, errorMessage: 'Unable to find partition t:9.' },
          ok(1),
        ],
      },
      { name: 'nope', partitions: [{ partitionIndex: 0, errorCode: UNKNOWN, errorMessage: 'Unable to find a topic named nope.' }] },
    ]);
    assert.deepEqual(changes(r.records), [
      { ...UNCHANGED, partitionId: 1, replicas: [4, 1, 3], removingReplicas: [3], addingReplicas: [1] },
    ]);
  });
});

describe('controller: ListPartitionReassignments', () => {
  it('lists all reassigning partitions, or those of the topics and partitions named (unknown ones left out)', () => {
    let image = cluster();
    image = commit(
      image,
      c.alterPartitionReassignments(image, [
        {
          name: 't',
          partitions: [
            { partitionIndex: 1, replicas: [3, 1] },
            { partitionIndex: 0, replicas: [2, 4] },
          ],
        },
      ]).records,
    );
    const p0 = { partitionIndex: 0, replicas: [2, 4, 1], addingReplicas: [4], removingReplicas: [1] };
    const p1 = { partitionIndex: 1, replicas: [3, 1, 4], addingReplicas: [1], removingReplicas: [4] };
    assert.deepEqual(c.listPartitionReassignments(image).topics, [{ name: 't', partitions: [p0, p1] }]);
    assert.deepEqual(
      c.listPartitionReassignments(image, [
        { name: 't', partitionIndexes: [1, 5] },
        { name: 'nope', partitionIndexes: [0] },
      ]).topics,
      [{ name: 't', partitions: [p1] }],
    );
    image = commit(image, c.alterPartitionReassignments(image, reassign(1, null)).records);
    assert.deepEqual(c.listPartitionReassignments(image, [{ name: 't', partitionIndexes: [1] }]).topics, []);
    assert.deepEqual(c.listPartitionReassignments(image).topics, [{ name: 't', partitions: [p0] }]);
  });
});
