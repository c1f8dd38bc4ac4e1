// Producer -> consumer round trips through a mini in-process Kafka: manual assignment with
// earliest/latest/seek, a one-member group with committed offsets surviving a restart, pause,
// batches, and the rebalance listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka } from '../../src/kafka.ts';
import type { ConsumerRecord, RecordBatchView } from '../../src/api.ts';
import { startMiniKafka } from '../helpers/mini-kafka.ts';

async function take(it: AsyncIterator<ConsumerRecord>, n: number): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

test('manual assign: earliest reads everything in order, seek jumps, latest waits for new records', async () => {
  const mk = await startMiniKafka(1);
  const kafka = new Kafka({ bootstrapServers: mk.address });
  try {
    const producer = kafka.producer({ lingerMs: 0, compression: 'gzip' });
    await producer.send({
      topic: 'events',
      messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { n: String(i) } })),
    });
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 'events', partition: 0 }]);
    const it = consumer[Symbol.asyncIterator]();
    const first = await take(it, 10);
    assert.deepEqual(
      first.map((r) => r.value!.toString()),
      Array.from({ length: 10 }, (_, i) => `v${i}`),
    );
    assert.deepEqual(
      first.map((r) => r.offset),
      Array.from({ length: 10 }, (_, i) => BigInt(i)),
    );
    assert.equal(first[3].key!.toString(), 'k3');
    assert.deepEqual(
      first[3].headers.map((h) => [h.key, h.value!.toString()]),
      [['n', '3']],
    );
    assert.equal(consumer.position({ topic: 'events', partition: 0 }), 10n);
    consumer.seek({ topic: 'events', partition: 0 }, 7n);
    assert.deepEqual(
      (await take(it, 3)).map((r) => r.offset),
      [7n, 8n, 9n],
    );
    // nothing new: the next pull waits until a record is produced
    const pending = take(it, 1);
    await producer.send({ topic: 'events', messages: [{ value: 'late' }] });
    const [late] = await pending;
    assert.equal(late.value!.toString(), 'late');
    assert.equal(late.offset, 10n);
    await consumer.close();
  } finally {
    await kafka.close();
    await mk.close();
  }
});

test('group: subscribe, consume, commit; a new consumer of the group resumes after the commit', async () => {
  const mk = await startMiniKafka(2);
  const kafka = new Kafka({ bootstrapServers: mk.address });
  try {
    const producer = kafka.producer({ lingerMs: 0 });
    await producer.send({ topic: 'orders', messages: Array.from({ length: 6 }, (_, i) => ({ value: `o${i}`, partition: i % 2 })) });
    const assigned: string[] = [];
    const c1 = kafka.consumer({ groupId: 'billing', autoOffsetReset: 'earliest', autoCommit: false, assignors: ['cooperative-sticky'] });
    await c1.subscribe(['orders'], { assigned: (ps) => void assigned.push(...ps.map((p) => `${p.topic}-${p.partition}`)) });
    const it = c1[Symbol.asyncIterator]();
    const got = await take(it, 6);
    assert.deepEqual(got.map((r) => r.value!.toString()).sort(), ['o0', 'o1', 'o2', 'o3', 'o4', 'o5']);
    assert.deepEqual(assigned.sort(), ['orders-0', 'orders-1']);
    assert.deepEqual(
      c1
        .assignment()
        .map((p) => p.partition)
        .sort(),
      [0, 1],
    );
    await c1.commit();
    assert.equal(mk.committed.get('billing/orders/0'), 3n);
    assert.equal(mk.committed.get('billing/orders/1'), 3n);
    assert.deepEqual(await c1.committed([{ topic: 'orders', partition: 0 }]), [
      { topic: 'orders', partition: 0, offset: 3n, metadata: '' },
    ]);
    await c1.close();

    await producer.send({ topic: 'orders', messages: [{ value: 'new', partition: 1 }] });
    const c2 = kafka.consumer({ groupId: 'billing', autoOffsetReset: 'earliest' });
    await c2.subscribe('orders');
    const [next] = await take(c2[Symbol.asyncIterator](), 1);
    assert.equal(next.value!.toString(), 'new');
    assert.equal(next.offset, 3n);
    await c2.close(); // auto-commit on close
    assert.equal(mk.committed.get('billing/orders/1'), 4n);
  } finally {
    await kafka.close();
    await mk.close();
  }
});

test('batches() yields whole fetches; pause holds a partition back', async () => {
  const mk = await startMiniKafka(2);
  const kafka = new Kafka({ bootstrapServers: mk.address });
  try {
    const producer = kafka.producer({ lingerMs: 0 });
    await producer.send({
      topic: 't',
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 0 },
        { value: 'c', partition: 1 },
      ],
    });
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    consumer.pause([{ topic: 't', partition: 1 }]);
    const it = consumer.batches();
    const b = (await it.next()).value as RecordBatchView;
    assert.equal(b.partition, 0);
    assert.deepEqual(
      b.records.map((r) => r.value!.toString()),
      ['a', 'b'],
    );
    assert.equal(b.highWatermark, 2n);
    consumer.resume([{ topic: 't', partition: 1 }]);
    const b2 = (await it.next()).value as RecordBatchView;
    assert.equal(b2.partition, 1);
    assert.deepEqual(
      b2.records.map((r) => r.value!.toString()),
      ['c'],
    );
    await consumer.close();
  } finally {
    await kafka.close();
    await mk.close();
  }
});
