// Producer options against a real Tributary broker, seen in the Produce requests it receives
// (instrumented-broker.ts): batch.size splits records into batches, linger.ms holds them until
// flush, acks 0/1/all reach the broker, max.in.flight bounds the unanswered Produce requests
// pipelined on the one connection to the broker, a custom partitioner chooses partitions (undefined falls back to murmur2).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecordBatches } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { partitionForKey } from '../../src/partitioner/murmur2.ts';
import { ApiKey, startInstrumentedBroker, type InstrumentedBroker } from './instrumented-broker.ts';
import { take, until } from './helpers.ts';

let broker: InstrumentedBroker;
let kafka: Kafka;

before(async () => {
  broker = await startInstrumentedBroker({ settings: { 'num.partitions': 1 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

/** Record counts of every batch the broker received for a topic, per Produce request. */
async function batchesReceived(topic: string, from = 0): Promise<number[][]> {
  const out: number[][] = [];
  for (const r of broker.of(ApiKey.Produce).slice(from)) {
    const counts: number[] = [];
    for (const t of r.body.topicData) {
      if (t.name !== topic) continue;
      for (const p of t.partitionData) for (const b of await decodeRecordBatches(p.records)) counts.push(b.records.length);
    }
    if (counts.length) out.push(counts);
  }
  return out;
}

describe('producer options against a Tributary broker', () => {
  it('batch.size: records are packed into batches of at most batch.size bytes', async () => {
    await kafka.admin().createTopics([{ name: 'bs', partitions: 1 }]);
    const from = broker.of(ApiKey.Produce).length;
    // each record: 100-byte value, no key, no headers = 109 bytes in the batch (2-byte length
    // prefix, attributes, timestamp and offset deltas, key -1, 2-byte value length, 100, header
    // count); a batch: 61 + 8 * 109 = 933 <= 1000 < 61 + 9 * 109
    const producer = kafka.producer({ batchSize: 1000, lingerMs: 0, maxInFlight: 1 });
    const meta = await producer.send({
      topic: 'bs',
      messages: Array.from({ length: 40 }, (_, i) => ({ value: Buffer.alloc(100, i), timestamp: 1_700_000_000_000 })),
    });
    assert.deepEqual(
      meta.map((m) => m.offset),
      Array.from({ length: 40 }, (_, i) => BigInt(i)),
    );
    assert.deepEqual((await batchesReceived('bs', from)).flat(), [8, 8, 8, 8, 8]);
    await producer.close();
  });

  it('linger.ms: records wait for more until linger.ms passes or flush() is called', async () => {
    await kafka.admin().createTopics([{ name: 'linger', partitions: 1 }]);
    const from = broker.of(ApiKey.Produce).length;
    const producer = kafka.producer({ lingerMs: 60_000 });
    const sends = Array.from({ length: 5 }, (_, i) => producer.send({ topic: 'linger', messages: [{ value: `l${i}` }] }));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await batchesReceived('linger', from), [], 'nothing sent while lingering');
    await producer.flush();
    assert.deepEqual(await batchesReceived('linger', from), [[5]], 'one request, one batch of the 5 records');
    assert.deepEqual(
      (await Promise.all(sends)).map(([m]) => m!.offset),
      [0n, 1n, 2n, 3n, 4n],
    );
    await producer.close();
  });

  it('acks 0, 1 and all reach the broker as 0, 1 and -1', async () => {
    await kafka.admin().createTopics([{ name: 'acks-wire', partitions: 1 }]);
    for (const [acks, wire] of [
      [0, 0],
      [1, 1],
      ['all', -1],
      [-1, -1],
    ] as const) {
      const from = broker.of(ApiKey.Produce).length;
      const producer = kafka.producer({ acks, lingerMs: 0 });
      await producer.send({ topic: 'acks-wire', messages: [{ value: `acks ${acks}` }] });
      await producer.close();
      await until(() => broker.of(ApiKey.Produce).length > from, 'the Produce request');
      assert.deepEqual(
        broker
          .of(ApiKey.Produce)
          .slice(from)
          .map((r) => r.body.acks),
        [wire],
      );
    }
  });

  for (const maxInFlight of [1, 3]) {
    it(`max.in.flight ${maxInFlight}: never more unanswered Produce requests per connection`, async () => {
      const topic = `inflight-${maxInFlight}`;
      await kafka.admin().createTopics([{ name: topic, partitions: 1 }]);
      let open = false;
      let pending = 0;
      let most = 0;
      const held: Array<() => void> = [];
      broker.intercept(ApiKey.Produce, (_ctx, req, next) => {
        if (req.topicData[0]?.name !== topic) return undefined;
        pending++;
        most = Math.max(most, pending);
        const answer = async () => {
          try {
            return await next();
          } finally {
            pending--;
          }
        };
        if (open) return answer();
        return new Promise((resolve) => held.push(() => resolve(answer())));
      });
      const producer = kafka.producer({ maxInFlight, batchSize: 200, lingerMs: 0 });
      // 20 batches of 1 record (batch.size 200 holds one 150-byte record)
      const sends = Array.from({ length: 20 }, (_, i) => producer.send({ topic, messages: [{ value: Buffer.alloc(150, i) }] }));
      await until(() => pending === maxInFlight, `${maxInFlight} requests held`);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(pending, maxInFlight, 'no request beyond max.in.flight while none is answered');
      const connections = new Set(
        broker
          .of(ApiKey.Produce)
          .filter((r) => r.body.topicData[0]?.name === topic)
          .map((r) => r.connectionId),
      );
      assert.equal(connections.size, 1, 'pipelined on one connection to the broker');
      open = true;
      for (const release of held.splice(0)) release();
      const offsets = (await Promise.all(sends)).map(([m]) => m!.offset).sort((a, b) => (a < b ? -1 : 1));
      broker.intercept(ApiKey.Produce, null);
      assert.equal(most, maxInFlight);
      assert.deepEqual(
        offsets,
        Array.from({ length: 20 }, (_, i) => BigInt(i)),
      );
      await producer.close();
    });
  }

  it('a custom partitioner chooses the partition; undefined falls back to murmur2 of the key', async () => {
    await kafka.admin().createTopics([{ name: 'custom-part', partitions: 4 }]);
    const calls: Array<[string | null, number]> = [];
    const producer = kafka.producer({
      lingerMs: 0,
      partitioner: ({ topic, key, value, partitionCount, availablePartitions }) => {
        assert.equal(topic, 'custom-part');
        assert.deepEqual(availablePartitions, [0, 1, 2, 3]);
        calls.push([key?.toString() ?? null, partitionCount]);
        const v = value!.toString();
        return v.startsWith('p') ? Number(v.slice(1)) : undefined;
      },
    });
    const messages = [
      { value: 'p3' },
      { key: 'a', value: 'p0' },
      { key: 'user-17', value: 'keyed' },
      { key: 'user-18', value: 'keyed' },
      { value: 'p2' },
      { value: 'x', partition: 1 },
    ];
    const meta = await producer.send({ topic: 'custom-part', messages });
    const murmur = (k: string) => partitionForKey(Buffer.from(k), 4);
    assert.deepEqual(
      meta.map((m) => m.partition),
      [3, 0, murmur('user-17'), murmur('user-18'), 2, 1],
    );
    assert.deepEqual(
      calls,
      [
        [null, 4],
        ['a', 4],
        ['user-17', 4],
        ['user-18', 4],
        [null, 4],
      ],
      'an explicit partition skips the partitioner',
    );
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([0, 1, 2, 3].map((partition) => ({ topic: 'custom-part', partition })));
    const got = await take(consumer[Symbol.asyncIterator](), 6);
    await consumer.close();
    const where = new Map(got.map((r) => [`${r.key?.toString()}/${r.value!.toString()}`, r.partition]));
    assert.deepEqual(
      messages.map((m) => where.get(`${m.key}/${m.value}`)),
      meta.map((m) => m.partition),
    );
    await producer.close();
  });
});
