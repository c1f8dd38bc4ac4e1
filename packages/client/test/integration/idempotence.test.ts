// The idempotent producer against a Tributary broker (InitProducerId, per-partition sequences):
// records land once and in send order; with 5 requests in flight, injected faults (a Produce
// refused with NOT_LEADER_OR_FOLLOWER, answers lost after the broker appended) neither duplicate
// nor reorder records; a broker restart in the middle of sending neither loses nor duplicates
// acknowledged records.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import type { RecordMetadata } from '../../src/api.ts';
import { take } from './helpers.ts';
import { startInstrumentedBroker, ApiKey } from './instrumented-broker.ts';
import { ErrorCode } from '@tributary/protocol';

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

  it('5 in flight with faults injected (a refusal, answers lost after the append): every record once, in order, at its offset', async () => {
    const faulty = await startInstrumentedBroker({ settings: { 'num.partitions': 2 } });
    try {
      const kafka = new Kafka({ bootstrapServers: faulty.bootstrap, requestTimeoutMs: 1_000, reconnectBackoffMaxMs: 50 });
      const topic = 'idem-faults';
      await kafka.admin().createTopics([{ name: topic, partitions: 2 }]);
      const producer = kafka.producer({ lingerMs: 0, batchSize: 200, retryBackoffMs: 10 });
      await producer.send({ topic, messages: [{ value: 'warm', partition: 0 }] });
      let n = 0;
      faulty.intercept(ApiKey.Produce, (ctx, req, next) => {
        n++;
        if (n === 5 || n === 40)
          return {
            responses: req.topicData.map((t: any) => ({
              name: t.name,
              partitionResponses: t.partitionData.map((p: any) => ({
                index: p.index,
                errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
                baseOffset: -1n,
              })),
            })),
          };
        if (n === 12 || n === 25) {
          // appended, but the answer never comes: the client times out, reconnects and sends again
          return (async () => {
            const answer = await next();
            await new Promise((r) => ctx.signal.addEventListener('abort', r, { once: true }));
            return answer;
          })();
        }
        return undefined;
      });
      const values = Array.from({ length: 400 }, (_, i) => `f${i}`);
      // 100-byte records, 200-byte batches: one record per batch, so many batches per partition in flight
      const meta = (
        await Promise.all(values.map((v, i) => producer.send({ topic, messages: [{ value: v.padEnd(100, '.'), partition: i % 2 }] })))
      ).flat();
      faulty.intercept(ApiKey.Produce, null);
      assert.ok(n > 40, `every fault was injected (${n} Produce requests)`);
      await producer.close();
      for (const p of [0, 1]) {
        const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
        consumer.assign([{ topic, partition: p }]);
        const expected = values.filter((_, i) => i % 2 === p);
        const got = await take(consumer[Symbol.asyncIterator](), expected.length + (p === 0 ? 1 : 0));
        await consumer.close();
        const read = got.map((r) => r.value!.toString().replace(/\.+$/, ''));
        assert.deepEqual(read, p === 0 ? ['warm', ...expected] : expected, `partition ${p}: every record once, in send order`);
        meta.forEach((m, i) => {
          if (m.partition === p) assert.equal(read[Number(m.offset)], values[i], `offset of ${values[i]}`);
        });
      }
      const inits = faulty.of(ApiKey.InitProducerId);
      assert.equal(inits.length, 1, 'no epoch bump was needed');
      await kafka.close();
    } finally {
      await faulty.stop();
    }
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
