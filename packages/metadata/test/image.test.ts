// MetadataImage built by MetadataDelta from records: topics and partitions (PartitionChangeRecord
// merge with its "unchanged" sentinels and epoch bumps), configs, removal, brokers and fencing,
// features, the change summary (created/deleted topics, localChanges) and imageRecords.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataDelta, MetadataImage, applyRecords, imageRecords, type MetadataRecord } from '../src/index.ts';
import {
  brokerRegistrationChangeRecord,
  configRecord,
  featureLevelRecord,
  partitionChangeRecord,
  partitionRecord,
  removeTopicRecord,
  topicRecord,
} from '../src/records/metadata-record.ts';
import { endpoint, incarnationId } from './helpers/fixtures.ts';

const A = Buffer.alloc(16, 1).toString('base64url');
const B = Buffer.alloc(16, 2).toString('base64url');

function register(brokerId: number, epoch: bigint, fenced = true): MetadataRecord {
  return {
    type: 'RegisterBrokerRecord',
    data: {
      brokerId,
      isMigratingZkBroker: false,
      incarnationId: incarnationId(brokerId),
      brokerEpoch: epoch,
      endPoints: [endpoint(9090 + brokerId)],
      features: [],
      rack: brokerId === 2 ? 'r2' : null,
      fenced,
      inControlledShutdown: false,
      logDirs: [],
    },
  };
}

const orders: MetadataRecord[] = [
  topicRecord('orders', A),
  partitionRecord({ topicId: A, partitionId: 0, replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 0 }),
  partitionRecord({ topicId: A, partitionId: 1, replicas: [2, 3, 1], isr: [2, 3, 1], leader: 2, leaderEpoch: 0 }),
  configRecord(2, 'orders', 'retention.ms', '1000'),
];

