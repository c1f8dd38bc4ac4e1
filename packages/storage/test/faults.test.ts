// Injected faults (full disk, torn write, failed fsync), group commit, flush policies, bounded descriptors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Off, batchesIn } from '@tributary/protocol';
import { buildBatch, batchOffsets } from './helpers/batches.ts';
import { testEnv } from './helpers/env.ts';
import { AppendTruncatedError, LogOfflineError } from '../src/errors.ts';

const SEG0 = '/data/t-0/00000000000000000000';

test('ENOSPC: the append fails, nothing is written, the log goes offline; after restart offsets continue', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  const size = log.activeSegment.size;
  let offline: Error | null = null;
  log.on('offline', (e: Error) => {
    offline = e;
  });
  env.fs.faults.diskCapacityBytes = 0;
  assert.throws(
    () => log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 }),
    (e: unknown) => e instanceof LogOfflineError && e.errorCode === 56 && /ENOSPC/.test(e.message),
  );
  assert.match(String(offline), /ENOSPC/);
  assert.equal(env.fs.bytes(`${SEG0}.log`).length, size);
  assert.equal(log.logEndOffset, 2);
  assert.throws(() => log.appendSync(buildBatch(), { leaderEpoch: 0 }), LogOfflineError);
  assert.deepEqual(batchOffsets(log.read(0, 1 << 20).records), [[0, 1]]); // reads still served
  env.fs.faults.diskCapacityBytes = undefined;
  const l2 = env.open().getLog('t', 0)!;
  assert.equal(l2.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 }).firstOffset, 2);
});

test('torn write: the partial bytes are cut off at once and never read', () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  const size = log.activeSegment.size;
  env.fs.faults.tornWriteAfterBytes = 30;
  assert.throws(() => log.appendSync(buildBatch({ count: 3 }), { leaderEpoch: 0 }), LogOfflineError);
  assert.equal(env.fs.bytes(`${SEG0}.log`).length, size);
  assert.equal(log.read(2, 100).records.length, 0);
  const l2 = env.open().getLog('t', 0)!;
  assert.equal(l2.logEndOffset, 2);
});

test('failed fsync in durable mode rejects the pending appends and takes the log offline', async () => {
  const env = testEnv();
  const log = env.open({ durableAppend: true }).getOrCreateLog('t', 0);
  await log.append(buildBatch(), { leaderEpoch: 0 });
  env.fs.faults.failFsync = true;
  const p = [log.append(buildBatch(), { leaderEpoch: 0 }), log.append(buildBatch(), { leaderEpoch: 0 })];
  for (const r of await Promise.allSettled(p)) {
    assert.equal(r.status, 'rejected');
    assert.ok((r as PromiseRejectedResult).reason instanceof LogOfflineError);
  }
  assert.equal(log.isOffline, true);
  await assert.rejects(log.append(buildBatch(), { leaderEpoch: 0 }), LogOfflineError);
});

test('group commit: concurrent durable appends share fsyncs, each resolves after its data is synced', async () => {
  const env = testEnv();
  const log = env.open({ durableAppend: true }).getOrCreateLog('t', 0);
  await log.append(buildBatch(), { leaderEpoch: 0 }); // creates files, epoch checkpoint
  const before = env.fs.stats.fsyncs;
  const results = await Promise.all(Array.from({ length: 50 }, () => log.append(buildBatch({ count: 2 }), { leaderEpoch: 0 })));
  assert.deepEqual(
    results.map((r) => r.firstOffset),
    Array.from({ length: 50 }, (_, i) => 1 + 2 * i),
  );
  const used = env.fs.stats.fsyncs - before;
  assert.ok(used >= 1 && used <= 2, `fsyncs used: ${used}`);
  assert.equal(log.durableOffset, 101);
  // default mode: no fsync on append
  const fast = env.open().getOrCreateLog('u', 0);
  const f0 = env.fs.stats.fsyncs;
  for (let i = 0; i < 10; i++) await fast.append(buildBatch(), { leaderEpoch: -1 });
  assert.equal(env.fs.stats.fsyncs - f0, 0);
});

