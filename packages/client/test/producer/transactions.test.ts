// The transactional producer against a fake transaction coordinator (helpers/txn-broker.ts):
// the request sequence of a transaction (FindCoordinator key type 1, InitProducerId with the
// transactional id, one AddPartitionsToTxn for the partitions of a tick, before their first
// Produce, transactional batches with the transactional id, AddOffsetsToTxn then TxnOffsetCommit
// to the group coordinator, EndTxn after every batch is answered); abort (batches never sent
// fail with TRANSACTION_ABORTED, EndTxn only when something was added); retriable coordinator
// errors retried as Java; fencing fatal; a failed batch abortable, then an epoch bump on abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { Kafka } from '../../src/kafka.ts';
import { startTxnBroker, type TxnBroker } from '../helpers/txn-broker.ts';

async function withTxn(fn: (b: TxnBroker, kafka: Kafka) => Promise<void>, config: { partitions?: number } = {}) {
  const b = await startTxnBroker({ partitions: config.partitions ?? 2 });
  const kafka = new Kafka({ bootstrapServers: b.address });
  try {
    await fn(b, kafka);
  } finally {
    await kafka.close();
    await b.close();
  }
}

const bodies = (b: TxnBroker, apiKey: number) => b.fake.requests.filter((r) => r.header.apiKey === apiKey);

test('a committed transaction: the requests in order, partitions added before their first produce', () =>
  withTxn(async (b, kafka) => {
    const p = kafka.producer({ transactionalId: 'tx-1', transactionTimeoutMs: 30_000 });
    await kafka.admin().describeTopics(['t', 'u']); // metadata known: both sends append in one tick
    await p.initTransactions();
    p.beginTransaction();
    const sends = [
      p.send({
        topic: 't',
        messages: [
          { value: 'a', partition: 0 },
          { value: 'b', partition: 1 },
        ],
      }),
      p.send({ topic: 'u', messages: [{ value: 'c', partition: 0 }] }),
    ];
    const meta = (await Promise.all(sends)).flat();
    assert.deepEqual(
      meta.map((m) => [m.topic, m.partition, m.offset]),
      [
        ['t', 0, 0n],
        ['t', 1, 0n],
        ['u', 0, 0n],
      ],
    );
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 42n, metadata: 'm' }], {
      groupId: 'g',
      generationId: 5,
      memberId: 'member-1',
      groupInstanceId: null,
    });
    await p.commitTransaction();
    assert.deepEqual(b.calls(), [
      'FindCoordinator',
      'InitProducerId',
      'AddPartitionsToTxn',
      'Produce',
      'AddOffsetsToTxn',
      'FindCoordinator',
      'TxnOffsetCommit',
      'EndTxn',
    ]);
    const [find] = bodies(b, ApiKey.FindCoordinator);
    assert.deepEqual([find!.body.keyType, find!.body.key], [1, 'tx-1']);
    const [init] = bodies(b, ApiKey.InitProducerId);
    assert.deepEqual(
      [init!.body.transactionalId, init!.body.transactionTimeoutMs, init!.body.producerId, init!.body.producerEpoch],
      ['tx-1', 30_000, -1n, -1],
    );
    const [add] = bodies(b, ApiKey.AddPartitionsToTxn);
    assert.ok(add!.header.apiVersion <= 3);
    assert.deepEqual(add!.body.v3AndBelowTopics, [
      { name: 't', partitions: [0, 1] },
      { name: 'u', partitions: [0] },
    ]);
    const [produce] = bodies(b, ApiKey.Produce);
    assert.equal(produce!.body.transactionalId, 'tx-1');
    assert.ok(b.attempts.every((a) => a.transactional && a.producerId === 7000n && a.epoch === 0));
    assert.deepEqual(bodies(b, ApiKey.FindCoordinator)[1]!.body.keyType, 0);
    const [commit] = bodies(b, ApiKey.TxnOffsetCommit);
    assert.deepEqual(
      [commit!.body.groupId, commit!.body.generationId, commit!.body.memberId, commit!.body.topics[0].partitions[0].committedOffset],
      ['g', 5, 'member-1', 42n],
    );
    assert.deepEqual(bodies(b, ApiKey.EndTxn)[0]!.body.committed, true);
    assert.deepEqual(b.markers, [
      { transactionalId: 'tx-1', producerId: 7000n, epoch: 0, commit: true, partitions: ['t-0', 't-1', 'u-0'] },
    ]);
    assert.equal(b.committedOffsets.get('g/in/0'), 42n);

    // the next transaction adds its partitions again; sequences go on
    p.beginTransaction();
    await p.send({ topic: 't', messages: [{ value: 'd', partition: 0 }] });
    await p.commitTransaction();
    assert.deepEqual(b.calls().slice(-3), ['AddPartitionsToTxn', 'Produce', 'EndTxn']);
    assert.deepEqual(b.attempts.at(-1)!.baseSequence, 1);
    assert.deepEqual(b.log(0), ['a', 'd']);
    assert.deepEqual(b.log(0, 'u'), ['c']);
    await p.close();
  }));

