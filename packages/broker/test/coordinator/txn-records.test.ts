// The transaction coordinator's building blocks: the __transaction_state records (exact bytes of
// value v0 as written, v1 with its tagged fields read), TransactionMetadata's transitions
// (prepare / complete discipline, illegal transitions refused), and a shard's load by replay
// (last value wins, tombstones remove, unknown key versions skipped) and append (the state changes
// only once the record is written; a failed append leaves it and clears the pending state).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, Writer, encodeTransactionLogValue } from '@tributary/protocol';
import { InMemoryCoordinatorLog } from '../../src/coordinator/group/index.ts';
import { decodeTransactionRecord, transactionLogKey, transactionRecord } from '../../src/coordinator/transaction/transaction-log.ts';
import { IllegalTransitionError, TransactionMetadata } from '../../src/coordinator/transaction/transaction-metadata.ts';
import { TransactionShard, appendErrorCode } from '../../src/coordinator/transaction/transaction-shard.ts';
import { TransactionState as S, stateFromName, stateName } from '../../src/coordinator/transaction/transaction-state.ts';
import { PartitionError } from '../../src/replica/partition-error.ts';

const meta = (over: Partial<ConstructorParameters<typeof TransactionMetadata>[1]> = {}) =>
  new TransactionMetadata('tx', {
    producerId: 7n,
    producerEpoch: 3,
    txnTimeoutMs: 60_000,
    state: S.Empty,
    txnLastUpdateTimestamp: 100,
    ...over,
  });

describe('transaction log records', () => {
  it('writes the key as v0 and the value as v0, partitions by topic, Empty with null partitions', () => {
    const m = meta({ state: S.Ongoing, topicPartitions: ['b-0', 'a-1', 'a-0'], txnStartTimestamp: 50 });
    const t = m.prepareAbortOrCommit(S.PrepareCommit, 200);
    const r = transactionRecord('tx', t);
    assert.equal(r.key.toString('hex'), '0000' + '0002' + Buffer.from('tx').toString('hex'));
    const hex = [
      '0000', // value version 0
      '0000000000000007', // producer id
      '0003', // epoch
      '0000ea60', // timeout 60000
      '02', // PrepareCommit
      '00000002', // two topics
      '0001' + '61' + '00000002' + '00000000' + '00000001', // a: [0, 1]
      '0001' + '62' + '00000001' + '00000000', // b: [0]
      '00000000000000c8', // last update 200
      '0000000000000032', // start 50
    ].join('');
    assert.equal(r.value!.toString('hex'), hex);
    const e = transactionRecord('tx', meta().prepareDead());
    assert.equal(e.value, null);
  });

  it('writes an Empty transaction with null partitions and reads back what it wrote', () => {
    const r = meta().prepareIncrementProducerEpoch(30_000, null, 300);
    assert.ok('transit' in r);
    const rec = transactionRecord('tx', r.transit);
    assert.equal(rec.value!.readInt32BE(17), -1); // null TransactionPartitions
    const back = decodeTransactionRecord(rec);
    assert.ok('metadata' in back && back.metadata);
    const m = back.metadata;
    assert.deepEqual(
      [
        m.producerId,
        m.producerEpoch,
        m.lastProducerEpoch,
        m.txnTimeoutMs,
        m.state,
        m.txnStartTimestamp,
        m.txnLastUpdateTimestamp,
        m.topicPartitions.size,
      ],
      [7n, 4, -1, 30_000, S.Empty, -1, 300, 0],
    );
  });

  it('reads value v1 with its tagged fields', () => {
    const w = new Writer();
    w.writeInt16(1);
    encodeTransactionLogValue(w, 1, {
      producerId: 9n,
      previousProducerId: 8n,
      nextProducerId: 10n,
      producerEpoch: 2,
      transactionTimeoutMs: 5000,
      transactionStatus: S.Ongoing,
      transactionPartitions: [{ topic: 't', partitionIds: [3] }],
      transactionLastUpdateTimestampMs: 10n,
      transactionStartTimestampMs: 5n,
      clientTransactionVersion: 2,
    });
    const back = decodeTransactionRecord({ key: transactionLogKey('x'), value: w.finish() });
    assert.ok('metadata' in back && back.metadata);
    const m = back.metadata;
    assert.deepEqual(
      [back.transactionalId, m.producerId, m.previousProducerId, m.nextProducerId, m.clientTransactionVersion, [...m.topicPartitions]],
      ['x', 9n, 8n, 10n, 2, ['t-3']],
    );
    assert.deepEqual(decodeTransactionRecord({ key: transactionLogKey('x'), value: null }), { transactionalId: 'x', metadata: null });
    assert.deepEqual(decodeTransactionRecord({ key: Buffer.from([0, 5, 0, 0]), value: null }), { unknownKeyVersion: 5 });
  });

  it('names states as Kafka does', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((s) => stateName(s as S)),
      ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'],
    );
    assert.equal(stateFromName('Ongoing'), S.Ongoing);
    assert.equal(stateFromName('ongoing'), undefined);
  });
});

