// A KafkaJS consumer and a Tributary consumer in the same group (protocol "RoundRobinAssigner",
// KafkaJS's), coordinated by the broker's real group coordinator through the mini Kafka: they split
// the partitions and together read every record once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { Kafka } from '../../src/kafka.ts';
import type { ConsumerRecord } from '../../src/api.ts';
import { startMiniKafka } from '../helpers/mini-kafka.ts';

async function until(cond: () => boolean, what: string, ms = 15000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('KafkaJS and Tributary consumers share a group', async () => {
  const mk = await startMiniKafka(4, { realGroups: true });
  const ours = new Kafka({ bootstrapServers: mk.address });
  const theirs = new kafkajs.Kafka({ brokers: [mk.address], clientId: 'kjs', logLevel: kafkajs.logLevel.NOTHING });
  const kjsConsumer = theirs.consumer({ groupId: 'mixed', heartbeatInterval: 100, sessionTimeout: 6000, rebalanceTimeout: 10000 });
  const kjsGot: string[] = [];
  const ourGot: ConsumerRecord[] = [];
  let stop = false;
  try {
    const producer = ours.producer({ lingerMs: 0 });
    await producer.send({ topic: 'shared', messages: Array.from({ length: 8 }, (_, i) => ({ value: `m${i}`, partition: i % 4 })) });

    await kjsConsumer.connect();
    await kjsConsumer.subscribe({ topic: 'shared', fromBeginning: true });
    await kjsConsumer.run({ eachMessage: async ({ message }) => void kjsGot.push(message.value!.toString()) });

    const consumer = ours.consumer({
      groupId: 'mixed',
      autoOffsetReset: 'earliest',
      assignors: ['RoundRobinAssigner'],
      heartbeatIntervalMs: 100,
      sessionTimeoutMs: 6000,
      maxPollIntervalMs: 10000,
    });
    await consumer.subscribe('shared');
    const it = consumer[Symbol.asyncIterator]();
    const pulling = (async () => {
      let pending: Promise<IteratorResult<ConsumerRecord>> | null = null;
      while (!stop) {
        pending ??= it.next();
        const r = await Promise.race([pending, new Promise<null>((res) => setTimeout(() => res(null), 50))]);
        if (r === null) continue;
        pending = null;
        if (r.done) return;
        ourGot.push(r.value);
      }
    })();
    await until(() => consumer.assignment().length === 2, 'our consumer to get 2 partitions');
    await producer.send({ topic: 'shared', messages: Array.from({ length: 8 }, (_, i) => ({ value: `n${i}`, partition: i % 4 })) });
    await until(() => new Set([...kjsGot, ...ourGot.map((r) => r.value!.toString())]).size === 16, 'all 16 records');
    stop = true;
    await pulling;
    const ourParts = consumer
      .assignment()
      .map((p) => p.partition)
      .sort();
    assert.equal(ourParts.length, 2);
    // every n-record (produced after the split) was read by exactly one of the two
    const n = [...kjsGot, ...ourGot.map((r) => r.value!.toString())].filter((v) => v.startsWith('n')).sort();
    assert.deepEqual(n, ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7']);
    for (const r of ourGot.filter((x) => x.value!.toString().startsWith('n'))) assert.ok(ourParts.includes(r.partition));
    await consumer.close();
  } finally {
    stop = true;
    await kjsConsumer.disconnect().catch(() => {});
    await ours.close();
    await mk.close();
  }
});
