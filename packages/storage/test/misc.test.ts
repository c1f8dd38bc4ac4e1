// Config mapping, the leader epoch cache, and flush costs of idle partitions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LOG_CONFIG, LONG_MAX, logConfigFromProperties } from '../src/config.ts';
import { LeaderEpochCache } from '../src/leader-epoch-cache.ts';
import { MemoryFileSystem } from '../src/memory-fs.ts';
import { buildBatch } from './helpers/batches.ts';
import { testEnv } from './helpers/env.ts';

test('Kafka defaults and topic config keys', () => {
  assert.equal(DEFAULT_LOG_CONFIG.segmentBytes, 1073741824);
  assert.equal(DEFAULT_LOG_CONFIG.segmentMs, 604800000);
  assert.equal(DEFAULT_LOG_CONFIG.retentionMs, 604800000);
  assert.equal(DEFAULT_LOG_CONFIG.retentionBytes, -1);
  assert.equal(DEFAULT_LOG_CONFIG.indexIntervalBytes, 4096);
  assert.equal(DEFAULT_LOG_CONFIG.segmentIndexBytes, 10485760);
  assert.equal(DEFAULT_LOG_CONFIG.flushMessages, LONG_MAX);
  assert.equal(DEFAULT_LOG_CONFIG.durableAppend, false);
  const c = logConfigFromProperties({
    'segment.bytes': '1048576',
    'retention.ms': -1,
    'flush.ms': '9223372036854775807',
    'tributary.durable.append': 'true',
    'cleanup.policy': 'delete',
  });
  assert.deepEqual([c.segmentBytes, c.retentionMs, c.flushMs, c.durableAppend], [1048576, -1, LONG_MAX, true]);
  assert.throws(() => logConfigFromProperties({ 'segment.ms': 'soon' }), /segment.ms/);
});

test('leader epoch cache: assign, endOffsetFor (OffsetForLeaderEpoch), truncation from both ends, persisted', () => {
  const fs = new MemoryFileSystem();
  fs.mkdirSync('/p');
  const c = new LeaderEpochCache(fs, '/p/leader-epoch-checkpoint');
  c.assign(1, 0);
  c.assign(1, 5); // same epoch: ignored
  c.assign(3, 10);
  c.assign(2, 12); // older epoch: ignored
  c.assign(4, 20);
  assert.deepEqual(c.all, [
    { epoch: 1, startOffset: 0 },
    { epoch: 3, startOffset: 10 },
    { epoch: 4, startOffset: 20 },
  ]);
  assert.deepEqual(c.endOffsetFor(1, 30), { epoch: 1, endOffset: 10 });
  assert.deepEqual(c.endOffsetFor(2, 30), { epoch: 1, endOffset: 10 });
  assert.deepEqual(c.endOffsetFor(3, 30), { epoch: 3, endOffset: 20 });
  assert.deepEqual(c.endOffsetFor(4, 30), { epoch: 4, endOffset: 30 });
  assert.deepEqual(c.endOffsetFor(0, 30), { epoch: 0, endOffset: 0 }); // below every known epoch: ends where the first starts
  assert.deepEqual(c.endOffsetFor(5, 30), { epoch: -1, endOffset: -1 }); // above every known epoch
  assert.deepEqual(c.endOffsetFor(-1, 30), { epoch: -1, endOffset: -1 });
  assert.deepEqual(new LeaderEpochCache(fs, '/p/none').endOffsetFor(0, 0), { epoch: -1, endOffset: -1 });
  c.truncateFromStart(12);
  assert.deepEqual(c.all, [
    { epoch: 3, startOffset: 12 },
    { epoch: 4, startOffset: 20 },
  ]);
  c.truncateFromEnd(20);
  assert.deepEqual(new LeaderEpochCache(fs, '/p/leader-epoch-checkpoint').all, [{ epoch: 3, startOffset: 12 }]);
  assert.equal(fs.bytes('/p/leader-epoch-checkpoint').toString(), '0\n1\n3 12\n');
});

test('flushing idle partitions costs no fsync; a flush after appends syncs only what changed', async () => {
  const env = testEnv();
  const mgr = env.open();
  for (let p = 0; p < 20; p++) mgr.getOrCreateLog('idle', p).appendSync(buildBatch(), { leaderEpoch: 0 });
  await mgr.flushAndCheckpointRecoveryPoints();
  const f0 = env.fs.stats.fsyncs;
  await mgr.flushAndCheckpointRecoveryPoints();
  assert.equal(env.fs.stats.fsyncs - f0, 1); // only the checkpoint file itself
  mgr.getLog('idle', 7)!.appendSync(buildBatch(), { leaderEpoch: 0 });
  const f1 = env.fs.stats.fsyncs;
  await mgr.flushAndCheckpointRecoveryPoints();
  assert.equal(env.fs.stats.fsyncs - f1, 2); // the .log (no new index entries) + the checkpoint
  assert.equal(env.fs.bytes('/data/recovery-point-offset-checkpoint').toString().split('\n')[9], 'idle 7 2');
});

test('durable mode: a rolled segment and the directory entry of the new one are synced before appends resolve', async () => {
  const env = testEnv();
  const log = env.open({ durableAppend: true, segmentBytes: 200 }).getOrCreateLog('t', 0);
  await log.append(buildBatch({ valueSize: 100 }), { leaderEpoch: 0 });
  const d0 = env.fs.stats.dirFsyncs;
  await log.append(buildBatch({ valueSize: 100 }), { leaderEpoch: 0 }); // rolls
  assert.equal(log.segments.length, 2);
  assert.ok(env.fs.stats.dirFsyncs > d0);
  env.fs.crash();
  assert.equal(env.open({ durableAppend: true }).getLog('t', 0)!.logEndOffset, 2);
});
