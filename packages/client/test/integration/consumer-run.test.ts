// consumer.run() against a Tributary broker: eachRecord gets every record in order and run()
// resolves on close; a handler that throws rejects run() and the failed record is delivered again
// (the partition is sought back to it, and auto-commit does not pass it); eachBatch gets whole
// batches per partition; run() with neither or both handlers is refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';
import type { ConsumerRecord, RecordBatchView } from '../../src/api.ts';
import { fill, until } from './helpers.ts';

let broker: TestBroker;
let kafka: Kafka;

before(async () => {
  broker = await startBroker({ settings: { 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

describe('consumer.run() against a Tributary broker', () => {
  it('eachRecord: a throwing handler rejects run(); the failed record comes again', async () => {
    await fill(kafka, 'run-records', 1, ['r0', 'r1', 'bad', 'r3']);
    const consumer = kafka.consumer({ groupId: 'run', autoOffsetReset: 'earliest', autoCommitIntervalMs: 0, heartbeatIntervalMs: 100 });
    await consumer.subscribe('run-records');
    const seen: string[] = [];
    const boom = new Error('cannot handle bad');
    await assert.rejects(
      consumer.run({
        eachRecord: (r) => {
          seen.push(r.value!.toString());
          if (r.value!.toString() === 'bad') throw boom;
        },
      }),
      (err) => err === boom,
    );
    assert.deepEqual(seen, ['r0', 'r1', 'bad']);
    assert.equal(consumer.position({ topic: 'run-records', partition: 0 }), 2n);

    const again: ConsumerRecord[] = [];
    const running = consumer.run({ eachRecord: (r) => void again.push(r) });
    await until(() => again.length === 2, 'the rest');
    assert.deepEqual(
      again.map((r) => [r.offset, r.value!.toString()]),
      [
        [2n, 'bad'],
        [3n, 'r3'],
      ],
    );
    await consumer.close();
    await running; // resolves once closed
    assert.deepEqual(
      (await kafka.admin().listGroupOffsets('run')).map((o) => o.offset),
      [4n],
    );
  });

  it('eachBatch: whole batches per partition', async () => {
    await fill(kafka, 'run-batches', 2, ['a0', 'b0', 'a1', 'b1']);
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([
      { topic: 'run-batches', partition: 0 },
      { topic: 'run-batches', partition: 1 },
    ]);
    const batches: RecordBatchView[] = [];
    const running = consumer.run({ eachBatch: async (b) => void batches.push(b) });
    await until(() => batches.reduce((n, b) => n + b.records.length, 0) === 4, 'the 4 records');
    await consumer.close();
    await running;
    const byPartition = batches
      .map((b) => [b.partition, b.records.map((r) => r.value!.toString()), b.highWatermark] as const)
      .sort((x, y) => x[0] - y[0]);
    assert.deepEqual(byPartition, [
      [0, ['a0', 'a1'], 2n],
      [1, ['b0', 'b1'], 2n],
    ]);
  });

  it('needs exactly one of eachRecord and eachBatch', async () => {
    const consumer = kafka.consumer({});
    const bad = (x: unknown) => consumer.run(x as never);
    for (const handlers of [{}, { eachRecord: () => {}, eachBatch: () => {} }]) {
      await assert.rejects(bad(handlers), (err: unknown) => err instanceof KafkaClientError && err.type === 'INVALID_CONFIG');
    }
    await consumer.close();
  });
});
