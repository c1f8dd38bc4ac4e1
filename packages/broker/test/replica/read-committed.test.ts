// Transactions on a Partition and through ReplicaManager.fetchMessages: the last stable offset
// with interleaved producers and with followers (a decided transaction stays unstable until the HW
// passes its marker), read_committed reads and their aborted transactions, the long poll of a
// read_committed fetch (woken when the LSO moves), markers' epoch checks, and an open
// transaction surviving a restart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FetchMessagesRequest, FetchMessagesResponse } from '../../src/replica/replica-manager.ts';
import { baseOffsets, batch, harness, topicIdOf, type Harness } from './helpers.ts';

const P1 = 1000n;
const P2 = 2000n;
const CLIENT = { requiredAcks: 1, origin: 'client' as const };

const txn = (pid: bigint, seq: number, count = 1) =>
  batch(count, { producerId: pid, producerEpoch: 0, baseSequence: seq, isTransactional: true });
const marker = (pid: bigint, commit: boolean, coordinatorEpoch = 0, producerEpoch = 0) => ({
  producerId: pid,
  producerEpoch,
  coordinatorEpoch,
  commit,
});

function fetchCommitted(
  h: Harness,
  topic: string,
  offset: number,
  o: Partial<FetchMessagesRequest> = {},
  signal = new AbortController().signal,
) {
  return h.replicas.fetchMessages(
    {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 1,
      ...o,
      topics: [
        {
          topic,
          topicId: topicIdOf(topic),
          partitions: [{ partition: 0, fetchOffset: BigInt(offset), partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }],
        },
      ],
    },
    signal,
  );
}

const only = (r: FetchMessagesResponse) => r[0]!.partitions[0]!;

describe('transactions on a partition', () => {
  it('the LSO stops at the oldest open transaction; read_committed reads below it and names the aborted transactions', async () => {
    const h = harness();
    const p = h.host('t');
    p.appendRecordsToLeader(await txn(P1, 0, 2), CLIENT); // 0-1
    p.appendRecordsToLeader(await batch(1), CLIENT); // 2
    assert.deepEqual([p.highWatermark, p.lastStableOffset], [3, 0]);
    p.appendRecordsToLeader(await txn(P2, 0), CLIENT); // 3
    p.appendTxnMarker(marker(P1, false)); // 4: P1 aborted
    assert.deepEqual([p.highWatermark, p.lastStableOffset], [5, 3]);
    const r = only(await fetchCommitted(h, 't', 0));
    assert.deepEqual(baseOffsets(r.records as Buffer), [0, 2]);
    assert.deepEqual([r.highWatermark, r.lastStableOffset, r.abortedTransactions], [5n, 3n, [{ producerId: P1, firstOffset: 0n }]]);
    // read_uncommitted: up to the HW, no aborted list
    assert.deepEqual(baseOffsets(p.read(0, 1 << 20, true).records), [0, 2, 3, 4]);
    p.appendTxnMarker(marker(P2, true)); // 5
    assert.deepEqual([p.highWatermark, p.lastStableOffset], [6, 6]);
    const all = only(await fetchCommitted(h, 't', 3));
    assert.deepEqual([baseOffsets(all.records as Buffer), all.abortedTransactions], [[3, 4, 5], [{ producerId: P1, firstOffset: 0n }]]);
    // from past the abort marker: nothing aborted overlaps
    assert.deepEqual(only(await fetchCommitted(h, 't', 5)).abortedTransactions, []);
    // at the LSO: no records, an empty list
    assert.deepEqual(
      [only(await fetchCommitted(h, 't', 6)).records!.length, only(await fetchCommitted(h, 't', 6)).abortedTransactions],
      [0, []],
    );
    h.replicas.shutdown();
  });

  it('with a follower, a decided transaction stays unstable until the HW passes its marker', async () => {
    const h = harness();
    const p = h.host('t', { replicas: [1, 2], isr: [1, 2] });
    p.appendRecordsToLeader(await txn(P1, 0, 2), CLIENT); // 0-1
    p.appendTxnMarker(marker(P1, true)); // 2
    assert.deepEqual([p.highWatermark, p.lastStableOffset], [0, 0]);
    p.updateFollowerFetchState(2, 2, 0);
    assert.deepEqual([p.highWatermark, p.lastStableOffset], [2, 0]);
    p.updateFollowerFetchState(2, 3, 0);
    assert.deepEqual([p.highWatermark, p.lastStableOffset], [3, 3]);
    h.replicas.shutdown();
  });

  it('a read_committed long poll waits for bytes below the LSO and wakes when the LSO moves', async () => {
    const h = harness();
    const p = h.host('t');
    p.appendRecordsToLeader(await txn(P1, 0), CLIENT); // 0
    const pending = fetchCommitted(h, 't', 0, { maxWaitMs: 5000 });
    assert.ok(pending instanceof Promise);
    let done = false;
    void pending.then(() => {
      done = true;
    });
    p.appendRecordsToLeader(await txn(P1, 1), CLIENT); // 1: committed (HW 2), not stable
    await h.time.advance(10);
    assert.equal(done, false);
    p.appendTxnMarker(marker(P1, true)); // 2: the LSO moves to 3
    const r = only(await pending);
    assert.deepEqual([baseOffsets(r.records as Buffer), r.lastStableOffset, r.abortedTransactions], [[0, 1, 2], 3n, []]);
    assert.equal(p.stableBytes, p.committedBytes);
    h.replicas.shutdown();
  });

  it("markers: an epoch below the producer's is INVALID_PRODUCER_EPOCH, an older coordinator epoch TRANSACTION_COORDINATOR_FENCED", async () => {
    const h = harness();
    const p = h.host('t');
    p.appendRecordsToLeader(await batch(1, { producerId: P1, producerEpoch: 3, baseSequence: 0, isTransactional: true }), CLIENT);
    assert.throws(() => p.appendTxnMarker(marker(P1, true, 0, 2)), { errorCode: 47 });
    p.appendTxnMarker(marker(P1, false, 5, 3));
    assert.throws(() => p.appendTxnMarker(marker(P1, false, 4, 3)), { errorCode: 52 });
    assert.throws(() => p.appendTxnMarker(marker(P1, false, 5, 3), 2), { errorCode: 6 }); // served as node 2: not its leader
    assert.deepEqual([p.logEndOffset, p.lastStableOffset], [2, 2]);
    h.replicas.shutdown();
  });

  it('an open transaction survives a restart: the LSO is held at its first offset, and its abort is indexed', async () => {
    const h = harness();
    const p = h.host('t', { configs: { 'segment.bytes': '400' } });
    p.appendRecordsToLeader(await batch(2, { valueBytes: 100 }), CLIENT); // 0-1
    p.appendRecordsToLeader(await txn(P1, 0), CLIENT); // 2: opens
    for (let i = 0; i < 3; i++) p.appendRecordsToLeader(await batch(2, { valueBytes: 100 }), CLIENT); // rolls past it
    assert.ok(p.log.activeSegment.baseOffset > 2);
    h.replicas.shutdown();

    const h2 = harness({ fs: h.fs, time: h.time });
    const p2 = h2.host('t', { configs: { 'segment.bytes': '400' } });
    assert.deepEqual([p2.highWatermark, p2.lastStableOffset], [9, 2]);
    p2.appendTxnMarker(marker(P1, false)); // 9
    assert.equal(p2.lastStableOffset, 10);
    const r = only(await fetchCommitted(h2, 't', 0));
    assert.deepEqual(r.abortedTransactions, [{ producerId: P1, firstOffset: 2n }]);
    h2.replicas.shutdown();
  });
});
