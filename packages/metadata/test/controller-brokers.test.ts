// The controller's broker lifecycle and partition leadership: registration (epoch = offset),
// elections when a broker is fenced or unregistered and when it is unfenced (Kafka's
// generateLeaderAndIsrUpdates: ISR first, no unclean election unless enabled, the ISR keeps its
// last member), explicit leader/ISR changes, and producer id blocks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { Controller, type MetadataImage, partitionsInOrder, type MetadataRecord } from '../src/index.ts';
import { clusterImage, commit, endpoint, incarnationId, options } from './helpers/fixtures.ts';

const c = new Controller(options());

/** Brokers 1-3 unfenced; topic t: p0 [1,2,3], p1 [2,3,1], p2 [3,1,2], all in sync. */
function threeBrokers(): MetadataImage {
  const image = clusterImage([1, 2, 3]);
  return commit(image, c.createTopics(image, [{ name: 't', numPartitions: 3, replicationFactor: 3 }]).records);
}

const parts = (image: MetadataImage, topic = 't') =>
  partitionsInOrder(image.topic(topic)!).map(
    ([p, r]) =>
      `${p}: leader=${r.leader} isr=${r.isr.join(',')} epoch=${r.leaderEpoch}/${r.partitionEpoch}${r.leaderRecoveryState ? ' RECOVERING' : ''}`,
  );

const kinds = (records: MetadataRecord[]) =>
  records.map((r) =>
    r.type === 'PartitionChangeRecord'
      ? `change ${r.data.partitionId}${r.data.leader !== -2 ? ` leader=${r.data.leader}` : ''}${r.data.isr ? ` isr=${r.data.isr}` : ''}${r.data.leaderRecoveryState !== -1 ? ` lrs=${r.data.leaderRecoveryState}` : ''}`
      : r.type === 'BrokerRegistrationChangeRecord'
        ? `broker ${r.data.brokerId} fenced=${r.data.fenced}`
        : r.type,
  );

