// The marker side of the transaction coordinator (TransactionMarkerChannelManager) with a fake
// marker writer and a manual clock: markers of several transactions for one broker share a request,
// NOT_LEADER_OR_FOLLOWER is sent again to the new leader after the backoff, an unknown leader
// waits, a deleted topic's partition is dropped, a lost connection retries, INVALID_PRODUCER_EPOCH
// abandons the transaction's markers, a failed Complete append is retried, and a partition that
// moves away stops its markers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@tributary/protocol';
import { PartitionError } from '../../src/replica/partition-error.ts';
import { TransactionState as S } from '../../src/coordinator/transaction/transaction-state.ts';
import { TxnHarness } from './txn-harness.ts';

async function ongoing(h: TxnHarness, id: string, ...partitions: string[]) {
  const r = await h.init(id);
  assert.equal(await h.add(id, r.producerId, r.producerEpoch, ...partitions), ErrorCode.NONE);
  return r;
}

const destinations = (h: TxnHarness, from = 0) =>
  h.sent
    .slice(from)
    .map((s) => [s.destination, s.request.markers.flatMap((m) => m.topics.map((t) => `${t.name}:${t.partitionIndexes.join(',')}`))]);

describe('TransactionMarkerChannelManager', () => {
  it('sends the markers of transactions ended in the same tick to a broker in one request', async () => {
    const h = await TxnHarness.start({ transactionLogNumPartitions: 3 });
    h.leaders.set('t-0', 1);
    h.leaders.set('t-1', 1);
    const a = await ongoing(h, 'a', 't-0');
    const b = await ongoing(h, 'b', 't-1');
    await Promise.all([h.end('a', a.producerId, 0, true), h.end('b', b.producerId, 0, false)]);
    await h.settle();
    assert.deepEqual(
      h.sent.map((s) => s.request.markers.map((m) => [m.producerId, m.transactionResult])),
      [
        [
          [a.producerId, true],
          [b.producerId, false],
        ],
      ],
    );
    assert.deepEqual([h.meta('a')!.state, h.meta('b')!.state], [S.CompleteCommit, S.CompleteAbort]);
  });

  it('sends again to the new leader after NOT_LEADER_OR_FOLLOWER, and waits for an unknown leader', async () => {
    const h = await TxnHarness.start({ markerRetryBackoffMs: 50 });
    h.leaders.set('t-0', 1);
    h.leaders.set('t-1', 'unknown');
    const r = await ongoing(h, 'tx', 't-0', 't-1');
    h.script = (dest) => (dest === 1 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.NONE);
    await h.end('tx', r.producerId, 0, true);
    await h.settle();
    assert.deepEqual(destinations(h), [[1, ['t:0']]]);
    h.leaders.set('t-0', 2);
    h.leaders.set('t-1', 3);
    await h.time.advance(49);
    await h.settle();
    assert.equal(h.sent.length, 1, 'not before the backoff');
    await h.time.advance(1);
    await h.settle();
    assert.deepEqual(destinations(h, 1).sort(), [
      [2, ['t:0']],
      [3, ['t:1']],
    ]);
    assert.equal(h.meta('tx')!.state, S.CompleteCommit);
  });

  it('drops the partitions of deleted topics, and completes a transaction whose partitions are all gone', async () => {
    const h = await TxnHarness.start();
    h.leaders.set('kept-0', 1);
    const r = await ongoing(h, 'tx', 'kept-0', 'deleted-0');
    await h.end('tx', r.producerId, 0, true);
    await h.settle();
    assert.deepEqual(destinations(h), [[1, ['kept:0']]]);
    assert.equal(h.meta('tx')!.state, S.CompleteCommit);
    const r2 = await h.init('gone');
    await h.add('gone', r2.producerId, 0, 'deleted-1');
    await h.end('gone', r2.producerId, 0, false);
    await h.settle();
    assert.equal(h.sent.length, 1);
    assert.equal(h.meta('gone')!.state, S.CompleteAbort);
  });

  it('retries every partition of a request whose connection was lost', async () => {
    const h = await TxnHarness.start({ markerRetryBackoffMs: 100 });
    h.leaders.set('t-0', 1);
    h.leaders.set('t-1', 1);
    const r = await ongoing(h, 'tx', 't-0', 't-1');
    h.failSends = new Error('connection closed');
    await h.end('tx', r.producerId, 0, true);
    await h.settle();
    h.failSends = null;
    await h.time.advance(100);
    await h.settle();
    assert.deepEqual(destinations(h), [
      [1, ['t:0,1']],
      [1, ['t:0,1']],
    ]);
    assert.equal(h.meta('tx')!.state, S.CompleteCommit);
  });

  it('abandons the markers of a transaction a newer producer epoch overtook (INVALID_PRODUCER_EPOCH)', async () => {
    const h = await TxnHarness.start();
    h.leaders.set('t-0', 1);
    const r = await ongoing(h, 'tx', 't-0');
    h.script = () => ErrorCode.INVALID_PRODUCER_EPOCH;
    await h.end('tx', r.producerId, 0, true);
    await h.settle();
    await h.time.advance(10_000);
    await h.settle();
    assert.equal(h.sent.length, 1);
    assert.deepEqual([h.meta('tx')!.state, h.coordinator.markers.numTxnsWithPendingMarkers], [S.PrepareCommit, 0]);
    // the pending Complete transition stays until the coordinator reloads (as Kafka): clients retry
    assert.deepEqual((await h.init('tx')).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    h.script = () => ErrorCode.NONE;
    await h.restart();
    await h.settle();
    assert.equal(h.meta('tx')!.state, S.CompleteCommit);
  });

  it('retries appending CompleteCommit after COORDINATOR_NOT_AVAILABLE', async () => {
    const h = await TxnHarness.start({ markerRetryBackoffMs: 100 });
    h.leaders.set('t-0', 1);
    const r = await ongoing(h, 'tx', 't-0');
    let release!: () => void;
    h.hold = new Promise((res) => (release = res));
    await h.end('tx', r.producerId, 0, true);
    h.log().failAppends = new PartitionError(ErrorCode.NOT_ENOUGH_REPLICAS, 'isr shrank');
    release();
    await h.settle();
    assert.deepEqual([h.meta('tx')!.state, h.meta('tx')!.pendingState], [S.PrepareCommit, S.CompleteCommit]);
    h.log().failAppends = null;
    await h.time.advance(100);
    await h.settle();
    assert.deepEqual([h.meta('tx')!.state, h.meta('tx')!.pendingState], [S.CompleteCommit, null]);
  });

  it('stops the markers of a partition that moves away; the next coordinator resumes them', async () => {
    const h = await TxnHarness.start({ markerRetryBackoffMs: 100 });
    h.leaders.set('t-0', 'unknown');
    const r = await ongoing(h, 'tx', 't-0');
    await h.end('tx', r.producerId, 0, true);
    await h.settle();
    h.coordinator.unloadPartition(0);
    h.leaders.set('t-0', 1);
    await h.time.advance(1000);
    await h.settle();
    assert.equal(h.sent.length, 0);
    assert.equal(h.coordinator.markers.numTxnsWithPendingMarkers, 0);
    await h.coordinator.loadPartition(0, 3, h.log());
    await h.settle();
    assert.deepEqual(
      h.sent.map((s) => s.request.markers[0]!.coordinatorEpoch),
      [3],
    );
    assert.equal(h.meta('tx')!.state, S.CompleteCommit);
  });
});