test('abort: batches never sent fail with TRANSACTION_ABORTED; EndTxn(abort) only when something was added', () =>
  withTxn(async (b, kafka) => {
    const p = kafka.producer({ transactionalId: 'tx-2', retryBackoffMs: 10 });
    await p.initTransactions();
    p.beginTransaction();
    await p.send({ topic: 't', messages: [{ value: 'in', partition: 0 }] });
    await p.abortTransaction();
    assert.deepEqual(
      bodies(b, ApiKey.EndTxn).map((r) => r.body.committed),
      [false],
    );
    assert.deepEqual(
      b.markers.map((m) => m.commit),
      [false],
    );

    // the coordinator keeps answering CONCURRENT_TRANSACTIONS: the batch waits in the accumulator, then is dropped
    b.fail(ApiKey.AddPartitionsToTxn, ErrorCode.CONCURRENT_TRANSACTIONS, 1000);
    p.beginTransaction();
    const waiting = p.send({ topic: 't', messages: [{ value: 'never', partition: 1 }] });
    waiting.catch(() => {});
    await new Promise((r) => setTimeout(r, 100));
    await p.abortTransaction();
    await assert.rejects(waiting, (e: any) => e.type === 'TRANSACTION_ABORTED');
    assert.equal(bodies(b, ApiKey.EndTxn).length, 1, 'nothing was added: no EndTxn');
    assert.deepEqual(b.log(1), []);
    await p.close();
  }));

