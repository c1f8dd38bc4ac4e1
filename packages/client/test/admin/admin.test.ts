// The admin client: requests as Kafka's AdminClient sends them and per-item errors, against a
// scripted fake broker and the mini in-process Kafka.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';
import { startFakeBroker, type FakeBroker } from '../helpers/fake-broker.ts';
import { startMiniKafka } from '../helpers/mini-kafka.ts';

test('createTopics / alterConfigs send Kafka requests to the controller; errors name the topic', async () => {
  let self: FakeBroker;
  self = await startFakeBroker((h, body) => {
    if (h.apiKey === ApiKey.Metadata)
      return {
        body: { brokers: [{ nodeId: 7, host: '127.0.0.1', port: self.port, rack: null }], clusterId: 'c', controllerId: 7, topics: [] },
      };
    if (h.apiKey === ApiKey.CreateTopics) {
      return {
        body: {
          topics: body.topics.map((t: any) => ({
            name: t.name,
            errorCode: t.name === 'exists' ? ErrorCode.TOPIC_ALREADY_EXISTS : 0,
            errorMessage: t.name === 'exists' ? "Topic 'exists' already exists." : null,
            numPartitions: t.numPartitions,
            replicationFactor: t.replicationFactor,
          })),
        },
      };
    }
    if (h.apiKey === ApiKey.IncrementalAlterConfigs)
      return { body: { responses: [{ errorCode: 0, resourceType: 2, resourceName: 'orders' }] } };
    return undefined;
  });
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${self.port}` });
  try {
    const admin = kafka.admin();
    await admin.createTopics([{ name: 'orders', partitions: 12, replicationFactor: 3, configs: { 'cleanup.policy': 'compact' } }]);
    const req = self.requests.find((r) => r.header.apiKey === ApiKey.CreateTopics)!;
    assert.deepEqual(req.body.topics[0].configs, [{ name: 'cleanup.policy', value: 'compact' }]);
    assert.equal(req.body.topics[0].numPartitions, 12);
    assert.equal(req.body.topics[0].replicationFactor, 3);
    await assert.rejects(admin.createTopics([{ name: 'exists' }]), (e: unknown) => {
      assert.ok(e instanceof KafkaClientError);
      assert.equal(e.type, 'TOPIC_ALREADY_EXISTS');
      assert.equal(e.details.topic, 'exists');
      assert.match(e.message, /already exists/);
      return true;
    });
    const defaults = self.requests.filter((r) => r.header.apiKey === ApiKey.CreateTopics)[1];
    assert.equal(defaults.body.topics[0].numPartitions, -1); // broker default
    await admin.alterConfigs({ type: 'topic', name: 'orders' }, { 'retention.ms': '1000', 'cleanup.policy': null });
    const alter = self.requests.find((r) => r.header.apiKey === ApiKey.IncrementalAlterConfigs)!;
    assert.deepEqual(alter.body.resources[0].configs, [
      { name: 'retention.ms', configOperation: 0, value: '1000' },
      { name: 'cleanup.policy', configOperation: 1, value: null },
    ]);
  } finally {
    await kafka.close();
    await self.close();
  }
});

test('describeCluster, listTopics, describeTopics and listOffsets against the mini Kafka', async () => {
  const mk = await startMiniKafka(2);
  const kafka = new Kafka({ bootstrapServers: mk.address });
  try {
    const producer = kafka.producer({ lingerMs: 0 });
    await producer.send({
      topic: 'logs',
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 0 },
        { value: 'c', partition: 1 },
      ],
    });
    const admin = kafka.admin();
    const cluster = await admin.describeCluster();
    assert.equal(cluster.clusterId, 'mini');
    assert.deepEqual(
      cluster.brokers.map((b) => b.nodeId),
      [0],
    );
    assert.deepEqual(await admin.listTopics(), ['logs']);
    const [d] = await admin.describeTopics(['logs']);
    assert.deepEqual(
      d.partitions.map((p) => [p.partition, p.leader]),
      [
        [0, 0],
        [1, 0],
      ],
    );
    assert.deepEqual(await admin.listOffsets('logs', 'latest'), [
      { partition: 0, offset: 2n, timestamp: -1 },
      { partition: 1, offset: 1n, timestamp: -1 },
    ]);
    assert.deepEqual(
      (await admin.listOffsets('logs', 'earliest')).map((x) => x.offset),
      [0n, 0n],
    );
  } finally {
    await kafka.close();
    await mk.close();
  }
});
