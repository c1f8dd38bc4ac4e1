// KafkaJS 2.2's admin client against an in-process broker: deleteTopics, createPartitions,
// describeConfigs (with synonyms), alterConfigs (validateOnly and real, invalid values),
// deleteTopicRecords (offsets follow) and describeCluster.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import kafkajsModule from 'kafkajs';
import { startBroker } from '@tributary/testkit';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajsModule; // CommonJS package

const topicName = (p: string) => `${p}-${randomBytes(3).toString('hex')}`;

describe('KafkaJS 2.2 admin', { timeout: 60_000 }, () => {
  it('describes and alters configs, grows and deletes topics, deletes records, describes the cluster', async (t) => {
    const kafka = await startBroker({ settings: { 'num.partitions': 1 } });
    t.after(() => kafka.stop());
    const client = new Kafka({
      clientId: 'interop-admin',
      brokers: [kafka.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 300 },
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
    });
    const admin = client.admin();
    await admin.connect();
    t.after(() => admin.disconnect());
    const a = topicName('kjs-adm-a');
    const b = topicName('kjs-adm-b');
    assert.equal(
      await admin.createTopics({
        topics: [
          { topic: a, numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
          { topic: b, numPartitions: 1 },
        ],
      }),
      true,
    );

    const cluster = await admin.describeCluster();
    assert.deepEqual(cluster, {
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: kafka.port }],
      controller: 1,
      clusterId: kafka.broker.services.clusterId,
    });

    const cfg = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: a, configNames: ['retention.ms', 'segment.bytes'] }],
      includeSynonyms: true,
    });
    const entries = cfg.resources[0]!.configEntries.map((e: any) => [
      e.configName,
      e.configValue,
      e.isDefault,
      e.configSource,
      e.isSensitive,
      e.readOnly,
      e.configSynonyms.map((s: any) => [s.configName, s.configValue, s.configSource]),
    ]);
    assert.deepEqual(entries, [
      [
        'retention.ms',
        '3600000',
        false,
        1,
        false,
        false,
        [
          ['retention.ms', '3600000', 1],
          ['log.retention.hours', '168', 5],
        ],
      ],
      ['segment.bytes', '1073741824', true, 5, false, false, [['log.segment.bytes', '1073741824', 5]]],
    ]);
    assert.equal(cfg.resources[0]!.errorCode, 0);

    // validateOnly changes nothing; a real alter replaces the overrides.
    await admin.alterConfigs({
      validateOnly: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: a, configEntries: [{ name: 'retention.ms', value: '1000' }] }],
    });
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: a, configEntries: [{ name: 'max.message.bytes', value: '2000000' }] }],
    });
    const after = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: a, configNames: ['retention.ms', 'max.message.bytes'] }],
      includeSynonyms: false,
    });
    assert.deepEqual(
      after.resources[0]!.configEntries.map((e: any) => [e.configName, e.configValue, e.configSource]),
      [
        ['max.message.bytes', '2000000', 1],
        ['retention.ms', '604800000', 5],
      ],
    );
    await assert.rejects(
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: a, configEntries: [{ name: 'segment.bytes', value: '1' }] }],
      }),
      (e: any) => e.type === 'INVALID_CONFIG' || /INVALID_CONFIG|Invalid value 1/.test(String(e.message)),
    );
    assert.equal(kafka.broker.services.replicas.getPartition(a, 0)!.config.maxMessageBytes, 2000000, 'applied to the running topic');

    await admin.createPartitions({ topicPartitions: [{ topic: a, count: 4 }] });
    const md = await admin.fetchTopicMetadata({ topics: [a] });
    assert.deepEqual(md.topics[0]!.partitions.map((p) => p.partitionId).sort(), [0, 1, 2, 3]);
    await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic: a, count: 2 }] }), (e: any) =>
      /INVALID_PARTITIONS|higher than the requested/.test(`${e.type} ${e.message}`),
    );

    // Records on b, then DeleteRecords up to offset 6 of 10.
    const producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    t.after(() => producer.disconnect());
    await producer.send({
      topic: b,
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: 0 })),
    });
    assert.deepEqual(await admin.fetchTopicOffsets(b), [{ partition: 0, offset: '10', high: '10', low: '0' }]);
    await admin.deleteTopicRecords({ topic: b, partitions: [{ partition: 0, offset: '6' }] });
    assert.deepEqual(await admin.fetchTopicOffsets(b), [{ partition: 0, offset: '10', high: '10', low: '6' }]);
    await admin.deleteTopicRecords({ topic: b, partitions: [{ partition: 0, offset: '-1' }] });
    assert.deepEqual(await admin.fetchTopicOffsets(b), [{ partition: 0, offset: '10', high: '10', low: '10' }]);

    await admin.deleteTopics({ topics: [a, b], timeout: 5_000 });
    const listed = await admin.listTopics();
    assert.ok(!listed.includes(a) && !listed.includes(b), `deleted topics still listed: ${listed}`);
    assert.equal(kafka.broker.services.metadata.topic(a), undefined);
    await assert.rejects(admin.deleteTopics({ topics: [a], timeout: 1_000 }), (e: any) =>
      /UNKNOWN_TOPIC_OR_PARTITION|does not host/.test(`${e.type} ${e.message} ${JSON.stringify(e.errors ?? e.cause ?? '')}`),
    );
  });
});
