// The idempotent producer with up to 5 requests in flight per partition, against a fake broker
// whose partitions check sequences with the broker's own ProducerStateManager
// (helpers/sequence-broker.ts), with faults injected: each test asserts the partition's log
// (every record exactly once, in send order) and the offsets `send` resolved with.
//   - 5 batches of one partition leave before any answer, with consecutive sequences;
//   - the first of 5 in-flight batches refused (NOT_LEADER_OR_FOLLOWER): the 4 behind it get
//     OUT_OF_ORDER_SEQUENCE_NUMBER from the partition and go again, in order, after it;
//   - connections dropped before or after the broker appended: retries are recognized as duplicates;
//   - a real sequence gap (OUT_OF_ORDER for the next batch) and a sent batch that expired: epoch bump
//     through InitProducerId with the current id and epoch (KIP-360), sequences from 0 under it;
//   - the defaults (idempotence on, as Java since 3.0) and `idempotent: false`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { idempotenceOf } from '../../src/producer/producer.ts';
import { startSequenceBroker, type Fault, type ProduceAttempt } from '../helpers/sequence-broker.ts';

const values = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Sends `n` one-record batches to partition 0 (batchSize 1 byte: one record per batch), all at once. */
async function run(fault: (a: ProduceAttempt) => Fault, n = 12, config: Record<string, unknown> = {}) {
  const b = await startSequenceBroker({ fault });
  const kafka = new Kafka({ bootstrapServers: b.address, requestTimeoutMs: 2_000, reconnectBackoffMs: 5, reconnectBackoffMaxMs: 20 });
  try {
    const p = kafka.producer({ batchSize: 1, retryBackoffMs: 5, ...config });
    await p.send({ topic: 't', messages: [{ value: 'warm', partition: 0 }] });
    const sent = values('v', n);
    const meta = await Promise.all(sent.map((value) => p.send({ topic: 't', messages: [{ value, partition: 0 }] })));
    await p.close();
    return { b, sent, offsets: meta.map(([m]) => m!.offset) };
  } finally {
    await kafka.close();
    await b.close();
  }
}

function assertExactlyOnce(r: Awaited<ReturnType<typeof run>>): void {
  assert.deepEqual(r.b.log(0), ['warm', ...r.sent], 'every record once, in send order');
  assert.deepEqual(
    r.offsets,
    r.sent.map((_, i) => BigInt(i + 1)),
    'offsets as written',
  );
}

