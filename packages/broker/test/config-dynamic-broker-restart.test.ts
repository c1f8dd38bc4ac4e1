// Dynamic broker configs survive a broker restart: they are ConfigRecords in the metadata log, so a
// broker started again on the same data (a new configuration loaded from the same static settings)
// describes them with their sources and applies them from its first metadata image on, before any
// partition is made; later changes still apply.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

const TOPIC = 2;
const BROKER = 4;
const [SET, DELETE] = [0, 1];
const STATIC = { 'log.segment.bytes': 100000 };

async function produce(c: KafkaTestClient, topic: string, size: number) {
  const records = await encodeRecordBatch({ records: [{ key: 'k', value: 'x'.repeat(size), timestamp: Date.now() }] });
  const res = await c.request(ApiKey.Produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!.errorCode;
}

async function alterBroker(c: KafkaTestClient, name: string, ops: Array<[string, number, string | null]>) {
  const res = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: BROKER,
        resourceName: name,
        configs: ops.map(([n, configOperation, value]) => ({ name: n, configOperation, value })),
      },
    ],
    validateOnly: false,
  });
  return res.responses[0]!.errorCode;
}

/** name -> [value, source] of the resource's configs named. */
async function described(c: KafkaTestClient, resourceType: number, resourceName: string, names: string[]) {
  const res = await c.request(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType, resourceName, configurationKeys: names }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  return Object.fromEntries(res.results[0]!.configs.map((e) => [e.name, [e.value, e.configSource]]));
}

describe('dynamic broker configs across a restart', () => {
  it('are described and applied again after a restart, cluster default and per-broker alike', async () => {
    const first = await startTestBroker(STATIC, {}, { keep: true });
    const c1 = await kafkaClient(first.port);
    try {
      await topicsOf(first.broker).createTopic({ name: 't', numPartitions: 1 });
      assert.equal(
        await alterBroker(c1, '', [
          ['log.segment.bytes', SET, '1000'],
          ['message.max.bytes', SET, '400'],
        ]),
        0,
      );
      assert.equal(
        await alterBroker(c1, '1', [
          ['log.retention.ms', SET, '1000'],
          ['log.cleaner.threads', SET, '2'],
        ]),
        0,
      );
    } finally {
      c1.close();
      await first.stop();
    }

    const again = await startTestBroker({ ...STATIC, 'log.dirs': first.dataDir });
    const c = await kafkaClient(again.port);
    try {
      const tm = topicsOf(again.broker);
      const log = tm.partition('t', 0)!.log;
      assert.deepEqual(
        [log.config.segmentBytes, log.config.retentionMs, tm.logs.cleaner!.threads],
        [1000, 1000, 2],
        'applied before the partition was made',
      );
      assert.deepEqual(
        await described(c, BROKER, '1', ['log.segment.bytes', 'message.max.bytes', 'log.retention.ms', 'log.cleaner.threads']),
        {
          'log.cleaner.threads': ['2', 2],
          'log.retention.ms': ['1000', 2],
          'log.segment.bytes': ['1000', 3],
          'message.max.bytes': ['400', 3],
        },
      );
      assert.deepEqual(await described(c, BROKER, '', []), {
        'log.segment.bytes': ['1000', 3],
        'message.max.bytes': ['400', 3],
      });
      assert.deepEqual(await described(c, TOPIC, 't', ['segment.bytes', 'max.message.bytes', 'retention.ms']), {
        'max.message.bytes': ['400', 3],
        'retention.ms': ['1000', 2],
        'segment.bytes': ['1000', 3],
      });
      assert.equal(await produce(c, 't', 500), ErrorCode.MESSAGE_TOO_LARGE);
      assert.equal(await produce(c, 't', 100), 0);

      // and they keep changing without another restart
      assert.equal(await alterBroker(c, '', [['message.max.bytes', DELETE, null]]), 0);
      assert.equal(await produce(c, 't', 500), 0);
      assert.equal(await alterBroker(c, '', [['log.segment.bytes', DELETE, null]]), 0);
      assert.equal(log.config.segmentBytes, 100000);
    } finally {
      c.close();
      await again.stop();
    }
  });
});
