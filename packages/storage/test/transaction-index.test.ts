// Transaction indexes (.txnindex, Kafka's TransactionIndex / AbortedTxn): the bytes of an entry,
// which segment gets it, collection over a fetch range across segments, truncation, deletion with
// the segment, rebuilding during recovery after an unclean shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEnv } from './helpers/env.ts';
import { marker, pbatch, txn } from './helpers/producer-batches.ts';
import { decodeAbortedTxn, encodeAbortedTxn } from '../src/transaction-index.ts';

const P1 = 1000n;
const P2 = 2000n;
const LEADER = { leaderEpoch: 0 };
const COORDINATOR = { leaderEpoch: 0, origin: 'coordinator' as const };
const DIR = '/data/t-0';

test('an aborted transaction is 34 bytes: version 0, producerId, firstOffset, lastOffset, lastStableOffset (int16 + 4 x int64)', () => {
  const t = { producerId: 0x0102030405060708n, firstOffset: 3, lastOffset: 4, lastStableOffset: 0x100000001 };
  const bytes = encodeAbortedTxn(t);
  assert.equal(bytes.toString('hex'), '0000' + '0102030405060708' + '0000000000000003' + '0000000000000004' + '0000000100000001');
  assert.deepEqual(decodeAbortedTxn(bytes), t);
  const v1 = Buffer.from(bytes);
  v1.writeInt16BE(1, 0);
  assert.throws(() => decodeAbortedTxn(v1), /unexpected aborted transaction version 1/);
});

test('the file appears with the first abort, in the segment of the marker; commits write nothing', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  log.appendSync(txn(P1, 0, 0, 2), LEADER); // 0-1
  log.appendSync(marker(P1, 0, true), COORDINATOR); // 2
  log.roll();
  log.appendSync(txn(P2, 0, 0, 3), LEADER); // 3-5
  log.appendSync(txn(P1, 0, 2), LEADER); // 6
  log.roll();
  log.appendSync(marker(P2, 0, false, 7), COORDINATOR); // 7
  log.appendSync(marker(P1, 0, false, 7), COORDINATOR); // 8
  assert.deepEqual(
    env.fs.readdirSync(DIR).filter((n) => n.endsWith('.txnindex')),
    ['00000000000000000007.txnindex'],
  );
  // P2's abort while P1 was open (LSO 6), then P1's (nothing open: 9)
  assert.equal(
    env.fs.readFileSync(`${DIR}/00000000000000000007.txnindex`)!.toString('hex'),
    ['0000', '00000000000007d0', '0000000000000003', '0000000000000007', '0000000000000006'].join('') +
      ['0000', '00000000000003e8', '0000000000000006', '0000000000000008', '0000000000000009'].join(''),
  );
});

test('collectAbortedTransactions: overlapping entries from the fetch segment on, stopping where an entry LSO reaches the bound', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  // segment 0: P1 aborted [0, 2]
  log.appendSync(txn(P1, 0, 0, 2), LEADER); // 0-1
  log.appendSync(marker(P1, 0, false), COORDINATOR); // 2
  log.roll();
  // segment 3: P2 opens at 3; P1 aborted [4, 6] while P2 is open (LSO 3); P2 aborted [3, 7]
  log.appendSync(txn(P2, 0, 0), LEADER); // 3
  log.appendSync(txn(P1, 0, 2, 2), LEADER); // 4-5
  log.appendSync(marker(P1, 0, false), COORDINATOR); // 6
  log.appendSync(marker(P2, 0, false), COORDINATOR); // 7
  log.roll();
  // segment 8: P1 aborted [8, 9]
  log.appendSync(txn(P1, 0, 4), LEADER); // 8
  log.appendSync(marker(P1, 0, false), COORDINATOR); // 9
  log.appendSync(pbatch(P2, 0, 1), LEADER); // 10: P2 not transactional
  const a = { producerId: P1, firstOffset: 0, lastOffset: 2, lastStableOffset: 3 };
  const b = { producerId: P1, firstOffset: 4, lastOffset: 6, lastStableOffset: 3 };
  const c = { producerId: P2, firstOffset: 3, lastOffset: 7, lastStableOffset: 8 };
  const d = { producerId: P1, firstOffset: 8, lastOffset: 9, lastStableOffset: 10 };
  assert.deepEqual(log.collectAbortedTransactions(0, 11), [a, b, c, d]);
  assert.deepEqual(log.collectAbortedTransactions(0, 3), [a]); // a's LSO 3 reaches the bound: segment 3 not read
  assert.deepEqual(log.collectAbortedTransactions(1, 4), [a, c]); // b starts at the bound; c's LSO 8 ends the search
  assert.deepEqual(log.collectAbortedTransactions(3, 5), [b, c]);
  assert.deepEqual(log.collectAbortedTransactions(7, 8), [c]);
  assert.deepEqual(log.collectAbortedTransactions(8, 9), [d]);
  assert.deepEqual(log.collectAbortedTransactions(10, 11), []);
});

