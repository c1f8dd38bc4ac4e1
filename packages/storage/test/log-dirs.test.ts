// JBOD in the LogManager: several log dirs (placement by fewest partitions, per-dir checkpoints,
// meta.properties that must agree, a restart that finds every log in its dir) and a failed dir
// taken offline without stopping the others (Kafka's LogDirFailureChannel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBatch } from './helpers/batches.ts';
import { LogOfflineError } from '../src/errors.ts';
import { FaultyFileSystem } from '../src/faulty-fs.ts';
import { LogManager, type LogManagerOptions } from '../src/log-manager.ts';
import { MemoryFileSystem } from '../src/memory-fs.ts';
import { MockTime } from '../src/mock-time.ts';
import { readMetaProperties, writeMetaProperties } from '../src/meta-properties.ts';
import { readOffsetCheckpoint } from '../src/checkpoint-file.ts';

const DIRS = ['/d/a', '/d/b'];

function env() {
  const time = new MockTime(1_700_000_000_000);
  const mem = new MemoryFileSystem(time);
  const fs = new FaultyFileSystem(mem);
  const failures: Array<[string, string]> = [];
  const open = (extra: Partial<LogManagerOptions> = {}) =>
    new LogManager({
      logDirs: DIRS,
      fs,
      time,
      backgroundTasks: false,
      clusterId: 'c1',
      brokerId: 1,
      onLogDirFailure: (dir, cause) => failures.push([dir, (cause as NodeJS.ErrnoException).code!]),
      ...extra,
    }).startup();
  return { mem, fs, time, failures, open };
}

const checkpoint = (fs: MemoryFileSystem, file: string) =>
  readOffsetCheckpoint(fs, file).map((e) => `${e.topic}-${e.partition}:${e.offset}`);

test('two log dirs: new logs go to the dir with the fewest partitions; checkpoints per dir; a restart finds each log in its dir', () => {
  const e = env();
  const lm = e.open();
  const a = readMetaProperties(e.mem, '/d/a')!;
  const b = readMetaProperties(e.mem, '/d/b')!;
  assert.deepEqual([a.clusterId, a.nodeId, b.clusterId, b.nodeId], ['c1', 1, 'c1', 1]);
  assert.notEqual(a.directoryId, b.directoryId);
  for (let p = 0; p < 3; p++) lm.getOrCreateLog('t', p);
  lm.getOrCreateLog('u', 0);
  assert.deepEqual(
    ['t-0', 't-1', 't-2', 'u-0'].map((k) => lm.logDirOf(k.slice(0, 1), Number(k.slice(2)))),
    ['/d/a', '/d/b', '/d/a', '/d/b'],
  );
  lm.deleteLog('t', 0); // /d/a holds 1 now, /d/b 2: the next goes to /d/a
  assert.deepEqual(lm.nextLogDirs(), ['/d/a', '/d/b']);
  lm.getOrCreateLog('v', 0);
  assert.equal(lm.logDirOf('v', 0), '/d/a');
  lm.getLog('t', 1)!.appendSync(buildBatch({ count: 3 }), { leaderEpoch: 0 });
  lm.getLog('t', 2)!.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  lm.writeHighWatermarks([
    { topic: 't', partition: 1, offset: 3 },
    { topic: 't', partition: 2, offset: 1 },
  ]);
  lm.shutdown();
  assert.deepEqual(checkpoint(e.mem, '/d/a/recovery-point-offset-checkpoint'), ['t-2:2', 'v-0:0']);
  assert.deepEqual(checkpoint(e.mem, '/d/b/recovery-point-offset-checkpoint'), ['t-1:3', 'u-0:0']);
  assert.deepEqual(checkpoint(e.mem, '/d/a/replication-offset-checkpoint'), ['t-2:1']);
  assert.deepEqual(checkpoint(e.mem, '/d/b/replication-offset-checkpoint'), ['t-1:3']);
  assert.ok(e.mem.statSync('/d/a/.kafka_cleanshutdown') && e.mem.statSync('/d/b/.kafka_cleanshutdown'));

  const again = e.open();
  assert.deepEqual(again.startupReport.cleanDirs, DIRS);
  assert.equal(again.startupReport.partitions, 4);
  assert.deepEqual(
    [...again.allLogs()].map((l) => [`${l.topic}-${l.partition}`, again.logDirOf(l.topic, l.partition), l.logEndOffset]),
    [
      ['t-2', '/d/a', 2],
      ['v-0', '/d/a', 0],
      ['t-1', '/d/b', 3],
      ['u-0', '/d/b', 0],
    ],
  );
  assert.deepEqual(Object.fromEntries(again.readHighWatermarks()), { 't-1': 3, 't-2': 1 });
  again.shutdown();
});

