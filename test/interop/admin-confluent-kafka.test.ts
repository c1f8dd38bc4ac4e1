// confluent-kafka's AdminClient (librdkafka) against an in-process broker, through
// py/admin_confluent_kafka.py: describe_configs (topic with synonyms, broker), alter_configs
// (whole-set replace, invalid value), create_partitions (grow, refused decrease), delete_topics.
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from '@tributary/testkit';
import { runAdminDriver } from './admin-driver.ts';
import { needTool } from './tools.ts';

describe('confluent-kafka (librdkafka) admin', { timeout: 90_000 }, () => {
  it('describes and alters configs, creates partitions, deletes topics', async (t) => {
    if (!needTool(t, 'confluent-kafka')) return;
    const kafka = await startBroker({ settings: { 'num.partitions': 1 } });
    t.after(() => kafka.stop());
    const topic = `ck-adm-${randomBytes(3).toString('hex')}`;
    const out = await runAdminDriver('admin_confluent_kafka.py', { bootstrap: kafka.bootstrap, topic });
    assert.deepEqual(out.describe, {
      count: 28,
      'retention.ms': [
        '3600000',
        1,
        false,
        false,
        false,
        [
          ['retention.ms', '3600000', 1],
          ['log.retention.hours', '168', 5],
        ],
      ],
    });
    // read-only as in Kafka: only the primary name of a log.* pair (log.retention.ms) changes dynamically
    assert.deepEqual(out.broker, {
      'num.partitions': ['1', 4, true],
      'log.retention.hours': ['168', 5, true],
      'log.dirs': [null, 4, true],
    });
    assert.equal(out.alter_bad, 'INVALID_CONFIG');
    assert.deepEqual(out.overrides, { 'segment.bytes': '1048576' });
    assert.equal(out.decrease, 'INVALID_PARTITIONS');
    assert.deepEqual(out.partitions, [0, 1, 2]);
    assert.equal(out.delete_again, 'UNKNOWN_TOPIC_OR_PART');
  });
});
