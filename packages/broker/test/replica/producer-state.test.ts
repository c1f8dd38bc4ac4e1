// Idempotent producer state through a Partition on MemoryFileSystem (the checks themselves are
// storage's, tested in packages/storage/test/producer-state.test.ts): the duplicate answer, and
// the state after a restart, from the producer snapshots and the log after them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batch, harness, idempotent } from './helpers.ts';

const PID = 1000n;

describe('producer state through a Partition', () => {
  it('a retried batch is not appended again and answers its original offsets and append time', async () => {
    const h = harness();
    const p = h.host('t', { configs: { 'message.timestamp.type': 'LogAppendTime' } });
    const opts = { requiredAcks: 1, origin: 'client' as const };
    await p.appendRecordsToLeader(await batch(2), opts);
    const first = await p.appendRecordsToLeader(await idempotent(PID, 0, 0, 3), opts);
    await h.time.advance(50);
    const retry = await p.appendRecordsToLeader(await idempotent(PID, 0, 0, 3), opts);
    assert.deepEqual(first, { firstOffset: 2, lastOffset: 4, logAppendTimeMs: h.time.now() - 50, duplicate: false });
    assert.deepEqual(retry, { ...first, duplicate: true });
    assert.equal(p.logEndOffset, 5);
    const gap = await idempotent(PID, 0, 4, 1);
    assert.throws(() => p.appendRecordsToLeader(gap, opts), { errorCode: 45 });
    h.replicas.shutdown();
  });

  it("a coordinator's transactional batches (BaseSequence 0 each time) are checked for their epoch only, never duplicates", async () => {
    const h = harness();
    const p = h.host('t');
    const opts = { requiredAcks: 1, origin: 'coordinator' as const };
    const txn = (epoch: number, count: number) => idempotent(PID, epoch, 0, count, { isTransactional: true });
    assert.equal((await p.appendRecordsToLeader(await txn(1, 2), opts)).firstOffset, 0);
    // the same header again (a second TxnOffsetCommit of the transaction): appended, not a duplicate
    assert.deepEqual(await p.appendRecordsToLeader(await txn(1, 2), opts), {
      firstOffset: 2,
      lastOffset: 3,
      logAppendTimeMs: -1,
      duplicate: false,
    });
    assert.equal((await p.appendRecordsToLeader(await txn(1, 1), opts)).firstOffset, 4);
    const fenced = await txn(0, 1);
    assert.throws(() => p.appendRecordsToLeader(fenced, opts), { errorCode: 47 });
    assert.equal((await p.appendRecordsToLeader(await txn(2, 1), opts)).firstOffset, 5);
    // A client's batch with the same header is still checked for its sequence.
    const client = await idempotent(PID, 2, 5, 1);
    assert.throws(() => p.appendRecordsToLeader(client, { requiredAcks: 1, origin: 'client' }), { errorCode: 45 });
    h.replicas.shutdown();
  });

  it('after a restart, the state is loaded from the snapshot: duplicates and gaps are still recognised', async () => {
    const h = harness();
    const p = h.host('t');
    const opts = { requiredAcks: 1, origin: 'client' as const };
    for (let s = 0; s < 3; s++) await p.appendRecordsToLeader(await idempotent(PID, 1, 2 * s, 2), opts);
    h.replicas.shutdown();

    const h2 = harness({ fs: h.fs, time: h.time });
    const p2 = h2.host('t');
    assert.equal(p2.log.producerState.producerCount, 1); // loaded with the log
    assert.deepEqual(await p2.appendRecordsToLeader(await idempotent(PID, 1, 4, 2), opts), {
      firstOffset: 4,
      lastOffset: 5,
      logAppendTimeMs: -1,
      duplicate: true,
    });
    // as Kafka, a snapshot keeps a producer's last batch only: an older retry is out of order
    const older = await idempotent(PID, 1, 2, 2);
    assert.throws(() => p2.appendRecordsToLeader(older, opts), { errorCode: 45 });
    const gap = await idempotent(PID, 1, 7, 1);
    assert.throws(() => p2.appendRecordsToLeader(gap, opts), { errorCode: 45 });
    const fenced = await idempotent(PID, 0, 6, 1);
    assert.throws(() => p2.appendRecordsToLeader(fenced, opts), { errorCode: 47 });
    assert.deepEqual(await p2.appendRecordsToLeader(await idempotent(PID, 1, 6, 1), opts), {
      firstOffset: 6,
      lastOffset: 6,
      logAppendTimeMs: -1,
      duplicate: false,
    });
    h2.replicas.shutdown();
  });

  it('after a restart, a duplicate on a LogAppendTime topic answers the append time stamped in the stored batch', async () => {
    const h = harness();
    const configs = { 'message.timestamp.type': 'LogAppendTime' };
    const opts = { requiredAcks: 1, origin: 'client' as const };
    const first = await h.host('t', { configs }).appendRecordsToLeader(await idempotent(PID, 0, 0, 2), opts);
    assert.equal(first.logAppendTimeMs, h.time.now());
    h.replicas.shutdown();
    await h.time.advance(1000);

    const h2 = harness({ fs: h.fs, time: h.time });
    const retry = await h2.host('t', { configs }).appendRecordsToLeader(await idempotent(PID, 0, 0, 2), opts);
    assert.deepEqual(retry, { ...first, duplicate: true });
    h2.replicas.shutdown();
  });

  it('producers only in older segments are still known after a restart (a gap is out of order)', async () => {
    const h = harness();
    const p = h.host('t', { configs: { 'segment.bytes': '300' } });
    const opts = { requiredAcks: 1, origin: 'client' as const };
    await p.appendRecordsToLeader(await idempotent(PID, 0, 0, 2, { valueBytes: 100 }), opts);
    await p.appendRecordsToLeader(await batch(1, { valueBytes: 100 }), opts); // rolls: the active segment holds no idempotent batch
    assert.equal(p.log.activeSegment.baseOffset, 2);
    h.replicas.shutdown();

    const h2 = harness({ fs: h.fs, time: h.time });
    const p2 = h2.host('t', { configs: { 'segment.bytes': '300' } });
    const gap = await idempotent(PID, 0, 9, 1);
    assert.throws(() => p2.appendRecordsToLeader(gap, opts), { errorCode: 45 });
    assert.equal((await p2.appendRecordsToLeader(await idempotent(PID, 0, 2, 1), opts)).firstOffset, 3);
    h2.replicas.shutdown();
  });
});
