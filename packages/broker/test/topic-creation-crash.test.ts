// A topic with many partitions, created and then lost to a crash (power loss, no clean shutdown):
// the topic comes back whole from the metadata log — every partition, its id, leader epoch and
// log — with acknowledged, flushed data intact, even though creating it fsynced nothing per
// partition (one fsync: the metadata log's batch). The broker's pieces are assembled by hand here
// (ReplicaManager following a LocalController) over a MemoryFileSystem that can lose power.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRecordBatch } from '@tributary/protocol';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import { BrokerConfig } from '../src/config/broker-config.ts';
import { silentLogger } from '../src/logger.ts';
import { LocalController } from '@tributary/metadata';
import { controllerOptions } from '../src/metadata/controller-options.ts';
import { ReplicaManager } from '../src/replica/replica-manager.ts';

const N = 3000;

/** A broker's storage and metadata over `fs`: the controller's image applied to a ReplicaManager. */
async function topicManager(fs: MemoryFileSystem) {
  const config = BrokerConfig.load({ settings: { 'log.dirs': '/data', 'node.id': 1 } });
  const time = new MockTime(1_700_000_000_000);
  const replicas = new ReplicaManager({ config, nodeId: 1, clusterId: 'c1', time, log: silentLogger, fs });
  replicas.startup();
  const controller = await LocalController.open({ logDir: '/data', controller: controllerOptions(config), fs, time });
  controller.subscribe((delta, image) => replicas.applyDelta(delta, image));
  const reg = await controller.registerBroker({
    brokerId: 1,
    incarnationId: 'AAAAAAAAAAAAAAAAAAAAAQ',
    endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 0 }],
  });
  await controller.unfenceBroker(1, reg.brokerEpoch);
  return {
    async createTopic(t: { name: string; numPartitions: number }) {
      const [r] = await controller.createTopics([t]);
      return { errorCode: r!.errorCode, topicId: r!.topic?.topicId };
    },
    topic: (name: string) => controller.image.topic(name),
    topicById: (id: string) => controller.image.topicById(id),
    partition: (topic: string, p: number) => replicas.getPartition(topic, p),
    async stop() {
      replicas.shutdown();
      await controller.close();
    },
  };
}

describe('topic creation and a crash', () => {
  it(`a ${N}-partition topic survives a crash right after creation, with its flushed data`, async () => {
    const fs = new MemoryFileSystem();
    const tm = await topicManager(fs);
    const fsyncs = fs.stats.fsyncs;
    const r = await tm.createTopic({ name: 'wide', numPartitions: N });
    assert.equal(r.errorCode, 0);
    assert.equal(fs.stats.fsyncs - fsyncs, 1); // the metadata log's batch; nothing per partition
    const id = r.topicId!;
    const batch = () =>
      encodeRecordBatch({
        records: [
          { key: 'k', value: 'v', timestamp: 1_700_000_000_000 },
          { key: 'k2', value: 'v2', timestamp: 1_700_000_000_001 },
        ],
      });
    const a = await tm.partition('wide', 42)!.appendRecordsToLeader(await batch(), { requiredAcks: -1, origin: 'client' });
    assert.deepEqual([a.firstOffset, a.lastOffset], [0, 1]);
    tm.partition('wide', 42)!.log.flush();
    await tm.partition('wide', 43)!.appendRecordsToLeader(await batch(), { requiredAcks: 1, origin: 'client' }); // page cache only

    fs.crash();
    const tm2 = await topicManager(fs);
    try {
      const t = tm2.topic('wide')!;
      assert.equal(t.topicId, id);
      assert.equal(t.partitions.size, N);
      assert.deepEqual(
        [...t.partitions.keys()].sort((x, y) => x - y),
        Array.from({ length: N }, (_, i) => i),
      );
      for (let i = 0; i < N; i++) {
        const p = tm2.partition('wide', i)!;
        assert.equal(p.log.logEndOffset, i === 42 ? 2 : 0, `wide-${i}`);
        assert.equal(p.log.topicId, id);
        assert.equal(p.leaderEpoch, 0);
      }
      assert.equal(tm2.topicById(id)!.name, 'wide');
      const again = await tm2.partition('wide', 0)!.appendRecordsToLeader(await batch(), { requiredAcks: -1, origin: 'client' });
      assert.deepEqual([again.firstOffset, again.lastOffset], [0, 1]);
      const next = await tm2.partition('wide', 42)!.appendRecordsToLeader(await batch(), { requiredAcks: -1, origin: 'client' });
      assert.deepEqual([next.firstOffset, next.lastOffset], [2, 3]);
    } finally {
      await tm2.stop();
    }
    const tm3 = await topicManager(fs);
    try {
      assert.equal(tm3.topic('wide')!.partitions.size, N);
      assert.deepEqual(
        [0, 1, 42].map((p) => tm3.partition('wide', p)!.log.logEndOffset),
        [2, 0, 4],
      );
      assert.equal(fs.bytes('/data/wide-0/partition.metadata').toString(), `version: 0\ntopic_id: ${id}\n`);
    } finally {
      await tm3.stop();
    }
  });
});
