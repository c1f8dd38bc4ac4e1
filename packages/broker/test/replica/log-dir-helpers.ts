// Shared by the JBOD tests (log-dirs, log-dir-failure): one Produce of `n` records to a partition.
import { ApiKey, encodeRecordBatch } from '@tributary/protocol';
import type { KafkaTestClient } from '../helpers/kafka-client.ts';

export async function produce(c: KafkaTestClient, topic: string, partition: number, n: number) {
  const records = await encodeRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: 1_700_000_000_000 + i })),
  });
  const res = await c.request(ApiKey.Produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return res.responses[0]!.partitionResponses[0]!;
}
