// Recovery after unclean shutdowns (in-memory fs): torn and garbage tails, corrupt batches,
// missing/corrupt indexes, recovery point, power loss; CRC corruption detected on read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBatch, batchOffsets } from './helpers/batches.ts';
import { testEnv } from './helpers/env.ts';
import { CorruptRecordError } from '../src/errors.ts';
import type { PartitionLog } from '../src/partition-log.ts';

const SEG0 = '/data/t-0/00000000000000000000';

function appendN(log: Pick<PartitionLog, 'appendSync'>, n: number, count = 2): void {
  for (let i = 0; i < n; i++) log.appendSync(buildBatch({ count, valueSize: 50 + i }), { leaderEpoch: 0 });
}

test('torn tail (partial last batch) is truncated; offsets continue without a gap', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  appendN(log, 5);
  const size = log.activeSegment.size;
  env.fs.setLength(`${SEG0}.log`, size - 7); // crash mid-write of the last batch
  const mgr = env.open(); // no shutdown: unclean
  const l2 = mgr.getLog('t', 0)!;
  assert.deepEqual(mgr.startupReport.uncleanDirs, ['/data']);
  assert.equal(l2.logEndOffset, 8);
  assert.equal(mgr.startupReport.recovery.truncatedBytes, size - 7 - l2.activeSegment.size);
  assert.deepEqual(batchOffsets(l2.read(0, 1 << 20).records), [
    [0, 1],
    [2, 3],
    [4, 5],
    [6, 7],
  ]);
  assert.equal(l2.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 }).firstOffset, 8);
});

test('garbage after the last batch (zeros, random bytes, a huge length) is truncated', () => {
  for (const junk of [
    Buffer.alloc(100),
    Buffer.from('deadbeefcafe'.repeat(20), 'hex'),
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 10, 0x7f, 0, 0, 0, 1, 2, 3]),
  ]) {
    const env = testEnv();
    const log = env.open().getOrCreateLog('t', 0);
    appendN(log, 3);
    const size = log.activeSegment.size;
    env.fs.poke(`${SEG0}.log`, size, junk);
    const l2 = env.open().getLog('t', 0)!;
    assert.equal(l2.activeSegment.size, size);
    assert.equal(l2.logEndOffset, 6);
    assert.equal(env.fs.bytes(`${SEG0}.log`).length, size);
  }
});

test('a batch failing its CRC in the recovered range is cut with everything after it (later segments deleted)', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  appendN(log, 4); // 0..7
  log.roll();
  appendN(log, 2); // 8..11
  const second = log.activeSegment.baseOffset;
  const b = log.segments[0]!.findBatch(4)!;
  env.fs.poke(`${SEG0}.log`, b.position + b.size - 3, Buffer.from([0xff ^ env.fs.bytes(`${SEG0}.log`)[b.position + b.size - 3]!]));
  const mgr = env.open();
  const l2 = mgr.getLog('t', 0)!;
  assert.equal(l2.logEndOffset, 4);
  assert.deepEqual(
    l2.segments.map((s) => s.baseOffset),
    [0],
  );
  assert.equal(env.fs.statSync(`/data/t-0/${String(second).padStart(20, '0')}.log`), null);
  assert.equal(mgr.startupReport.recovery.deletedSegments, 1);
});

test('recovery scans only from the segment holding the recovery point', () => {
  const env = testEnv();
  let mgr = env.open();
  const log = mgr.getOrCreateLog('t', 0);
  for (let s = 0; s < 4; s++) {
    appendN(log, 2);
    log.roll();
  }
  appendN(log, 1); // segments 0,4,8,12,16
  log.flush();
  mgr.checkpointRecoveryPoints();
  appendN(log, 1);
  mgr = env.open(); // crash
  assert.equal(mgr.startupReport.recovery.recoveredSegments, 1);
  assert.equal(mgr.getLog('t', 0)!.logEndOffset, 20);
  mgr.shutdown();
  mgr = env.open();
  assert.equal(mgr.startupReport.recovery.recoveredSegments, 0);
  assert.equal(mgr.getLog('t', 0)!.logEndOffset, 20);
});

test('missing or corrupt index files are rebuilt byte for byte', () => {
  const env = testEnv();
  let mgr = env.open({ indexIntervalBytes: 100 });
  const log = mgr.getOrCreateLog('t', 0);
  appendN(log, 20);
  log.roll();
  appendN(log, 3);
  mgr.shutdown();
  const index = env.fs.bytes(`${SEG0}.index`);
  const timeindex = env.fs.bytes(`${SEG0}.timeindex`);
  assert.ok(index.length >= 8 * 10);
  env.fs.unlinkSync(`${SEG0}.index`);
  mgr = env.open({ indexIntervalBytes: 100 });
  assert.equal(mgr.startupReport.recovery.rebuiltIndexes, 1);
  assert.deepEqual(env.fs.bytes(`${SEG0}.index`), index);
  mgr.shutdown();
  // positions out of order: detected when first used, rebuilt, lookups correct
  env.fs.poke(`${SEG0}.index`, 12, Buffer.from([0, 0, 0, 1]));
  mgr = env.open({ indexIntervalBytes: 100 });
  const l2 = mgr.getLog('t', 0)!;
  for (let off = 0; off < 40; off++) assert.equal(batchOffsets(l2.read(off, 1).records)[0]![0], off - (off % 2));
  assert.deepEqual(env.fs.bytes(`${SEG0}.index`), index);
  assert.deepEqual(env.fs.bytes(`${SEG0}.timeindex`), timeindex);
});

