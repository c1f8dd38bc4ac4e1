// DelayedFetch: a long poll counted from the Partitions' committedBytes (never reading the log),
// completed by min.bytes, max.wait.ms on MockTime, or its abort signal.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { MockTime } from '@tributary/storage';
import { DelayedFetch } from '../../../src/replica/purgatory/delayed-fetch.ts';
import { DelayedOperationPurgatory } from '../../../src/replica/purgatory/delayed-operation-purgatory.ts';
import { batch, harness } from '../helpers.ts';

const ACKS_1 = { requiredAcks: 1, origin: 'client' as const };

function twoPartitions(settings: Record<string, string> = {}) {
  const h = harness({ settings });
  return { h, p: h.host('t'), q: h.host('u', { partition: 3 }) };
}

/** Whether `promise` has settled by now (after pending microtasks). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('DelayedFetch', () => {
  it('watches one key per distinct partition', () => {
    const { p, q } = twoPartitions();
    const op = new DelayedFetch({
      partitions: [p, q, p],
      bytesAtStart: 0,
      minBytes: 1,
      maxWaitMs: 100,
      signal: new AbortController().signal,
    });
    assert.deepEqual(op.keys, ['t-0', 'u-3']);
  });

  it('completes once the bytes committed since it was parked, plus those readable at the start, reach minBytes', async () => {
    const { p, q } = twoPartitions();
    const a = await batch(1, { valueBytes: 40 });
    const b = await batch(1, { valueBytes: 40 });
    await p.appendRecordsToLeader(await batch(1), ACKS_1); // before: not counted
    const minBytes = 20 + a.length + b.length;
    const op = new DelayedFetch({ partitions: [p, q], bytesAtStart: 20, minBytes, maxWaitMs: 100, signal: new AbortController().signal });
    assert.equal(op.tryComplete(), false);
    await p.appendRecordsToLeader(a, ACKS_1);
    assert.equal(op.tryComplete(), false); // 20 + a.length
    await q.appendRecordsToLeader(b, ACKS_1);
    assert.equal(op.tryComplete(), true);
    assert.equal(await settled(op.completion), true);
    assert.equal(op.tryComplete(), false); // once
  });

  it('fsync durability: bytes appended but not yet fsynced (above the HW) do not count', async () => {
    const { h, p } = twoPartitions({ 'tributary.durability': 'fsync' });
    const b = await batch(1);
    const op = new DelayedFetch({ partitions: [p], bytesAtStart: 0, minBytes: 1, maxWaitMs: 100, signal: new AbortController().signal });
    const pending = p.appendRecordsToLeader(b, ACKS_1);
    assert.equal(op.tryComplete(), false);
    await pending;
    assert.equal(op.tryComplete(), true);
    h.replicas.shutdown();
  });

  it('in a purgatory: answered at maxWaitMs on MockTime, and leaves no watcher behind', async () => {
    const { h, p } = twoPartitions();
    const purgatory = new DelayedOperationPurgatory<DelayedFetch>('Fetch', h.time);
    const ac = new AbortController();
    const op = new DelayedFetch({ partitions: [p], bytesAtStart: 0, minBytes: 1, maxWaitMs: 500, signal: ac.signal });
    assert.equal(purgatory.tryCompleteElseWatch(op, op.keys), false);
    await h.time.advance(499);
    assert.equal(await settled(op.completion), false);
    await h.time.advance(1);
    assert.equal(await settled(op.completion), true);
    assert.equal(purgatory.size, 0);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  });

  it('an abort completes it at once and removes it from the purgatory', async () => {
    const { p, q } = twoPartitions();
    const time = new MockTime(0); // the purgatory's own, so its timers are the only ones
    const purgatory = new DelayedOperationPurgatory<DelayedFetch>('Fetch', time);
    const ac = new AbortController();
    const op = new DelayedFetch({ partitions: [p, q], bytesAtStart: 0, minBytes: 1, maxWaitMs: 500, signal: ac.signal });
    purgatory.tryCompleteElseWatch(op, op.keys);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
    ac.abort();
    assert.equal(op.isCompleted, true);
    assert.equal(await settled(op.completion), true);
    assert.deepEqual([purgatory.size, getEventListeners(ac.signal, 'abort').length, time.nextTimerAt()], [0, 0, null]);
  });

  it('a signal aborted before it is built: already complete, never watched', async () => {
    const { p } = twoPartitions();
    const time = new MockTime(0);
    const purgatory = new DelayedOperationPurgatory<DelayedFetch>('Fetch', time);
    const op = new DelayedFetch({ partitions: [p], bytesAtStart: 0, minBytes: 1, maxWaitMs: 500, signal: AbortSignal.abort() });
    assert.equal(op.isCompleted, true);
    assert.equal(purgatory.tryCompleteElseWatch(op, op.keys), true);
    assert.deepEqual([purgatory.size, time.nextTimerAt()], [0, null]);
  });
});