test('log dirs formatted for different clusters or nodes are refused (MetaPropertiesEnsemble)', () => {
  const e = env();
  e.mem.mkdirSync('/d/a');
  e.mem.mkdirSync('/d/b');
  writeMetaProperties(e.mem, '/d/a', { version: 1, clusterId: 'c1', nodeId: 1, directoryId: 'AAAAAAAAAAAAAAAAAAAAAQ' });
  writeMetaProperties(e.mem, '/d/b', { version: 1, clusterId: 'c2', nodeId: 1, directoryId: 'AAAAAAAAAAAAAAAAAAAAAg' });
  assert.throws(() => e.open({ clusterId: undefined, brokerId: undefined }), {
    name: 'MetaPropertiesError',
    message: '/d/b/meta.properties is formatted for cluster c2, but /d/a/meta.properties for cluster c1',
  });
  writeMetaProperties(e.mem, '/d/b', { version: 1, clusterId: 'c1', nodeId: 2, directoryId: 'AAAAAAAAAAAAAAAAAAAAAg' });
  assert.throws(() => e.open({ clusterId: undefined, brokerId: undefined }), {
    message: '/d/b/meta.properties belongs to node 2, but /d/a/meta.properties to node 1',
  });
});

for (const code of ['EIO', 'ENOSPC', 'EROFS'] as const) {
  test(`${code} on a log takes its whole dir offline; the other dir keeps serving and takes new logs`, () => {
    const e = env();
    const lm = e.open();
    for (let p = 0; p < 4; p++) lm.getOrCreateLog('t', p); // t-0, t-2 in /d/a; t-1, t-3 in /d/b
    for (let p = 0; p < 4; p++) lm.getLog('t', p)!.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
    e.fs.fail('/d/b', code);
    assert.throws(
      () => lm.getLog('t', 1)!.appendSync(buildBatch(), { leaderEpoch: 0 }),
      (err: unknown) => err instanceof LogOfflineError && err.errorCode === 56 && err.message.includes(code),
    );
    assert.deepEqual(e.failures, [['/d/b', code]]);
    assert.deepEqual(lm.offlineLogDirs(), ['/d/b']);
    assert.equal((lm.logDirFailure('/d/b') as NodeJS.ErrnoException).code, code);
    assert.deepEqual(
      [0, 1, 2, 3].map((p) => lm.getLog('t', p)!.isOffline),
      [false, true, false, true],
    );
    assert.throws(() => lm.getLog('t', 3)!.appendSync(buildBatch(), { leaderEpoch: 0 }), LogOfflineError);
    assert.equal(lm.getLog('t', 2)!.appendSync(buildBatch(), { leaderEpoch: 0 }).firstOffset, 2);
    // new logs only in live dirs, although /d/a holds more
    assert.deepEqual(lm.nextLogDirs(), ['/d/a']);
    lm.getOrCreateLog('n', 0);
    assert.equal(lm.logDirOf('n', 0), '/d/a');
    // checkpoints skip the failed dir instead of throwing; the clean-shutdown marker only in the live one
    lm.checkpointRecoveryPoints();
    lm.shutdown();
    assert.deepEqual(e.failures, [['/d/b', code]]);
    assert.ok(e.mem.statSync('/d/a/.kafka_cleanshutdown'));
    assert.equal(e.mem.statSync('/d/b/.kafka_cleanshutdown'), null);
    // the disk back: a restart recovers /d/b and finds every log with what was acknowledged
    e.fs.heal('/d/b');
    const again = e.open();
    assert.deepEqual([again.startupReport.cleanDirs, again.startupReport.uncleanDirs], [['/d/a'], ['/d/b']]);
    assert.deepEqual(
      [0, 1, 2, 3].map((p) => again.getLog('t', p)!.logEndOffset),
      [2, 2, 3, 2],
    );
    again.shutdown();
  });
}

