// Retention by time and size, delete-records, truncation, driven by a MockTime (retention checks run as time advances).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBatch, batchOffsets } from './helpers/batches.ts';
import { testEnv } from './helpers/env.ts';
import { OffsetOutOfRangeError } from '../src/errors.ts';
import type { PartitionLog } from '../src/partition-log.ts';

const HOUR = 3600_000;

function fill(log: Pick<PartitionLog, 'appendSync' | 'roll'>, segments: number, perSegment: number, ts: (i: number) => number): void {
  let n = 0;
  for (let s = 0; s < segments; s++) {
    for (let i = 0; i < perSegment; i++, n++)
      log.appendSync(buildBatch({ count: 1, valueSize: 100, baseTimestamp: ts(n) }), { leaderEpoch: 0 });
    log.roll();
  }
}

test('retention.ms deletes closed segments by largest timestamp on the periodic check, advancing logStartOffset', async () => {
  const env = testEnv();
  const mgr = env.open({ retentionMs: 10 * HOUR });
  const log = mgr.getOrCreateLog('t', 0);
  const t0 = env.time.now();
  // segment k holds offsets 2k, 2k+1 with timestamps t0 + k hours
  fill(log, 4, 2, (n) => t0 + Math.floor(n / 2) * HOUR);
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [0, 2, 4, 6, 8],
  );
  await env.time.advance(5 * 60_000); // first retention check: nothing old enough
  assert.equal(log.segments.length, 5);
  await env.time.advance(10 * HOUR + 25 * 60_000); // checks every 5 min until t0 + 10.5 h: segment 0 (t0) goes, segment 1 is 9.5 h old
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [2, 4, 6, 8],
  );
  assert.equal(log.logStartOffset, 2);
  assert.throws(() => log.read(1, 100), OffsetOutOfRangeError);
  assert.deepEqual(batchOffsets(log.read(2, 100).records), [[2, 2]]);
  assert.equal(env.fs.statSync('/data/t-0/00000000000000000000.log'), null);
  await env.time.advance(3 * HOUR); // t0 + 13.5 h: every closed segment is over 10 h old
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [8],
  ); // never the active segment
  assert.equal(log.logStartOffset, 8);
  assert.equal(log.logEndOffset, 8);
});

test('retention.bytes deletes oldest segments while the rest still exceeds the limit', () => {
  const env = testEnv();
  const mgr = env.open({ retentionBytes: 1000, retentionMs: -1 });
  const log = mgr.getOrCreateLog('t', 0);
  fill(log, 5, 2, () => env.time.now());
  const segSize = log.segments[0]!.size;
  assert.equal(segSize, 2 * buildBatch({ count: 1, valueSize: 100 }).length); // 2 * 175
  assert.equal(log.size, 5 * segSize);
  assert.equal(mgr.cleanupLogs(), 2);
  // 1750 bytes: delete while size - segment >= 1000 -> removes 2 segments (1750 -> 1400 -> 1050), stops at 1050 - 350 < 1000
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [4, 6, 8, 10],
  );
  assert.equal(log.logStartOffset, 4);
});

test('retention never deletes at or above the high watermark', () => {
  const env = testEnv();
  let hw = 3;
  const mgr = env.open({ retentionMs: 0 }, { highWatermark: () => hw });
  const log = mgr.getOrCreateLog('t', 0);
  fill(log, 4, 2, () => env.time.now() - 10 * HOUR);
  mgr.cleanupLogs();
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [2, 4, 6, 8],
  ); // segment [0,2) lies below hw 3; [2,4) does not
  hw = 8;
  mgr.cleanupLogs();
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [8],
  );
});