test('a corrupted byte in the middle of a closed segment is detected on read (CRC) and not served', () => {
  const env = testEnv();
  const mgr = env.open();
  const first = mgr.getOrCreateLog('t', 0);
  appendN(first, 6); // 0..11
  first.roll();
  appendN(first, 1);
  const bad = first.segments[0]!.findBatch(6)!; // batch [6,7]
  mgr.shutdown();
  // corrupted at rest: batches are CRC-checked once per process (on append or first read), so the
  // damage is found by the first read after the restart
  const pos = bad.position + Math.floor(bad.size / 2);
  env.fs.poke(`${SEG0}.log`, pos, Buffer.from([env.fs.bytes(`${SEG0}.log`)[pos]! ^ 0x20]));
  const log = env.open().getLog('t', 0)!;
  assert.throws(
    () => log.read(6, 1 << 20),
    (e: unknown) => e instanceof CorruptRecordError && e.errorCode === 2 && e.position === bad.position,
  );
  assert.throws(() => log.read(7, 1), CorruptRecordError);
  // reads before it stop short of the corrupt batch; after it are fine
  assert.deepEqual(batchOffsets(log.read(0, 1 << 20).records), [
    [0, 1],
    [2, 3],
    [4, 5],
  ]);
  assert.deepEqual(batchOffsets(log.read(8, 1 << 20).records), [
    [8, 9],
    [10, 11],
  ]);
});

test('power loss (unsynced data dropped): durable appends survive, nothing torn is exposed', async () => {
  const env = testEnv();
  const mgr = env.open({ durableAppend: true });
  const log = mgr.getOrCreateLog('t', 0);
  const acked: number[] = [];
  for (let i = 0; i < 5; i++) acked.push((await log.append(buildBatch({ count: 2 }), { leaderEpoch: 0 })).lastOffset);
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 }); // not waited for
  env.fs.crash();
  const l2 = env.open({ durableAppend: true }).getLog('t', 0)!;
  assert.ok(l2.logEndOffset >= 10);
  assert.deepEqual(batchOffsets(l2.read(0, 1 << 20).records).slice(0, 5), [
    [0, 1],
    [2, 3],
    [4, 5],
    [6, 7],
    [8, 9],
  ]);
  assert.deepEqual(acked, [1, 3, 5, 7, 9]);
});

test('recovery restores leader epochs found in the log when the checkpoint lacks them', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 1 });
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 4 });
  env.fs.put('/data/t-0/leader-epoch-checkpoint', '0\n1\n1 0\n'); // as if the last checkpoint write was lost
  const l2 = env.open().getLog('t', 0)!;
  assert.deepEqual(l2.leaderEpochCache.all, [
    { epoch: 1, startOffset: 0 },
    { epoch: 4, startOffset: 2 },
  ]);
});

test('a new leader epoch costs no fsync on append; the flush writes it before the recovery point passes it', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  const before = { ...env.fs.stats };
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 3 });
  assert.deepEqual([env.fs.stats.fsyncs, env.fs.stats.dirFsyncs], [before.fsyncs, before.dirFsyncs]);
  assert.equal(env.fs.statSync('/data/t-0/leader-epoch-checkpoint'), null);
  log.flush();
  assert.equal(env.fs.bytes('/data/t-0/leader-epoch-checkpoint').toString(), '0\n2\n0 0\n3 2\n');
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 5 }); // unflushed: lost with its batch
  env.fs.crash();
  const l2 = env.open().getLog('t', 0)!;
  assert.equal(l2.logEndOffset, 4);
  assert.deepEqual(l2.leaderEpochCache.all, [
    { epoch: 0, startOffset: 0 },
    { epoch: 3, startOffset: 2 },
  ]);
});

test('after a restart, batches appended or read once are not CRC-checked again; unread corruption is still found', async () => {
  const { readCrcChecks } = await import('../src/log-segment.ts');
  const env = testEnv();
  const mgr = env.open();
  const first = mgr.getOrCreateLog('t', 0);
  appendN(first, 4); // 0..7, active segment
  const bad = first.segments[0]!.findBatch(2)!; // batch [2,3]
  mgr.shutdown();
  const pos = bad.position + Math.floor(bad.size / 2);
  env.fs.poke(`${SEG0}.log`, pos, Buffer.from([env.fs.bytes(`${SEG0}.log`)[pos]! ^ 0x20]));
  const log = env.open().getLog('t', 0)!; // clean restart: nothing of the active segment is verified
  appendN(log, 3); // 8..13, appended in this process
  const c0 = readCrcChecks.count;
  // tailing the appended batches: no CRC computed
  assert.deepEqual(batchOffsets(log.read(8, 1 << 20).records), [
    [8, 9],
    [10, 11],
    [12, 13],
  ]);
  assert.equal(readCrcChecks.count, c0);
  // a read from mid-segment checks the batch it has not seen once, then never again
  assert.deepEqual(batchOffsets(log.read(6, 1 << 20).records), [
    [6, 7],
    [8, 9],
    [10, 11],
    [12, 13],
  ]);
  assert.equal(readCrcChecks.count, c0 + 1);
  assert.deepEqual(batchOffsets(log.read(6, 1 << 20).records).length, 4);
  assert.equal(readCrcChecks.count, c0 + 1);
  // the corrupted batch, never verified, is still reported; the one before it is checked once
  assert.deepEqual(batchOffsets(log.read(0, 1 << 20).records), [[0, 1]]);
  assert.equal(readCrcChecks.count, c0 + 3);
  assert.throws(
    () => log.read(2, 1 << 20),
    (e: unknown) => e instanceof CorruptRecordError && e.position === bad.position,
  );
  assert.deepEqual(batchOffsets(log.read(4, 1 << 20).records).length, 5);
  assert.equal(readCrcChecks.count, c0 + 5); // [4,5] once; [2,3] re-checked on each attempt (it fails)
});