test('five batches of one partition leave before any answer, with consecutive sequences', async () => {
  let release = () => {};
  let gate: Promise<void> | null = null;
  const b = await startSequenceBroker({ hold: () => gate ?? Promise.resolve() });
  const kafka = new Kafka({ bootstrapServers: b.address });
  try {
    const p = kafka.producer({ batchSize: 1 });
    await p.send({ topic: 't', messages: [{ value: 'warm', partition: 0 }] });
    gate = new Promise<void>((r) => (release = r));
    const before = b.fake.framesReceived;
    const sending = Promise.all(values('v', 12).map((value) => p.send({ topic: 't', messages: [{ value, partition: 0 }] })));
    for (let i = 0; i < 200 && b.fake.framesReceived < before + 5; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(b.fake.framesReceived - before, 5, 'five Produce requests out, none answered');
    gate = null;
    release();
    const meta = await sending;
    assert.deepEqual(
      meta.map(([m]) => m!.offset),
      values('v', 12).map((_, i) => BigInt(i + 1)),
    );
    assert.deepEqual(
      b.attempts.map((a) => [a.producerId, a.epoch, a.baseSequence]),
      Array.from({ length: 13 }, (_, i) => [1000n, 0, i]),
    );
    assert.deepEqual(b.log(0), ['warm', ...values('v', 12)]);
    await p.close();
  } finally {
    release();
    await kafka.close();
    await b.close();
  }
});

test('the first of five in-flight batches refused: the ones behind it are retried after it, in order', async () => {
  const r = await run((a) => (a.n === 2 ? { error: ErrorCode.NOT_LEADER_OR_FOLLOWER } : undefined));
  assertExactlyOnce(r);
  const codes = r.b.attempts.slice(1, 6).map((a) => a.baseSequence);
  assert.deepEqual(codes, [1, 2, 3, 4, 5], 'five out at once');
  // the partition answered OUT_OF_ORDER to the four behind the refused one: none was written twice
  assert.equal(r.b.initRequests.length, 1, 'no epoch bump: the gap was ours');
  const retried = r.b.attempts.slice(6).map((a) => a.baseSequence);
  assert.deepEqual(retried.slice(0, 5), [1, 2, 3, 4, 5], 'retried in sequence order');
});

test('a connection dropped after the broker appended: the retries are answered as duplicates', async () => {
  const r = await run((a) => (a.n === 3 ? 'drop-after-append' : undefined));
  assertExactlyOnce(r);
  assert.ok(r.b.attempts.filter((a) => a.baseSequence === 2).length >= 2, 'the appended batch was sent again');
});

test('a connection dropped before the broker appended: the batch and those behind it go again', async () => {
  const r = await run((a) => (a.n === 4 ? 'drop' : undefined));
  assertExactlyOnce(r);
});

test('a real sequence gap (OUT_OF_ORDER for the next batch): epoch bump with the current id, sequences from 0', async () => {
  let faulted = false;
  const r = await run((a) => {
    if (!faulted && a.baseSequence === 3) {
      faulted = true;
      return { error: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    return undefined;
  }, 6);
  assertExactlyOnce(r);
  assert.deepEqual(r.b.initRequests, [
    { producerId: -1n, producerEpoch: -1, transactionalId: null },
    { producerId: 1000n, producerEpoch: 0, transactionalId: null },
  ]);
  const after = r.b.attempts.filter((a) => a.epoch === 1);
  assert.equal(after[0]!.baseSequence, 0, 'the failed batch first, at sequence 0 of the new epoch');
  assert.deepEqual(
    after.map((a) => a.values[0]),
    ['v2', 'v3', 'v4', 'v5'],
  );
});

test('a sent batch that expires unanswered: the next batch goes under a bumped epoch from sequence 0', async () => {
  const b = await startSequenceBroker({ fault: (a) => (a.values[0] === 'lost' ? 'drop' : undefined) });
  const kafka = new Kafka({ bootstrapServers: b.address, reconnectBackoffMs: 5, reconnectBackoffMaxMs: 20 });
  try {
    const p = kafka.producer({ retryBackoffMs: 20, deliveryTimeoutMs: 300 });
    await p.send({ topic: 't', messages: [{ value: 'a', partition: 0 }] });
    await assert.rejects(p.send({ topic: 't', messages: [{ value: 'lost', partition: 0 }] }), (e: any) => e.type === 'REQUEST_TIMED_OUT');
    const [m] = await p.send({ topic: 't', messages: [{ value: 'b', partition: 0 }] });
    assert.equal(m!.offset, 1n);
    assert.deepEqual(b.log(0), ['a', 'b']);
    const last = b.attempts.at(-1)!;
    assert.deepEqual([last.producerId, last.epoch, last.baseSequence], [1000n, 1, 0]);
    assert.deepEqual(b.initRequests.at(-1), { producerId: 1000n, producerEpoch: 0, transactionalId: null });
    await p.close();
  } finally {
    await kafka.close();
    await b.close();
  }
});

test('idempotent: false sends batches without producer id or sequence, and never asks for an id', async () => {
  const r = await run(() => undefined, 3, { idempotent: false });
  assert.deepEqual(r.b.log(0), ['warm', 'v0', 'v1', 'v2']);
  assert.equal(r.b.initRequests.length, 0);
  assert.ok(r.b.attempts.every((a) => a.producerId === -1n && a.baseSequence === -1));
});

test('idempotence by default, as Java since 3.0; conflicting settings turn the default off or are refused', () => {
  assert.equal(idempotenceOf({}), true);
  assert.equal(idempotenceOf({ acks: 'all', maxInFlight: 5 }), true);
  assert.equal(idempotenceOf({ acks: 1 }), false);
  assert.equal(idempotenceOf({ acks: 0 }), false);
  assert.equal(idempotenceOf({ maxInFlight: 6 }), false);
  assert.equal(idempotenceOf({ idempotent: false }), false);
  assert.throws(() => idempotenceOf({ idempotent: true, acks: 1 }), /needs acks/);
  assert.throws(() => idempotenceOf({ idempotent: true, maxInFlight: 10 }), /maxInFlight <= 5/);
  assert.equal(idempotenceOf({ transactionalId: 'tx' }), true);
  assert.throws(() => idempotenceOf({ transactionalId: 'tx', idempotent: false }), /INVALID_CONFIG|conflicts/);
  assert.throws(() => idempotenceOf({ transactionalId: 'tx', acks: 1 }), /needs acks/);
});
