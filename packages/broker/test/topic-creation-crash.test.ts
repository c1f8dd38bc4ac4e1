// A topic with many partitions, created and then lost to a crash (power loss, no clean shutdown):
// the topic comes back whole from the topic store — every partition, its id, leader epoch and
// log — with acknowledged, flushed data intact, even though creating it fsynced nothing per partition.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRecordBatch } from '@tributary/protocol';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import { BrokerConfig } from '../src/config/broker-config.ts';
import { silentLogger } from '../src/logger.ts';
import { TopicManager } from '../src/partitions/topic-manager.ts';
import { ReplicaManager } from '../src/replica/replica-manager.ts';

const N = 3000;

function topicManager(fs: MemoryFileSystem): TopicManager {
  const config = BrokerConfig.load({ settings: { 'log.dirs': '/data', 'node.id': 1 } });
  const replicas = new ReplicaManager({ config, nodeId: 1, clusterId: 'c1', time: new MockTime(1_700_000_000_000), log: silentLogger, fs });
  const tm = new TopicManager({ config, nodeId: 1, log: silentLogger, replicas });
  tm.start();
  return tm;
}

describe('topic creation and a crash', () => {
  it(`a ${N}-partition topic survives a crash right after creation, with its flushed data`, async () => {
    const fs = new MemoryFileSystem();
    const tm = topicManager(fs);
    const fsyncs = fs.stats.fsyncs;
    const r = tm.createTopic({ name: 'wide', numPartitions: N });
    assert.equal(r.errorCode, 0);
    assert.equal(fs.stats.fsyncs - fsyncs, 1); // the topic store's file; nothing per partition
    const id = r.topic!.topicId;
    const batch = () => encodeRecordBatch({ records: [{ key: 'k', value: 'v', timestamp: 1_700_000_000_000 }, { key: 'k2', value: 'v2', timestamp: 1_700_000_000_001 }] });
    const a = await tm.partition('wide', 42)!.appendRecordsToLeader(await batch(), { requiredAcks: -1, origin: 'client' });
    assert.deepEqual([a.firstOffset, a.lastOffset], [0, 1]);
    tm.partition('wide', 42)!.log.flush();
    await tm.partition('wide', 43)!.appendRecordsToLeader(await batch(), { requiredAcks: 1, origin: 'client' }); // page cache only

    fs.crash();
    const tm2 = topicManager(fs);
    try {
      const t = tm2.topic('wide')!;
      assert.equal(t.topicId, id);
      assert.equal(t.partitions.length, N);
      assert.deepEqual(t.partitions.map((p) => p.partition), Array.from({ length: N }, (_, i) => i));
      for (const p of t.partitions) {
        assert.equal(p.log.logEndOffset, p.partition === 42 ? 2 : 0, `wide-${p.partition}`);
        assert.equal(p.log.topicId, id);
        assert.equal(p.leaderEpoch, 0);
      }
      assert.equal(tm2.topicById(id)!.name, 'wide');
      const again = await tm2.partition('wide', 0)!.appendRecordsToLeader(await batch(), { requiredAcks: -1, origin: 'client' });
      assert.deepEqual([again.firstOffset, again.lastOffset], [0, 1]);
      const next = await tm2.partition('wide', 42)!.appendRecordsToLeader(await batch(), { requiredAcks: -1, origin: 'client' });
      assert.deepEqual([next.firstOffset, next.lastOffset], [2, 3]);
    } finally {
      tm2.stop();
    }
    const tm3 = topicManager(fs);
    try {
      assert.equal(tm3.topic('wide')!.partitions.length, N);
      assert.deepEqual([0, 1, 42].map((p) => tm3.partition('wide', p)!.log.logEndOffset), [2, 0, 4]);
      assert.equal(fs.bytes('/data/wide-0/partition.metadata').toString(), `version: 0\ntopic_id: ${id}\n`);
    } finally {
      tm3.stop();
    }
  });
});