describe('controller: brokers', () => {
  it('registers a broker fenced, with the next offset as its epoch; re-registering replaces it and leaves partitions alone', () => {
    let image = threeBrokers();
    const r = c.registerBroker(
      image,
      { brokerId: 4, incarnationId: incarnationId(4), endpoints: [endpoint(9094)], rack: 'r1', features: { 'metadata.version': [7, 14] } },
      57,
    );
    assert.deepEqual(r.response, { errorCode: 0, errorMessage: null, brokerEpoch: 57n });
    image = commit(image, r.records);
    const b = image.cluster.broker(4)!;
    assert.deepEqual(
      [b.epoch, b.fenced, b.rack, b.incarnationId, b.endpoints, [...b.features]],
      [57n, true, 'r1', incarnationId(4), [endpoint(9094)], [['metadata.version', { min: 7, max: 14 }]]],
    );
    const before = parts(image);
    image = commit(image, c.registerBroker(image, { brokerId: 1, incarnationId: incarnationId(9), endpoints: [endpoint(1)] }, 60).records);
    assert.deepEqual([image.cluster.broker(1)!.epoch, image.cluster.broker(1)!.fenced], [60n, true]);
    assert.deepEqual(parts(image), before); // still leader of p0 until fenced or unfenced
    assert.equal(
      c.registerBroker(image, { brokerId: -1, incarnationId: incarnationId(1), endpoints: [] }, 1).response.errorCode,
      ErrorCode.INVALID_REQUEST,
    );
  });

  it('fencing moves leadership to the first in-sync unfenced replica and drops the broker from every ISR; the last member stays', () => {
    let image = threeBrokers();
    const f1 = c.fenceBroker(image, 1);
    assert.deepEqual(kinds(f1.records), ['change 0 leader=2 isr=2,3', 'change 1 isr=2,3', 'change 2 isr=3,2', 'broker 1 fenced=1']);
    image = commit(image, f1.records);
    assert.deepEqual(parts(image), ['0: leader=2 isr=2,3 epoch=1/1', '1: leader=2 isr=2,3 epoch=0/1', '2: leader=3 isr=3,2 epoch=0/1']);
    image = commit(image, c.fenceBroker(image, 2).records);
    assert.deepEqual(parts(image), ['0: leader=3 isr=3 epoch=2/2', '1: leader=3 isr=3 epoch=1/2', '2: leader=3 isr=3 epoch=0/2']);
    const f3 = c.fenceBroker(image, 3);
    assert.deepEqual(kinds(f3.records), ['change 0 leader=-1', 'change 1 leader=-1', 'change 2 leader=-1', 'broker 3 fenced=1']);
    image = commit(image, f3.records);
    assert.deepEqual(parts(image), ['0: leader=-1 isr=3 epoch=3/3', '1: leader=-1 isr=3 epoch=2/3', '2: leader=-1 isr=3 epoch=1/3']);
    assert.deepEqual(c.fenceBroker(image, 3).records, []); // already fenced

    // unfencing a broker outside the ISR elects nobody (no unclean election); the last ISR member leads again
    const u1 = c.unfenceBroker(image, 1);
    assert.deepEqual(kinds(u1.records), ['broker 1 fenced=-1']);
    image = commit(image, u1.records);
    const u3 = c.unfenceBroker(image, 3);
    assert.deepEqual(kinds(u3.records), ['broker 3 fenced=-1', 'change 0 leader=3', 'change 1 leader=3', 'change 2 leader=3']);
    image = commit(image, u3.records);
    assert.deepEqual(parts(image), ['0: leader=3 isr=3 epoch=4/4', '1: leader=3 isr=3 epoch=3/4', '2: leader=3 isr=3 epoch=2/4']);
    assert.deepEqual(c.unfenceBroker(image, 3).records, []); // already unfenced
  });

  it('with unclean.leader.election.enable (topic override) an out-of-sync replica leads, the ISR becomes it, RECOVERING', () => {
    let image = threeBrokers();
    image = commit(
      image,
      c.incrementalAlterConfigs(image, [
        { resourceType: 2, resourceName: 't', ops: [{ name: 'unclean.leader.election.enable', op: 'SET', value: 'true' }] },
      ]).records,
    );
    for (const b of [1, 2, 3]) image = commit(image, c.fenceBroker(image, b).records);
    const u = c.unfenceBroker(image, 1);
    assert.deepEqual(kinds(u.records), [
      'broker 1 fenced=-1',
      'change 0 leader=1 isr=1 lrs=1',
      'change 1 leader=1 isr=1 lrs=1',
      'change 2 leader=1 isr=1 lrs=1',
    ]);
    image = commit(image, u.records);
    assert.deepEqual(parts(image), [
      '0: leader=1 isr=1 epoch=4/4 RECOVERING',
      '1: leader=1 isr=1 epoch=3/4 RECOVERING',
      '2: leader=1 isr=1 epoch=2/4 RECOVERING',
    ]);
    // the broker default applies too, when the topic has no override
    let other = threeBrokers();
    const unclean = new Controller(options({ uncleanLeaderElectionEnable: true }));
    for (const b of [1, 2, 3]) other = commit(other, unclean.fenceBroker(other, b).records);
    assert.deepEqual(kinds(unclean.unfenceBroker(other, 2).records), [
      'broker 2 fenced=-1',
      'change 0 leader=2 isr=2 lrs=1',
      'change 1 leader=2 isr=2 lrs=1',
      'change 2 leader=2 isr=2 lrs=1',
    ]);
  });

  it('unregistering elects away from the broker, then removes it', () => {
    const image = threeBrokers();
    const r = c.unregisterBroker(image, 2);
    assert.deepEqual(kinds(r.records), ['change 0 isr=1,3', 'change 1 leader=3 isr=3,1', 'change 2 isr=3,1', 'UnregisterBrokerRecord']);
    const after = commit(image, r.records);
    assert.deepEqual(after.cluster.brokerIds(), [1, 3]);
    assert.deepEqual(parts(after)[1], '1: leader=3 isr=3,1 epoch=1/1');
  });

  it('unknown brokers and stale epochs', () => {
    const image = threeBrokers();
    const epoch = image.cluster.broker(2)!.epoch;
    assert.deepEqual(c.fenceBroker(image, 9).response, {
      errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED,
      errorMessage: 'Broker 9 is not registered.',
    });
    assert.deepEqual(c.unfenceBroker(image, 2, epoch + 1n).response, {
      errorCode: ErrorCode.STALE_BROKER_EPOCH,
      errorMessage: `Expected broker epoch ${epoch}, but got broker epoch ${epoch + 1n}`,
    });
    assert.equal(c.fenceBroker(image, 2, epoch).records.length, 4);
    assert.equal(c.unregisterBroker(image, 9).response.errorCode, ErrorCode.BROKER_ID_NOT_REGISTERED);
  });

  it('producer id blocks of 1000, handed out in order', () => {
    let image = threeBrokers();
    const a = c.allocateProducerIds(image, 1);
    assert.deepEqual(a.response, { errorCode: 0, errorMessage: null, firstProducerId: 0n, size: 1000 });
    image = commit(image, a.records);
    assert.deepEqual(c.allocateProducerIds(image, 2).response.firstProducerId, 1000n);
    assert.equal(c.allocateProducerIds(image, 7).response.errorCode, ErrorCode.BROKER_ID_NOT_REGISTERED);
  });
});