test('retriable coordinator errors are retried (finding the coordinator again when it moved)', () =>
  withTxn(async (b, kafka) => {
    b.fail(ApiKey.FindCoordinator, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    b.fail(ApiKey.InitProducerId, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    b.fail(ApiKey.InitProducerId, ErrorCode.NOT_COORDINATOR);
    b.fail(ApiKey.AddPartitionsToTxn, ErrorCode.CONCURRENT_TRANSACTIONS);
    b.fail(ApiKey.EndTxn, ErrorCode.CONCURRENT_TRANSACTIONS);
    b.fail(ApiKey.EndTxn, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const p = kafka.producer({ transactionalId: 'tx-3', retryBackoffMs: 10 });
    await p.initTransactions();
    p.beginTransaction();
    await p.send({ topic: 't', messages: [{ value: 'x', partition: 0 }] });
    await p.commitTransaction();
    assert.deepEqual(b.calls(), [
      'FindCoordinator', // COORDINATOR_NOT_AVAILABLE
      'FindCoordinator',
      'InitProducerId', // COORDINATOR_LOAD_IN_PROGRESS
      'InitProducerId', // NOT_COORDINATOR: find again
      'FindCoordinator',
      'InitProducerId',
      'AddPartitionsToTxn', // CONCURRENT_TRANSACTIONS
      'AddPartitionsToTxn',
      'Produce',
      'EndTxn', // CONCURRENT_TRANSACTIONS
      'EndTxn', // COORDINATOR_NOT_AVAILABLE: find again
      'FindCoordinator',
      'EndTxn',
    ]);
    assert.deepEqual(
      b.markers.map((m) => m.commit),
      [true],
    );
    await p.close();
  }));

test('fenced by a newer producer with the same transactional id: PRODUCER_FENCED, fatal', () =>
  withTxn(async (b, kafka) => {
    const first = kafka.producer({ transactionalId: 'tx-4' });
    await first.initTransactions();
    first.beginTransaction();
    await first.send({ topic: 't', messages: [{ value: 'old', partition: 0 }] });
    const second = kafka.producer({ transactionalId: 'tx-4' });
    await second.initTransactions(); // epoch 1: the first producer's transaction is aborted
    assert.deepEqual(
      b.markers.map((m) => [m.epoch, m.commit]),
      [[0, false]],
    );
    await assert.rejects(first.commitTransaction(), (e: any) => e.type === 'PRODUCER_FENCED' && e.retriable === false);
    await assert.rejects(first.send({ topic: 't', messages: [{ value: 'x' }] }), (e: any) => e.type === 'PRODUCER_FENCED');
    await assert.rejects(first.abortTransaction(), (e: any) => e.type === 'PRODUCER_FENCED');
    assert.throws(
      () => first.beginTransaction(),
      (e: any) => e.type === 'PRODUCER_FENCED',
    );
    second.beginTransaction();
    await second.send({ topic: 't', messages: [{ value: 'new', partition: 0 }] });
    await second.commitTransaction();
    assert.deepEqual(b.log(0), ['old', 'new']);
    await first.close();
    await second.close();
  }));

test('fatal coordinator answers: INVALID_PRODUCER_EPOCH on InitProducerId, TRANSACTIONAL_ID_AUTHORIZATION_FAILED', () =>
  withTxn(async (b, kafka) => {
    b.fail(ApiKey.InitProducerId, ErrorCode.INVALID_PRODUCER_EPOCH);
    const p = kafka.producer({ transactionalId: 'tx-5' });
    await assert.rejects(p.initTransactions(), (e: any) => e.type === 'PRODUCER_FENCED');
    b.fail(ApiKey.FindCoordinator, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const q = kafka.producer({ transactionalId: 'tx-6' });
    await assert.rejects(q.initTransactions(), (e: any) => e.type === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
    assert.throws(
      () => q.beginTransaction(),
      (e: any) => e.type === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
    );
  }));

test('a batch failing for good makes the transaction abortable; the abort bumps the epoch (KIP-360)', () =>
  withTxn(async (b, kafka) => {
    const p = kafka.producer({ transactionalId: 'tx-7' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send({ topic: 't', messages: [{ value: 'ok', partition: 0 }] });
    b.produceFault = (a) => (a.values[0] === 'bad' ? { error: ErrorCode.INVALID_RECORD } : undefined);
    await assert.rejects(p.send({ topic: 't', messages: [{ value: 'bad', partition: 1 }] }), (e: any) => e.type === 'INVALID_RECORD');
    await assert.rejects(p.send({ topic: 't', messages: [{ value: 'x', partition: 0 }] }), (e: any) => e.type === 'INVALID_RECORD');
    await assert.rejects(p.commitTransaction(), (e: any) => e.type === 'INVALID_RECORD');
    await p.abortTransaction();
    // EndTxn(abort), then InitProducerId with the current id and epoch: epoch 1, sequences from 0
    assert.deepEqual(b.calls().slice(-2), ['EndTxn', 'InitProducerId']);
    const bump = bodies(b, ApiKey.InitProducerId).at(-1)!.body;
    assert.deepEqual([bump.transactionalId, bump.producerId, bump.producerEpoch], ['tx-7', 7000n, 0]);
    p.beginTransaction();
    await p.send({ topic: 't', messages: [{ value: 'next', partition: 0 }] });
    await p.commitTransaction();
    const last = b.attempts.at(-1)!;
    assert.deepEqual([last.epoch, last.baseSequence], [1, 0]);
    assert.deepEqual(
      b.markers.map((m) => [m.epoch, m.commit]),
      [
        [0, false],
        [1, true],
      ],
    );
    assert.deepEqual(b.log(0), ['ok', 'next']);
    await p.close();
  }));

test('illegal calls: send before initTransactions or outside a transaction; transactional calls on a plain producer', () =>
  withTxn(async (_b, kafka) => {
    const p = kafka.producer({ transactionalId: 'tx-8' });
    await assert.rejects(
      p.send({ topic: 't', messages: [{ value: 'x' }] }),
      (e: any) => e.type === 'ILLEGAL_STATE' && /initTransactions/.test(e.message),
    );
    assert.throws(
      () => p.beginTransaction(),
      (e: any) => e.type === 'ILLEGAL_STATE' && /initTransactions/.test(e.message),
    );
    await p.initTransactions();
    await assert.rejects(
      p.send({ topic: 't', messages: [{ value: 'x' }] }),
      (e: any) => e.type === 'ILLEGAL_STATE' && /beginTransaction/.test(e.message),
    );
    await assert.rejects(p.commitTransaction(), (e: any) => e.type === 'ILLEGAL_STATE');
    await assert.rejects(p.sendOffsetsToTransaction([], 'g'), (e: any) => e.type === 'ILLEGAL_STATE');
    const plain = kafka.producer();
    await assert.rejects(plain.initTransactions(), (e: any) => e.type === 'ILLEGAL_STATE' && /transactionalId/.test(e.message));
    assert.throws(
      () => kafka.producer({ transactionalId: 'x', acks: 1 }),
      (e: any) => e.type === 'INVALID_CONFIG',
    );
    assert.throws(
      () => kafka.producer({ transactionalId: '' }),
      (e: any) => e.type === 'INVALID_CONFIG',
    );
    // what sendOffsetsToTransaction takes from a consumer
    assert.throws(
      () => kafka.consumer({}).groupMetadata(),
      (e: any) => e.type === 'INVALID_GROUP_ID',
    );
    assert.deepEqual(kafka.consumer({ groupId: 'g', groupInstanceId: 'i' }).groupMetadata(), {
      groupId: 'g',
      generationId: -1,
      memberId: '',
      groupInstanceId: 'i',
    });
  }));

test('KafkaJS style: transaction() initializes on first use; sendOffsets with a group id; close() aborts an open transaction', () =>
  withTxn(async (b, kafka) => {
    const p = kafka.producer({ transactionalId: 'tx-9' });
    const txn = await p.transaction();
    assert.equal(txn.isActive(), true);
    await txn.send({ topic: 't', messages: [{ value: 'k1', partition: 0 }] });
    await txn.sendOffsets([{ topic: 'in', partition: 1, offset: 7n }], 'plain-group');
    await txn.commit();
    assert.equal(txn.isActive(), false);
    await assert.rejects(txn.send({ topic: 't', messages: [{ value: 'late' }] }), (e: any) => e.type === 'ILLEGAL_STATE');
    const [commit] = bodies(b, ApiKey.TxnOffsetCommit);
    assert.deepEqual([commit!.body.generationId, commit!.body.memberId, commit!.body.groupInstanceId], [-1, '', null]);
    assert.equal(b.committedOffsets.get('plain-group/in/1'), 7n);
    const open = await p.transaction();
    await open.send({ topic: 't', messages: [{ value: 'k2', partition: 0 }] });
    await p.close();
    assert.deepEqual(
      b.markers.map((m) => m.commit),
      [true, false],
    );
  }));

test('sendOffsetsToTransaction: a moved group coordinator is found again; a stale generation makes the transaction abortable', () =>
  withTxn(async (b, kafka) => {
    const p = kafka.producer({ transactionalId: 'tx-10', retryBackoffMs: 10 });
    await p.initTransactions();
    p.beginTransaction();
    b.fail(ApiKey.TxnOffsetCommit, ErrorCode.NOT_COORDINATOR);
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 3n }], 'g');
    assert.deepEqual(b.calls().slice(-5), ['AddOffsetsToTxn', 'FindCoordinator', 'TxnOffsetCommit', 'FindCoordinator', 'TxnOffsetCommit']);
    b.fail(ApiKey.TxnOffsetCommit, ErrorCode.ILLEGAL_GENERATION);
    await assert.rejects(
      p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 4n }], {
        groupId: 'g',
        generationId: 1,
        memberId: 'm',
        groupInstanceId: null,
      }),
      (e: any) => e.type === 'COMMIT_FAILED',
    );
    await assert.rejects(p.commitTransaction(), (e: any) => e.type === 'COMMIT_FAILED');
    await p.abortTransaction();
    assert.equal(b.committedOffsets.size, 0, 'the aborted transaction committed no offsets');
    await p.close();
  }));

test('initTransactions past max.block.ms: REQUEST_TIMED_OUT, and calling it again resumes', () =>
  withTxn(async (b, kafka) => {
    b.fail(ApiKey.FindCoordinator, ErrorCode.COORDINATOR_NOT_AVAILABLE, 5);
    const p = kafka.producer({ transactionalId: 'tx-11', retryBackoffMs: 20, maxBlockMs: 50 });
    await assert.rejects(p.initTransactions(), (e: any) => e.type === 'REQUEST_TIMED_OUT' && e.retriable === true);
    for (let i = 0; i < 10; i++) {
      try {
        await p.initTransactions();
        break;
      } catch (e: any) {
        assert.equal(e.type, 'REQUEST_TIMED_OUT');
      }
    }
    p.beginTransaction();
    await p.send({ topic: 't', messages: [{ value: 'after', partition: 0 }] });
    await p.commitTransaction();
    assert.deepEqual(b.log(0), ['after']);
    await p.close();
  }));
