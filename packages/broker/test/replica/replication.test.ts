// The leader's side of replication, on a fake clock: followers' fetches (ReplicaId >= 0) read up to
// the log end and move the high watermark (the minimum over the maximal ISR), a follower's
// DivergingEpoch, ISR shrink after replica.lag.time.max.ms (checked every lag / 2, so between
// lag and 1.5 x lag) and expand once a follower reaches the HW and the epoch start offset, a new
// leader resetting its followers' caught-up times, and the acks=all purgatory's answers: NONE,
// NOT_LEADER_OR_FOLLOWER and REQUEST_TIMED_OUT, with NOT_ENOUGH_REPLICAS once the ISR is too small.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import type { AppendRecordsRequest, FetchMessagesResponse } from '../../src/replica/replica-manager.ts';
import { batch, harness, topicIdOf, type Harness } from './helpers.ts';

const LAG = 10_000;

function produce(h: Harness, n: number, o: Partial<AppendRecordsRequest> = {}) {
  return (async () =>
    h.replicas.appendRecords({
      requiredAcks: -1,
      internalTopicsAllowed: false,
      origin: 'client',
      produceVersion: 11,
      timeoutMs: 30_000,
      topics: [{ name: 't', partitionData: [{ index: 0, records: await batch(n) }] }],
      ...o,
    }))();
}

/** A follower's fetch of t-0 from `offset` (its log end), with the epoch of its last record. */
function followerFetch(h: Harness, replicaId: number, offset: number, lastFetchedEpoch = -1, currentLeaderEpoch = -1) {
  return h.replicas.fetchMessages(
    {
      replicaId,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      topics: [
        {
          topic: 't',
          topicId: topicIdOf('t'),
          partitions: [
            {
              partition: 0,
              fetchOffset: BigInt(offset),
              partitionMaxBytes: 1 << 20,
              currentLeaderEpoch,
              lastFetchedEpoch,
              logStartOffset: 0n,
            },
          ],
        },
      ],
    },
    new AbortController().signal,
  ) as FetchMessagesResponse;
}

const settings = { 'replica.lag.time.max.ms': LAG };

/** Registers and unfences brokers 1..3 (only registered, unfenced brokers may join an ISR). */
function registerBrokers(h: Harness): void {
  for (const brokerId of [1, 2, 3]) {
    const reg = h.controller.registerBroker(
      h.image,
      { brokerId, incarnationId: `inc-${brokerId}`, endpoints: [] },
      h.image.provenance.lastOffset + 1,
    );
    h.publish(reg.records);
    h.publish(h.controller.unfenceBroker(h.image, brokerId).records);
  }
}

