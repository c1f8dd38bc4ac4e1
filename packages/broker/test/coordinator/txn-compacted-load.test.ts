// The transaction coordinator loads compacted __transaction_state logs (storage's PartitionLog
// over the in-memory fs, read in small chunks): offset gaps, rewritten batches (same base offset,
// fewer records), an emptied batch (record count 0), a compressed batch, tombstones (expired
// transactional ids) whose earlier values are gone. And its expiry tombstones carry the key bytes
// of the values they delete: a live log, compacted with its tombstones and past
// delete.retention.ms without them, reloads to the live state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompressionType } from '@tributary/protocol';
import { LogManager, MemoryFileSystem, type PartitionLog } from '@tributary/storage';
import { PartitionCoordinatorLog } from '../../src/coordinator/group/index.ts';
import { transactionLogKey, transactionRecord } from '../../src/coordinator/transaction/transaction-log.ts';
import { TransactionState as S, stateName } from '../../src/coordinator/transaction/transaction-state.ts';
import type { TransactionCoordinator } from '../../src/coordinator/transaction/transaction-coordinator.ts';
import { appendBatch, batchesOf, compactedCopy } from './compacted-copy.ts';
import { TxnHarness } from './txn-harness.ts';

function value(id: string, producerId: bigint, producerEpoch: number, txnState: S, offsetDelta: number) {
  const r = transactionRecord(id, {
    producerId,
    prevProducerId: -1n,
    nextProducerId: -1n,
    producerEpoch,
    lastProducerEpoch: -1,
    txnTimeoutMs: 60_000,
    txnState,
    topicPartitions: new Set(),
    txnStartTimestamp: -1,
    txnLastUpdateTimestamp: 1_000_000,
    clientTransactionVersion: 0,
  });
  return { key: r.key, value: r.value, offsetDelta };
}
const tombstone = (id: string, offsetDelta: number) => ({ key: transactionLogKey(id), value: null, offsetDelta });

/** Every transactional id of the coordinator's partition 0: producer id, epoch, state, partitions. */
function ids(c: TransactionCoordinator): string[] {
  return [...c.shard(0)!.transactions.values()]
    .map(
      (m) => `${m.transactionalId}:${m.producerId}/${m.producerEpoch}:${stateName(m.state)}:[${[...m.topicPartitions].sort().join(',')}]`,
    )
    .sort();
}

function setup(h: TxnHarness) {
  const mgr = new LogManager({
    logDirs: ['/data'],
    fs: new MemoryFileSystem(h.time),
    time: h.time,
    backgroundTasks: false,
    defaultConfig: { segmentBytes: 1024 },
  }).startup();
  const open = (p: number) => mgr.getOrCreateLog('__transaction_state', p);
  const coordinatorLog = (log: PartitionLog) =>
    new PartitionCoordinatorLog(log, { leaderEpoch: () => 0, time: h.time, loadBufferBytes: 64 });
  return { mgr, open, coordinatorLog };
}

test('loads a hand-built compacted log: gaps, rewritten and empty batches, tombstones', async () => {
  const h = new TxnHarness();
  const { mgr, open, coordinatorLog } = setup(h);
  const log = open(0);
  await appendBatch(log, 0, [value('a', 5n, 2, S.CompleteCommit, 3)], { lastOffsetDelta: 3 }); // [0, 3], one record left
  await appendBatch(log, 4, [], { lastOffsetDelta: 1, producerId: 77n, producerEpoch: 0 }); // [4, 5] emptied
  // 6-9 removed; [10, 13] gzip: a tombstone whose values are gone, two ids
  await appendBatch(log, 10, [tombstone('b', 0), value('c', 7n, 0, S.Empty, 1), value('d', 9n, 4, S.CompleteAbort, 3)], {
    lastOffsetDelta: 3,
    compression: CompressionType.Gzip,
  });
  // [14, 16] (the active segment): a newer value of a, an id written then expired
  await appendBatch(log, 14, [value('a', 5n, 3, S.Empty, 0), value('e', 11n, 0, S.Empty, 1), tombstone('e', 2)]);
  assert.deepEqual(
    (await batchesOf(log)).map((b) => [Number(b.baseOffset), b.lastOffsetDelta, b.recordsCount]),
    [
      [0, 3, 1],
      [4, 1, 0],
      [10, 3, 3],
      [14, 2, 3],
    ],
  );
  await h.coordinator.loadPartition(0, 3, coordinatorLog(log));
  assert.deepEqual(ids(h.coordinator), ['a:5/3:Empty:[]', 'c:7/0:Empty:[]', 'd:9/4:CompleteAbort:[]']);
  // it serves: a new id is written at the log end
  assert.deepEqual(await h.init('f'), { errorCode: 0, producerId: 1000n, producerEpoch: 0 });
  assert.equal(log.logEndOffset, 18);
  h.coordinator.shutdown();
  mgr.shutdown();
});