test('truncation cuts the entries of cut markers; retention and truncation delete the file with its segment', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  log.appendSync(txn(P1, 0, 0), LEADER); // 0
  log.appendSync(marker(P1, 0, false), COORDINATOR); // 1
  log.appendSync(txn(P1, 0, 1), LEADER); // 2
  log.appendSync(marker(P1, 0, false), COORDINATOR); // 3
  const path = `${DIR}/00000000000000000000.txnindex`;
  assert.equal(env.fs.readFileSync(path)!.length, 68);
  log.truncateTo(3);
  assert.equal(env.fs.readFileSync(path)!.length, 34);
  log.appendSync(marker(P1, 0, false), COORDINATOR); // 3 again
  log.roll();
  log.appendSync(txn(P1, 0, 2), LEADER); // 4
  log.appendSync(marker(P1, 0, false), COORDINATOR); // 5
  const second = `${DIR}/00000000000000000004.txnindex`;
  assert.equal(env.fs.readFileSync(second)!.length, 34);
  log.truncateTo(4);
  assert.equal(env.fs.statSync(second), null);
  log.appendSync(txn(P1, 0, 2), LEADER); // 4
  log.roll();
  log.deleteRecordsBefore(5);
  assert.equal(env.fs.statSync(path), null);
  assert.deepEqual(log.collectAbortedTransactions(5, 6), []);
});

test('recovery after an unclean shutdown rebuilds the .txnindex of the recovered segments from the producer state', () => {
  const env = testEnv();
  const logs = env.open();
  const log = logs.getOrCreateLog('t', 0);
  log.appendSync(txn(P1, 0, 0, 2), LEADER); // 0-1: P1 opens, in the segment below the recovery point
  log.appendSync(pbatch(P2, 0, 0), LEADER); // 2
  log.roll(); // base 3: a snapshot at 3 holds P1's open transaction
  log.flush();
  logs.checkpointRecoveryPoints();
  log.appendSync(txn(P2, 0, 1), LEADER); // 3
  log.appendSync(marker(P1, 0, false), COORDINATOR); // 4: LSO 3 (P2 open)
  log.appendSync(marker(P2, 0, false), COORDINATOR); // 5
  log.flush();
  const path = `${DIR}/00000000000000000003.txnindex`;
  const before = env.fs.readFileSync(path)!;
  assert.equal(before.length, 68);
  env.fs.unlinkSync(path); // lost in the crash; recovery starts at segment 3 (recovery point 3)
  const reopened = env.open().getLog('t', 0)!; // no shutdown: unclean
  assert.deepEqual(env.fs.readFileSync(path), before);
  assert.deepEqual(reopened.collectAbortedTransactions(0, 6), [
    { producerId: P1, firstOffset: 0, lastOffset: 4, lastStableOffset: 3 },
    { producerId: P2, firstOffset: 3, lastOffset: 5, lastStableOffset: 6 },
  ]);
});
