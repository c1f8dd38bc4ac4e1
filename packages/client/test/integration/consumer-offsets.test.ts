// Consumer positions and commits against a Tributary broker: auto.offset.reset earliest / latest /
// none (none: a NoOffsetForPartitionError naming the partition, for a group without a committed
// offset, for manual assignment, and for a position out of range); auto-commit every
// auto.commit.interval.ms while the consumer runs; commit() and commitAsync() with metadata, read
// back by committed() and by the admin; pause and resume; batches() per partition with the high
// watermark.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import { KafkaClientError } from '../../src/network/errors.ts';
import { NoOffsetForPartitionError } from '../../src/consumer/subscription-state.ts';
import type { ConsumerRecord, RecordBatchView } from '../../src/api.ts';
import { drain, fill, take, until } from './helpers.ts';

let broker: TestBroker;
let kafka: Kafka;
const FAST = { heartbeatIntervalMs: 100, sessionTimeoutMs: 6000, maxPollIntervalMs: 10_000 } as const;

before(async () => {
  broker = await startBroker({ settings: { 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 } });
  kafka = new Kafka({ bootstrapServers: broker.bootstrap });
});
after(async () => {
  await kafka.close();
  await broker.stop();
});

function noOffset(topic: string, partition: number, why: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof NoOffsetForPartitionError, String(err));
    assert.ok(err instanceof KafkaClientError);
    assert.deepEqual([err.type, err.retriable, err.topic, err.partition], ['NO_OFFSET_FOR_PARTITION', false, topic, partition]);
    assert.match(err.message, why);
    return true;
  };
}

