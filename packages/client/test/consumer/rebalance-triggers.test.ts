// Group membership reacting to metadata: a pattern subscription picks up a topic created later,
// and the leader rejoins when a subscribed topic grows partitions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka } from '../../src/kafka.ts';
import type { ConsumerRecord } from '../../src/api.ts';
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

test('pattern subscription picks up a new matching topic on metadata refresh', async () => {
  const mk = await startMiniKafka(1);
  const kafka = new Kafka({ bootstrapServers: mk.address, metadataMaxAgeMs: 50 });
  try {
    const producer = kafka.producer({ lingerMs: 0 });
    await producer.send({ topic: 'logs-a', messages: [{ value: 'a1' }] });
    await producer.send({ topic: 'other', messages: [{ value: 'x' }] });
    const consumer = kafka.consumer({ groupId: 'g', autoOffsetReset: 'earliest' });
    await consumer.subscribe({ pattern: /^logs-/ });
    const it = consumer[Symbol.asyncIterator]();
    assert.deepEqual(
      (await take(it, 1)).map((r) => `${r.topic}:${r.value}`),
      ['logs-a:a1'],
    );
    await producer.send({ topic: 'logs-b', messages: [{ value: 'b1' }] });
    assert.deepEqual(
      (await take(it, 1)).map((r) => `${r.topic}:${r.value}`),
      ['logs-b:b1'],
    );
    assert.deepEqual(
      consumer
        .assignment()
        .map((p) => p.topic)
        .sort(),
      ['logs-a', 'logs-b'],
    );
    await consumer.close();
  } finally {
    await kafka.close();
    await mk.close();
  }
});

test('the leader rejoins when a subscribed topic gets more partitions', async () => {
  const mk = await startMiniKafka(1);
  const kafka = new Kafka({ bootstrapServers: mk.address, metadataMaxAgeMs: 50 });
  try {
    const producer = kafka.producer({ lingerMs: 0 });
    await producer.send({ topic: 't', messages: [{ value: 'p0' }] });
    const consumer = kafka.consumer({ groupId: 'g2', autoOffsetReset: 'earliest' });
    await consumer.subscribe('t');
    const it = consumer[Symbol.asyncIterator]();
    await take(it, 1);
    mk.topics.get('t')!.push({ batches: [], next: 0n }); // partition 1 appears
    kafka.cluster.metadata.requestUpdate('t');
    await producer.send({ topic: 't', messages: [{ value: 'p1', partition: 1 }] });
    const [r] = await take(it, 1);
    assert.equal(r.partition, 1);
    assert.deepEqual(
      consumer
        .assignment()
        .map((p) => p.partition)
        .sort(),
      [0, 1],
    );
    await consumer.close();
  } finally {
    await kafka.close();
    await mk.close();
  }
});
