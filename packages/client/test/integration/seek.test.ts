// Positions against a real Tributary broker: seek to an offset, to a timestamp (the time index),
// to the beginning and the end; `latest` waits for new records; an out-of-range position is reset
// by auto.offset.reset; `position()` follows what was handed out; admin listOffsets agrees.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import { take } from './helpers.ts';

let broker: TestBroker;
let kafka: Kafka;
const topic = 'seekable';
const tp = { topic, partition: 0 };
const BASE = 1_600_000_000_000;

before(async () => {
  broker = await startBroker();
  kafka = new Kafka({ bootstrapServers: broker.bootstrap });
  await kafka.admin().createTopics([{ name: topic, partitions: 1 }]);
  const producer = kafka.producer({ lingerMs: 0, batchSize: 200 });
  // 20 records, timestamps BASE + 10 s * i, in several batches
  for (let b = 0; b < 4; b++) {
    await producer.send({
      topic,
      messages: Array.from({ length: 5 }, (_, j) => ({ value: `r${b * 5 + j}`, timestamp: BASE + (b * 5 + j) * 10_000 })),
    });
  }
  await producer.close();
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

describe('seek against a Tributary broker', () => {
  it('to an offset (also inside a batch), to the beginning, to the end, and by timestamp', async () => {
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([tp]);
    const it = consumer[Symbol.asyncIterator]();
    assert.deepEqual(
      (await take(it, 3)).map((r) => r.offset),
      [0n, 1n, 2n],
    );
    assert.equal(consumer.position(tp), 3n);

    consumer.seek(tp, 12n);
    assert.deepEqual(
      (await take(it, 2)).map((r) => [r.offset, r.value!.toString()]),
      [
        [12n, 'r12'],
        [13n, 'r13'],
      ],
    );

    consumer.seek(tp, 'earliest');
    assert.deepEqual(
      (await take(it, 1)).map((r) => r.offset),
      [0n],
    );

    // the first record at or after the time: 75 s -> offset 8 (80 s)
    consumer.seek(tp, { timestamp: BASE + 75_000 });
    assert.deepEqual(
      (await take(it, 1)).map((r) => [r.offset, r.timestamp]),
      [[8n, BASE + 80_000]],
    );
    consumer.seek(tp, { timestamp: BASE + 50_000 });
    assert.deepEqual(
      (await take(it, 1)).map((r) => r.offset),
      [5n],
    );

    // the end: nothing until a new record arrives
    consumer.seek(tp, 'latest');
    const pending = take(it, 1);
    const producer = kafka.producer({ lingerMs: 0 });
    await new Promise((r) => setTimeout(r, 200));
    const [m] = await producer.send({ topic, messages: [{ value: 'after-end' }] });
    const [late] = await pending;
    assert.deepEqual([late!.offset, late!.value!.toString()], [m!.offset, 'after-end']);
    assert.equal(m!.offset, 20n);
    await producer.close();
    await consumer.close();
  });

  it('a timestamp after every record moves to the end', async () => {
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([tp]);
    consumer.seek(tp, { timestamp: Date.now() + 3_600_000 });
    const it = consumer[Symbol.asyncIterator]();
    const pending = take(it, 1);
    const producer = kafka.producer({ lingerMs: 0 });
    await new Promise((r) => setTimeout(r, 200));
    const [m] = await producer.send({ topic, messages: [{ value: 'future' }] });
    assert.equal((await pending)[0]!.offset, m!.offset);
    await producer.close();
    await consumer.close();
  });

  it('an offset past the end is reset by auto.offset.reset', async () => {
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([tp]);
    consumer.seek(tp, 1_000_000n);
    const [r] = await take(consumer[Symbol.asyncIterator](), 1);
    assert.equal(r!.offset, 0n);
    await consumer.close();
  });

  it('admin listOffsets: earliest, latest, by timestamp', async () => {
    const admin = kafka.admin();
    assert.deepEqual(await admin.listOffsets(topic, 'earliest'), [{ partition: 0, offset: 0n, timestamp: -1 }]);
    const [latest] = await admin.listOffsets(topic, 'latest');
    assert.ok(latest!.offset >= 20n);
    const [at] = await admin.listOffsets(topic, { timestamp: BASE + 95_000 });
    assert.deepEqual([at!.offset, at!.timestamp], [10n, BASE + 100_000]);
  });
});
