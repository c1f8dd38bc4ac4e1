// The admin client against a Tributary broker: topics (create with configs, validate-only,
// errors, list, describe, grow, delete), configs (describe, incremental set/delete, overrides
// only), offsets (list, delete records), the cluster description.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';

let broker: TestBroker;
let kafka: Kafka;

before(async () => {
  broker = await startBroker({ settings: { 'num.partitions': 2, 'log.cleaner.delete.retention.ms': 3600000 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

async function rejects(p: Promise<unknown>, type: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof KafkaClientError && err.type === type);
}

describe('admin against a Tributary broker', () => {
  it('topics: create (default partitions, configs, validate-only), list, describe, grow, delete', async () => {
    const admin = kafka.admin();
    await admin.createTopics([
      { name: 'a1' },
      { name: 'a2', partitions: 3, configs: { 'retention.ms': '60000', 'cleanup.policy': 'delete' } },
    ]);
    await admin.createTopics([{ name: 'a3', partitions: 1 }], { validateOnly: true });
    await rejects(admin.createTopics([{ name: 'a1' }]), 'TOPIC_ALREADY_EXISTS');
    await rejects(admin.createTopics([{ name: 'bad/name' }]), 'INVALID_TOPIC_EXCEPTION');
    await rejects(admin.createTopics([{ name: 'a4', partitions: 1, configs: { 'no.such.config': '1' } }]), 'INVALID_CONFIG');
    const names = await admin.listTopics();
    assert.ok(names.includes('a1') && names.includes('a2'));
    assert.ok(!names.includes('a3'), 'validateOnly creates nothing');

    const [d1, d2] = await admin.describeTopics(['a1', 'a2']);
    assert.equal(d1!.partitions.length, 2);
    assert.deepEqual(
      d2!.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr]),
      [
        [0, 1, [1], [1]],
        [1, 1, [1], [1]],
        [2, 1, [1], [1]],
      ],
    );
    assert.equal(d2!.internal, false);
    assert.match(d2!.topicId, /^[A-Za-z0-9_-]{22}$/);

    await admin.createPartitions('a1', 4);
    assert.equal((await admin.describeTopics(['a1']))[0]!.partitions.length, 4);
    await rejects(admin.createPartitions('a1', 2), 'INVALID_PARTITIONS');

    await admin.deleteTopics(['a1']);
    assert.ok(!(await admin.listTopics()).includes('a1'));
    await rejects(admin.deleteTopics(['a1']), 'UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('configs: describe, set and delete keys incrementally, overrides only', async () => {
    const admin = kafka.admin();
    await admin.createTopics([{ name: 'cfg', partitions: 1, configs: { 'retention.ms': '60000' } }]);
    const all = (await admin.describeConfigs([{ type: 'topic', name: 'cfg' }])).get('topic:cfg')!;
    assert.equal(all['retention.ms'], '60000');
    assert.equal(all['cleanup.policy'], 'delete');
    assert.deepEqual((await admin.describeConfigs([{ type: 'topic', name: 'cfg' }], { overridesOnly: true })).get('topic:cfg'), {
      'retention.ms': '60000',
    });
    // not from defaults: the override and the broker setting the topic inherits (kafka-topics.sh's view)
    assert.deepEqual((await admin.describeConfigs([{ type: 'topic', name: 'cfg' }], { excludeDefaults: true })).get('topic:cfg'), {
      'delete.retention.ms': '3600000',
      'retention.ms': '60000',
    });

    await admin.alterConfigs({ type: 'topic', name: 'cfg' }, { 'max.message.bytes': '2048', 'retention.ms': null });
    const after = (await admin.describeConfigs([{ type: 'topic', name: 'cfg' }], { overridesOnly: true })).get('topic:cfg');
    assert.deepEqual(after, { 'max.message.bytes': '2048' });
    // the new max.message.bytes applies to produce
    const producer = kafka.producer({ lingerMs: 0, deliveryTimeoutMs: 5_000 });
    await rejects(producer.send({ topic: 'cfg', messages: [{ value: Buffer.alloc(4096) }] }), 'MESSAGE_TOO_LARGE');
    await producer.close();
    const broker1 = (await admin.describeConfigs([{ type: 'broker', name: '1' }])).get('broker:1')!;
    assert.equal(broker1['num.partitions'], '2');
  });

  it('offsets: list earliest/latest, delete records moves the log start', async () => {
    const admin = kafka.admin();
    await admin.createTopics([{ name: 'offs', partitions: 1 }]);
    const producer = kafka.producer({ lingerMs: 0 });
    await producer.send({ topic: 'offs', messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
    await producer.close();
    assert.deepEqual(
      (await admin.listOffsets('offs', 'latest')).map((o) => o.offset),
      [10n],
    );
    await admin.deleteRecords('offs', [{ partition: 0, offset: 4n }]);
    assert.deepEqual(
      (await admin.listOffsets('offs', 'earliest')).map((o) => o.offset),
      [4n],
    );
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 'offs', partition: 0 }]);
    const it = consumer[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(first.value!.offset, 4n);
    await consumer.close();
  });

  it('describes the cluster', async () => {
    const c = await kafka.admin().describeCluster();
    assert.match(c.clusterId ?? '', /^[A-Za-z0-9_-]{22}$/);
    assert.equal(c.controllerId, 1);
    assert.deepEqual(c.brokers, [{ nodeId: 1, host: '127.0.0.1', port: broker.port, rack: null }]);
  });
});