describe('TransactionMetadata', () => {
  it('changes only on completeTransitionTo, and refuses a second prepare while one is pending', () => {
    const m = meta();
    const t = m.prepareAddPartitions(['t-0'], 500);
    assert.deepEqual([m.state, m.pendingState, m.topicPartitions.size], [S.Empty, S.Ongoing, 0]);
    assert.throws(() => m.prepareAddPartitions(['t-1'], 501), IllegalTransitionError);
    m.completeTransitionTo(t);
    assert.deepEqual(
      [m.state, m.pendingState, [...m.topicPartitions], m.txnStartTimestamp, m.txnLastUpdateTimestamp],
      [S.Ongoing, null, ['t-0'], 500, 500],
    );
    // adding more keeps the start time
    m.completeTransitionTo(m.prepareAddPartitions(['t-1'], 600));
    assert.deepEqual([m.txnStartTimestamp, m.topicPartitions.size], [500, 2]);
  });

  it('walks Ongoing -> PrepareAbort -> CompleteAbort -> Empty (epoch bump) and refuses illegal transitions', () => {
    const m = meta({ state: S.Ongoing, topicPartitions: ['t-0'], txnStartTimestamp: 10 });
    assert.throws(() => m.prepareComplete(20), IllegalTransitionError); // Ongoing -> CompleteAbort
    m.pendingState = null;
    m.completeTransitionTo(m.prepareAbortOrCommit(S.PrepareAbort, 20));
    m.completeTransitionTo(m.prepareComplete(30));
    assert.deepEqual([m.state, m.topicPartitions.size, m.txnStartTimestamp], [S.CompleteAbort, 0, 10]);
    const r = m.prepareIncrementProducerEpoch(1000, 3, 40);
    assert.ok('transit' in r);
    m.completeTransitionTo(r.transit);
    assert.deepEqual([m.state, m.producerEpoch, m.lastProducerEpoch, m.txnTimeoutMs], [S.Empty, 4, 3, 1000]);
    // a retry with the previous epoch gets the same epoch again; an older one is fenced
    const retry = m.prepareIncrementProducerEpoch(1000, 3, 50);
    assert.ok('transit' in retry);
    assert.equal(retry.transit.producerEpoch, 4);
    m.pendingState = null;
    assert.deepEqual(m.prepareIncrementProducerEpoch(1000, 1, 50), { error: 'PRODUCER_FENCED' });
    assert.throws(() => m.prepareAbortOrCommit(S.PrepareCommit, 60), IllegalTransitionError); // Empty -> PrepareCommit
  });

  it('fences with a bumped epoch (not bumped again after a failed fence) and rotates an exhausted producer id', () => {
    const m = meta({ state: S.Ongoing, producerEpoch: 10 });
    assert.equal(m.prepareFenceProducerEpoch().producerEpoch, 11);
    m.pendingState = null;
    m.hasFailedEpochFence = true;
    assert.equal(m.prepareFenceProducerEpoch().producerEpoch, 10);
    const e = meta({ producerEpoch: 32766 });
    assert.equal(e.isProducerEpochExhausted, true);
    assert.throws(() => e.prepareIncrementProducerEpoch(1, null, 1), IllegalTransitionError);
    const t = e.prepareProducerIdRotation(99n, 1000, 5, true);
    e.completeTransitionTo(t);
    assert.deepEqual([e.producerId, e.producerEpoch, e.lastProducerEpoch, e.previousProducerId], [99n, 0, 32766, 7n]);
  });
});