describe('MetadataDelta / MetadataImage', () => {
  it('a topic with its partitions and configs; provenance from apply', () => {
    const { delta, image } = applyRecords(MetadataImage.EMPTY, orders, { lastOffset: 3, lastEpoch: 1 });
    assert.deepEqual(image.provenance, { lastOffset: 3, lastEpoch: 1 });
    const t = image.topic('orders')!;
    assert.equal(image.topicById(A), t);
    assert.deepEqual([t.name, t.topicId, [...t.partitions.keys()]], ['orders', A, [0, 1]]);
    assert.deepEqual(image.partition('orders', 1), {
      replicas: [2, 3, 1],
      isr: [2, 3, 1],
      removingReplicas: [],
      addingReplicas: [],
      leader: 2,
      leaderRecoveryState: 0,
      leaderEpoch: 0,
      partitionEpoch: 0,
      // a PartitionRecord v0 (no Directories): every replica MIGRATING (counted online)
      directories: ['AAAAAAAAAAAAAAAAAAAAAg', 'AAAAAAAAAAAAAAAAAAAAAg', 'AAAAAAAAAAAAAAAAAAAAAg'],
    });
    assert.deepEqual(image.topicConfigs('orders'), { 'retention.ms': '1000' });
    assert.deepEqual([...delta.topics!.createdTopics], [['orders', A]]);
    assert.deepEqual(delta.topics!.createdTopicIds(), [A]);
    assert.equal(MetadataImage.EMPTY.topic('orders'), undefined); // the old image is untouched
  });

  it('PartitionChangeRecord: leader -2 and null lists mean unchanged; a leader (even -1) bumps the leader epoch; every change bumps the partition epoch', () => {
    let image = applyRecords(MetadataImage.EMPTY, orders).image;
    const step = (r: MetadataRecord) => {
      image = applyRecords(image, [r]).image;
      const p = image.partition('orders', 0)!;
      return [p.leader, p.leaderEpoch, p.partitionEpoch, [...p.isr], p.leaderRecoveryState];
    };
    assert.deepEqual(step(partitionChangeRecord({ topicId: A, partitionId: 0, isr: [1, 2] })), [1, 0, 1, [1, 2], 0]); // ISR shrink: no leader epoch bump
    assert.deepEqual(step(partitionChangeRecord({ topicId: A, partitionId: 0, leader: 2 })), [2, 1, 2, [1, 2], 0]);
    assert.deepEqual(step(partitionChangeRecord({ topicId: A, partitionId: 0, leader: 2 })), [2, 2, 3, [1, 2], 0]); // same leader named again: bump
    assert.deepEqual(step(partitionChangeRecord({ topicId: A, partitionId: 0, leader: -1 })), [-1, 3, 4, [1, 2], 0]);
    assert.deepEqual(step(partitionChangeRecord({ topicId: A, partitionId: 0, leader: 3, isr: [3], leaderRecoveryState: 1 })), [
      3,
      4,
      5,
      [3],
      1,
    ]);
    assert.deepEqual(step(partitionChangeRecord({ topicId: A, partitionId: 0, replicas: [3, 1], leaderRecoveryState: -1 })), [
      3,
      4,
      6,
      [3],
      1,
    ]);
    assert.deepEqual(image.partition('orders', 0)!.replicas, [3, 1]);
    assert.deepEqual(image.partition('orders', 1)!.partitionEpoch, 0);
  });

  it('untouched topics are shared between images', () => {
    const image = applyRecords(MetadataImage.EMPTY, [
      ...orders,
      topicRecord('other', B),
      partitionRecord({ topicId: B, partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0 }),
    ]).image;
    const next = applyRecords(image, [partitionChangeRecord({ topicId: A, partitionId: 0, isr: [1] })]).image;
    assert.equal(next.topic('other'), image.topic('other'));
    assert.notEqual(next.topic('orders'), image.topic('orders'));
    assert.equal(next.topic('orders')!.partitions.get(1), image.topic('orders')!.partitions.get(1));
    assert.equal(next.cluster, image.cluster);
    assert.equal(next.configs, image.configs);
  });

  it('configs: a value sets, null removes, an emptied resource disappears; a removed topic takes its configs along', () => {
    let image = applyRecords(MetadataImage.EMPTY, [
      ...orders,
      configRecord(2, 'orders', 'cleanup.policy', 'compact'),
      configRecord(4, '1', 'log.cleaner.threads', '2'),
    ]).image;
    assert.deepEqual(image.topicConfigs('orders'), { 'retention.ms': '1000', 'cleanup.policy': 'compact' });
    image = applyRecords(image, [configRecord(2, 'orders', 'retention.ms', null), configRecord(2, 'orders', 'absent', null)]).image;
    assert.deepEqual(image.topicConfigs('orders'), { 'cleanup.policy': 'compact' });
    image = applyRecords(image, [configRecord(2, 'orders', 'cleanup.policy', null)]).image;
    assert.deepEqual(
      [...image.configs.entries()].map((e) => [e.type, e.name, Object.fromEntries(e.configs)]),
      [[4, '1', { 'log.cleaner.threads': '2' }]],
    );
    image = applyRecords(image, [configRecord(2, 'orders', 'retention.ms', '5')]).image;
    const { delta, image: after } = applyRecords(image, [removeTopicRecord(A)]);
    assert.equal(after.topic('orders'), undefined);
    assert.equal(after.topicById(A), undefined);
    assert.deepEqual(after.topicConfigs('orders'), {});
    assert.deepEqual([...delta.topics!.deletedTopicIds], [A]);
    assert.deepEqual(delta.configs!.changedResources(), ['2:orders']);
    assert.deepEqual(Object.fromEntries(after.configs.configs(4, '1')), { 'log.cleaner.threads': '2' });
  });

  it('a topic created and removed in one delta leaves no trace; unknown topics and partitions are errors', () => {
    const { delta, image } = applyRecords(MetadataImage.EMPTY, [...orders, removeTopicRecord(A)]);
    assert.equal(image.topics.isEmpty, true);
    assert.deepEqual([delta.topics!.deletedTopicIds.size, delta.topics!.createdTopics.size], [0, 0]);
    assert.throws(
      () =>
        applyRecords(MetadataImage.EMPTY, [
          partitionRecord({ topicId: B, partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0 }),
        ]),
      /PartitionRecord for unknown topic id/,
    );
    assert.throws(
      () => applyRecords(MetadataImage.EMPTY, [...orders, partitionChangeRecord({ topicId: A, partitionId: 5, leader: 1 })]),
      /unknown partition 5 of topic orders/,
    );
    assert.throws(() => applyRecords(MetadataImage.EMPTY, [removeTopicRecord(B)]), /Unable to delete topic with id/);
  });

  it('brokers: register (fenced), unfence, fence, controlled shutdown, re-register, unregister; epochs are checked', () => {
    let image = applyRecords(MetadataImage.EMPTY, [register(1, 10n), register(2, 11n)]).image;
    const state = () =>
      image.cluster.brokerIds().map((id) => {
        const b = image.cluster.broker(id)!;
        return [id, b.epoch, b.fenced, b.inControlledShutdown];
      });
    assert.deepEqual(state(), [
      [1, 10n, true, false],
      [2, 11n, true, false],
    ]);
    assert.deepEqual(image.cluster.broker(2)!.endpoints, [{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 0 }]);
    assert.equal(image.cluster.broker(2)!.rack, 'r2');
    image = applyRecords(image, [
      { type: 'UnfenceBrokerRecord', data: { id: 1, epoch: 10n } },
      brokerRegistrationChangeRecord({ brokerId: 2, brokerEpoch: 11n, fenced: -1 }),
    ]).image;
    assert.deepEqual(image.cluster.unfencedBrokerIds(), [1, 2]);
    image = applyRecords(image, [
      { type: 'FenceBrokerRecord', data: { id: 1, epoch: 10n } },
      brokerRegistrationChangeRecord({ brokerId: 2, brokerEpoch: 11n, inControlledShutdown: 1 }),
    ]).image;
    assert.deepEqual(state(), [
      [1, 10n, true, false],
      [2, 11n, false, true],
    ]);
    image = applyRecords(image, [register(2, 20n)]).image;
    assert.deepEqual(state(), [
      [1, 10n, true, false],
      [2, 20n, true, false],
    ]);
    assert.throws(
      () => applyRecords(image, [{ type: 'FenceBrokerRecord', data: { id: 2, epoch: 11n } }]),
      /the given epoch, 11, did not match the current broker epoch, 20/,
    );
    assert.throws(
      () => applyRecords(image, [{ type: 'UnfenceBrokerRecord', data: { id: 9, epoch: 1n } }]),
      /broker 9, but that broker was not registered/,
    );
    const { delta, image: after } = applyRecords(image, [{ type: 'UnregisterBrokerRecord', data: { brokerId: 1, brokerEpoch: 10n } }]);
    assert.deepEqual(after.cluster.brokerIds(), [2]);
    assert.deepEqual([...delta.cluster!.changedBrokers], [[1, null]]);
  });

  it('features: metadata.version set by a FeatureLevelRecord, level 0 removes a feature; producer ids', () => {
    let image = applyRecords(MetadataImage.EMPTY, [
      featureLevelRecord('metadata.version', 14),
      featureLevelRecord('kraft.version', 1),
    ]).image;
    assert.equal(image.features.metadataVersion, 14);
    image = applyRecords(image, [
      featureLevelRecord('kraft.version', 0),
      { type: 'ProducerIdsRecord', data: { brokerId: 1, brokerEpoch: 0n, nextProducerId: 1000n } },
    ]).image;
    assert.deepEqual([...image.features.finalizedVersions], [['metadata.version', 14]]);
    assert.equal(image.producerIds.nextProducerId, 1000n);
  });

  it('localChanges: partitions a broker now leads or follows, and replicas to delete', () => {
    const base = applyRecords(MetadataImage.EMPTY, [
      ...orders,
      topicRecord('gone', B),
      partitionRecord({ topicId: B, partitionId: 0, replicas: [3, 1], isr: [3, 1], leader: 3, leaderEpoch: 0 }),
    ]).image;
    const delta = new MetadataDelta(base).replayAll([
      partitionChangeRecord({ topicId: A, partitionId: 0, leader: 2 }),
      partitionChangeRecord({ topicId: A, partitionId: 1, replicas: [2, 3], isr: [2, 3] }),
      removeTopicRecord(B),
      topicRecord('fresh', Buffer.alloc(16, 3).toString('base64url')),
      partitionRecord({
        topicId: Buffer.alloc(16, 3).toString('base64url'),
        partitionId: 0,
        replicas: [1],
        isr: [1],
        leader: 1,
        leaderEpoch: 0,
      }),
    ]);
    const summary = (broker: number) => {
      const c = delta.topics!.localChanges(broker);
      return {
        leaders: c.leaders.map((x) => `${x.topicName}-${x.partition}@${x.registration.leaderEpoch}${x.previous ? '' : ' new'}`),
        followers: c.followers.map((x) => `${x.topicName}-${x.partition}`),
        deletes: c.deletes.map((x) => `${x.topicName}-${x.partition}${x.topicDeleted ? ' (topic)' : ''}`),
      };
    };
    assert.deepEqual(summary(1), { leaders: ['fresh-0@0 new'], followers: ['orders-0'], deletes: ['gone-0 (topic)', 'orders-1'] });
    assert.deepEqual(summary(2), { leaders: ['orders-0@1', 'orders-1@0'], followers: [], deletes: [] });
    assert.deepEqual(summary(3), { leaders: [], followers: ['orders-0', 'orders-1'], deletes: ['gone-0 (topic)'] });
  });

  it('imageRecords rebuild an equal image', () => {
    const records = [
      featureLevelRecord('metadata.version', 14),
      register(1, 0n, false),
      register(2, 1n),
      ...orders,
      partitionChangeRecord({ topicId: A, partitionId: 0, leader: 3, isr: [3] }),
      { type: 'ProducerIdsRecord', data: { brokerId: 1, brokerEpoch: 0n, nextProducerId: 3000n } } as MetadataRecord,
    ];
    const image = applyRecords(MetadataImage.EMPTY, records, { lastOffset: 9, lastEpoch: 2 }).image;
    const rebuilt = applyRecords(MetadataImage.EMPTY, imageRecords(image), image.provenance).image;
    assert.deepEqual(rebuilt, image);
    assert.deepEqual(rebuilt.partition('orders', 0)!.leaderEpoch, 1);
    assert.deepEqual(imageRecords(MetadataImage.EMPTY), []);
  });
});