describe('replication: the leader', () => {
  it('the HW is the minimum log end offset over the ISR; acks=all is answered when the followers have fetched past it', async () => {
    const h = harness({ settings });
    const p = h.host('t', { replicas: [1, 2, 3], isr: [1, 2, 3] });
    const acked = produce(h, 3);
    const settled = { done: false };
    void acked.then(() => (settled.done = true));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual([p.logEndOffset, p.highWatermark, settled.done, h.replicas.producePurgatory.size], [3, 0, false, 1]);
    // follower 2 reads the 3 records (above the HW), then reports them on its next fetch
    const f = followerFetch(h, 2, 0)[0]!.partitions[0]!;
    assert.deepEqual([f.errorCode, f.highWatermark, f.records!.length > 0], [ErrorCode.NONE, 0n, true]);
    followerFetch(h, 2, 3);
    assert.equal(p.highWatermark, 0, 'follower 3 has not fetched');
    const f3 = followerFetch(h, 3, 3)[0]!.partitions[0]!;
    assert.equal(f3.highWatermark, 3n, 'the fetch that completes the ISR answers the new HW');
    assert.equal(p.highWatermark, 3);
    const r = (await acked) as Awaited<ReturnType<typeof h.replicas.appendRecords>>;
    assert.deepEqual([r[0]!.partitionResponses[0]!.errorCode, r[0]!.partitionResponses[0]!.baseOffset], [ErrorCode.NONE, 0n]);
    // a consumer sees nothing above the HW
    assert.deepEqual([p.follower(2)!.logEndOffset, p.follower(3)!.logEndOffset], [3, 3]);
  });

  it('a follower not caught up for replica.lag.time.max.ms leaves the ISR (checked every lag/2: after lag, before 1.5 lag); it rejoins once at the HW', async () => {
    const h = harness({ settings, alterIsr: true });
    registerBrokers(h);
    const p = h.host('t', { replicas: [1, 2], isr: [1, 2] });
    followerFetch(h, 2, 0); // caught up at T0
    void produce(h, 2, { requiredAcks: 1 });
    await new Promise((r) => setImmediate(r));
    // the follower never fetches again: out of sync once LAG has passed since T0
    await h.time.advance(LAG / 2);
    assert.deepEqual(h.image.partition('t', 0)!.isr, [1, 2]);
    await h.time.advance(LAG / 2);
    assert.deepEqual(h.image.partition('t', 0)!.isr, [1, 2], 'exactly LAG: still caught up');
    await h.time.advance(LAG / 2);
    assert.deepEqual(h.image.partition('t', 0)!.isr, [1], 'after 1.5 x LAG: out of the ISR');
    assert.deepEqual(p.isr, [1]);
    // with ISR [1] the HW follows the leader (min.insync.replicas 1)
    assert.equal(p.highWatermark, 2);
    // it fetches again: below the HW it stays out; at the HW it rejoins (unless fenced)
    h.publish(h.controller.fenceBroker(h.image, 2).records);
    followerFetch(h, 2, 2);
    assert.deepEqual(p.isr, [1], 'a fenced broker is not eligible');
    h.publish(h.controller.unfenceBroker(h.image, 2).records);
    followerFetch(h, 2, 1);
    assert.deepEqual(p.isr, [1]);
    followerFetch(h, 2, 2);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      [p.isr, h.image.partition('t', 0)!.isr],
      [
        [1, 2],
        [1, 2],
      ],
    );
  });

  it('an ISR or replica change under the same leader keeps the followers it still has as they were', async () => {
    const h = harness({ settings });
    const p = h.host('t', { replicas: [1, 2, 3], isr: [1, 2, 3] });
    await produce(h, 2, { requiredAcks: 1 });
    followerFetch(h, 2, 2);
    followerFetch(h, 3, 1);
    h.changePartition(p, { isr: [1, 2] });
    assert.deepEqual([p.isr, p.follower(2)!.logEndOffset, p.follower(3)!.logEndOffset], [[1, 2], 2, 1]);
    assert.equal(p.highWatermark, 2, 'the HW follows the ISR [1, 2] at once, without another fetch');
  });

  it('a healthy ISR is not shrunk by a new leader: followers count as caught up from the election', async () => {
    const h = harness({ settings, alterIsr: true });
    const p = h.host('t', { replicas: [2, 1], isr: [2, 1], leader: 2 });
    await h.time.advance(5 * LAG); // long as a follower
    h.changePartition(p, { leader: 1 });
    assert.equal(p.isLeader, true);
    await h.time.advance(LAG / 2);
    assert.deepEqual(p.isr, [2, 1], 'not shrunk on the first check');
    followerFetch(h, 2, 0);
    await h.time.advance(LAG);
    assert.deepEqual(p.isr, [2, 1]);
  });

  it('a follower whose last fetched epoch does not match this log gets DivergingEpoch and no records; its state is not updated', async () => {
    const h = harness({ settings });
    const p = h.host('t', { replicas: [1, 2], isr: [1, 2] });
    await produce(h, 4, { requiredAcks: 1 });
    h.changePartition(p, { leader: 2 });
    h.changePartition(p, { leader: 1 }); // epoch 2 starts at offset 4
    await produce(h, 2, { requiredAcks: 1 });
    // the follower has offsets 0..5 of epoch 1 (an old leader's tail): the leader's epoch 0 ends at 4
    const d = followerFetch(h, 2, 6, 1)[0]!.partitions[0]!;
    assert.deepEqual([d.errorCode, d.divergingEpoch, d.records!.length], [ErrorCode.NONE, { epoch: 0, endOffset: 4n }, 0]);
    assert.equal(p.follower(2)!.logEndOffset, -1);
    // matching: records from its offset
    const ok = followerFetch(h, 2, 4, 0)[0]!.partitions[0]!;
    assert.deepEqual([ok.divergingEpoch, ok.records!.length > 0], [undefined, true]);
    assert.equal(p.follower(2)!.logEndOffset, 4);
  });

  it('acks=all: NOT_LEADER_OR_FOLLOWER when leadership moves while waiting; REQUEST_TIMED_OUT after the timeout', async () => {
    const h = harness({ settings });
    const p = h.host('t', { replicas: [1, 2], isr: [1, 2] });
    const moved = produce(h, 1);
    await new Promise((r) => setImmediate(r));
    h.changePartition(p, { leader: 2 });
    assert.equal((await moved)[0]!.partitionResponses[0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);

    h.changePartition(p, { leader: 1 });
    const slow = produce(h, 1, { timeoutMs: 1000 });
    await new Promise((r) => setImmediate(r));
    await h.time.advance(999);
    assert.equal(h.replicas.producePurgatory.size, 1);
    await h.time.advance(1);
    const r = (await slow)[0]!.partitionResponses[0]!;
    assert.equal(r.errorCode, ErrorCode.REQUEST_TIMED_OUT);
    assert.equal(h.replicas.producePurgatory.size, 0);
  });

  it('acks=all while an ISR shrink is in flight: the maximal ISR still counts (NONE); once shrunk below min.insync.replicas, NOT_ENOUGH_REPLICAS', async () => {
    // (NOT_ENOUGH_REPLICAS_AFTER_APPEND needs the HW to move with the ISR below min.insync.replicas,
    // which strict min ISR (Kafka 3.7+) no longer allows: the HW stays and the write times out)
    let answer: (v: { errorCode: number; isr: number[]; partitionEpoch: number }) => void = () => {};
    const h = harness({
      settings,
      alterIsr: () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    });
    const p = h.host('t', { replicas: [1, 2, 3], isr: [1, 2, 3], configs: { 'min.insync.replicas': '2' } });
    followerFetch(h, 2, 0);
    followerFetch(h, 3, 0);
    const w = produce(h, 1);
    await new Promise((r) => setImmediate(r));
    await h.time.advance(LAG * 1.5); // both out of sync: proposed out, the maximal ISR is still [1, 2, 3]
    assert.equal(p.isrChangePending, true);
    followerFetch(h, 2, 1);
    followerFetch(h, 3, 1);
    // the HW reached the write while the maximal ISR was whole: NONE
    assert.equal((await w)[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    answer({ errorCode: ErrorCode.NONE, isr: [1], partitionEpoch: p.partitionEpoch + 1 });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(p.isr, [1]);
    // ISR [1] < 2: acks=all is refused before appending
    const refused = (await produce(h, 1))[0]!.partitionResponses[0]!;
    assert.equal(refused.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
    assert.equal(p.logEndOffset, 1);
  });
});
