// cleanLog on transactional and idempotent data: aborted data removed, COMMIT/ABORT markers kept
// while their transaction has data, then given a delete horizon, then removed; the cleaned
// .txnindex; a producer's last batch kept as an empty batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attr } from '@tributary/protocol';
import { cleanLog } from '../../src/cleaner/cleaner.ts';
import { lastSeqOf } from '../../src/producer-append-info.ts';
import { DIR, HOUR, T0, append, appendMarker, batches, compactConfig, job, layout, newEnv, noPacer, reload } from './helpers.ts';

const P1 = 1n;
const P2 = 2n;

test('aborted data goes; markers stay while their transaction has data, then get a horizon, then go', async () => {
  const { log } = newEnv(compactConfig({ deleteRetentionMs: HOUR }));
  await append(log, [{ key: 'a', value: 'a0' }]);
  await append(log, [{ key: 'a', value: 'p1-a' }], { producerId: P1, producerEpoch: 0, baseSequence: 0, transactional: true });
  await append(log, [{ key: 'b', value: 'p1-b' }], { producerId: P1, producerEpoch: 0, baseSequence: 1, transactional: true });
  await append(log, [{ key: 'a', value: 'p2-a' }], { producerId: P2, producerEpoch: 0, baseSequence: 0, transactional: true });
  await append(log, [{ key: 'c', value: 'p2-c' }], { producerId: P2, producerEpoch: 0, baseSequence: 1, transactional: true });
  appendMarker(log, P1, 0, true);
  appendMarker(log, P2, 0, false);
  await append(log, [{ key: 'd', value: 'd0' }]);
  log.roll();
  assert.deepEqual(log.collectAbortedTransactions(0, 8), [{ producerId: P2, firstOffset: 3, lastOffset: 6, lastStableOffset: 7 }]);

  const r1 = await cleanLog(log, job(log, { now: T0 + 1000 }), noPacer);
  assert.equal(r1.endOffset, 8);
  assert.equal(r1.mapKeys, 3); // a, b, d: aborted data and markers never enter the map
  assert.deepEqual(await layout(log), [
    // a0 went (a@1 is newer); p2's aborted a@3 went; c@4 is p2's last data batch: kept empty
    '1 1:a=p1-a p1 txn',
    '2 2:b=p1-b p1 txn',
    '4 empty p2 txn',
    '5 COMMIT p1', // its transaction's data is still there
    '6 ABORT p2', // its transaction's batch at 4 was seen: kept, and in the new .txnindex
    '7 7:d=d0',
  ]);
  assert.deepEqual(log.segments[0]!.txnIndex.all(), [{ producerId: P2, firstOffset: 3, lastOffset: 6, lastStableOffset: 7 }]);
  assert.deepEqual(log.collectAbortedTransactions(0, 8), [{ producerId: P2, firstOffset: 3, lastOffset: 6, lastStableOffset: 7 }]);

  // p2 commits a new transaction: its batch at 4 is no longer its last
  await append(log, [{ key: 'c', value: 'p2-c2' }], { producerId: P2, producerEpoch: 0, baseSequence: 2, transactional: true });
  appendMarker(log, P2, 0, true);
  await append(log, [
    { key: 'a', value: 'a3' },
    { key: 'b', value: 'b3' },
  ]);
  log.roll();
  const r2 = await cleanLog(log, job(log, { firstDirtyOffset: 8, now: T0 + 2000 }), noPacer);
  assert.equal(r2.endOffset, 12);
  assert.deepEqual(await layout(log), [
    '2 empty p1 txn', // p1's last data batch: its records are superseded, the batch stays empty
    '5 COMMIT p1', // p1's batch at 2 was seen in this pass
    '6 ABORT p2', // the empty batch at 4 was seen (then dropped) in this pass: kept once more
    '7 7:d=d0',
    '8 8:c=p2-c2 p2 txn',
    '9 COMMIT p2',
    '10-11 10:a=a3 11:b=b3',
  ]);

  // nothing of p2's aborted transaction left: its ABORT marker gets a horizon (and leaves the .txnindex)
  const r3 = await cleanLog(log, job(log, { firstDirtyOffset: 12, now: T0 + 3000 }), noPacer);
  assert.equal(r3.endOffset, 12);
  assert.equal(r3.nextDeleteHorizonMs, T0 + 3000 + HOUR);
  assert.deepEqual(await layout(log), [
    '2 empty p1 txn',
    '5 COMMIT p1',
    '6 ABORT p2 +h',
    '7 7:d=d0',
    '8 8:c=p2-c2 p2 txn',
    '9 COMMIT p2',
    '10-11 10:a=a3 11:b=b3',
  ]);
  const marker = (await batches(log))[2]!;
  assert.equal(marker.baseTimestamp, BigInt(T0 + 3000 + HOUR));
  assert.equal(marker.maxTimestamp, BigInt(T0));
  assert.equal(marker.records[0]!.timestamp, BigInt(T0));
  assert.deepEqual(log.collectAbortedTransactions(0, 12), []);

  // before its horizon it stays; at it, it goes
  await cleanLog(log, job(log, { firstDirtyOffset: 12, now: T0 + 3000 + HOUR - 1 }), noPacer);
  assert.equal((await layout(log))[2], '6 ABORT p2 +h');
  const r5 = await cleanLog(log, job(log, { firstDirtyOffset: 12, now: T0 + 3000 + HOUR }), noPacer);
  assert.equal(r5.nextDeleteHorizonMs, -1);
  assert.deepEqual(await layout(log), [
    '2 empty p1 txn',
    '5 COMMIT p1',
    '7 7:d=d0',
    '8 8:c=p2-c2 p2 txn',
    '9 COMMIT p2',
    '10-11 10:a=a3 11:b=b3',
  ]);
});

