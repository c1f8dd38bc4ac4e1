// Dynamic broker configs in a cluster of independent brokers (startCluster): the cluster-wide
// default (resource "") reaches every broker's hosted logs, a per-broker value (resource "<id>",
// sent to that broker) only that broker's, and overrides the default there; another broker refuses
// a resource named with an id not its own, as Kafka does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { kafkaClient, type KafkaTestClient } from '../../broker/test/helpers/kafka-client.ts';
import { startCluster } from '../src/index.ts';

const BROKER = 4;

async function setBroker(c: KafkaTestClient, name: string, value: string | null) {
  const res = await c.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: BROKER,
        resourceName: name,
        configs: [{ name: 'log.segment.bytes', configOperation: value === null ? 1 : 0, value }],
      },
    ],
    validateOnly: false,
  });
  return [res.responses[0]!.errorCode, res.responses[0]!.errorMessage];
}

describe('dynamic broker configs in a cluster', () => {
  it('the cluster default reaches every broker, a per-broker value only its own broker', async () => {
    const kafka = await startCluster({ brokers: 2 });
    const c1 = await kafkaClient(kafka.nodes[0]!.port);
    const c2 = await kafkaClient(kafka.nodes[1]!.port);
    try {
      const created = await kafka.broker(1)!.services.controller.createTopics([{ name: 't', numPartitions: 1, replicationFactor: 2 }]);
      assert.equal(created[0]!.errorCode, 0);
      // every broker hosts a replica of t-0 once the metadata reached it
      const segmentBytes = async (id: number) => {
        for (;;) {
          const p = kafka.broker(id)!.services.replicas.getPartition('t', 0);
          if (p) return p.log.config.segmentBytes;
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      assert.deepEqual([await segmentBytes(1), await segmentBytes(2)], [1073741824, 1073741824]);

      assert.deepEqual(await setBroker(c1, '', '4000'), [0, null]);
      // the metadata reaches broker 2 asynchronously
      while ((await segmentBytes(2)) !== 4000) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual([await segmentBytes(1), await segmentBytes(2)], [4000, 4000]);

      assert.deepEqual(await setBroker(c1, '2', '5000'), [
        ErrorCode.INVALID_REQUEST,
        'Unexpected broker id, expected 1 or empty string, but received 2',
      ]);
      assert.deepEqual(await setBroker(c2, '2', '5000'), [0, null]);
      while ((await segmentBytes(2)) !== 5000) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual([await segmentBytes(1), await segmentBytes(2)], [4000, 5000], 'broker 1 keeps the default');

      assert.deepEqual(await setBroker(c2, '2', null), [0, null]);
      while ((await segmentBytes(2)) !== 4000) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual([await segmentBytes(1), await segmentBytes(2)], [4000, 4000]);
    } finally {
      c1.close();
      c2.close();
      await kafka.stop();
    }
  });
});
