// Batches of one partition reach the broker in the order they were drained, even when gzip
// compresses a big batch on the thread pool while a small later one is ready first (several
// requests to one node leave in one sender turn; max.in.flight 5, not idempotent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ApiKey, decodeRecordBatches } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { singleNodeMetadata, startFakeBroker, type FakeBroker } from '../helpers/fake-broker.ts';

test('gzip batches of one partition reach the broker in creation order', async () => {
  let self: FakeBroker;
  const arrival: string[] = [];
  let offset = 0n;
  self = await startFakeBroker(async (h, body) => {
    if (h.apiKey === ApiKey.Metadata) return singleNodeMetadata(self.port, body);
    if (h.apiKey === ApiKey.Produce) {
      const p = body.topicData[0].partitionData[0];
      const [b] = await decodeRecordBatches(p.records);
      arrival.push(b.records.map((r) => r.key!.toString()).join(','));
      const base = offset;
      offset += BigInt(b.records.length);
      return {
        body: {
          responses: [
            { name: body.topicData[0].name, partitionResponses: [{ index: 0, errorCode: 0, baseOffset: base, logAppendTimeMs: -1n }] },
          ],
        },
      };
    }
    return undefined;
  });
  const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${self.port}` });
  try {
    const p = kafka.producer({ acks: 1, compression: 'gzip', batchSize: 100_000 });
    await p.send({ topic: 't', messages: [{ key: 'warm', value: 'x' }] });
    const meta = await p.send({
      topic: 't',
      messages: [
        { key: 'big', value: randomBytes(900_000) },
        { key: 'small', value: 'y' },
      ],
    });
    assert.deepEqual(
      meta.map((m) => m.offset),
      [1n, 2n],
    );
    assert.deepEqual(arrival, ['warm', 'big', 'small']);
    await p.close();
  } finally {
    await kafka.close();
    await self.close();
  }
});
