// testkit startCluster: three independent brokers (a data dir each) and one controller, over one
// temporary directory removed on stop. Every broker registers with the controller, Metadata from
// any broker lists all three; each broker hosts only its own replicas on its own disk; the leader
// appends and its follower copies it, the other brokers answer NOT_LEADER_OR_FOLLOWER; stopping a broker fences it and the
// controller elects another ISR member; it comes back on its port and registers again; producer
// ids are unique across brokers (blocks from the controller).
// startSharedLogCluster: the test fake whose nodes share one log; moveLeader keeps every record.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient } from '../../broker/test/helpers/kafka-client.ts';
import { startCluster, startSharedLogCluster } from '../src/index.ts';

const batch = (n: number) =>
  encodeRecordBatch({ records: Array.from({ length: n }, (_, i) => ({ value: `v${i}`, timestamp: 1_700_000_000_000 + i })) });

async function produce(port: number, topic: string, partition: number, n: number) {
  const c = await kafkaClient(port);
  try {
    const r = await c.request(ApiKey.Produce, 9, {
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records: await batch(n) }] }],
    });
    return r.responses[0]!.partitionResponses[0]!;
  } finally {
    c.close();
  }
}

describe('startCluster', () => {
  it('starts independent brokers 1..3 with their own ports and data dirs, one controller; fences a stopped broker; cleans up', async () => {
    const kafka = await startCluster({ brokers: 3 });
    try {
      assert.deepEqual(
        kafka.nodes.map((n) => [n.nodeId, n.host]),
        [
          [1, '127.0.0.1'],
          [2, '127.0.0.1'],
          [3, '127.0.0.1'],
        ],
      );
      assert.equal(new Set(kafka.nodes.map((n) => n.port)).size, 3);
      assert.equal(kafka.bootstrap, kafka.nodes.map((n) => `127.0.0.1:${n.port}`).join(','));
      const cluster = kafka.controller.image.cluster;
      assert.deepEqual(cluster.unfencedBrokerIds(), [1, 2, 3]);
      assert.deepEqual(
        [1, 2, 3].map((id) => cluster.broker(id)!.endpoints[0]!.port),
        kafka.nodes.map((n) => n.port),
      );

      const [created] = await kafka.controller.createTopics([{ name: 't', numPartitions: 3, replicationFactor: 2 }]);
      assert.equal(created!.errorCode, ErrorCode.NONE);
      // striped: p gets ring positions 2p, 2p+1: each broker hosts exactly its own two replicas, on its own disk
      assert.deepEqual(
        [0, 1, 2].map((p) => kafka.partition('t', p).replicas),
        [
          [1, 2],
          [3, 1],
          [2, 3],
        ],
      );
      for (const id of [1, 2, 3]) {
        const dirs = readdirSync(join(kafka.dataDir, `broker-${id}`))
          .filter((d) => d.startsWith('t-'))
          .sort();
        const hosted = [0, 1, 2].filter((p) => kafka.partition('t', p).replicas.includes(id)).map((p) => `t-${p}`);
        assert.deepEqual(dirs, hosted, `broker ${id}`);
        const m = await kafkaClient(kafka.nodes[id - 1]!.port);
        const md = await m.request(ApiKey.Metadata, 12, { topics: [{ name: 't', topicId: undefined }], allowAutoTopicCreation: false });
        m.close();
        assert.deepEqual(
          md.brokers.map((b) => b.nodeId),
          [1, 2, 3],
        );
        assert.deepEqual(
          md.topics[0]!.partitions.map((p) => p.leaderId),
          [1, 3, 2],
        );
      }

      // t-0: led by 1; broker 2 is a follower, broker 3 does not host it
      assert.deepEqual(
        [(await produce(kafka.nodes[0]!.port, 't', 0, 3)).errorCode, (await produce(kafka.nodes[0]!.port, 't', 0, 2)).baseOffset],
        [ErrorCode.NONE, 3n],
      );
      assert.equal((await produce(kafka.nodes[1]!.port, 't', 0, 1)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      assert.equal((await produce(kafka.nodes[2]!.port, 't', 0, 1)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      assert.equal(kafka.broker(1)!.services.replicas.getPartition('t', 0)!.logEndOffset, 5);
      // acks=all answered: the follower (in the ISR) has both batches
      assert.equal(kafka.broker(2)!.services.replicas.getPartition('t', 0)!.logEndOffset, 5, 'the follower copied the leader');
      assert.equal(kafka.broker(3)!.services.replicas.getPartition('t', 0), undefined);

      // producer ids come from the controller in blocks: two brokers never hand out the same one
      const pids: bigint[] = [];
      for (const n of kafka.nodes) {
        const c = await kafkaClient(n.port);
        const r = await c.request(ApiKey.InitProducerId, 4, {
          transactionalId: null,
          transactionTimeoutMs: 1000,
          producerId: -1n,
          producerEpoch: -1,
        });
        c.close();
        assert.equal(r.errorCode, ErrorCode.NONE);
        pids.push(r.producerId);
      }
      assert.deepEqual(pids, [0n, 1000n, 2000n]);

      await kafka.stopNode(1);
      assert.deepEqual(kafka.controller.image.cluster.unfencedBrokerIds(), [2, 3]);
      // t-0 [1, 2]: 2 leads, epoch 1, ISR [2]; t-1 [3, 1]: 3 keeps leading, 1 leaves the ISR
      assert.deepEqual([kafka.partition('t', 0).leader, kafka.partition('t', 0).leaderEpoch, kafka.partition('t', 0).isr], [2, 1, [2]]);
      assert.deepEqual([kafka.partition('t', 1).leader, kafka.partition('t', 1).isr], [3, [3]]);
      assert.equal(kafka.broker(2)!.services.replicas.getPartition('t', 0)!.leaderEpoch, 1, 'broker 2 followed the change');
      assert.equal((await produce(kafka.nodes[1]!.port, 't', 0, 1)).errorCode, ErrorCode.NONE);

      await kafka.startNode(1);
      assert.deepEqual(kafka.controller.image.cluster.unfencedBrokerIds(), [1, 2, 3]);
      assert.equal(kafka.controller.image.cluster.broker(1)!.endpoints[0]!.port, kafka.nodes[0]!.port);
      // its own 5 records came back from its own disk; the one written while it was away comes from broker 2
      const back = kafka.broker(1)!.services.replicas.getPartition('t', 0)!;
      assert.ok(back.logEndOffset >= 5, `log end ${back.logEndOffset}`);
      for (let i = 0; i < 500 && back.logEndOffset < 6; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(back.logEndOffset, 6);
    } finally {
      await kafka.stop();
    }
    assert.equal(existsSync(kafka.dataDir), false);
  });
});

describe('startSharedLogCluster', () => {
  it('starts nodes 1..3 over one shared log; moves leaders, stops and starts nodes; cleans up', async () => {
    const kafka = await startSharedLogCluster({ brokers: 3, settings: { 'num.partitions': 3 } });
    try {
      assert.equal(new Set(kafka.nodes.map((n) => n.port)).size, 3);
      const metadata = kafka.cluster.core.metadata;
      assert.deepEqual(
        metadata.liveBrokers().map((b) => [b.id, b.endpoints[0]!.port]),
        kafka.nodes.map((n) => [n.nodeId, n.port]),
      );
      await kafka.cluster.core.controller.createTopics([{ name: 't' }]);
      assert.deepEqual(
        [0, 1, 2].map((p) => kafka.leaderOf('t', p)),
        [1, 2, 3].map((leader) => ({ leader, leaderEpoch: 0 })),
      );
      assert.equal((await produce(kafka.nodes[0]!.port, 't', 0, 4)).errorCode, ErrorCode.NONE);
      assert.equal(await kafka.moveLeader('t', 0, 3), 1);
      assert.deepEqual(kafka.leaderOf('t', 0), { leader: 3, leaderEpoch: 1 });
      assert.equal((await produce(kafka.nodes[2]!.port, 't', 0, 1)).baseOffset, 4n, 'the new leader appends after every record');
      await kafka.stopNode(3);
      assert.deepEqual(
        metadata.liveBrokers().map((b) => b.id),
        [1, 2],
      );
      // t-0 replicas [1, 2, 3], t-2 replicas [3, 1, 2]: the first live ISR replica leads
      assert.deepEqual(
        [kafka.leaderOf('t', 0), kafka.leaderOf('t', 2)],
        [
          { leader: 1, leaderEpoch: 2 },
          { leader: 1, leaderEpoch: 1 },
        ],
      );
      await kafka.startNode(3);
      assert.equal(metadata.broker(3)!.endpoints[0]!.port, kafka.nodes[2]!.port);
      assert.deepEqual(kafka.cluster.partition('t', 0).isr, [1, 2, 3], 'back in the ISR (shared log: caught up)');
    } finally {
      await kafka.stop();
    }
    assert.equal(existsSync(kafka.dataDir), false);
  });
});