test('deleteRecordsBefore raises logStartOffset, deletes whole segments below it, checkpoint survives restart', () => {
  const env = testEnv();
  let mgr = env.open();
  let log = mgr.getOrCreateLog('t', 0);
  fill(log, 3, 3, () => env.time.now());
  assert.equal(log.deleteRecordsBefore(4), 4);
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [3, 6, 9],
  );
  assert.equal(log.logStartOffset, 4);
  assert.throws(() => log.read(3, 100), OffsetOutOfRangeError);
  assert.deepEqual(batchOffsets(log.read(4, 1).records), [[4, 4]]);
  assert.equal(log.deleteRecordsBefore(2), 4); // never moves back
  assert.throws(() => log.deleteRecordsBefore(10), OffsetOutOfRangeError);
  assert.equal(log.deleteRecordsBefore(9), 9);
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [9],
  );
  log.deleteRecordsBefore(9);
  mgr.shutdown();
  assert.equal(env.fs.bytes('/data/log-start-offset-checkpoint').toString(), '0\n0\n'); // start == first segment base: nothing to record
  mgr = env.open();
  log = mgr.getOrCreateLog('t', 0);
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  log.deleteRecordsBefore(10);
  mgr.shutdown();
  assert.equal(env.fs.bytes('/data/log-start-offset-checkpoint').toString(), '0\n1\nt 0 10\n');
  mgr = env.open();
  assert.equal(mgr.getLog('t', 0)!.logStartOffset, 10);
});

test('truncateTo removes whole batches at or after the offset, across segments; epochs truncated too', () => {
  const env = testEnv();
  const log = env.open({ indexIntervalBytes: 1 }).getOrCreateLog('t', 0);
  for (let i = 0; i < 6; i++) log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: i < 3 ? 1 : 2 }); // 0..11
  log.roll();
  for (let i = 0; i < 3; i++) log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 3 }); // 12..17
  assert.deepEqual(log.leaderEpochCache.all, [
    { epoch: 1, startOffset: 0 },
    { epoch: 2, startOffset: 6 },
    { epoch: 3, startOffset: 12 },
  ]);
  const truncates: number[] = [];
  log.on('truncate', (o: number) => truncates.push(o));
  assert.equal(log.truncateTo(20), false);
  assert.equal(log.truncateTo(14), true);
  assert.equal(log.logEndOffset, 14);
  assert.equal(log.truncateTo(8), true);
  assert.deepEqual(
    log.segments.map((s) => s.baseOffset),
    [0],
  );
  assert.equal(log.logEndOffset, 8);
  assert.deepEqual(log.leaderEpochCache.all, [
    { epoch: 1, startOffset: 0 },
    { epoch: 2, startOffset: 6 },
  ]);
  assert.equal(log.activeSegment.offsetIndex.count, 3); // entries before batches 1..3
  assert.deepEqual(batchOffsets(log.read(0, 1 << 20).records), [
    [0, 1],
    [2, 3],
    [4, 5],
    [6, 7],
  ]);
  const info = log.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 4 });
  assert.equal(info.firstOffset, 8);
  assert.deepEqual(truncates, [14, 8]);
  // the truncation wrote the checkpoint at once; the new epoch 4 is written by the next flush
  assert.deepEqual(env.fs.bytes('/data/t-0/leader-epoch-checkpoint').toString(), '0\n2\n1 0\n2 6\n');
  log.flush();
  assert.deepEqual(env.fs.bytes('/data/t-0/leader-epoch-checkpoint').toString(), '0\n3\n1 0\n2 6\n4 8\n');
});

test('truncateFullyAndStartAt empties the log and restarts offsets', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  log.appendSync(buildBatch({ count: 5 }), { leaderEpoch: 0 });
  log.truncateFullyAndStartAt(100);
  assert.deepEqual([log.logStartOffset, log.logEndOffset], [100, 100]);
  assert.deepEqual(
    env.fs.readdirSync('/data/t-0').filter((f) => f.endsWith('.log')),
    ['00000000000000000100.log'],
  );
  assert.equal(log.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 }).firstOffset, 100);
  assert.throws(() => log.read(99, 10), OffsetOutOfRangeError);
});