test('a truncation under an fsync in flight: the truncated append is rejected, and what is appended next waits for its own fsync', async () => {
  const env = testEnv();
  const log = env.open({ durableAppend: true }).getOrCreateLog('t', 0);
  await log.append(buildBatch(), { leaderEpoch: 0 });
  const lost = log.append(buildBatch({ count: 3 }), { leaderEpoch: 0 }); // its fsync is running
  log.truncateTo(1);
  await assert.rejects(lost, (err: unknown) => err instanceof AppendTruncatedError && err.errorCode === 56);
  assert.equal(log.durableOffset, 1); // not the log end before the truncation
  const fsyncs = env.fs.stats.fsyncs;
  assert.equal((await log.append(buildBatch({ count: 2 }), { leaderEpoch: 0 })).firstOffset, 1);
  assert.ok(env.fs.stats.fsyncs > fsyncs);
  assert.equal(log.durableOffset, 3);
  env.fs.crash(); // power loss: the acknowledged appends are on disk
  assert.deepEqual(
    batchOffsets(
      env
        .open({ durableAppend: true })
        .getLog('t', 0)!
        .read(0, 1 << 20).records,
    ),
    [
      [0, 0],
      [1, 2],
    ],
  );
});

test('a truncation under an fsync in flight, then appends back to the same size: the next flush fsyncs them again', async () => {
  const env = testEnv();
  const log = env.open().getOrCreateLog('t', 0);
  for (const v of 'abc') log.appendSync(buildBatch({ records: [{ value: v }] }), { leaderEpoch: 0 });
  // the worst case of a disk: an fsync covers what was written when it began, and ends later
  const held: Array<() => void> = [];
  env.fs.fsync = (fd: number) => {
    env.fs.fsyncSync(fd);
    return new Promise<void>((resolve) => held.push(resolve));
  };
  const first = log.flushAsync(); // syncs a, b, c
  log.truncateTo(1);
  for (const v of 'yz') log.appendSync(buildBatch({ records: [{ value: v }] }), { leaderEpoch: 1 }); // same size again
  const second = log.flushAsync();
  while (held.length) {
    held.shift()!();
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all([first, second]);
  assert.equal(log.durableOffset, 3);
  env.fs.crash();
  const records = env
    .open()
    .getLog('t', 0)!
    .read(0, 1 << 20).records;
  const epochs = [...batchesIn(records)].map(({ pos }) => records.readInt32BE(pos + Off.PartitionLeaderEpoch));
  assert.deepEqual(epochs, [0, 1, 1]); // b and c are gone, y and z survived
});

test('flush.messages flushes in the background and advances the recovery point; flush.ms via the scheduler', async () => {
  const env = testEnv();
  const mgr = env.open({ flushMessages: 5 });
  const log = mgr.getOrCreateLog('t', 0);
  const ticks = async () => {
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  for (let i = 0; i < 4; i++) log.appendSync(buildBatch(), { leaderEpoch: 0 });
  await ticks();
  assert.equal(log.recoveryPoint, 0);
  log.appendSync(buildBatch(), { leaderEpoch: 0 });
  await ticks();
  assert.equal(log.recoveryPoint, 5);
  assert.equal(log.unflushedMessageCount, 0);
  const m = mgr.getOrCreateLog('m', 0, { config: { flushMs: 3000 } });
  m.appendSync(buildBatch(), { leaderEpoch: 0 });
  await env.time.advance(2000);
  assert.equal(m.recoveryPoint, 0);
  await env.time.advance(1000);
  await ticks();
  assert.equal(m.recoveryPoint, 1);
});

test('open descriptors stay bounded across many partitions; idle partitions hold no index buffers', async () => {
  const env = testEnv();
  const mgr = env.open({ indexIntervalBytes: 10 }, { maxOpenFiles: 16, indexCacheBytes: 4096 });
  for (let p = 0; p < 200; p++) {
    const log = mgr.getOrCreateLog('many', p);
    for (let i = 0; i < 5; i++) log.appendSync(buildBatch(), { leaderEpoch: 0 });
    assert.ok(env.fs.openFdCount <= 16, `open fds ${env.fs.openFdCount}`);
  }
  for (let p = 0; p < 200; p++) assert.deepEqual(batchOffsets(mgr.getLog('many', p)!.read(3, 1).records), [[3, 3]]);
  assert.ok(env.fs.openFdCount <= 16);
  await mgr.flushAndCheckpointRecoveryPoints();
  for (let p = 0; p < 200; p++) assert.equal(mgr.getLog('many', p)!.recoveryPoint, 5);
  for (let p = 0; p < 200; p++) mgr.getLog('many', p)!.read(0, 1);
  assert.ok(mgr.ctx.indexCache.loadedBytes <= 4096, `index bytes ${mgr.ctx.indexCache.loadedBytes}`);
  mgr.shutdown();
  assert.equal(env.fs.openFdCount, 0);
});
