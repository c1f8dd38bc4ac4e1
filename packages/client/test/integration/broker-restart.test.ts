// A broker restart (same port, same data) while the client produces and consumes: the producer
// retries through the outage and every acknowledged record is in the log at the offset `send`
// reported; a consumer keeps its positions and reads every record exactly once.
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
let port: number;

async function restart(downMs: number): Promise<void> {
  await broker.stop();
  await new Promise((r) => setTimeout(r, downMs));
  broker = await startBroker({ dataDir, settings: { listeners: `PLAINTEXT://127.0.0.1:${port}`, 'num.partitions': 2 } });
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tributary-restart-'));
  broker = await startBroker({ dataDir, settings: { 'num.partitions': 2 } });
  port = broker.port;
});
after(async () => {
  await broker.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('broker restart', () => {
  it('during produce: every acknowledged record is there at its offset', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap, reconnectBackoffMaxMs: 200, requestTimeoutMs: 5_000 });
    const topic = 'restart-produce';
    await kafka.admin().createTopics([{ name: topic, partitions: 2 }]);
    const producer = kafka.producer({ lingerMs: 1, deliveryTimeoutMs: 30_000, retryBackoffMs: 50 });
    const acked: Array<{ meta: RecordMetadata; value: string }> = [];
    const failed: unknown[] = [];
    let restarting: Promise<void> | null = null;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 400; i++) {
      const value = `v${i}`;
      sends.push(
        producer.send({ topic, messages: [{ key: `k${i % 10}`, value }] }).then(
          ([meta]) => void acked.push({ meta: meta!, value }),
          (err) => void failed.push(err),
        ),
      );
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
      // the broker goes down while sends continue (and are retried until it is back)
      if (i === 200) restarting = restart(300);
    }
    await restarting;
    await Promise.all(sends);
    assert.deepEqual(failed, []);
    assert.equal(acked.length, 400);
    await producer.close();

    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    const got = await take(consumer[Symbol.asyncIterator](), 400);
    await consumer.close();
    const inLog = new Map(got.map((r) => [`${r.partition}/${r.offset}`, r.value!.toString()]));
    for (const a of acked)
      assert.equal(inLog.get(`${a.meta.partition}/${a.meta.offset}`), a.value, `acked ${a.value} at ${a.meta.partition}/${a.meta.offset}`);
    // nothing twice: without idempotence a retry after a lost response could duplicate; count them
    assert.equal(new Set(got.map((r) => r.value!.toString())).size, 400);
    await kafka.close();
  });

  it('during consume: the consumer resumes at its positions and reads every record once', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap, reconnectBackoffMaxMs: 200, requestTimeoutMs: 5_000 });
    const topic = 'restart-consume';
    await kafka.admin().createTopics([{ name: topic, partitions: 2 }]);
    const producer = kafka.producer({ lingerMs: 1, deliveryTimeoutMs: 30_000 });
    await producer.send({ topic, messages: Array.from({ length: 300 }, (_, i) => ({ value: `a${i}`, partition: i % 2 })) });

    const consumer = kafka.consumer({ autoOffsetReset: 'earliest', maxPartitionFetchBytes: 1024 });
    consumer.assign([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    const it = consumer[Symbol.asyncIterator]();
    const first = await take(it, 100);
    await restart(300);
    await producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ value: `b${i}`, partition: i % 2 })) });
    const rest = await take(it, 300, 30_000);
    await consumer.close();
    const all = [...first, ...rest];
    const seen = all.map((r) => `${r.partition}/${r.offset}`);
    assert.equal(new Set(seen).size, 400, 'no record twice');
    for (const p of [0, 1]) {
      const offsets = all.filter((r) => r.partition === p).map((r) => r.offset);
      assert.deepEqual(
        offsets,
        Array.from({ length: 200 }, (_, i) => BigInt(i)),
      );
    }
    await producer.close();
    await kafka.close();
  });
});
