// A MetadataImage through a KRaft snapshot file and back: an image the controller built (brokers
// fenced and not, with racks and supported features; topics with partitions after ISR changes and a
// deletion; topic and broker configs; producer id blocks; finalized features) round trips to an
// equal image at the snapshot id's provenance; batches hold at most 1000 records; the file is
// Kafka's (name, header, batches the metadata serde decodes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryFileSystem } from '@tributary/storage';
import { listSnapshots, readSnapshot } from '@tributary/raft';
import {
  ConfigResourceType,
  Controller,
  MetadataImage,
  decodeMetadataBatches,
  imageFromSnapshot,
  imageRecords,
  readImageSnapshot,
  snapshotBatchesOf,
  snapshotIdOf,
  snapshotDelta,
  writeImageSnapshot,
  type MetadataRecord,
} from '../src/index.ts';
import { configRecord, featureLevelRecord } from '../src/records/metadata-record.ts';
import { clusterImage, commit, endpoint, incarnationId, options } from './helpers/fixtures.ts';

const DIR = '/data/__cluster_metadata-0';

/** Applies records at the next offsets in `epoch` (commit() always says epoch 1). */
function commitIn(image: MetadataImage, records: readonly MetadataRecord[], epoch: number): MetadataImage {
  const next = commit(image, records);
  return new MetadataImage(
    { lastOffset: next.provenance.lastOffset, lastEpoch: epoch },
    next.features,
    next.cluster,
    next.topics,
    next.configs,
    next.producerIds,
    next.acls,
  );
}

