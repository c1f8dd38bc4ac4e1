// Idempotent producer state: ProducerStateManager's checks on batch headers (duplicates of the last
// 5 batches, sequence gaps, fenced and new epochs), and through a Partition on MemoryFileSystem
// the duplicate answer and the rebuild from the active segment after a restart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BATCHES_TO_RETAIN, ProducerStateManager, idempotentBatches } from '../../src/replica/producer-state.ts';
import { batch, harness, idempotent } from './helpers.ts';

const INT32_MAX = 2147483647;
const PID = 1000n;

/** A batch as the log stored it: `count` records at `baseOffset`. */
function stored(baseOffset: number, epoch: number, seq: number, count = 1, pid = PID): Promise<Buffer> {
  return idempotent(pid, epoch, seq, count, { baseOffset: BigInt(baseOffset) });
}

/** check() then update(), as Partition does for an append that is not a duplicate. */
async function append(m: ProducerStateManager, baseOffset: number, epoch: number, seq: number, count = 1, logAppendTimeMs = -1) {
  const b = await stored(baseOffset, epoch, seq, count);
  const found = idempotentBatches(b);
  assert.equal(m.check(found), null);
  m.update(b, found, logAppendTimeMs);
}

async function check(m: ProducerStateManager, epoch: number, seq: number, count = 1) {
  return m.check(idempotentBatches(await stored(0, epoch, seq, count)));
}

