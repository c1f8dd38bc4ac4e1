// Metadata and CreateTopics over a real socket, and the topic manager's durability across restarts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { kafkaClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

describe('Metadata and CreateTopics', async () => {
  const b = await startTestBroker({ 'num.partitions': 2 });
  const c = await kafkaClient(b.port);
  after(async () => {
    c.close();
    await b.stop();
  });

  it('creates topics with counts, defaults, configs; refuses bad input with Kafka codes', async () => {
    const res = await c.request(ApiKey.CreateTopics, 7, {
      topics: [
        { name: 'orders', numPartitions: 3, replicationFactor: 1, configs: [{ name: 'retention.ms', value: '1000' }] },
        { name: 'defaults', numPartitions: -1, replicationFactor: -1 },
        { name: 'bad/name', numPartitions: 1, replicationFactor: 1 },
        { name: 'rf3', numPartitions: 1, replicationFactor: 3 },
        { name: 'zero', numPartitions: 0, replicationFactor: 1 },
        { name: 'badcfg', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'retention.ms', value: 'abc' }] },
        { name: 'unknowncfg', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'no.such', value: '1' }] },
        {
          name: 'assigned',
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [
            { partitionIndex: 0, brokerIds: [1] },
            { partitionIndex: 1, brokerIds: [1] },
          ],
        },
        { name: 'badassign', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [7] }] },
        { name: 'x'.repeat(250), numPartitions: 1, replicationFactor: 1 },
        { name: '..', numPartitions: 1, replicationFactor: 1 },
      ],
      timeoutMs: 1000,
    });
    const by = new Map(res.topics.map((t) => [t.name, t]));
    assert.equal(by.get('orders')!.errorCode, ErrorCode.NONE);
    assert.equal(by.get('orders')!.numPartitions, 3);
    assert.equal(by.get('orders')!.replicationFactor, 1);
    assert.equal(by.get('orders')!.topicId.length, 22);
    const ret = by.get('orders')!.configs!.find((x) => x.name === 'retention.ms')!;
    assert.deepEqual([ret.value, ret.configSource], ['1000', 1]);
    assert.equal(by.get('orders')!.configs!.find((x) => x.name === 'segment.bytes')!.configSource, 5);
    assert.equal(by.get('defaults')!.numPartitions, 2);
    assert.equal(by.get('bad/name')!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    assert.equal(by.get('rf3')!.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
    assert.equal(by.get('zero')!.errorCode, ErrorCode.INVALID_PARTITIONS);
    assert.equal(by.get('badcfg')!.errorCode, ErrorCode.INVALID_CONFIG);
    assert.equal(by.get('unknowncfg')!.errorCode, ErrorCode.INVALID_CONFIG);
    assert.equal(by.get('assigned')!.errorCode, ErrorCode.NONE);
    assert.equal(by.get('assigned')!.numPartitions, 2);
    assert.equal(by.get('badassign')!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    assert.equal(by.get('x'.repeat(250))!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    assert.equal(by.get('..')!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);

    const again = await c.request(ApiKey.CreateTopics, 0, {
      topics: [{ name: 'orders', numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 0,
    });
    assert.equal(again.topics[0]!.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
    const dup = await c.request(ApiKey.CreateTopics, 4, {
      topics: [
        { name: 'd', numPartitions: 1, replicationFactor: 1 },
        { name: 'd', numPartitions: 1, replicationFactor: 1 },
      ],
      timeoutMs: 0,
    });
    assert.deepEqual(
      dup.topics.map((t) => t.errorCode),
      [ErrorCode.INVALID_REQUEST],
    );
    const collide = await c.request(ApiKey.CreateTopics, 4, {
      topics: [
        { name: 'my.topic', numPartitions: 1, replicationFactor: 1 },
        { name: 'my_topic', numPartitions: 1, replicationFactor: 1 },
      ],
      timeoutMs: 0,
    });
    assert.deepEqual(
      collide.topics.map((t) => t.errorCode),
      [ErrorCode.NONE, ErrorCode.INVALID_TOPIC_EXCEPTION],
    );
  });

  it('validateOnly creates nothing', async () => {
    const res = await c.request(ApiKey.CreateTopics, 5, {
      topics: [{ name: 'dry', numPartitions: 4, replicationFactor: 1 }],
      timeoutMs: 0,
      validateOnly: true,
    });
    assert.equal(res.topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal(res.topics[0]!.numPartitions, 4);
    assert.equal(topicsOf(b.broker).topic('dry'), undefined);
  });

  it('Metadata lists brokers, cluster, controller, topics with ids, leaders, epochs, ISR', async () => {
    const md = await c.request(ApiKey.Metadata, 12, {
      topics: [{ name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
      allowAutoTopicCreation: false,
    });
    assert.deepEqual(md.brokers, [{ nodeId: 1, host: '127.0.0.1', port: b.port, rack: null }]);
    assert.equal(md.clusterId, b.broker.services.clusterId);
    assert.equal(md.controllerId, 1);
    const t = md.topics[0]!;
    assert.equal(t.errorCode, 0);
    assert.equal(t.topicId, topicsOf(b.broker).topic('orders')!.topicId);
    assert.deepEqual(
      t.partitions.map((p) => [p.partitionIndex, p.leaderId, p.leaderEpoch, p.replicaNodes, p.isrNodes]),
      [
        [0, 1, 0, [1], [1]],
        [1, 1, 0, [1], [1]],
        [2, 1, 0, [1], [1]],
      ],
    );
    assert.equal(t.topicAuthorizedOperations, -2147483648);
    // by topic id (v10+)
    const byId = await c.request(ApiKey.Metadata, 12, { topics: [{ name: null, topicId: t.topicId }] });
    assert.equal(byId.topics[0]!.name, 'orders');
    const unknownId = await c.request(ApiKey.Metadata, 12, { topics: [{ name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }] });
    assert.equal(unknownId.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
    // all topics: v0 empty list, v1+ null
    const all0 = await c.request(ApiKey.Metadata, 0, { topics: [] });
    const all9 = await c.request(ApiKey.Metadata, 9, { topics: null });
    assert.ok(all0.topics.some((x) => x.name === 'orders'));
    assert.deepEqual(all0.topics.map((x) => x.name).sort(), all9.topics.map((x) => x.name).sort());
    const none = await c.request(ApiKey.Metadata, 1, { topics: [] });
    assert.equal(none.topics.length, 0);
  });

  it('auto-creates unknown topics when allowed; not when the request or config says no', async () => {
    const no = await c.request(ApiKey.Metadata, 9, { topics: [{ name: 'auto1' }], allowAutoTopicCreation: false });
    assert.equal(no.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const yes = await c.request(ApiKey.Metadata, 9, { topics: [{ name: 'auto1' }], allowAutoTopicCreation: true });
    assert.equal(yes.topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal(yes.topics[0]!.partitions.length, 2);
    const v1 = await c.request(ApiKey.Metadata, 1, { topics: [{ name: 'auto2' }] });
    assert.equal(v1.topics[0]!.errorCode, ErrorCode.NONE);
    const invalid = await c.request(ApiKey.Metadata, 9, { topics: [{ name: 'bad name' }], allowAutoTopicCreation: true });
    assert.equal(invalid.topics[0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    const invalidNoCreate = await c.request(ApiKey.Metadata, 9, { topics: [{ name: 'bad name' }], allowAutoTopicCreation: false });
    assert.equal(invalidNoCreate.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const internal = await c.request(ApiKey.Metadata, 9, { topics: [{ name: '__consumer_offsets' }], allowAutoTopicCreation: true });
    assert.equal(internal.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

describe('auto.create.topics.enable=false', async () => {
  it('answers UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const b = await startTestBroker({ 'auto.create.topics.enable': false });
    const c = await kafkaClient(b.port);
    try {
      const md = await c.request(ApiKey.Metadata, 4, { topics: [{ name: 'nope' }], allowAutoTopicCreation: true });
      assert.equal(md.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    } finally {
      c.close();
      await b.stop();
    }
  });
});

describe('topics across a restart', () => {
  it('keeps topics, ids and configs across a restart; deletes and grows topics; internal flag', async () => {
    const b = await startTestBroker({}, {}, { keep: true });
    const tm = topicsOf(b.broker);
    const r = await tm.createTopic({
      name: 'keep',
      numPartitions: 2,
      configs: { 'cleanup.policy': 'compact', 'max.message.bytes': '5000', 'segment.bytes': '2048' },
    });
    assert.equal(r.errorCode, 0);
    const id = r.topic!.topicId;
    assert.equal(tm.partition('keep', 0)!.log.config.segmentBytes, 2048);
    assert.equal((await tm.createTopic({ name: '__consumer_offsets', numPartitions: 1 })).topic!.internal, true);
    assert.equal((await tm.createTopic({ name: 'gone', numPartitions: 1 })).errorCode, 0);
    assert.equal((await tm.createPartitions('keep', 3)).errorCode, 0);
    assert.equal((await tm.createPartitions('keep', 2)).errorCode, ErrorCode.INVALID_PARTITIONS);
    assert.equal((await tm.deleteTopic('gone')).errorCode, 0);
    assert.equal((await tm.deleteTopic('gone')).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(
      (
        await tm.incrementalAlterTopicConfigs('keep', [
          { name: 'retention.ms', op: 'SET', value: '60000' },
          { name: 'cleanup.policy', op: 'APPEND', value: 'delete' },
        ])
      ).errorCode,
      0,
    );
    assert.equal((await tm.alterTopicConfigs('keep', { 'retention.ms': 'x' })).errorCode, ErrorCode.INVALID_CONFIG);
    assert.equal(existsSync(`${b.dataDir}/__cluster_metadata-0/00000000000000000000.log`), true);
    await b.broker.stop();
    assert.ok(existsSync(`${b.dataDir}/.kafka_cleanshutdown`));
    assert.match(readFileSync(`${b.dataDir}/meta.properties`, 'utf8'), /cluster.id=/);

    const b2 = await startTestBroker({ 'log.dirs': b.dataDir });
    try {
      const tm2 = topicsOf(b2.broker);
      assert.equal(b2.broker.services.clusterId, b.broker.services.clusterId);
      const t = tm2.topic('keep')!;
      assert.equal(t.topicId, id);
      assert.equal(t.partitions.length, 3);
      assert.deepEqual(t.configs, {
        'cleanup.policy': 'compact,delete',
        'max.message.bytes': '5000',
        'segment.bytes': '2048',
        'retention.ms': '60000',
      });
      assert.equal(t.runtime.maxMessageBytes, 5000);
      assert.equal(tm2.partition('keep', 2)!.log.config.retentionMs, 60000);
      assert.equal(tm2.topic('gone'), undefined);
      assert.equal(existsSync(`${b.dataDir}/gone-0`), false);
      assert.equal(tm2.topic('__consumer_offsets')!.internal, true);
      const src = new Map(tm2.describeTopicConfigs('keep')!.map((e) => [e.name, e.source]));
      assert.equal(src.get('retention.ms'), 'DYNAMIC_TOPIC_CONFIG');
      assert.equal(src.get('retention.bytes'), 'DEFAULT_CONFIG');
    } finally {
      await b2.stop();
    }
  });
});