describe('TransactionShard', () => {
  it('loads by replay: the last value of an id wins, tombstones remove it, unknown key versions are skipped', async () => {
    const log = new InMemoryCoordinatorLog();
    const a = meta();
    const r = a.prepareIncrementProducerEpoch(1000, null, 1);
    assert.ok('transit' in r);
    await log.append([transactionRecord('a', r.transit)]);
    await log.append([{ key: Buffer.from([0, 9, 1, 2]), value: Buffer.from([0]) }]);
    a.completeTransitionTo(r.transit);
    await log.append([transactionRecord('a', a.prepareAddPartitions(['t-0', 't-1'], 5))]);
    await log.append([transactionRecord('gone', meta().prepareAddPartitions(['t-0'], 5))]);
    await log.append([{ key: transactionLogKey('gone'), value: null }]);
    const shard = new TransactionShard(0, 4, log);
    assert.equal(shard.state, 'loading');
    await shard.load();
    assert.equal(shard.state, 'active');
    assert.equal(shard.unknownKeys, 1);
    assert.deepEqual([...shard.transactions.keys()], ['a']);
    const loaded = shard.transactions.get('a')!;
    assert.deepEqual(
      [loaded.state, loaded.producerEpoch, [...loaded.topicPartitions].sort(), loaded.pendingState],
      [S.Ongoing, 4, ['t-0', 't-1'], null],
    );
  });

  it('completes a transition once appended; a failed append leaves the state and maps the error as Kafka', async () => {
    const log = new InMemoryCoordinatorLog();
    const shard = new TransactionShard(0, 0, log);
    await shard.load();
    const m = meta();
    shard.transactions.set('tx', m);
    assert.equal(await shard.append(m, m.prepareAddPartitions(['t-0'], 5)), ErrorCode.NONE);
    assert.equal(m.state, S.Ongoing);
    log.failAppends = new PartitionError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'moved');
    assert.equal(await shard.append(m, m.prepareAddPartitions(['t-1'], 6)), ErrorCode.NOT_COORDINATOR);
    assert.deepEqual([m.pendingState, m.topicPartitions.size], [null, 1]);
    log.failAppends = new PartitionError(ErrorCode.NOT_ENOUGH_REPLICAS, 'isr');
    assert.equal(await shard.append(m, m.prepareAddPartitions(['t-1'], 6), () => true), ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(m.pendingState, S.Ongoing, 'kept for the caller to retry');
    m.pendingState = null;
    log.failAppends = null;
    shard.unload();
    assert.equal(await shard.append(m, m.prepareAddPartitions(['t-1'], 6)), ErrorCode.NOT_COORDINATOR);
    assert.deepEqual(
      [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.INVALID_RECORD].map((c) =>
        appendErrorCode(new PartitionError(c, '')),
      ),
      [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR, ErrorCode.UNKNOWN_SERVER_ERROR, ErrorCode.INVALID_RECORD],
    );
    assert.equal(appendErrorCode(new Error('disk')), ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  it('answers NOT_COORDINATOR when unloaded while the append was in flight (the state is not changed)', async () => {
    const log = new InMemoryCoordinatorLog();
    const shard = new TransactionShard(0, 0, log);
    await shard.load();
    const m = meta();
    shard.transactions.set('tx', m);
    const pending = shard.append(m, m.prepareAddPartitions(['t-0'], 5));
    shard.unload();
    assert.equal(await pending, ErrorCode.NOT_COORDINATOR);
    assert.equal(m.state, S.Empty);
    assert.equal(log.records.length, 1);
  });
});