function rejects(p: Promise<unknown>, errorCode: number, message?: RegExp) {
  return assert.rejects(p, (err: Error & { errorCode?: number }) => {
    assert.equal(err.errorCode, errorCode, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('idempotentBatches', () => {
  it('lists batches with a producer id (position, epoch, first and last sequence) and skips ProducerId -1', async () => {
    const a = await idempotent(7n, 2, 10, 3);
    const plain = await batch(2);
    const c = await idempotent(8n, 0, 0, 1);
    const found = idempotentBatches(Buffer.concat([a, plain, c]));
    assert.deepEqual(found, [
      { position: 0, producerId: 7n, epoch: 2, firstSeq: 10, lastSeq: 12 },
      { position: a.length + plain.length, producerId: 8n, epoch: 0, firstSeq: 0, lastSeq: 0 },
    ]);
  });

  it('the last sequence wraps past Int32.MAX to 0', async () => {
    assert.equal(idempotentBatches(await idempotent(7n, 0, INT32_MAX - 1, 3))[0]!.lastSeq, 0);
    assert.equal(idempotentBatches(await idempotent(7n, 0, INT32_MAX, 1))[0]!.lastSeq, INT32_MAX);
  });
});

describe('ProducerStateManager', () => {
  it('an unknown producer may start at any sequence; then each batch must continue it: OUT_OF_ORDER_SEQUENCE_NUMBER (45)', async () => {
    const m = new ProducerStateManager();
    assert.equal(await check(m, 0, 42), null);
    await append(m, 0, 0, 0, 3);
    assert.equal(m.producerCount, 1);
    assert.equal(await check(m, 0, 3), null);
    await rejects(
      check(m, 0, 5),
      45,
      /^Out of order sequence number for producer 1000 at offset 0 in partition: 5 \(incoming seq\. number\), 2 \(current end sequence number\)$/,
    );
    await rejects(check(m, 0, 2), 45);
  });

  it(`a retry of one of the last ${BATCHES_TO_RETAIN} batches is a duplicate answered with its original offsets; an older one is out of order`, async () => {
    const m = new ProducerStateManager();
    for (let i = 0; i < 6; i++) await append(m, 10 + 2 * i, 0, 2 * i, 2, 500 + i); // seqs [0,1] .. [10,11], offsets 10.. 21
    for (let i = 1; i < 6; i++) {
      assert.deepEqual(await check(m, 0, 2 * i, 2), {
        firstSeq: 2 * i,
        lastSeq: 2 * i + 1,
        firstOffset: 10 + 2 * i,
        lastOffset: 11 + 2 * i,
        logAppendTimeMs: 500 + i,
      });
    }
    await rejects(check(m, 0, 0, 2), 45); // evicted: no longer recognised
    await rejects(check(m, 0, 2, 1), 45); // overlaps a retained batch without repeating it
  });

  it("an epoch below the producer's: INVALID_PRODUCER_EPOCH (47)", async () => {
    const m = new ProducerStateManager();
    await append(m, 0, 5, 0);
    await rejects(check(m, 4, 1), 47, /^Epoch of producer 1000 is 4, which is smaller than the last seen epoch 5$/);
  });

  it("a new epoch must start at sequence 0 (45 otherwise) and replaces the old epoch's batches", async () => {
    const m = new ProducerStateManager();
    await append(m, 0, 1, 0, 3);
    await rejects(
      check(m, 2, 3),
      45,
      /^Invalid sequence number for new epoch of producer 1000 at epoch 2: 3 \(request epoch\), 0 \(expected\)$/,
    );
    await append(m, 3, 2, 0);
    await rejects(check(m, 1, 0, 3), 47); // the old epoch's duplicate is fenced now
    assert.deepEqual(await check(m, 2, 0), { firstSeq: 0, lastSeq: 0, firstOffset: 3, lastOffset: 3, logAppendTimeMs: -1 });
  });

  it('after Int32.MAX the next sequence is 0', async () => {
    const m = new ProducerStateManager();
    await append(m, 0, 0, INT32_MAX - 1, 2);
    assert.equal(await check(m, 0, 0), null);
    await rejects(check(m, 0, INT32_MAX), 45);
  });

  it('several batches of one producer in one append must continue each other', async () => {
    const m = new ProducerStateManager();
    await append(m, 0, 0, 0, 2);
    const two = async (s1: number, s2: number) => idempotentBatches(Buffer.concat([await stored(0, 0, s1, 2), await stored(2, 0, s2, 1)]));
    assert.equal(m.check(await two(2, 4)), null);
    await rejects((async () => m.check(await two(2, 5)))(), 45);
    await rejects((async () => m.check(await two(0, 2)))(), 45); // a duplicate only counts alone
  });

  it('truncateTo forgets batches at or past the log end, and producers left with none', async () => {
    const m = new ProducerStateManager();
    await append(m, 0, 0, 0, 2); // offsets 0-1
    await append(m, 2, 0, 2, 2); // offsets 2-3
    m.truncateTo(2);
    assert.equal(await check(m, 0, 2), null); // continues from seq 1 again
    m.truncateTo(1);
    assert.equal(m.producerCount, 0);
    assert.equal(await check(m, 0, 99), null);
  });
});

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

  it('after a restart, the state is rebuilt from the active segment: duplicates and gaps are still recognised', async () => {
    const h = harness();
    const p = h.host('t');
    const opts = { requiredAcks: 1, origin: 'client' as const };
    for (let s = 0; s < 3; s++) await p.appendRecordsToLeader(await idempotent(PID, 1, 2 * s, 2), opts);
    h.replicas.shutdown();

    const h2 = harness({ fs: h.fs, time: h.time });
    const p2 = h2.host('t');
    assert.equal(p2.producerState.producerCount, 0); // loaded lazily, on the first idempotent append
    assert.deepEqual(await p2.appendRecordsToLeader(await idempotent(PID, 1, 2, 2), opts), {
      firstOffset: 2,
      lastOffset: 3,
      logAppendTimeMs: -1,
      duplicate: true,
    });
    assert.equal(p2.producerState.producerCount, 1);
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

  it('producers only in older segments are unknown after a restart (any sequence accepted)', async () => {
    const h = harness();
    const p = h.host('t', { configs: { 'segment.bytes': '300' } });
    const opts = { requiredAcks: 1, origin: 'client' as const };
    await p.appendRecordsToLeader(await idempotent(PID, 0, 0, 2, { valueBytes: 100 }), opts);
    await p.appendRecordsToLeader(await batch(1, { valueBytes: 100 }), opts); // rolls: the active segment holds no idempotent batch
    assert.equal(p.log.activeSegment.baseOffset, 2);
    h.replicas.shutdown();

    const h2 = harness({ fs: h.fs, time: h.time });
    const p2 = h2.host('t', { configs: { 'segment.bytes': '300' } });
    assert.equal((await p2.appendRecordsToLeader(await idempotent(PID, 0, 9, 1), opts)).firstOffset, 3);
    h2.replicas.shutdown();
  });
});
