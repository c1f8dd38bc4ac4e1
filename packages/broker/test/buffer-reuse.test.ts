// The data path reuses large buffers (storage's dataBufferPool): produce frames assembled from
// several socket chunks go back to the pool once answered, fetched records once written to the
// socket. Pipelined large produces and fetches must still store and return exactly the bytes sent.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ApiKey, encodeRecordBatch } from '@tributary/protocol';
import { kafkaClient } from './helpers/kafka-client.ts';
import { startTestBroker } from './helpers/test-broker.ts';
import { topicsOf } from './helpers/test-topics.ts';

describe('buffer reuse on the data path', () => {
  it('pipelined large produces and fetches keep every byte', async () => {
    const b = await startTestBroker();
    const c = await kafkaClient(b.port);
    try {
      await topicsOf(b.broker).createTopic({ name: 'big', numPartitions: 1 });
      const sent = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          encodeRecordBatch({
            records: Array.from({ length: 4 }, (_, k) => ({
              key: `k${i}-${k}`,
              value: randomBytes(50_000 + 1000 * i),
              timestamp: 1_700_000_000_000 + i,
            })),
          }),
        ),
      );
      const acks = await Promise.all(
        sent.map((records) =>
          c.request(ApiKey.Produce, 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'big', partitionData: [{ index: 0, records }] }] }),
        ),
      );
      assert.deepEqual(
        acks.map((r) => Number(r.responses[0]!.partitionResponses[0]!.baseOffset)),
        sent.map((_, i) => 4 * i),
      );
      // one batch per fetch (budget below a batch), pipelined, from consecutive offsets; then all at once, twice
      const fetch = (offset: number, max: number) =>
        c
          .request(ApiKey.Fetch, 11, {
            replicaId: -1,
            maxWaitMs: 0,
            minBytes: 1,
            maxBytes: max,
            isolationLevel: 0,
            sessionId: 0,
            sessionEpoch: -1,
            topics: [
              {
                topic: 'big',
                partitions: [
                  { partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), logStartOffset: -1n, partitionMaxBytes: max },
                ],
              },
            ],
          })
          .then((r) => r.responses[0]!.partitions[0]!.records!);
      const one = await Promise.all(sent.map((_, i) => fetch(4 * i, 1000)));
      const all = await Promise.all([fetch(0, 4 << 20), fetch(0, 4 << 20)]);
      // batches come back as sent, except BaseOffset (0-7) and PartitionLeaderEpoch (12-15) rewritten
      const strip = (x: Buffer) => Buffer.concat([x.subarray(8, 12), x.subarray(16)]);
      for (const [i, s] of sent.entries()) assert.ok(strip(one[i]!).equals(strip(s)), `batch ${i}`);
      for (const whole of all) {
        let pos = 0;
        for (const s of sent) {
          assert.ok(strip(whole.subarray(pos, pos + s.length)).equals(strip(s)));
          pos += s.length;
        }
        assert.equal(pos, whole.length);
      }
      assert.ok(
        sent.every((s) => s.length > 65_536),
        'frames span several socket chunks',
      );
    } finally {
      c.close();
      await b.stop();
    }
  });
});