test('a COMMIT marker whose transaction data is all gone gets a horizon and is then removed', async () => {
  const { log } = newEnv(compactConfig({ deleteRetentionMs: 100 }));
  await append(log, [{ key: 'a', value: 'a1' }], { producerId: P1, producerEpoch: 0, baseSequence: 0, transactional: true });
  appendMarker(log, P1, 0, true);
  await append(log, [{ key: 'x', value: 'x1' }], { producerId: P1, producerEpoch: 0, baseSequence: 1, transactional: true });
  appendMarker(log, P1, 0, true);
  await append(log, [{ key: 'a', value: 'a2' }]);
  log.roll();
  await cleanLog(log, job(log, { now: T0 }), noPacer);
  assert.deepEqual(await layout(log), ['1 COMMIT p1', '2 2:x=x1 p1 txn', '3 COMMIT p1', '4 4:a=a2']);
  await cleanLog(log, job(log, { firstDirtyOffset: 5, now: T0 + 10 }), noPacer);
  assert.deepEqual(await layout(log), ['1 COMMIT p1 +h', '2 2:x=x1 p1 txn', '3 COMMIT p1', '4 4:a=a2']);
  assert.equal((await batches(log))[0]!.baseTimestamp, BigInt(T0 + 110));
  await cleanLog(log, job(log, { firstDirtyOffset: 5, now: T0 + 110 }), noPacer);
  assert.deepEqual(await layout(log), ['2 2:x=x1 p1 txn', '3 COMMIT p1', '4 4:a=a2']);
});

test("a producer's last batch is kept as an empty batch carrying its sequence range and epoch", async () => {
  const env = newEnv(compactConfig());
  const { log } = env;
  await append(
    log,
    [
      { key: 'a', value: 'a1' },
      { key: 'b', value: 'b1', timestamp: T0 + 7 },
    ],
    { producerId: 5n, producerEpoch: 3, baseSequence: 0 },
  );
  await append(log, [
    { key: 'a', value: 'a2' },
    { key: 'b', value: 'b2' },
  ]);
  await append(log, [{ key: 'z', value: 'z1' }], { producerId: 6n, producerEpoch: 0, baseSequence: 0 });
  await append(log, [{ key: 'z', value: 'z2' }], { producerId: 6n, producerEpoch: 0, baseSequence: 1 });
  log.roll();
  await cleanLog(log, job(log), noPacer);
  // p6's first batch is not its last: it goes; p5's only batch stays, empty
  assert.deepEqual(await layout(log), ['0-1 empty p5', '2-3 2:a=a2 3:b=b2', '5 5:z=z2 p6']);
  const raw = log.read(0, 61).records.subarray(0, 61);
  const empty = (await batches(log))[0]!;
  assert.equal(raw.length, 61);
  assert.equal(empty.sizeInBytes, 61);
  assert.equal(empty.producerEpoch, 3);
  assert.equal(empty.baseSequence, 0);
  assert.equal(empty.lastOffsetDelta, 1);
  assert.equal(empty.baseTimestamp, -1n);
  assert.equal(empty.maxTimestamp, BigInt(T0 + 7));
  assert.equal(empty.attributes & (Attr.CompressionMask | Attr.DeleteHorizon | Attr.Transactional | Attr.Control), 0);
  // rebuilt from the log alone (no snapshot), the producer state still knows p5's epoch and last sequence
  log.close();
  for (const name of env.mem.readdirSync(DIR)) if (name.endsWith('.snapshot')) env.mem.unlinkSync(`${DIR}/${name}`);
  const again = reload(env, log.config, { recoveryPoint: 0 });
  const p5 = again.producerState.lastEntry(5n)!;
  assert.equal(p5.producerEpoch, 3);
  assert.equal(lastSeqOf(p5), 1);
  assert.equal(lastSeqOf(again.producerState.lastEntry(6n)!), 1);
});
