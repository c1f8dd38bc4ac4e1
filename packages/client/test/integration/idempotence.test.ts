// The idempotent producer against a Tributary broker (InitProducerId, per-partition sequences):
// records land once and in send order; a broker restart in the middle of sending neither loses nor duplicates acknowledged records.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import type { RecordMetadata } from '../../src/api.ts';
import { take } from './helpers.ts';

let dataDir: string;
let broker: TestBroker;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tributary-idem-'));
  broker = await startBroker({ dataDir, settings: { 'num.partitions': 1 } });
});
after(async () => {
  await broker.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('idempotent producer against a Tributary broker', () => {
  it('many batches in flight over two partitions: every record once, in send order', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    const topic = 'idem';
    await kafka.admin().createTopics([{ name: topic, partitions: 2 }]);
    const producer = kafka.producer({ idempotent: true, lingerMs: 1, batchSize: 1024 });
    const sends = Array.from({ length: 20 }, (_, s) =>
      producer.send({ topic, messages: Array.from({ length: 25 }, (_, i) => ({ value: `m${s * 25 + i}`, partition: (s * 25 + i) % 2 })) }),
    );
    const meta = (await Promise.all(sends)).flat();
    for (const p of [0, 1]) {
      assert.deepEqual(
        meta
          .filter((m) => m.partition === p)
          .map((m) => m.offset)
          .sort((a, b) => Number(a - b)),
        Array.from({ length: 250 }, (_, i) => BigInt(i)),
      );
    }
    await producer.close();
    for (const p of [0, 1]) {
      const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
      consumer.assign([{ topic, partition: p }]);
      const got = await take(consumer[Symbol.asyncIterator](), 250);
      await consumer.close();
      assert.deepEqual(
        got.map((r) => r.value!.toString()),
        Array.from({ length: 500 }, (_, i) => `m${i}`).filter((_, i) => i % 2 === p),
      );
    }
    await kafka.close();
  });

  it('a broker restart while sending: acknowledged records once each, at their offsets', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap, reconnectBackoffMaxMs: 200, requestTimeoutMs: 5_000 });
    const topic = 'idem-restart';
    await kafka.admin().createTopics([{ name: topic, partitions: 1 }]);
    const producer = kafka.producer({ idempotent: true, lingerMs: 1, deliveryTimeoutMs: 30_000, retryBackoffMs: 50 });
    const acked: Array<{ meta: RecordMetadata; value: string }> = [];
    const sends: Promise<void>[] = [];
    let restarting: Promise<void> | null = null;
    const port = broker.port;
    for (let i = 0; i < 300; i++) {
      const value = `r${i}`;
      sends.push(producer.send({ topic, messages: [{ value }] }).then(([meta]) => void acked.push({ meta: meta!, value })));
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
      if (i === 150) {
        restarting = (async () => {
          await broker.stop();
          await new Promise((r) => setTimeout(r, 300));
          broker = await startBroker({ dataDir, settings: { listeners: `PLAINTEXT://127.0.0.1:${port}`, 'num.partitions': 1 } });
        })();
      }
    }
    await restarting;
    await Promise.all(sends);
    await producer.close();
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic, partition: 0 }]);
    const got = await take(consumer[Symbol.asyncIterator](), 300);
    await consumer.close();
    assert.deepEqual(
      got.map((r) => r.value!.toString()),
      Array.from({ length: 300 }, (_, i) => `r${i}`),
      'each record once, in send order',
    );
    for (const a of acked) assert.equal(got[Number(a.meta.offset)]!.value!.toString(), a.value);
    await kafka.close();
  });
});
