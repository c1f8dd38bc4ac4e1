// Producer -> broker -> consumer against a real Tributary broker: every codec with keys (and null
// keys), binary and null values, repeated and null-valued headers and explicit timestamps read
// back exactly at the offsets `send` returned; LogAppendTime topics; acks 0 and 1; a record near
// the 1 MiB limit; many batches across fetches.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import type { Message } from '../../src/api.ts';
import { CODECS, byPartitionOffset, plain, take, type PlainRecord } from './helpers.ts';

let broker: TestBroker;
let kafka: Kafka;

before(async () => {
  broker = await startBroker({ settings: { 'num.partitions': 1 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'it-produce-consume' });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

function messages(codec: string, n: number, base: number): Message[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 7 === 0 ? null : `key-${i}`,
    value: i % 11 === 5 ? null : Buffer.from(`${codec}-${i}-${'\u00e9\u0000\u00ff'.repeat(i % 13)}`, 'latin1'),
    headers:
      i % 3 === 0
        ? []
        : [
            { key: 'h', value: `a${i}` },
            { key: 'h', value: null },
            { key: 'trace', value: Buffer.from([0, 1, 2, i & 255]) },
          ],
    timestamp: base + i * 1000,
    partition: i % 3,
  }));
}

function expected(ms: Message[], offsets: bigint[]): PlainRecord[] {
  return ms.map((m, i) => ({
    partition: m.partition!,
    offset: offsets[i]!,
    timestamp: m.timestamp!,
    key: m.key === null || m.key === undefined ? null : Buffer.from(m.key as string).toString('latin1'),
    value: m.value === null ? null : (m.value as Buffer).toString('latin1'),
    headers: (m.headers as Array<{ key: string; value: string | Buffer | null }>).map((h) => [
      h.key,
      h.value === null ? null : Buffer.from(h.value as string | Buffer).toString('latin1'),
    ]),
  }));
}

describe('produce and consume against a Tributary broker', () => {
  for (const codec of CODECS) {
    it(`${codec}: keys, values, headers and timestamps come back exactly at the acknowledged offsets`, async () => {
      const topic = `rt-${codec}`;
      await kafka.admin().createTopics([{ name: topic, partitions: 3 }]);
      const producer = kafka.producer({ compression: codec, lingerMs: 2 });
      const base = 1_700_000_000_000;
      const ms = messages(codec, 300, base);
      // two sends so each partition gets more than one batch
      const meta = [
        ...(await producer.send({ topic, messages: ms.slice(0, 150) })),
        ...(await producer.send({ topic, messages: ms.slice(150) })),
      ];
      assert.deepEqual(
        meta.map((m) => m.partition),
        ms.map((m) => m.partition),
      );
      // offsets contiguous from 0 in each partition, in send order
      const next = [0n, 0n, 0n];
      for (const m of meta) assert.equal(m.offset, next[m.partition]!++);
      assert.deepEqual(
        meta.map((m) => m.timestamp),
        ms.map((m) => m.timestamp),
      );

      const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
      consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })));
      const got = await take(consumer[Symbol.asyncIterator](), 300);
      await consumer.close();
      for (const r of got) assert.equal(r.timestampType, 'create');
      assert.deepEqual(
        got.map((r) => plain(r, 'latin1')).sort(byPartitionOffset),
        expected(
          ms,
          meta.map((m) => m.offset),
        ).sort(byPartitionOffset),
      );
      await producer.close();
    });
  }

  it('LogAppendTime topics: send reports the broker time, and consumers see it', async () => {
    const topic = 'log-append-time';
    await kafka.admin().createTopics([{ name: topic, partitions: 1, configs: { 'message.timestamp.type': 'LogAppendTime' } }]);
    const producer = kafka.producer({ lingerMs: 0 });
    const before = Date.now();
    const meta = await producer.send({
      topic,
      messages: [
        { value: 'a', timestamp: 1000 },
        { value: 'b', timestamp: 2000 },
      ],
    });
    const afterSend = Date.now();
    assert.equal(meta[0]!.timestamp, meta[1]!.timestamp);
    assert.ok(meta[0]!.timestamp >= before && meta[0]!.timestamp <= afterSend, `${meta[0]!.timestamp} not in [${before}, ${afterSend}]`);
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic, partition: 0 }]);
    const got = await take(consumer[Symbol.asyncIterator](), 2);
    await consumer.close();
    assert.deepEqual(
      got.map((r) => [r.offset, r.timestampType, r.timestamp]),
      [
        [0n, 'log-append', meta[0]!.timestamp],
        [1n, 'log-append', meta[0]!.timestamp],
      ],
    );
    await producer.close();
  });

  it('acks 0 and acks 1 deliver the records', async () => {
    const topic = 'acks';
    await kafka.admin().createTopics([{ name: topic, partitions: 1 }]);
    const p1 = kafka.producer({ acks: 1, lingerMs: 0 });
    assert.deepEqual(
      (await p1.send({ topic, messages: [{ value: 'one' }] })).map((m) => m.offset),
      [0n],
    );
    const p0 = kafka.producer({ acks: 0, lingerMs: 0 });
    const m0 = await p0.send({ topic, messages: [{ value: 'zero-a' }, { value: 'zero-b' }] });
    assert.deepEqual(
      m0.map((m) => m.offset),
      [-1n, -1n],
    ); // acks=0: no offsets known
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic, partition: 0 }]);
    const got = await take(consumer[Symbol.asyncIterator](), 3);
    await consumer.close();
    assert.deepEqual(
      got.map((r) => [r.offset, r.value!.toString()]),
      [
        [0n, 'one'],
        [1n, 'zero-a'],
        [2n, 'zero-b'],
      ],
    );
    await Promise.all([p0.close(), p1.close()]);
  });

  it('a record near max.message.bytes and thousands of small ones cross many fetches intact', async () => {
    const topic = 'sizes';
    await kafka.admin().createTopics([{ name: topic, partitions: 1 }]);
    const producer = kafka.producer({ compression: 'lz4' });
    const big = Buffer.alloc(900_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    const small = Array.from({ length: 5000 }, (_, i) => ({ value: `s${i}` }));
    await producer.send({ topic, messages: [{ key: 'big', value: big }] });
    await producer.send({ topic, messages: small });
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest', maxPartitionFetchBytes: 64 * 1024 });
    consumer.assign([{ topic, partition: 0 }]);
    const got = await take(consumer[Symbol.asyncIterator](), 5001);
    await consumer.close();
    assert.ok(got[0]!.value!.equals(big));
    assert.deepEqual(
      got.slice(1).map((r) => r.value!.toString()),
      small.map((s) => s.value),
    );
    assert.deepEqual(
      got.map((r) => r.offset),
      Array.from({ length: 5001 }, (_, i) => BigInt(i)),
    );
    await producer.close();
  });

  it('send to a missing topic auto-creates it (auto.create.topics.enable), as Java', async () => {
    const producer = kafka.producer({ lingerMs: 0 });
    const [m] = await producer.send({ topic: 'auto-created', messages: [{ value: 'x' }] });
    assert.deepEqual([m!.partition, m!.offset], [0, 0n]);
    await producer.close();
  });
});