test('a failed checkpoint write takes its dir offline; a dir unreadable at startup starts offline; all dirs failed refuses to start', () => {
  const e = env();
  const lm = e.open();
  lm.getOrCreateLog('t', 0);
  lm.getOrCreateLog('t', 1);
  e.fs.fail('/d/a', 'ENOSPC');
  lm.checkpointLogStartOffsets();
  assert.deepEqual(e.failures, [['/d/a', 'ENOSPC']]);
  assert.deepEqual([lm.getLog('t', 0)!.isOffline, lm.getLog('t', 1)!.isOffline], [true, false]);
  lm.shutdown();

  e.fs.fail('/d/a', 'EIO');
  const partial = e.open();
  assert.deepEqual(partial.offlineLogDirs(), ['/d/a']);
  assert.deepEqual(e.failures.slice(1), [['/d/a', 'EIO']]);
  assert.equal(partial.getLog('t', 1)!.isOffline, false);
  assert.equal(partial.getLog('t', 0), undefined);
  partial.shutdown();

  e.fs.fail('/d/b', 'EIO');
  assert.throws(() => e.open(), /^Error: all log dirs \(\/d\/a, \/d\/b\) have failed: EIO/);
});

// A fault at each step that writes (an append, a roll to a new segment, a flush, a checkpoint):
// the dir goes offline, the other stays writable, and after the disk is back a restart finds
// every acknowledged record at its offset.
for (const code of ['EIO', 'ENOSPC', 'EROFS'] as const) {
  for (const step of ['append', 'roll', 'flush', 'checkpoint'] as const) {
    test(`${code} during ${step}: the dir goes offline, nothing acknowledged is lost`, async () => {
      const e = env();
      const lm = e.open({ defaultConfig: { segmentBytes: step === 'roll' ? 200 : 1 << 20 } });
      const a = lm.getOrCreateLog('t', 0);
      const b = lm.getOrCreateLog('t', 1);
      assert.deepEqual([lm.logDirOf('t', 0), lm.logDirOf('t', 1)], DIRS);
      let acked = 0;
      for (let i = 0; i < 3; i++) {
        b.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
        acked += 2;
      }
      b.flush();
      if (step === 'flush') b.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 }); // written, not yet fsynced
      e.fs.fail('/d/b', code);
      if (step === 'append' || step === 'roll') {
        const segments = b.segments.length;
        assert.throws(
          () => b.appendSync(buildBatch({ count: 2, valueSize: 100 }), { leaderEpoch: 0 }),
          // a roll fails on its first write, the last time index entry of the segment it closes; an append writing the log
          (err: unknown) =>
            err instanceof LogOfflineError &&
            (err.cause as NodeJS.ErrnoException).path!.endsWith(step === 'roll' ? '.timeindex' : '00000000000000000000.log'),
        );
        assert.equal(b.segments.length, segments);
      } else if (step === 'flush') {
        await assert.rejects(
          b.flushAsync(),
          (err: unknown) => (err as NodeJS.ErrnoException).code === code || err instanceof LogOfflineError,
        );
      } else {
        lm.checkpointRecoveryPoints();
      }
      assert.deepEqual(e.failures, [['/d/b', code]]);
      assert.deepEqual([a.isOffline, b.isOffline], [false, true]);
      assert.equal(a.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 }).firstOffset, 0);
      lm.shutdown();
      e.fs.heal('/d/b');
      const again = e.open();
      const log = again.getLog('t', 1)!;
      // the failed write landed nothing; the unflushed batch of the flush case is still in the page cache
      assert.equal(log.logEndOffset, step === 'flush' ? acked + 1 : acked);
      assert.equal(again.startupReport.uncleanDirs.includes('/d/b'), true);
      assert.equal(again.getLog('t', 0)!.logEndOffset, 1);
      again.shutdown();
    });
  }
}