test('its expiry tombstones delete by key: a live log, compacted with and without its tombstones, reloads to the live state', async () => {
  const h = await TxnHarness.start({ transactionalIdExpirationMs: 10_000, removeExpiredTransactionalIdsIntervalMs: 1000 });
  h.coordinator.startup();
  h.leaders.set('t-0', 1);
  h.leaders.set('t-1', 1);
  await h.init('idle'); // 1000
  await h.init('committer'); // 1001
  await h.add('committer', 1001n, 0, 't-0', 't-1');
  await h.end('committer', 1001n, 0, true);
  await h.init('aborter'); // 1002
  await h.add('aborter', 1002n, 0, 't-0');
  await h.end('aborter', 1002n, 0, false);
  await h.settle();
  await h.time.advance(11_000); // every id idle past transactional.id.expiration.ms: all expire
  await h.settle();
  assert.deepEqual(ids(h.coordinator), []);
  await h.init('idle'); // 1003: the id again, as a new one
  await h.init('bumped'); // 1004
  await h.init('bumped'); // epoch 1
  await h.init('open'); // 1005
  await h.add('open', 1005n, 0, 't-1'); // a transaction in progress
  await h.settle();
  const expected = ids(h.coordinator);
  assert.deepEqual(expected, ['bumped:1004/1:Empty:[]', 'idle:1003/0:Empty:[]', 'open:1005/0:Ongoing:[t-1]']);

  // the records the live coordinator wrote, one batch per record at its offset
  const { mgr, open, coordinatorLog } = setup(h);
  const live = open(0);
  for (const r of h.log(0).records) await appendBatch(live, r.offset, [{ key: r.key, value: r.value, offsetDelta: 0 }]);
  const history = h.history();
  const tombstones = history.flatMap(([id, state], offset) => (state === null ? [[offset, id]] : []));
  assert.deepEqual(tombstones, [
    [9, 'idle'],
    [10, 'committer'],
    [11, 'aborter'],
  ]);
  // each tombstone's key is the key of the id's values before it
  for (const [offset, id] of tombstones as Array<[number, string]>) {
    const keys = h.log(0).records.filter((r) => r.offset <= offset && r.key.subarray(4).toString() === id);
    assert.ok(keys.length >= 2 && keys.every((r) => r.key.equals(transactionLogKey(id))), id);
  }

  h.coordinator.shutdown();
  for (const horizonPassed of [false, true]) {
    const copy = open(horizonPassed ? 2 : 1);
    await compactedCopy(live, copy, { horizonPassed });
    const kept = (await batchesOf(copy)).flatMap((b) => b.records.map((r) => Number(r.offset)));
    assert.deepEqual(kept, horizonPassed ? [12, 14, 15, 16] : [10, 11, 12, 14, 15, 16], `records left (horizon passed: ${horizonPassed})`);
    assert.equal(copy.logEndOffset, live.logEndOffset);
    const reloaded = new TxnHarness();
    await reloaded.coordinator.loadPartition(0, 1, coordinatorLog(copy));
    assert.deepEqual(ids(reloaded.coordinator), expected);
    reloaded.coordinator.shutdown();
  }
  mgr.shutdown();
});
