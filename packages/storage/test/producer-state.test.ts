// Producer state through a PartitionLog (storage's ProducerStateManager): idempotence checks with
// Kafka's errors and messages, transactions opened by transactional batches and closed by
// markers, the first unstable offset with interleaved producers, follower appends, truncation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEnv } from './helpers/env.ts';
import { TS, marker, pbatch, txn } from './helpers/producer-batches.ts';
import type { PartitionLog } from '../src/partition-log.ts';
import type { VerificationGuard } from '../src/transaction-verification.ts';

const P1 = 1000n;
const P2 = 2000n;
const P3 = 3000n;
const INT32_MAX = 2147483647;
const LEADER = { leaderEpoch: 0 };
const COORDINATOR = { leaderEpoch: 0, origin: 'coordinator' as const };

function newLog(): PartitionLog {
  return testEnv().open().getOrCreateLog('t', 0);
}

function fails(fn: () => unknown, errorCode: number, message?: string) {
  assert.throws(fn, (err: Error & { errorCode?: number }) => {
    assert.equal(err.errorCode, errorCode, err.message);
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}

test('a producer without state may start at any sequence; then each batch must continue it (OUT_OF_ORDER_SEQUENCE_NUMBER)', () => {
  const log = newLog();
  assert.equal(log.appendSync(pbatch(P1, 0, 42), LEADER).firstOffset, 0);
  assert.equal(log.appendSync(pbatch(P1, 0, 43, { count: 2 }), LEADER).firstOffset, 1);
  fails(
    () => log.appendSync(pbatch(P1, 0, 46), LEADER),
    45,
    'Out of order sequence number for producer 1000 at offset 3 in partition t-0: 46 (incoming seq. number), 44 (current end sequence number)',
  );
  assert.equal(log.logEndOffset, 3);
  // Int32.MAX is followed by 0
  log.appendSync(pbatch(P2, 0, INT32_MAX - 1, { count: 2 }), LEADER);
  assert.equal(log.appendSync(pbatch(P2, 0, 0), LEADER).firstOffset, 5);
});

test('a retry of one of the last 5 batches is a duplicate: nothing written, the original offsets and MaxTimestamp answered', () => {
  const log = newLog();
  for (let i = 0; i < 6; i++) log.appendSync(pbatch(P1, 0, 2 * i, { count: 2, timestamp: TS + i }), LEADER); // offsets 0..11
  for (let i = 1; i < 6; i++) {
    const r = log.appendSync(pbatch(P1, 0, 2 * i, { count: 2 }), LEADER);
    assert.deepEqual([r.duplicate, r.firstOffset, r.lastOffset, r.maxTimestamp, r.bytes], [true, 2 * i, 2 * i + 1, TS + i, 0]);
  }
  assert.equal(log.logEndOffset, 12);
  fails(() => log.appendSync(pbatch(P1, 0, 0, { count: 2 }), LEADER), 45); // evicted: no longer recognised
  fails(() => log.appendSync(pbatch(P1, 0, 2), LEADER), 45); // overlaps a retained batch without repeating it
});

test("an epoch below the producer's is fenced (INVALID_PRODUCER_EPOCH); a new epoch starts at sequence 0", () => {
  const log = newLog();
  log.appendSync(pbatch(P1, 5, 0), LEADER);
  fails(
    () => log.appendSync(pbatch(P1, 4, 1), LEADER),
    47,
    'Epoch of producer 1000 at offset 1 in t-0 is 4, which is smaller than the last seen epoch 5',
  );
  fails(
    () => log.appendSync(pbatch(P1, 6, 3), LEADER),
    45,
    'Invalid sequence number for new epoch of producer 1000 at offset 1 in partition t-0: 6 (request epoch), 3 (seq. number), 5 (current producer epoch)',
  );
  log.appendSync(pbatch(P1, 6, 0), LEADER);
  assert.deepEqual(log.producerState.lastEntry(P1)!.batches, [{ lastSeq: 0, lastOffset: 1, offsetDelta: 0, timestamp: TS }]);
});

test('the coordinator origin checks epochs but not sequences', () => {
  const log = newLog();
  log.appendSync(pbatch(P1, 1, 7), COORDINATOR);
  log.appendSync(pbatch(P1, 1, 100), COORDINATOR);
  fails(() => log.appendSync(pbatch(P1, 0, 0), COORDINATOR), 47);
  assert.equal(log.logEndOffset, 2);
});

test('transactions with interleaved producers: the first unstable offset, the LSO recorded with an abort, completion below the HW', () => {
  const log = newLog();
  const psm = log.producerState;
  log.appendSync(txn(P1, 0, 0, 2), LEADER); // 0-1: P1 opens at 0
  log.appendSync(pbatch(P2, 0, 0), LEADER); // 2: not transactional
  log.appendSync(txn(P3, 0, 0), LEADER); // 3: P3 opens at 3
  assert.equal(log.firstUnstableOffset, 0);
  log.appendSync(marker(P3, 0, false, 4), COORDINATOR); // 4: P3 aborted while P1 is open
  log.appendSync(txn(P1, 0, 2), LEADER); // 5: P1 continues
  log.appendSync(marker(P1, 0, true, 4), COORDINATOR); // 6: P1 committed
  assert.deepEqual(
    [psm.lastEntry(P1), psm.lastEntry(P3)].map((e) => [e!.producerEpoch, e!.coordinatorEpoch, e!.currentTxnFirstOffset, e!.lastTimestamp]),
    [
      [0, 4, -1, TS],
      [0, 4, -1, TS],
    ],
  );
  // both decided, but their markers are not yet below the high watermark
  assert.equal(log.firstUnstableOffset, 0);
  log.onHighWatermarkUpdated(6);
  assert.equal(log.firstUnstableOffset, 0); // P1's marker is at 6
  log.onHighWatermarkUpdated(7);
  assert.equal(log.firstUnstableOffset, -1);
  // P3's abort went to the index with the LSO of that moment: P1's open transaction at 0
  assert.deepEqual(log.activeSegment.txnIndex.all(), [{ producerId: P3, firstOffset: 3, lastOffset: 4, lastStableOffset: 0 }]);
  assert.deepEqual(log.collectAbortedTransactions(0, 7), [{ producerId: P3, firstOffset: 3, lastOffset: 4, lastStableOffset: 0 }]);
  assert.deepEqual(log.collectAbortedTransactions(5, 7), []);
  // a new transaction of P2 after all that
  log.appendSync(txn(P2, 0, 1), LEADER);
  assert.equal(log.firstUnstableOffset, 7);
  assert.equal(psm.firstUndecidedOffset(), 7);
});

test('transaction errors: INVALID_TXN_STATE, a fenced marker epoch, TRANSACTION_COORDINATOR_FENCED; a higher marker epoch fences data', () => {
  const log = newLog();
  log.appendSync(txn(P1, 0, 0), LEADER);
  fails(() => log.appendSync(pbatch(P1, 0, 1), LEADER), 48, 'Expected transactional write from producer 1000 at offset 1 in partition t-0');
  log.appendSync(marker(P1, 0, true, 2), COORDINATOR); // 1
  fails(
    () => log.appendSync(marker(P1, 0, false, 1), COORDINATOR),
    52,
    'Invalid coordinator epoch for producerId 1000 at offset 2 in partition t-0: 1 (zombie), 2 (current)',
  );
  log.appendSync(txn(P1, 3, 0), LEADER); // 2: epoch 3
  fails(() => log.appendSync(marker(P1, 2, false, 2), COORDINATOR), 47);
  // the coordinator aborts with a bumped epoch (fencing): accepted, the old epoch is fenced
  log.appendSync(marker(P1, 4, false, 2), COORDINATOR); // 3
  assert.equal(log.logEndOffset, 4);
  assert.deepEqual(log.producerState.lastEntry(P1), {
    producerId: P1,
    producerEpoch: 4,
    coordinatorEpoch: 2,
    lastTimestamp: TS,
    currentTxnFirstOffset: -1,
    batches: [],
  });
  fails(() => log.appendSync(txn(P1, 3, 1), LEADER), 47);
  assert.deepEqual(log.activeSegment.txnIndex.all(), [{ producerId: P1, firstOffset: 2, lastOffset: 3, lastStableOffset: 4 }]);
  // a marker without data in this partition completes nothing and writes no index entry
  log.appendSync(marker(P2, 0, false), COORDINATOR);
  assert.equal(log.activeSegment.txnIndex.count, 1);
});

test('a follower applies the same state unchecked, and writes the same transaction index', () => {
  const env = testEnv();
  const logs = env.open();
  const leader = logs.getOrCreateLog('l', 0);
  const follower = logs.getOrCreateLog('f', 0);
  leader.appendSync(txn(P1, 0, 0, 3), LEADER); // 0-2
  leader.appendSync(txn(P2, 0, 0), LEADER); // 3
  leader.appendSync(marker(P1, 0, false, 1), COORDINATOR); // 4: LSO 3 (P2 open)
  leader.appendSync(pbatch(P3, 0, 9), LEADER); // 5
  leader.appendSync(marker(P2, 0, false, 1), COORDINATOR); // 6: nothing open, LSO 7
  leader.appendSync(txn(P2, 0, 1), LEADER); // 7: P2 opens again
  leader.appendSync(txn(P3, 0, 10), LEADER); // 8: P3 opens (applied with 6 in one go, it would make 6's LSO 8)
  const records = leader.read(0, 1 << 20).records;
  follower.appendAsFollower(Buffer.from(records)); // all at once: each batch applied in turn
  assert.deepEqual(follower.producerState.snapshotEntries(), leader.producerState.snapshotEntries());
  assert.deepEqual(follower.activeSegment.txnIndex.all(), [
    { producerId: P1, firstOffset: 0, lastOffset: 4, lastStableOffset: 3 },
    { producerId: P2, firstOffset: 3, lastOffset: 6, lastStableOffset: 7 },
  ]);
  assert.deepEqual(
    env.fs.readFileSync('/data/f-0/00000000000000000000.txnindex'),
    env.fs.readFileSync('/data/l-0/00000000000000000000.txnindex'),
  );
  assert.equal(follower.firstUnstableOffset, 0);
  follower.onHighWatermarkUpdated(5);
  assert.equal(follower.firstUnstableOffset, 3);
  follower.onHighWatermarkUpdated(7);
  assert.equal(follower.firstUnstableOffset, 7);
});

test('truncation rebuilds the state: transactions whose marker is cut reopen, index entries past the end go', () => {
  const log = newLog();
  log.appendSync(txn(P1, 0, 0, 2), LEADER); // 0-1
  log.appendSync(txn(P2, 0, 0), LEADER); // 2
  log.appendSync(marker(P1, 0, false), COORDINATOR); // 3
  log.appendSync(marker(P2, 0, true), COORDINATOR); // 4
  log.appendSync(pbatch(P3, 0, 0), LEADER); // 5
  log.onHighWatermarkUpdated(6);
  assert.equal(log.firstUnstableOffset, -1);
  log.truncateTo(4);
  log.onHighWatermarkUpdated(4);
  assert.equal(log.firstUnstableOffset, 2);
  assert.equal(log.producerState.lastEntry(P3), undefined);
  assert.equal(log.producerState.lastEntry(P2)!.currentTxnFirstOffset, 2);
  assert.equal(log.activeSegment.txnIndex.count, 1);
  log.truncateTo(3);
  assert.equal(log.firstUnstableOffset, 0);
  assert.equal(log.activeSegment.txnIndex.count, 0);
  // P2's batch at 2 is still known: its retry is a duplicate, P1 continues its open transaction
  assert.equal(log.appendSync(txn(P2, 0, 0), LEADER).duplicate, true);
  assert.equal(log.appendSync(txn(P1, 0, 2), LEADER).firstOffset, 3);
  log.truncateTo(0);
  assert.deepEqual([log.producerState.producerCount, log.firstUnstableOffset], [0, -1]);
});

test('KIP-890: a transactional batch that opens a transaction needs the producer current verification guard', () => {
  const log = newLog();
  const state = log.producerState;
  const verified = (guard: VerificationGuard | null) => ({ leaderEpoch: 0, verification: { guard } });
  // without a guard (no verification asked for): refused, nothing written
  fails(() => log.appendSync(txn(P1, 0, 0), verified(null)), 48, 'Record was not part of an ongoing transaction');
  assert.equal(log.logEndOffset, 0);
  // with the guard the coordinator verified: appended, the guard consumed
  const guard = state.verifications.start(P1, 0, 0, TS);
  assert.equal(state.verifications.start(P1, 0, 0, TS), guard, 'a retried produce reuses the guard');
  assert.equal(log.appendSync(txn(P1, 0, 0), verified(guard)).firstOffset, 0);
  assert.equal(state.verifications.size, 0);
  // the open transaction vouches for the next batch, whatever guard it carries
  assert.equal(log.appendSync(txn(P1, 0, 1), verified(null)).firstOffset, 1);
  // ABA: a verification begun before the abort marker must not reopen the transaction after it
  const stale = state.verifications.start(P1, 2, 0, TS);
  log.appendSync(marker(P1, 0, false), COORDINATOR);
  fails(() => log.appendSync(txn(P1, 0, 2), verified(stale)), 48);
  assert.equal(log.logEndOffset, 3);
  log.onHighWatermarkUpdated(3);
  assert.equal(log.firstUnstableOffset, -1, 'no transaction left open');
  // no verification in use (the setting off, or a coordinator's append): appended as sent
  assert.equal(log.appendSync(txn(P2, 0, 0), LEADER).firstOffset, 3);
});