function busyImage(): MetadataImage {
  const c = new Controller(options({ numPartitions: 3, defaultReplicationFactor: 2 }));
  let image = clusterImage([1, 2, 3], [], c, { 1: 'r1', 2: 'r2', 3: 'r1' });
  const reg = c.registerBroker(
    image,
    { brokerId: 4, incarnationId: incarnationId(4), endpoints: [endpoint(9094)], rack: null, features: { 'metadata.version': [1, 20] } },
    image.provenance.lastOffset + 1,
  );
  image = commit(image, reg.records); // broker 4 stays fenced
  const created = c.createTopics(image, [
    { name: 'orders', numPartitions: 6, replicationFactor: 3, configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' } },
    { name: 'events' },
    { name: 'pinned', assignments: [{ partitionIndex: 0, brokerIds: [3, 1] }] },
    { name: 'doomed', numPartitions: 2, replicationFactor: 1 },
  ]);
  image = commit(image, created.records);
  image = commit(image, c.deleteTopics(image, [{ name: 'doomed' }]).records);
  image = commit(image, c.changePartition(image, { topic: 'orders', partition: 2, isr: [image.partition('orders', 2)!.leader] }).records);
  image = commit(image, c.fenceBroker(image, 3).records);
  image = commit(
    image,
    c.incrementalAlterConfigs(image, [
      { resourceType: 2, resourceName: 'events', ops: [{ name: 'min.insync.replicas', op: 'SET', value: '2' }] },
    ]).records,
  );
  const acl = { resourceName: 'orders', patternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };
  image = commit(
    image,
    c.createAcls(image, [
      { resourceType: 2, ...acl },
      { ...acl, resourceType: 3, patternType: 4 },
    ]).records,
  );
  image = commit(image, c.allocateProducerIds(image, 1).records);
  image = commit(image, c.allocateProducerIds(image, 2).records);
  image = commitIn(
    image,
    [configRecord(ConfigResourceType.BROKER, '1', 'log.retention.bytes', '1048576'), featureLevelRecord('transaction.version', 2)],
    7,
  );
  return image;
}

describe('metadata snapshots', () => {
  it('an image the controller built round trips through a snapshot file to an equal image', async () => {
    const image = busyImage();
    // the image is not trivial
    assert.deepEqual(image.cluster.brokerIds(), [1, 2, 3, 4]);
    assert.equal(image.cluster.broker(4)!.fenced, true);
    assert.equal(image.cluster.broker(3)!.fenced, true);
    assert.deepEqual(
      image.topics
        .topics()
        .map((t) => `${t.name}:${t.partitions.size}`)
        .sort(),
      ['events:3', 'orders:6', 'pinned:1'],
    );
    assert.equal(image.producerIds.nextProducerId, 2000n);
    assert.equal(image.features.finalizedVersions.get('transaction.version'), 2);
    assert.equal(image.topicConfigs('orders')['cleanup.policy'], 'compact');
    assert.equal(image.acls.acls.size, 2);

    const fs = new MemoryFileSystem();
    const id = await writeImageSnapshot(fs, DIR, image, { lastContainedLogTimestamp: 5000, timestampMs: 6000 });
    assert.deepEqual(id, { offset: image.provenance.lastOffset + 1, epoch: 7 });
    assert.deepEqual(snapshotIdOf(image), id);
    assert.deepEqual(listSnapshots(fs, DIR), [id]);
    assert.deepEqual(fs.readdirSync(DIR), [`${String(id.offset).padStart(20, '0')}-0000000007.checkpoint`]);
    assert.deepEqual(readSnapshot(fs, DIR, id).header, { version: 0, lastContainedLogTimestamp: 5000 });

    const loaded = readImageSnapshot(fs, DIR, id);
    assert.deepEqual(loaded, image);
    assert.deepEqual(loaded.provenance, { lastOffset: id.offset - 1, lastEpoch: 7 });
    assert.deepEqual(imageRecords(loaded), imageRecords(image));
  });

  it('batches hold at most 1000 records; in the file their offsets run from 1 and the epoch is the snapshot id', async () => {
    const c = new Controller(options());
    let image = clusterImage([1], [], c);
    image = commit(image, c.createTopics(image, [{ name: 'wide', numPartitions: 2500, replicationFactor: 1 }]).records);
    const records = imageRecords(image);
    assert.equal(records.length > 2000, true);

    const batches = snapshotBatchesOf(image, 123);
    assert.equal(batches.length, Math.ceil(records.length / 1000));
    const counts = batches.map((b) => decodeMetadataBatches(b)[0]!.records.length);
    assert.deepEqual(counts, [1000, 1000, records.length - 2000]);
    assert.deepEqual(snapshotBatchesOf(image, 123, 100).length, Math.ceil(records.length / 100));

    const fs = new MemoryFileSystem();
    const id = await writeImageSnapshot(fs, DIR, image, { lastContainedLogTimestamp: 1, timestampMs: 2 });
    const inFile = decodeMetadataBatches(readSnapshot(fs, DIR, id).batches);
    assert.deepEqual(
      inFile.map((b) => [b.baseOffset, b.lastOffset, b.leaderEpoch, b.appendTimeMs, b.isControl]),
      [
        [1, 1000, 1, 2, false],
        [1001, 2000, 1, 2, false],
        [2001, records.length, 1, 2, false],
      ],
    );
    assert.deepEqual(
      inFile.flatMap((b) => b.records.map((r) => r.record)),
      records,
    );
    assert.deepEqual(imageFromSnapshot(readSnapshot(fs, DIR, id).batches, id), image);
  });

  it('the empty image has no snapshot id; an empty snapshot loads as the empty image at its id', () => {
    assert.throws(() => snapshotIdOf(MetadataImage.EMPTY), /no snapshot id/);
    assert.deepEqual(snapshotBatchesOf(MetadataImage.EMPTY, 0), []);
    const loaded = imageFromSnapshot(Buffer.alloc(0), { offset: 10, epoch: 2 });
    assert.equal(loaded.isEmpty, true);
    assert.deepEqual(loaded.provenance, { lastOffset: 9, lastEpoch: 2 });
  });
});

describe('snapshotDelta', () => {
  it('takes an image behind to the snapshot: gone topics are removed, topics both have keep their ids, the rest replayed', () => {
    const c = new Controller(options({ numPartitions: 2, defaultReplicationFactor: 2 }));
    let behind = clusterImage([1, 2, 3], [], c);
    behind = commit(behind, c.createTopics(behind, [{ name: 'kept' }, { name: 'gone' }]).records);
    behind = commit(
      behind,
      c.incrementalAlterConfigs(behind, [{ resourceType: 2, resourceName: 'kept', ops: [{ name: 'retention.ms', op: 'SET', value: '5' }] }])
        .records,
    );
    let ahead = commit(behind, c.deleteTopics(behind, [{ name: 'gone' }]).records);
    ahead = commit(ahead, c.createTopics(ahead, [{ name: 'new' }]).records);
    ahead = commit(ahead, c.changePartition(ahead, { topic: 'kept', partition: 0, isr: [ahead.partition('kept', 0)!.leader] }).records);
    ahead = commit(
      ahead,
      c.incrementalAlterConfigs(ahead, [
        { resourceType: 2, resourceName: 'kept', ops: [{ name: 'retention.ms', op: 'DELETE', value: null }] },
      ]).records,
    );
    ahead = commit(ahead, c.unregisterBroker(ahead, 3).records);
    const { delta, image } = snapshotDelta(behind, imageFromSnapshot(Buffer.concat(snapshotBatchesOf(ahead, 0)), snapshotIdOf(ahead)));
    assert.deepEqual(imageRecords(image), imageRecords(ahead));
    assert.deepEqual(image.provenance, ahead.provenance);
    assert.deepEqual([...delta.topics!.deletedTopicIds], [behind.topic('gone')!.topicId]);
    assert.deepEqual([...delta.topics!.createdTopics.keys()], ['new'], 'kept is not created again');
    assert.equal(image.topic('kept')!.topicId, behind.topic('kept')!.topicId);
  });
});
