// Transactions end to end against a Tributary broker: a committed transaction read by a
// read_committed consumer; an aborted one invisible to it (and visible to read_uncommitted);
// records after an open transaction held back until it ends (the last stable offset);
// consume-transform-produce with sendOffsetsToTransaction and the group's committed offsets;
// fencing of an older producer with the same transactional id.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type TestBroker } from '@tributary/testkit';
import { Kafka } from '../../src/kafka.ts';
import type { ConsumerRecord } from '../../src/api.ts';
import { take } from './helpers.ts';

let broker: TestBroker;

async function readAll(kafka: Kafka, topic: string, partition: number, n: number, isolationLevel: 'read_committed' | 'read_uncommitted') {
  const consumer = kafka.consumer({ autoOffsetReset: 'earliest', isolationLevel });
  consumer.assign([{ topic, partition }]);
  try {
    const got = await take(consumer[Symbol.asyncIterator](), n, 10_000);
    return got.map((r: ConsumerRecord) => `${r.offset}:${r.value!.toString()}`);
  } finally {
    await consumer.close();
  }
}

describe('transactions against a Tributary broker', () => {
  before(async () => {
    broker = await startBroker({ settings: { 'num.partitions': 1 } });
  });
  after(async () => {
    await broker?.stop();
  });

  it('committed records are read by read_committed; aborted ones only by read_uncommitted', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    await kafka.admin().createTopics([{ name: 'txn-basic', partitions: 1 }]);
    const p = kafka.producer({ transactionalId: 'it-basic' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send({ topic: 'txn-basic', messages: [{ value: 'c0' }, { value: 'c1' }] });
    await p.commitTransaction();
    p.beginTransaction();
    await p.send({ topic: 'txn-basic', messages: [{ value: 'a0' }] });
    await p.abortTransaction();
    p.beginTransaction();
    await p.send({ topic: 'txn-basic', messages: [{ value: 'c2' }] });
    await p.commitTransaction();
    // offsets: c0 0, c1 1, COMMIT 2, a0 3, ABORT 4, c2 5, COMMIT 6
    assert.deepEqual(await readAll(kafka, 'txn-basic', 0, 3, 'read_committed'), ['0:c0', '1:c1', '5:c2']);
    assert.deepEqual(await readAll(kafka, 'txn-basic', 0, 4, 'read_uncommitted'), ['0:c0', '1:c1', '3:a0', '5:c2']);
    const [latest] = await kafka.admin().listOffsets('txn-basic', 'latest');
    assert.equal(latest!.offset, 7n);
    await p.close();
    await kafka.close();
  });

  it('an open transaction holds read_committed consumers at the last stable offset until it commits', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    await kafka.admin().createTopics([{ name: 'txn-lso', partitions: 1 }]);
    const txn = kafka.producer({ transactionalId: 'it-lso' });
    const plain = kafka.producer();
    await txn.initTransactions();
    txn.beginTransaction();
    await txn.send({ topic: 'txn-lso', messages: [{ value: 'open' }] });
    await plain.send({ topic: 'txn-lso', messages: [{ value: 'after' }] });
    // (a timed-out take leaves its next() pending, which would swallow a record: a consumer of its own)
    const held = kafka.consumer({ autoOffsetReset: 'earliest', isolationLevel: 'read_committed' });
    held.assign([{ topic: 'txn-lso', partition: 0 }]);
    await assert.rejects(take(held[Symbol.asyncIterator](), 1, 1_000), /timed out after 0 of 1/);
    await held.close();
    await txn.commitTransaction();
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest', isolationLevel: 'read_committed' });
    consumer.assign([{ topic: 'txn-lso', partition: 0 }]);
    const got = await take(consumer[Symbol.asyncIterator](), 2, 10_000);
    assert.deepEqual(
      got.map((r) => `${r.offset}:${r.value!.toString()}`),
      ['0:open', '1:after'],
    );
    await consumer.close();
    await txn.close();
    await plain.close();
    await kafka.close();
  });

  it('consume-transform-produce: output records and the input offsets commit together', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    await kafka.admin().createTopics([
      { name: 'txn-in', partitions: 1 },
      { name: 'txn-out', partitions: 1 },
    ]);
    const seed = kafka.producer();
    await seed.send({ topic: 'txn-in', messages: ['x', 'y', 'z'].map((value) => ({ value })) });
    const consumer = kafka.consumer({
      groupId: 'txn-group',
      autoOffsetReset: 'earliest',
      autoCommit: false,
      isolationLevel: 'read_committed',
    });
    await consumer.subscribe(['txn-in']);
    const input = await take(consumer[Symbol.asyncIterator](), 3, 15_000);
    const p = kafka.producer({ transactionalId: 'it-ctp' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send({ topic: 'txn-out', messages: input.map((r) => ({ value: r.value!.toString().toUpperCase() })) });
    await p.sendOffsetsToTransaction([{ topic: 'txn-in', partition: 0, offset: input.at(-1)!.offset + 1n }], consumer.groupMetadata());
    await p.commitTransaction();
    assert.deepEqual(await kafka.admin().listGroupOffsets('txn-group'), [{ topic: 'txn-in', partition: 0, offset: 3n, metadata: '' }]);
    assert.deepEqual(await readAll(kafka, 'txn-out', 0, 3, 'read_committed'), ['0:X', '1:Y', '2:Z']);
    await consumer.close();
    await p.close();
    await seed.close();
    await kafka.close();
  });

  it('a second producer with the same transactional id fences the first (PRODUCER_FENCED) and aborts its transaction', async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    await kafka.admin().createTopics([{ name: 'txn-fence', partitions: 1 }]);
    const first = kafka.producer({ transactionalId: 'it-fence' });
    await first.initTransactions();
    first.beginTransaction();
    await first.send({ topic: 'txn-fence', messages: [{ value: 'zombie' }] });
    const second = kafka.producer({ transactionalId: 'it-fence' });
    await second.initTransactions();
    await assert.rejects(first.commitTransaction(), (e: any) => e.type === 'PRODUCER_FENCED');
    second.beginTransaction();
    await second.send({ topic: 'txn-fence', messages: [{ value: 'live' }] });
    await second.commitTransaction();
    const committed = await readAll(kafka, 'txn-fence', 0, 1, 'read_committed');
    assert.deepEqual(
      committed.map((x) => x.split(':')[1]),
      ['live'],
    );
    await first.close();
    await second.close();
    await kafka.close();
  });
});
