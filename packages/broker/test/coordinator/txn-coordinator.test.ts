// The transaction coordinator over in-memory __transaction_state partitions, a manual clock and a
// fake marker writer: InitProducerId (new id, epoch bumps, KIP-360 checks, fencing an ongoing
// transaction, epoch exhaustion), AddPartitions, EndTxn (commit and abort, markers, completion,
// CONCURRENT_TRANSACTIONS while markers are pending, retries), timeouts, expiration, describe/list.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@tributary/protocol';
import { TransactionState as S } from '../../src/coordinator/transaction/transaction-state.ts';
import { describeTransaction, listTransactions } from '../../src/coordinator/transaction/transaction-listing.ts';
import { TxnHarness } from './txn-harness.ts';

const ok = (producerId: bigint, producerEpoch: number) => ({ errorCode: ErrorCode.NONE, producerId, producerEpoch });
const err = (errorCode: number) => ({ errorCode, producerId: -1n, producerEpoch: -1 });

describe('TransactionCoordinator: InitProducerId', () => {
  it('gives a new id a producer id at epoch 0, bumps the epoch after, and writes each as Empty', async () => {
    const h = await TxnHarness.start();
    assert.deepEqual(await h.init('tx'), ok(1000n, 0));
    assert.deepEqual(await h.init('tx', 30_000), ok(1000n, 1));
    assert.deepEqual(h.history(), [
      ['tx', S.Empty, 0],
      ['tx', S.Empty, 1],
    ]);
    assert.equal(h.meta('tx')!.txnTimeoutMs, 30_000);
    assert.deepEqual(await h.init('other'), ok(1001n, 0));
  });

  it('checks the request as Kafka: empty id, timeout bounds, KIP-360 producer id and epoch', async () => {
    const h = await TxnHarness.start({ transactionMaxTimeoutMs: 60_000 });
    assert.deepEqual(await h.init(''), err(ErrorCode.INVALID_REQUEST));
    assert.deepEqual(await h.init('tx', 0), err(ErrorCode.INVALID_TRANSACTION_TIMEOUT));
    assert.deepEqual(await h.init('tx', 60_001), err(ErrorCode.INVALID_TRANSACTION_TIMEOUT));
    assert.deepEqual(await h.init('tx', 60_000), ok(1000n, 0));
    assert.deepEqual(await h.init('tx', 1000, { producerId: 1000n, producerEpoch: 0 }), ok(1000n, 1));
    // a retry of that bump (its answer lost): the same epoch again
    assert.deepEqual(await h.init('tx', 1000, { producerId: 1000n, producerEpoch: 0 }), ok(1000n, 1));
    assert.deepEqual(await h.init('tx', 1000, { producerId: 5n, producerEpoch: 1 }), err(ErrorCode.PRODUCER_FENCED));
    assert.deepEqual(await h.init('tx', 1000, { producerId: 1000n, producerEpoch: 7 }), err(ErrorCode.PRODUCER_FENCED));
    // a new id accepts any producer id (recovering from UNKNOWN_PRODUCER_ID): it gets a fresh one
    assert.deepEqual(await h.init('fresh', 1000, { producerId: 77n, producerEpoch: 3 }), ok(1001n, 0));
  });

  it('rotates to a new producer id when the epoch is exhausted', async () => {
    const h = await TxnHarness.start();
    await h.init('tx');
    h.meta('tx')!.producerEpoch = 32766;
    assert.deepEqual(await h.init('tx', 60_000, { producerId: 1000n, producerEpoch: 32766 }), ok(1001n, 0));
    assert.deepEqual([h.meta('tx')!.previousProducerId, h.meta('tx')!.lastProducerEpoch], [1000n, 32766]);
    // a retry of the rotation (the previous producer id with the exhausted epoch) is not fenced: the same answer
    assert.deepEqual(await h.init('tx', 60_000, { producerId: 1000n, producerEpoch: 32766 }), ok(1001n, 0));
    assert.deepEqual(await h.init('tx', 60_000, { producerId: 1001n, producerEpoch: 0 }), ok(1001n, 1));
  });

  it('aborts an ongoing transaction with a bumped epoch (fencing its producer), answering CONCURRENT_TRANSACTIONS', async () => {
    const h = await TxnHarness.start();
    h.leaders.set('t-0', 1);
    await h.init('tx');
    assert.equal(await h.add('tx', 1000n, 0, 't-0'), ErrorCode.NONE);
    assert.deepEqual(await h.init('tx'), err(ErrorCode.CONCURRENT_TRANSACTIONS));
    await h.settle();
    assert.deepEqual(
      h.sent.map((s) => s.request.markers.map((m) => [m.producerId, m.producerEpoch, m.transactionResult])),
      [[[1000n, 1, false]]],
    );
    assert.deepEqual(h.history().slice(2), [
      ['tx', S.PrepareAbort, 1],
      ['tx', S.CompleteAbort, 1],
    ]);
    // the fenced producer's requests fail; the new one's retry bumps again
    assert.equal(await h.add('tx', 1000n, 0, 't-1'), ErrorCode.PRODUCER_FENCED);
    assert.deepEqual(await h.end('tx', 1000n, 0, true), err(ErrorCode.PRODUCER_FENCED));
    assert.deepEqual(await h.init('tx'), ok(1000n, 2));
  });

  it('answers CONCURRENT_TRANSACTIONS while a transaction is completing, and NOT_COORDINATOR off its partition', async () => {
    const h = await TxnHarness.start();
    h.leaders.set('t-0', 1);
    let release!: () => void;
    h.hold = new Promise((r) => (release = r));
    await h.init('tx');
    await h.add('tx', 1000n, 0, 't-0');
    assert.deepEqual(await h.end('tx', 1000n, 0, true), ok(1000n, 0));
    assert.deepEqual(await h.init('tx'), err(ErrorCode.CONCURRENT_TRANSACTIONS));
    assert.equal(await h.add('tx', 1000n, 0, 't-1'), ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.deepEqual(await h.end('tx', 1000n, 0, true), err(ErrorCode.CONCURRENT_TRANSACTIONS));
    release();
    await h.settle();
    assert.deepEqual(await h.init('tx'), ok(1000n, 1));
    h.coordinator.unloadPartition(0);
    assert.deepEqual(await h.init('tx'), err(ErrorCode.NOT_COORDINATOR));
  });
});

describe('TransactionCoordinator: a transaction', () => {
  it('commits: Ongoing, PrepareCommit (EndTxn answered), a marker per leader, then CompleteCommit', async () => {
    const h = await TxnHarness.start();
    h.leaders.set('a-0', 1);
    h.leaders.set('a-1', 2);
    h.leaders.set('b-0', 1);
    await h.init('tx');
    assert.equal(await h.add('tx', 1000n, 0, 'a-0', 'b-0'), ErrorCode.NONE);
    assert.equal(await h.add('tx', 1000n, 0, 'a-1'), ErrorCode.NONE);
    const records = h.log().records.length;
    assert.equal(await h.add('tx', 1000n, 0, 'a-0'), ErrorCode.NONE);
    assert.equal(h.log().records.length, records, 'already in the transaction: nothing written');
    assert.deepEqual(await h.end('tx', 1000n, 0, true), ok(1000n, 0));
    assert.deepEqual(h.history().at(-1), ['tx', S.PrepareCommit, 0]);
    await h.settle();
    const byDest = h.sent.map((s) => [s.destination, s.request.markers.map((m) => [m.transactionResult, m.coordinatorEpoch, m.topics])]);
    assert.deepEqual(byDest, [
      [
        1,
        [
          [
            true,
            0,
            [
              { name: 'a', partitionIndexes: [0] },
              { name: 'b', partitionIndexes: [0] },
            ],
          ],
        ],
      ],
      [2, [[true, 0, [{ name: 'a', partitionIndexes: [1] }]]]],
    ]);
    assert.deepEqual(h.history().at(-1), ['tx', S.CompleteCommit, 0]);
    assert.deepEqual([h.meta('tx')!.state, h.meta('tx')!.topicPartitions.size, h.meta('tx')!.pendingState], [S.CompleteCommit, 0, null]);
    // a retried EndTxn(commit) is answered NONE; abort now is an invalid state
    assert.deepEqual(await h.end('tx', 1000n, 0, true), ok(1000n, 0));
    assert.deepEqual(await h.end('tx', 1000n, 0, false), err(ErrorCode.INVALID_TXN_STATE));
    // the next transaction starts from CompleteCommit
    assert.equal(await h.add('tx', 1000n, 0, 'b-0'), ErrorCode.NONE);
    assert.equal(h.meta('tx')!.txnStartTimestamp, h.time.now());
  });

  it('aborts, and checks EndTxn as Kafka (mapping, epoch, state)', async () => {
    const h = await TxnHarness.start();
    h.leaders.set('t-0', 3);
    await h.init('tx');
    assert.deepEqual(await h.end('tx', 1000n, 0, true), err(ErrorCode.INVALID_TXN_STATE)); // Empty
    assert.deepEqual(await h.end('nope', 1000n, 0, true), err(ErrorCode.INVALID_PRODUCER_ID_MAPPING));
    assert.deepEqual(await h.end('', 1000n, 0, true), err(ErrorCode.INVALID_REQUEST));
    await h.add('tx', 1000n, 0, 't-0');
    assert.deepEqual(await h.end('tx', 999n, 0, false), err(ErrorCode.INVALID_PRODUCER_ID_MAPPING));
    assert.deepEqual(await h.end('tx', 1000n, 1, false), err(ErrorCode.PRODUCER_FENCED));
    assert.deepEqual(await h.end('tx', 1000n, 0, false), ok(1000n, 0));
    await h.settle();
    assert.deepEqual(
      h.history().map(([, s]) => s),
      [S.Empty, S.Ongoing, S.PrepareAbort, S.CompleteAbort],
    );
    assert.equal(h.sent[0]!.request.markers[0]!.transactionResult, false);
    assert.deepEqual(await h.end('tx', 1000n, 0, false), ok(1000n, 0));
    assert.deepEqual(await h.end('tx', 1000n, 0, true), err(ErrorCode.INVALID_TXN_STATE));
  });

  it('checks AddPartitions: unknown id, producer id, epoch', async () => {
    const h = await TxnHarness.start();
    assert.equal(await h.add('nope', 1n, 0, 't-0'), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    await h.init('tx');
    assert.equal(await h.add('tx', 1n, 0, 't-0'), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    assert.equal(await h.add('tx', 1000n, 1, 't-0'), ErrorCode.PRODUCER_FENCED);
    assert.equal(await h.add('', 1000n, 0, 't-0'), ErrorCode.INVALID_REQUEST);
    assert.equal(await h.add('tx', 1000n, 0, 't-0'), ErrorCode.NONE);
    assert.deepEqual(
      [...h.coordinator.verifyPartitionsInTransaction('tx', 1000n, 0, ['t-0', 't-1'])],
      [
        ['t-0', ErrorCode.NONE],
        ['t-1', ErrorCode.TRANSACTION_ABORTABLE],
      ],
    );
    assert.deepEqual([...h.coordinator.verifyPartitionsInTransaction('tx', 1000n, 3, ['t-0'])], [['t-0', ErrorCode.PRODUCER_FENCED]]);
  });

  it('aborts transactions past their timeout with a bumped epoch', async () => {
    const h = await TxnHarness.start({ abortTimedOutTransactionsIntervalMs: 1000 });
    h.coordinator.startup();
    h.leaders.set('t-0', 1);
    await h.init('tx', 5000);
    await h.add('tx', 1000n, 0, 't-0');
    await h.time.advance(5000);
    await h.settle();
    assert.equal(h.meta('tx')!.state, S.Ongoing, 'not yet past the timeout');
    await h.time.advance(1000);
    await h.settle();
    assert.deepEqual(h.history().slice(2), [
      ['tx', S.PrepareAbort, 1],
      ['tx', S.CompleteAbort, 1],
    ]);
    assert.equal(h.sent[0]!.request.markers[0]!.producerEpoch, 1);
    assert.deepEqual(await h.end('tx', 1000n, 0, true), err(ErrorCode.PRODUCER_FENCED));
    h.coordinator.shutdown();
  });

  it('removes ids idle for transactional.id.expiration.ms (tombstones), never one in a transaction', async () => {
    const h = await TxnHarness.start({ transactionalIdExpirationMs: 10_000, removeExpiredTransactionalIdsIntervalMs: 1000 });
    h.coordinator.startup();
    await h.init('idle');
    await h.init('busy');
    await h.add('busy', 1001n, 0, 't-0');
    await h.time.advance(9000);
    await h.settle();
    assert.ok(h.meta('idle'));
    await h.time.advance(2000);
    await h.settle();
    assert.equal(h.meta('idle'), undefined);
    assert.ok(h.meta('busy'));
    assert.deepEqual(h.history().at(-1), ['idle', null, null]);
    // it comes back as a new id
    assert.deepEqual(await h.init('idle'), ok(1002n, 0));
    await h.restart();
    assert.deepEqual([h.meta('idle')!.producerId, h.meta('busy')!.state], [1002n, S.Ongoing]);
    h.coordinator.shutdown();
  });
});

describe('TransactionCoordinator: loading', () => {
  it('replays every state, and resumes the markers of a transaction left in PrepareCommit/PrepareAbort', async () => {
    const h = await TxnHarness.start();
    for (const p of ['t-0', 't-1']) h.leaders.set(p, 1);
    h.failSends = new Error('no network'); // markers never get out: a crash between Prepare and Complete
    await h.init('empty');
    await h.init('ongoing');
    await h.add('ongoing', 1001n, 0, 't-0');
    await h.init('committing');
    await h.add('committing', 1002n, 0, 't-0', 't-1');
    await h.end('committing', 1002n, 0, true);
    await h.init('aborting');
    await h.add('aborting', 1003n, 0, 't-1');
    await h.end('aborting', 1003n, 0, false);
    await h.settle();
    const sent = h.sent.length;
    assert.ok(sent >= 1);
    h.failSends = null;
    let release!: () => void;
    h.hold = new Promise((r) => (release = r));
    await h.restart(7);
    const states = Object.fromEntries(['empty', 'ongoing', 'committing', 'aborting'].map((id) => [id, h.meta(id)!.state]));
    assert.deepEqual(states, { empty: S.Empty, ongoing: S.Ongoing, committing: S.PrepareCommit, aborting: S.PrepareAbort });
    assert.equal(h.coordinator.markers.numTxnsWithPendingMarkers, 2);
    release();
    await h.settle();
    const resent = h.sent.slice(sent);
    assert.deepEqual(
      resent.flatMap((s) => s.request.markers.map((m) => [m.producerId, m.transactionResult, m.coordinatorEpoch])),
      [
        [1002n, true, 7],
        [1003n, false, 7],
      ],
    );
    assert.deepEqual([h.meta('committing')!.state, h.meta('aborting')!.state], [S.CompleteCommit, S.CompleteAbort]);
    await h.restart(8);
    assert.deepEqual(
      [h.meta('committing')!.state, h.meta('aborting')!.state, h.meta('ongoing')!.topicPartitions.size],
      [S.CompleteCommit, S.CompleteAbort, 1],
    );
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS while a partition loads', async () => {
    const h = new TxnHarness();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const log = h.log();
    const loading = h.coordinator.loadPartition(0, 0, {
      append: (r) => log.append(r),
      async *readAll() {
        await gate;
        yield* log.readAll();
      },
    });
    assert.deepEqual(await h.init('tx'), err(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
    assert.equal(
      listTransactions(h.coordinator, { states: [], producerIds: [], durationMs: -1 }, 0).errorCode,
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    release();
    await loading;
    assert.deepEqual(await h.init('tx'), ok(1000n, 0));
  });
});

describe('TransactionCoordinator: describe and list', () => {
  it('describes an id (partitions still awaiting markers), and lists with filters', async () => {
    const h = await TxnHarness.start();
    h.leaders.set('t-0', 1);
    h.time.advance(0);
    await h.init('a');
    await h.init('b');
    await h.add('b', 1001n, 0, 't-0', 'u-2');
    const start = h.time.now();
    await h.time.advance(5000);
    assert.deepEqual(describeTransaction(h.coordinator, 'b'), {
      errorCode: ErrorCode.NONE,
      transactionalId: 'b',
      transactionState: 'Ongoing',
      transactionTimeoutMs: 60_000,
      transactionStartTimeMs: BigInt(start),
      producerId: 1001n,
      producerEpoch: 0,
      topics: [
        { topic: 't', partitions: [0] },
        { topic: 'u', partitions: [2] },
      ],
    });
    assert.equal(describeTransaction(h.coordinator, 'zz').errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    assert.equal(describeTransaction(h.coordinator, '').errorCode, ErrorCode.INVALID_REQUEST);
    const list = (states: string[], producerIds: bigint[] = [], durationMs = -1) =>
      listTransactions(h.coordinator, { states, producerIds, durationMs }, h.time.now());
    assert.deepEqual(list([]).transactionStates, [
      { transactionalId: 'a', producerId: 1000n, transactionState: 'Empty' },
      { transactionalId: 'b', producerId: 1001n, transactionState: 'Ongoing' },
    ]);
    assert.deepEqual(list(['Ongoing', 'Bogus']), {
      errorCode: 0,
      unknownStateFilters: ['Bogus'],
      transactionStates: [{ transactionalId: 'b', producerId: 1001n, transactionState: 'Ongoing' }],
    });
    assert.deepEqual(
      list([], [1000n]).transactionStates.map((t) => t.transactionalId),
      ['a'],
    );
    // running longer than 4 s: b (started 5 s ago) and a (never started: start time -1, as Kafka)
    assert.deepEqual(
      list([], [], 4000).transactionStates.map((t) => t.transactionalId),
      ['a', 'b'],
    );
    assert.deepEqual(
      list(['Ongoing'], [], 6000).transactionStates.map((t) => t.transactionalId),
      [],
    );
    // u-2's topic does not exist: dropped; t-0's marker is held, so b shows only it
    let release!: () => void;
    h.hold = new Promise((r) => (release = r));
    await h.end('b', 1001n, 0, true);
    await h.settle();
    assert.deepEqual(describeTransaction(h.coordinator, 'b').topics, [{ topic: 't', partitions: [0] }]);
    assert.equal(describeTransaction(h.coordinator, 'b').transactionState, 'PrepareCommit');
    release();
    await h.settle();
    assert.deepEqual(describeTransaction(h.coordinator, 'b').topics, []);
    h.coordinator.shutdown();
    assert.equal(describeTransaction(h.coordinator, 'b').errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(list([]).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});
