// ElectLeaders in the controller (Kafka's ReplicationControlManager.electLeaders): PREFERRED and
// UNCLEAN elections with their exact records and per-partition errors, all partitions (null),
// unknown partitions and election types; and the automatic rebalance pass
// (maybeBalancePartitionLeaders) with leader.imbalance.per.broker.percentage and its bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import {
  Controller,
  ElectionType,
  arePartitionLeadersImbalanced,
  maybeBalancePartitionLeaders,
  partitionsInOrder,
  type MetadataImage,
  type MetadataRecord,
} from '../src/index.ts';
import { clusterImage, commit, options } from './helpers/fixtures.ts';

const c = new Controller(options());

/** Brokers 1-3 unfenced; topic t: p0 [1,2,3], p1 [2,3,1], p2 [3,1,2], all in sync and led by replicas[0]. */
function threeBrokers(partitions = 3): MetadataImage {
  const image = clusterImage([1, 2, 3]);
  return commit(image, c.createTopics(image, [{ name: 't', numPartitions: partitions, replicationFactor: 3 }]).records);
}

const parts = (image: MetadataImage, topic = 't') =>
  partitionsInOrder(image.topic(topic)!).map(
    ([p, r]) => `${p}: leader=${r.leader} isr=${r.isr.join(',')} epoch=${r.leaderEpoch}${r.leaderRecoveryState ? ' RECOVERING' : ''}`,
  );

const changes = (records: MetadataRecord[]) =>
  records.map((r) => {
    assert.equal(r.type, 'PartitionChangeRecord');
    const d = r.data as { partitionId: number; leader: number; isr: number[] | null; leaderRecoveryState: number; replicas: unknown };
    assert.equal(d.replicas, null);
    return `${d.partitionId}${d.leader !== -2 ? ` leader=${d.leader}` : ''}${d.isr ? ` isr=${d.isr}` : ''}${d.leaderRecoveryState !== -1 ? ` lrs=${d.leaderRecoveryState}` : ''}`;
  });

