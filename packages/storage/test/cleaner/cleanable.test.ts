// cleanableRange: the checkpoint clamped to the log, the uncleanable bound (active segment, last
// stable offset, min.compaction.lag.ms) rounded to a segment base, bytes and ratio,
// max.compaction.lag.ms; and retention on compact-only logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanableRange } from '../../src/cleaner/cleanable.ts';
import { cleanLog } from '../../src/cleaner/cleaner.ts';
import { HOUR, T0, append, compactConfig, job, newEnv, noPacer, summary } from './helpers.ts';
import type { PartitionLog } from '../../src/partition-log.ts';

/** Five closed segments of 4 one-record batches each (offsets 4s..4s+3, timestamps T0 + s hours), and an active one. */
async function fiveSegments(log: PartitionLog): Promise<number[]> {
  for (let s = 0; s < 5; s++) {
    for (let i = 0; i < 4; i++) await append(log, [{ key: `k${i}`, value: `s${s}`, timestamp: T0 + s * HOUR + i }]);
    log.roll();
  }
  await append(log, [{ key: 'k0', value: 'active', timestamp: T0 + 5 * HOUR }]);
  return log.segments.map((s) => s.size);
}

test('no checkpoint: everything from the log start up to the active segment is dirty', async () => {
  const { log } = newEnv(compactConfig());
  const sizes = await fiveSegments(log);
  const seg = sizes[0]!;
  assert.deepEqual(sizes, [seg, seg, seg, seg, seg, sizes[5]]);
  assert.deepEqual(cleanableRange(log, undefined, log.logEndOffset, T0 + 10 * HOUR), {
    firstDirtyOffset: 0,
    firstUncleanableOffset: 20,
    cleanBytes: 0,
    dirtyBytes: 5 * seg,
    cleanableRatio: 1,
    needCompactionNow: false,
  });
});

test('the checkpoint is the first dirty offset; below the log start or beyond its end it resets to the log start', async () => {
  const { log } = newEnv(compactConfig());
  const [seg] = await fiveSegments(log);
  const r = cleanableRange(log, 8, log.logEndOffset, T0);
  assert.equal(r.firstDirtyOffset, 8);
  assert.equal(r.firstUncleanableOffset, 20);
  assert.equal(r.cleanBytes, 2 * seg!);
  assert.equal(r.dirtyBytes, 3 * seg!);
  assert.equal(r.cleanableRatio, 3 / 5);
  log.deleteRecordsBefore(4);
  assert.equal(cleanableRange(log, 2, log.logEndOffset, T0).firstDirtyOffset, 4);
  assert.equal(cleanableRange(log, 22, log.logEndOffset, T0).firstDirtyOffset, 4);
  assert.equal(cleanableRange(log, 21, log.logEndOffset, T0).firstDirtyOffset, 21);
  // a checkpoint inside a segment: that segment counts as clean and dirty (as Kafka)
  const mid = cleanableRange(log, 10, log.logEndOffset, T0);
  assert.equal(mid.cleanBytes, 2 * seg!);
  assert.equal(mid.dirtyBytes, 3 * seg!);
});

test('the last stable offset bounds the dirty section, rounded down to its segment', async () => {
  const { log } = newEnv(compactConfig());
  const [seg] = await fiveSegments(log);
  const r = cleanableRange(log, undefined, 14, T0);
  assert.equal(r.firstUncleanableOffset, 12);
  assert.equal(r.dirtyBytes, 3 * seg!);
  // an LSO inside the segment holding the checkpoint: nothing is cleanable
  const none = cleanableRange(log, 13, 14, T0);
  assert.equal(none.firstDirtyOffset, 13);
  assert.equal(none.firstUncleanableOffset, 13);
  assert.equal(none.dirtyBytes, 0);
  // the clean respects it: segments from 12 on keep every record
  await cleanLog(log, job(log, { firstUncleanableOffset: r.firstUncleanableOffset }), noPacer);
  assert.deepEqual(await summary(log), [
    '8:k0=s2',
    '9:k1=s2',
    '10:k2=s2',
    '11:k3=s2',
    ...[12, 16].flatMap((b) => [0, 1, 2, 3].map((i) => `${b + i}:k${i}=s${b / 4}`)),
    '20:k0=active',
  ]);
});

test('min.compaction.lag.ms: the first closed segment with a record newer than now - lag is uncleanable', async () => {
  const { log } = newEnv(compactConfig({ minCompactionLagMs: 2 * HOUR }));
  await fiveSegments(log);
  // segment s holds timestamps up to T0 + s h + 3 ms; at T0 + 4 h, segments 2.. are within 2 h
  assert.equal(cleanableRange(log, undefined, log.logEndOffset, T0 + 4 * HOUR).firstUncleanableOffset, 8);
  assert.equal(cleanableRange(log, undefined, log.logEndOffset, T0 + 4 * HOUR + 4).firstUncleanableOffset, 12);
  assert.equal(cleanableRange(log, undefined, log.logEndOffset, T0 + 100 * HOUR).firstUncleanableOffset, 20);
  // never below the first dirty offset
  assert.equal(cleanableRange(log, 16, log.logEndOffset, T0).firstUncleanableOffset, 16);
});

test('max.compaction.lag.ms: compaction is due once the first dirty batch is older than the lag', async () => {
  const { log } = newEnv(compactConfig({ maxCompactionLagMs: 10 * HOUR }));
  await fiveSegments(log);
  assert.equal(cleanableRange(log, undefined, log.logEndOffset, T0 + 10 * HOUR).needCompactionNow, false);
  assert.equal(cleanableRange(log, undefined, log.logEndOffset, T0 + 10 * HOUR + 1).needCompactionNow, true);
  // from segment 12 (first batch at T0 + 3 h) on
  assert.equal(cleanableRange(log, 12, log.logEndOffset, T0 + 13 * HOUR).needCompactionNow, false);
  assert.equal(cleanableRange(log, 12, log.logEndOffset, T0 + 13 * HOUR + 1).needCompactionNow, true);
});

test('an empty log: nothing dirty, ratio 0', () => {
  const { log } = newEnv(compactConfig());
  assert.deepEqual(cleanableRange(log, undefined, 0, T0), {
    firstDirtyOffset: 0,
    firstUncleanableOffset: 0,
    cleanBytes: 0,
    dirtyBytes: 0,
    cleanableRatio: 0,
    needCompactionNow: false,
  });
});

test('retention by time and size deletes nothing on a compact-only log, and does on compact,delete', async () => {
  for (const del of [false, true]) {
    const { log } = newEnv(compactConfig({ delete: del, retentionMs: HOUR, retentionBytes: 1 }));
    await fiveSegments(log);
    const deleted = log.deleteOldSegments();
    assert.equal(deleted, del ? 5 : 0);
    assert.equal(log.segments.length, del ? 1 : 6);
    // DeleteRecords still deletes below the log start offset, whatever the policy
    if (!del) {
      log.deleteRecordsBefore(9);
      assert.deepEqual(
        log.segments.map((s) => s.baseOffset),
        [8, 12, 16, 20],
      );
    }
  }
});