describe('controller: changePartition (LeaderAndIsr)', () => {
  it('moves the leader (epoch + 1), sets the ISR in assignment order with the leader in it, changes nothing when nothing differs', () => {
    let image = threeBrokers();
    const move = c.changePartition(image, { topic: 't', partition: 0, leader: 2 });
    assert.deepEqual(kinds(move.records), ['change 0 leader=2']);
    assert.deepEqual(
      [
        move.response.errorCode,
        move.response.partition!.leader,
        move.response.partition!.leaderEpoch,
        move.response.partition!.partitionEpoch,
      ],
      [0, 2, 1, 1],
    );
    image = commit(image, move.records);
    assert.deepEqual(image.partition('t', 0), move.response.partition);
    const isr = c.changePartition(image, { topic: 't', partition: 0, isr: [3] });
    assert.deepEqual(kinds(isr.records), ['change 0 isr=2,3']); // the leader (2) stays in, assignment order
    image = commit(image, isr.records);
    assert.deepEqual(parts(image)[0], '0: leader=2 isr=2,3 epoch=1/2');
    image = commit(image, c.changePartition(image, { topic: 't', partition: 0, leader: 3, isr: [3] }).records);
    assert.deepEqual(parts(image)[0], '0: leader=3 isr=3 epoch=2/3');
    const same = c.changePartition(image, { topic: 't', partition: 0, leader: 3, isr: [3] });
    assert.deepEqual([same.records, same.response.partition], [[], image.partition('t', 0)]);
    image = commit(image, c.changePartition(image, { topic: 't', partition: 0, leader: -1 }).records);
    assert.deepEqual(parts(image)[0], '0: leader=-1 isr=3 epoch=3/4');
  });

  it('refuses a leader outside the replicas and an unknown partition', () => {
    let image = clusterImage([1, 2]);
    image = commit(image, c.createTopics(image, [{ name: 'one', numPartitions: 1, replicationFactor: 1 }]).records);
    assert.deepEqual(c.changePartition(image, { topic: 'one', partition: 0, leader: 2 }), {
      records: [],
      response: { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'node 2 is not a replica of one-0 (replicas 1)' },
    });
    assert.deepEqual(c.changePartition(image, { topic: 'one', partition: 1, leader: 1 }).response, {
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      errorMessage: 'unknown partition one-1',
    });
  });
});