const NOT_NEEDED = { errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' };
const PREFERRED_NA = { errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: 'The preferred leader was not available.' };
const ELIGIBLE_NA = {
  errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
  errorMessage: 'Eligible topic partition leaders are not available.',
};
const OK = { errorCode: ErrorCode.NONE, errorMessage: null };

const elect = (image: MetadataImage, electionType: number, topicPartitions: Array<{ topic: string; partitions: number[] }> | null) =>
  c.electLeaders(image, { electionType, topicPartitions });

/** The results of one topic as [partition, error] pairs. */
const results = (r: ReturnType<typeof elect>, topic = 't') =>
  r.response.replicaElectionResults
    .find((x) => x.topic === topic)!
    .partitionResult.map((p) => [p.partitionId, { errorCode: p.errorCode, errorMessage: p.errorMessage }]);

describe('controller: ElectLeaders PREFERRED', () => {
  it('moves leadership back to the preferred replica once it is in the ISR again; not needed where it leads', () => {
    let image = threeBrokers();
    image = commit(image, c.fenceBroker(image, 1).records);
    image = commit(image, c.unfenceBroker(image, 1).records);
    assert.deepEqual(parts(image), ['0: leader=2 isr=2,3 epoch=1', '1: leader=2 isr=2,3 epoch=0', '2: leader=3 isr=3,2 epoch=0']);

    // broker 1 is back but not in sync yet: the current leader stays
    const early = elect(image, ElectionType.PREFERRED, [{ topic: 't', partitions: [0, 1, 2] }]);
    assert.deepEqual(early.records, []);
    assert.deepEqual(results(early), [
      [0, PREFERRED_NA],
      [1, NOT_NEEDED],
      [2, NOT_NEEDED],
    ]);
    assert.equal(early.response.errorCode, ErrorCode.NONE);

    // it caught up (the leader's AlterPartition put it back in the ISR)
    image = commit(image, c.changePartition(image, { topic: 't', partition: 0, isr: [1, 2, 3] }).records);
    const r = elect(image, ElectionType.PREFERRED, [{ topic: 't', partitions: [0, 1] }]);
    assert.deepEqual(changes(r.records), ['0 leader=1']);
    assert.deepEqual(results(r), [
      [0, OK],
      [1, NOT_NEEDED],
    ]);
    image = commit(image, r.records);
    assert.deepEqual(parts(image)[0], '0: leader=1 isr=1,2,3 epoch=2');
  });

  it('unknown topics and partitions, and a partition named twice', () => {
    let image = threeBrokers();
    image = commit(image, c.changePartition(image, { topic: 't', partition: 1, leader: 3 }).records);
    const r = elect(image, ElectionType.PREFERRED, [
      { topic: 'nope', partitions: [0] },
      { topic: 't', partitions: [1, 7, 1] },
    ]);
    assert.deepEqual(r.response.replicaElectionResults, [
      {
        topic: 'nope',
        partitionResult: [{ partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such topic as nope' }],
      },
      {
        topic: 't',
        partitionResult: [
          { partitionId: 1, ...OK },
          { partitionId: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such partition as t-7' },
          { partitionId: 1, ...NOT_NEEDED },
        ],
      },
    ]);
    assert.deepEqual(changes(r.records), ['1 leader=2']);
  });

  it('a preferred replica in the ISR but fenced is not available', () => {
    let image = threeBrokers();
    image = commit(image, c.fenceBroker(image, 1).records);
    // the ISR still names broker 1 (as it would until the leader notices), but it is fenced
    image = commit(image, c.changePartition(image, { topic: 't', partition: 0, isr: [1, 2, 3] }).records);
    assert.deepEqual(results(elect(image, ElectionType.PREFERRED, [{ topic: 't', partitions: [0] }])), [[0, PREFERRED_NA]]);
  });

  it('a leaderless partition gets the first in-sync active replica when the preferred one cannot lead (as Kafka)', () => {
    let image = threeBrokers();
    image = commit(image, c.changePartition(image, { topic: 't', partition: 0, leader: -1, isr: [2, 3] }).records);
    assert.deepEqual(parts(image)[0], '0: leader=-1 isr=2,3 epoch=1');
    const r = elect(image, ElectionType.PREFERRED, [{ topic: 't', partitions: [0] }]);
    assert.deepEqual(changes(r.records), ['0 leader=2']);
    assert.deepEqual(results(r), [[0, OK]]);
    // with no active ISR member at all: nothing to write
    image = commit(image, c.fenceBroker(image, 2).records);
    image = commit(image, c.fenceBroker(image, 3).records);
    image = commit(image, c.changePartition(image, { topic: 't', partition: 0, leader: -1 }).records);
    const none = elect(image, ElectionType.PREFERRED, [{ topic: 't', partitions: [0] }]);
    assert.deepEqual([none.records, results(none)], [[], [[0, PREFERRED_NA]]]);
  });
});

describe('controller: ElectLeaders UNCLEAN', () => {
  it('elects the first live replica of a partition whose ISR is only dead brokers: ISR [it], RECOVERING', () => {
    let image = threeBrokers();
    for (const b of [1, 2, 3]) image = commit(image, c.fenceBroker(image, b).records);
    assert.deepEqual(parts(image), ['0: leader=-1 isr=3 epoch=3', '1: leader=-1 isr=3 epoch=2', '2: leader=-1 isr=3 epoch=1']);
    // nobody alive: not available
    const none = elect(image, ElectionType.UNCLEAN, [{ topic: 't', partitions: [0] }]);
    assert.deepEqual([none.records, results(none)], [[], [[0, ELIGIBLE_NA]]]);

    // broker 1 comes back out of sync: unclean.leader.election.enable is off, so nothing happens by itself
    image = commit(image, c.unfenceBroker(image, 1).records);
    assert.deepEqual(parts(image)[0], '0: leader=-1 isr=3 epoch=3');
    const r = elect(image, ElectionType.UNCLEAN, [{ topic: 't', partitions: [0, 1, 2] }]);
    assert.deepEqual(changes(r.records), ['0 leader=1 isr=1 lrs=1', '1 leader=1 isr=1 lrs=1', '2 leader=1 isr=1 lrs=1']);
    assert.deepEqual(results(r), [
      [0, OK],
      [1, OK],
      [2, OK],
    ]);
    image = commit(image, r.records);
    assert.deepEqual(parts(image)[0], '0: leader=1 isr=1 epoch=4 RECOVERING');

    // a partition with a leader needs none
    assert.deepEqual(results(elect(image, ElectionType.UNCLEAN, [{ topic: 't', partitions: [0] }])), [[0, NOT_NEEDED]]);

    // still RECOVERING: another unclean election does not write the state again
    image = commit(image, c.fenceBroker(image, 1).records);
    image = commit(image, c.unfenceBroker(image, 2).records);
    assert.deepEqual(parts(image)[0], '0: leader=-1 isr=1 epoch=5 RECOVERING');
    assert.deepEqual(changes(elect(image, ElectionType.UNCLEAN, [{ topic: 't', partitions: [0] }]).records), ['0 leader=2 isr=2']);
  });

  it('a leaderless partition with an active ISR member gets it, cleanly', () => {
    let image = threeBrokers();
    image = commit(image, c.changePartition(image, { topic: 't', partition: 1, leader: -1 }).records);
    const r = elect(image, ElectionType.UNCLEAN, [{ topic: 't', partitions: [1] }]);
    assert.deepEqual(changes(r.records), ['1 leader=2']);
  });
});

describe('controller: ElectLeaders request shapes', () => {
  it('null topic partitions: every partition, answering only those elected or failed; empty list: nothing', () => {
    let image = threeBrokers();
    image = commit(image, c.createTopics(image, [{ name: 'a', numPartitions: 2, replicationFactor: 3 }]).records);
    image = commit(image, c.fenceBroker(image, 2).records);
    image = commit(image, c.unfenceBroker(image, 2).records);
    image = commit(image, c.changePartition(image, { topic: 't', partition: 1, isr: [2, 3, 1] }).records);
    // t-1 can go back to 2 (in the ISR again); a-1 cannot yet; the others already have their preferred leader
    const r = elect(image, ElectionType.PREFERRED, null);
    assert.deepEqual(r.response, {
      errorCode: ErrorCode.NONE,
      replicaElectionResults: [
        { topic: 'a', partitionResult: [{ partitionId: 1, ...PREFERRED_NA }] },
        { topic: 't', partitionResult: [{ partitionId: 1, ...OK }] },
      ],
    });
    assert.deepEqual(changes(r.records), ['1 leader=2']);
    image = commit(image, r.records);
    image = commit(image, c.changePartition(image, { topic: 'a', partition: 1, isr: [2, 3, 1] }).records);
    image = commit(image, elect(image, ElectionType.PREFERRED, null).records);
    assert.deepEqual(elect(image, ElectionType.PREFERRED, null).response.replicaElectionResults, [
      { topic: 'a', partitionResult: [] },
      { topic: 't', partitionResult: [] },
    ]);
    assert.deepEqual(elect(image, ElectionType.PREFERRED, []).response, { errorCode: ErrorCode.NONE, replicaElectionResults: [] });
  });

  it('an unknown election type fails the request: INVALID_REQUEST at the top and for every partition', () => {
    const image = threeBrokers();
    const r = elect(image, 2, [{ topic: 't', partitions: [0, 1] }]);
    assert.deepEqual(r, {
      records: [],
      response: {
        errorCode: ErrorCode.INVALID_REQUEST,
        replicaElectionResults: [
          {
            topic: 't',
            partitionResult: [
              { partitionId: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown election type 2' },
              { partitionId: 1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown election type 2' },
            ],
          },
        ],
      },
    });
  });
});

describe('controller: automatic leader rebalance', () => {
  /** Topic t of 6 partitions (each broker preferred for 2), with broker 1's partitions (0, 3) led by 2 and back in sync. */
  function imbalanced(): MetadataImage {
    let image = threeBrokers(6);
    image = commit(image, c.fenceBroker(image, 1).records);
    image = commit(image, c.unfenceBroker(image, 1).records);
    for (const p of [0, 3]) image = commit(image, c.changePartition(image, { topic: 't', partition: p, isr: [1, 2, 3] }).records);
    return image;
  }

  it('elects the preferred replica of each partition of a broker above leader.imbalance.per.broker.percentage', () => {
    const image = imbalanced();
    assert.equal(arePartitionLeadersImbalanced(image), true);
    const r = maybeBalancePartitionLeaders(image, { imbalancePerBrokerPercentage: 10 });
    assert.deepEqual([changes(r.records), r.response], [['0 leader=1', '3 leader=1'], false]);
    const after = commit(image, r.records);
    assert.equal(arePartitionLeadersImbalanced(after), false);
    assert.deepEqual(maybeBalancePartitionLeaders(after, { imbalancePerBrokerPercentage: 10 }).records, []);
    // through the Controller, with its option (default 10)
    assert.deepEqual(changes(c.maybeBalancePartitionLeaders(image).records), ['0 leader=1', '3 leader=1']);
  });

  it('leaves a broker at or below the percentage, and a preferred replica out of the ISR, alone', () => {
    let image = imbalanced();
    image = commit(image, c.changePartition(image, { topic: 't', partition: 3, isr: [2, 3] }).records);
    // broker 1: 2 of 2 partitions not led by it (100%); only p0 has it in the ISR
    assert.deepEqual(changes(maybeBalancePartitionLeaders(image, { imbalancePerBrokerPercentage: 10 }).records), ['0 leader=1']);
    image = commit(image, maybeBalancePartitionLeaders(image, { imbalancePerBrokerPercentage: 10 }).records);
    // now 1 of 2 (50%): not above 50, above 49
    assert.deepEqual(maybeBalancePartitionLeaders(image, { imbalancePerBrokerPercentage: 50 }).records, []);
    image = commit(image, c.changePartition(image, { topic: 't', partition: 3, isr: [1, 2, 3] }).records);
    assert.deepEqual(maybeBalancePartitionLeaders(image, { imbalancePerBrokerPercentage: 50 }).records, []);
    assert.deepEqual(changes(maybeBalancePartitionLeaders(image, { imbalancePerBrokerPercentage: 49 }).records), ['3 leader=1']);
    const pct = new Controller(options({ leaderImbalancePerBrokerPercentage: 50 }));
    assert.deepEqual(pct.maybeBalancePartitionLeaders(image).records, []);
  });

  it('stops at maxElections and says more may be left', () => {
    const image = imbalanced();
    const r = maybeBalancePartitionLeaders(image, { imbalancePerBrokerPercentage: 0, maxElections: 1 });
    assert.deepEqual([changes(r.records), r.response], [['0 leader=1'], true]);
  });
});
