// ApiVersions negotiation and the metadata cache (leaders, layouts, leader epochs, refresh rules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiVersionsTable, UnsupportedVersionError, highestCommonVersion } from '../../src/cluster/api-versions.ts';
import { MetadataCache, type TopicState } from '../../src/cluster/metadata-cache.ts';

test('highest common version', () => {
  assert.equal(highestCommonVersion({ minVersion: 0, maxVersion: 12 }, { minVersion: 0, maxVersion: 9 }), 9);
  assert.equal(highestCommonVersion({ minVersion: 3, maxVersion: 7 }, { minVersion: 0, maxVersion: 12 }), 7);
  assert.equal(highestCommonVersion({ minVersion: 4, maxVersion: 7 }, { minVersion: 0, maxVersion: 3 }), -1);
  assert.equal(highestCommonVersion({ minVersion: 0, maxVersion: 2 }, { minVersion: 3, maxVersion: 9 }), -1);
});

test('ApiVersionsTable.choose: picks the highest common, refuses missing or disjoint APIs (not retriable)', () => {
  const t = new ApiVersionsTable(
    [
      { apiKey: 0, minVersion: 3, maxVersion: 9 },
      { apiKey: 3, minVersion: 0, maxVersion: 12 },
    ],
    'b1:9092',
  );
  assert.equal(t.choose(0, { minVersion: 3, maxVersion: 11 }, 'Produce'), 9);
  assert.equal(t.choose(3, { minVersion: 1, maxVersion: 12 }, 'Metadata'), 12);
  assert.throws(
    () => t.choose(22, { minVersion: 0, maxVersion: 4 }, 'InitProducerId'),
    (e: unknown) => {
      assert.ok(e instanceof UnsupportedVersionError);
      assert.equal(e.retriable, false);
      assert.equal(e.details.code, 35);
      assert.match(e.message, /does not support InitProducerId/);
      return true;
    },
  );
  assert.throws(() => t.choose(0, { minVersion: 10, maxVersion: 11 }, 'Produce'), /no common version of Produce: client 10-11, broker 3-9/);
});

const part = (partition: number, leader: number, leaderEpoch = 0) => ({
  partition,
  leader,
  leaderEpoch,
  replicas: [leader],
  isr: [leader],
  offlineReplicas: [],
  errorCode: 0,
});
const topic = (name: string, partitions: ReturnType<typeof part>[], topicId = 'id-' + name): TopicState => ({
  name,
  topicId,
  isInternal: false,
  partitions,
  errorCode: 0,
});
const brokers = [
  { nodeId: 1, host: 'a', port: 9092, rack: null },
  { nodeId: 2, host: 'b', port: 9092, rack: 'r2' },
];

test('leaders, partition counts and cached layouts', () => {
  const m = new MetadataCache();
  assert.equal(m.shouldRefresh(0, 300000), true);
  m.update({ clusterId: 'c', controllerId: 1, brokers, topics: [topic('t', [part(0, 1), part(1, -1), part(2, 2)])] }, 1000);
  assert.equal(m.leaderFor('t', 0), 1);
  assert.equal(m.leaderFor('t', 1), undefined);
  assert.equal(m.leaderFor('t', 2), 2);
  assert.equal(m.leaderFor('nope', 0), undefined);
  assert.equal(m.partitionCount('t'), 3);
  const l = m.layout('t')!;
  assert.deepEqual(l, { partitionCount: 3, availablePartitions: [0, 2] });
  assert.equal(m.layout('t'), l); // cached
  assert.deepEqual(m.broker(2), { nodeId: 2, host: 'b', port: 9092, rack: 'r2' });
  assert.equal(m.shouldRefresh(1000 + 299999, 300000), false);
  assert.equal(m.shouldRefresh(1000 + 300000, 300000), true);
});

test('older leader epochs are ignored; a new topic id replaces everything', () => {
  const m = new MetadataCache();
  m.update({ clusterId: 'c', controllerId: 1, brokers, topics: [topic('t', [part(0, 1, 5)])] }, 0);
  m.update({ clusterId: 'c', controllerId: 1, brokers, topics: [topic('t', [part(0, 2, 4)])] }, 1);
  assert.equal(m.leaderFor('t', 0), 1);
  m.update({ clusterId: 'c', controllerId: 1, brokers, topics: [topic('t', [part(0, 2, 6)])] }, 2);
  assert.equal(m.leaderFor('t', 0), 2);
  // topic deleted and recreated: epochs restart
  m.update({ clusterId: 'c', controllerId: 1, brokers, topics: [topic('t', [part(0, 1, 0)], 'new-id')] }, 3);
  assert.equal(m.leaderFor('t', 0), 1);
});

test('invalidateLeader drops the leader and asks for a refresh; partial refresh keeps other topics', () => {
  const m = new MetadataCache();
  m.update({ clusterId: 'c', controllerId: 1, brokers, topics: [topic('t', [part(0, 1), part(1, 2)]), topic('u', [part(0, 2)])] }, 0);
  m.invalidateLeader('t', 1);
  assert.equal(m.leaderFor('t', 1), undefined);
  assert.deepEqual(m.layout('t')!.availablePartitions, [0]);
  assert.equal(m.shouldRefresh(1, 300000), true);
  assert.deepEqual(m.wanted(), ['t']);
  m.update({ clusterId: 'c', controllerId: 1, brokers: [], topics: [topic('t', [part(0, 1), part(1, 1, 1)])] }, 2);
  assert.equal(m.leaderFor('t', 1), 1);
  assert.equal(m.leaderFor('u', 0), 2);
  assert.equal(m.broker(1)!.host, 'a'); // empty broker list keeps the known brokers
  // unknown topic error forgets partitions
  m.update(
    {
      clusterId: 'c',
      controllerId: 1,
      brokers,
      topics: [{ name: 'u', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', isInternal: false, partitions: [], errorCode: 3 }],
    },
    3,
  );
  assert.equal(m.partitionCount('u'), undefined);
  assert.equal(m.topic('u')!.errorCode, 3);
});