describe('consumer offsets against a Tributary broker', () => {
  it('auto.offset.reset: earliest reads from the start, latest only what comes after', async () => {
    await fill(kafka, 'reset', 1, ['old-0', 'old-1']);
    const early = kafka.consumer({ groupId: 'reset-earliest', autoOffsetReset: 'earliest', ...FAST });
    const late = kafka.consumer({ groupId: 'reset-latest', autoOffsetReset: 'latest', ...FAST });
    await early.subscribe('reset');
    await late.subscribe('reset');
    const lateIt = late[Symbol.asyncIterator]();
    const pendingLate = take(lateIt, 1);
    assert.deepEqual(
      (await take(early[Symbol.asyncIterator](), 2)).map((r) => r.value!.toString()),
      ['old-0', 'old-1'],
    );
    await until(() => late.position({ topic: 'reset', partition: 0 }) === 2n, 'the latest consumer at the end');
    const producer = kafka.producer({ lingerMs: 0 });
    await producer.send({ topic: 'reset', messages: [{ value: 'new-2' }] });
    await producer.close();
    assert.deepEqual(
      (await pendingLate).map((r) => [r.offset, r.value!.toString()]),
      [[2n, 'new-2']],
    );
    await early.close();
    await late.close();
  });

  it('auto.offset.reset none: a clear error without a committed offset; resumes from one', async () => {
    await fill(kafka, 'reset-none', 2, ['a', 'b', 'c', 'd']);
    const group = kafka.consumer({ groupId: 'none-group', autoOffsetReset: 'none', ...FAST });
    await group.subscribe('reset-none');
    await assert.rejects(
      take(group[Symbol.asyncIterator](), 1),
      noOffset(
        'reset-none',
        0,
        /^no committed offset and auto\.offset\.reset is none for reset-none-0, reset-none-1: seek\(\) to a position first$/,
      ),
    );
    await group.close();

    await kafka.admin().alterGroupOffsets('none-group', [
      { topic: 'reset-none', partition: 0, offset: 1n },
      { topic: 'reset-none', partition: 1, offset: 2n },
    ]);
    const again = kafka.consumer({ groupId: 'none-group', autoOffsetReset: 'none', ...FAST });
    await again.subscribe('reset-none');
    assert.deepEqual(
      (await take(again[Symbol.asyncIterator](), 1)).map((r) => [r.partition, r.offset, r.value!.toString()]),
      [[0, 1n, 'c']],
    );
    await again.close();

    const manual = kafka.consumer({ autoOffsetReset: 'none' });
    manual.assign([{ topic: 'reset-none', partition: 1 }]);
    await assert.rejects(
      take(manual[Symbol.asyncIterator](), 1),
      noOffset('reset-none', 1, /^no committed offset and auto\.offset\.reset is none for reset-none-1/),
    );
    await manual.close();

    const outOfRange = kafka.consumer({ autoOffsetReset: 'none' });
    outOfRange.assign([{ topic: 'reset-none', partition: 1 }]);
    outOfRange.seek({ topic: 'reset-none', partition: 1 }, 99n);
    await assert.rejects(
      take(outOfRange[Symbol.asyncIterator](), 1),
      noOffset('reset-none', 1, /^the position is out of range and auto\.offset\.reset is none for reset-none-1/),
    );
    await outOfRange.close();
  });

  it('auto-commit every auto.commit.interval.ms while the consumer runs', async () => {
    await fill(kafka, 'autocommit', 1, ['x0', 'x1', 'x2', 'x3', 'x4']);
    const consumer = kafka.consumer({ groupId: 'auto', autoOffsetReset: 'earliest', autoCommitIntervalMs: 200, ...FAST });
    await consumer.subscribe('autocommit');
    const got: ConsumerRecord[] = [];
    const d = drain(consumer, got);
    await until(
      () => got.length === 5,
      'the 5 records',
      20_000,
      () => [d.error],
    );
    const admin = kafka.admin();
    let committed: bigint | undefined;
    await until(
      () => committed === 5n,
      'an auto-commit of offset 5 while running',
      20_000,
      () => {
        void admin.listGroupOffsets('auto').then((o) => (committed = o[0]?.offset));
        return [d.error];
      },
    );
    const producer = kafka.producer({ lingerMs: 0 });
    await producer.send({ topic: 'autocommit', messages: [{ value: 'x5' }] });
    await producer.close();
    await until(
      () => committed === 6n,
      'the next auto-commit after one more record',
      20_000,
      () => {
        void admin.listGroupOffsets('auto').then((o) => (committed = o[0]?.offset));
        return [d.error];
      },
    );
    await d.stop();
    await consumer.close();
  });

  it('commit() and commitAsync() with metadata; committed() and the admin read them back', async () => {
    await fill(kafka, 'manual-commit', 2, ['m0', 'm1', 'm2', 'm3']);
    const consumer = kafka.consumer({ groupId: 'manual', autoOffsetReset: 'earliest', autoCommit: false, ...FAST });
    await consumer.subscribe('manual-commit');
    await take(consumer[Symbol.asyncIterator](), 4);
    const p0 = { topic: 'manual-commit', partition: 0 };
    const p1 = { topic: 'manual-commit', partition: 1 };
    await consumer.commit([{ ...p0, offset: 1n, metadata: 'sync: through m0' }]);
    assert.deepEqual(await consumer.committed([p0, p1]), [{ ...p0, offset: 1n, metadata: 'sync: through m0' }, null]);
    const pending = consumer.commitAsync([{ ...p1, offset: 2n, metadata: 'async' }]);
    assert.ok(pending instanceof Promise);
    await pending;
    assert.deepEqual(await consumer.committed([p0, p1]), [
      { ...p0, offset: 1n, metadata: 'sync: through m0' },
      { ...p1, offset: 2n, metadata: 'async' },
    ]);
    assert.deepEqual(await kafka.admin().listGroupOffsets('manual'), [
      { ...p0, offset: 1n, metadata: 'sync: through m0' },
      { ...p1, offset: 2n, metadata: 'async' },
    ]);
    // without arguments: the positions of every assigned partition
    await consumer.commitAsync();
    assert.deepEqual(
      (await consumer.committed([p0, p1])).map((c) => c?.offset),
      [2n, 2n],
    );
    await consumer.close();
    assert.deepEqual(
      (await kafka.admin().listGroupOffsets('manual')).map((o) => o.offset),
      [2n, 2n],
      'autoCommit false: close commits nothing more',
    );
  });

  it('pause holds partitions back, resume lets them through; batches() come per partition', async () => {
    await fill(kafka, 'pausing', 2, ['p0-a', 'p1-a', 'p0-b', 'p1-b']);
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    const t0 = { topic: 'pausing', partition: 0 };
    const t1 = { topic: 'pausing', partition: 1 };
    consumer.assign([t0, t1]);
    consumer.pause([t1]);
    const it = consumer.batches();
    const first = (await it.next()).value as RecordBatchView;
    assert.deepEqual([first.partition, first.records.map((r) => r.value!.toString()), first.highWatermark], [0, ['p0-a', 'p0-b'], 2n]);
    const pendingNext = it.next();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(consumer.position(t1), 0n, 'nothing handed out from the paused partition');
    consumer.resume([t1]);
    const second = (await pendingNext).value as RecordBatchView;
    assert.deepEqual(
      [second.partition, second.records.map((r) => [r.offset, r.value!.toString()]), second.highWatermark],
      [
        1,
        [
          [0n, 'p1-a'],
          [1n, 'p1-b'],
        ],
        2n,
      ],
    );
    assert.deepEqual([consumer.position(t0), consumer.position(t1)], [2n, 2n]);
    await consumer.close();
  });
});
