// Dynamic broker configs through real clients' admin APIs against an in-process broker:
// confluent-kafka (librdkafka 1.7, py/admin_dynamic_confluent_kafka.py) sets broker 1's own
// (librdkafka cannot name the cluster default), sees them described as DYNAMIC_BROKER_CONFIG on
// the broker and on a topic, and its producer is refused a message over the dynamic
// message.max.bytes, then accepted once they are cleared; kafka-python 2.0.2
// (py/admin_dynamic_kafka_python.py) sets the cluster-wide default and broker 1's own and sees
// Kafka's precedence and synonyms. Refused changes come back with Kafka's code and message.
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from '@tributary/testkit';
import { runAdminDriver } from './admin-driver.ts';
import { needTool } from './tools.ts';

describe('dynamic broker configs through real clients', { timeout: 90_000 }, () => {
  it('confluent-kafka: per-broker configs described, applied to produce, refused as Kafka', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const kafka = await startBroker({ settings: { 'num.partitions': 1 } });
    t.after(() => kafka.stop());
    const topic = `ck-dyn-${randomBytes(3).toString('hex')}`;
    const out = await runAdminDriver('admin_dynamic_confluent_kafka.py', { bootstrap: kafka.bootstrap, topic });
    // [value, source, read-only, synonyms]; sources 2 DYNAMIC_BROKER_CONFIG, 4 STATIC, 5 DEFAULT
    assert.deepEqual(out.broker, {
      'log.retention.ms': [
        '7200000',
        2,
        false,
        [
          ['log.retention.ms', '7200000', 2],
          ['log.retention.hours', '168', 5],
        ],
      ],
      'message.max.bytes': [
        '2000',
        2,
        false,
        // confluent-kafka keys synonyms by name: of the two message.max.bytes it keeps the last
        [['message.max.bytes', '1048588', 5]],
      ],
    });
    assert.deepEqual(out.topic, {
      'retention.ms': [
        '7200000',
        2,
        false,
        [
          ['log.retention.ms', '7200000', 2],
          ['log.retention.hours', '168', 5],
        ],
      ],
      'max.message.bytes': [
        '2000',
        2,
        false,
        // confluent-kafka keys synonyms by name: of the two message.max.bytes it keeps the last
        [['message.max.bytes', '1048588', 5]],
      ],
    });
    assert.deepEqual(out.produce_large, ['MSG_SIZE_TOO_LARGE', 10]);
    assert.equal(out.produce_small, null);
    assert.deepEqual(out.read_only, ['INVALID_REQUEST', 42, 'Cannot update these configs dynamically: Set(log.dirs)']);
    assert.deepEqual(out.cleaner_threads, ['INVALID_REQUEST', 42, 'Invalid dynamic configuration']);
    assert.equal(out.produce_large_after_clear, null);
    assert.deepEqual(out.broker_after_clear, { 'log.retention.ms': [null, 5], 'message.max.bytes': ['1048588', 5] });
  });

  it('kafka-python: the cluster default and a per-broker value, with precedence and synonyms', async (t) => {
    if (!needTool(t, 'kafka-python')) return;
    const kafka = await startBroker({ settings: { 'num.partitions': 1 } });
    t.after(() => kafka.stop());
    const topic = `kp-dyn-${randomBytes(3).toString('hex')}`;
    const out = await runAdminDriver('admin_dynamic_kafka_python.py', { bootstrap: kafka.bootstrap, topic });
    assert.deepEqual([out.set_default, out.set_broker], [[[0, null]], [[0, null]]]);
    // [value, read-only, source, sensitive, synonyms]; 3 DYNAMIC_DEFAULT_BROKER_CONFIG
    const segmentSynonyms = [
      ['log.segment.bytes', '3000000', 2],
      ['log.segment.bytes', '2000000', 3],
      ['log.segment.bytes', '1073741824', 5],
    ];
    const retentionSynonyms = [
      ['log.retention.ms', '7200000', 3],
      ['log.retention.hours', '168', 5],
    ];
    assert.deepEqual(out.broker, {
      'log.segment.bytes': ['3000000', false, 2, false, segmentSynonyms],
      'log.retention.ms': ['7200000', false, 3, false, retentionSynonyms],
    });
    assert.deepEqual(out.topic, {
      'segment.bytes': ['3000000', false, 2, false, segmentSynonyms],
      'retention.ms': ['7200000', false, 3, false, retentionSynonyms],
    });
    assert.deepEqual(out.per_broker_at_default, [
      [42, 'Cannot update these configs at default cluster level, broker id must be specified: Set(listeners)'],
    ]);
    assert.deepEqual(out.dedupe_buffer, [
      [42, 'requirement failed: log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.'],
    ]);
    assert.deepEqual(out.clear, [
      [0, null],
      [0, null],
    ]);
    assert.deepEqual(out.topic_after_clear, {
      'segment.bytes': ['1073741824', false, 5],
      'retention.ms': ['604800000', false, 5],
    });
  });
});
