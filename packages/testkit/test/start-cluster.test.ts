// testkit startCluster: three nodes on free ports over one temporary data dir (removed on stop);
// Metadata from any node lists all three; moveLeader / stopNode / startNode change what it reports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startCluster } from '../src/index.ts';

describe('startCluster', () => {
  it('starts nodes 1..3 with their own ports, moves leaders, stops and starts nodes, cleans up', async () => {
    const kafka = await startCluster({ brokers: 3, settings: { 'num.partitions': 3 } });
    try {
      assert.deepEqual(kafka.nodes.map((n) => [n.nodeId, n.host]), [[1, '127.0.0.1'], [2, '127.0.0.1'], [3, '127.0.0.1']]);
      assert.equal(new Set(kafka.nodes.map((n) => n.port)).size, 3);
      assert.equal(kafka.bootstrap, kafka.nodes.map((n) => `127.0.0.1:${n.port}`).join(','));
      const view = kafka.cluster.core.cluster;
      assert.deepEqual(view.liveBrokers().map((b) => [b.nodeId, b.endpoints[0]!.port]), kafka.nodes.map((n) => [n.nodeId, n.port]));
      kafka.cluster.core.topics.createTopic({ name: 't' });
      assert.deepEqual([0, 1, 2].map((p) => kafka.leaderOf('t', p)), [1, 2, 3].map((leader) => ({ leader, leaderEpoch: 0 })));
      assert.equal(kafka.moveLeader('t', 0, 3), 1);
      assert.deepEqual(kafka.leaderOf('t', 0), { leader: 3, leaderEpoch: 1 });
      await kafka.stopNode(3);
      assert.deepEqual(view.liveBrokers().map((b) => b.nodeId), [1, 2]);
      // t-0 replicas [1, 2, 3], t-2 replicas [3, 1, 2]: the first live ISR replica leads
      assert.deepEqual([kafka.leaderOf('t', 0), kafka.leaderOf('t', 2)], [{ leader: 1, leaderEpoch: 2 }, { leader: 1, leaderEpoch: 1 }]);
      await kafka.startNode(3);
      assert.equal(view.broker(3)!.endpoints[0]!.port, kafka.nodes[2]!.port);
    } finally {
      await kafka.stop();
    }
    assert.equal(existsSync(kafka.dataDir), false);
  });
});
