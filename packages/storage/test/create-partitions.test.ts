// Creating many partitions: no file is opened and nothing is fsynced per partition (the first
// segment's files, partition.metadata and the directory syncs come with the first data); a crash
// (power loss, no clean shutdown) right after creation brings every partition back, empty ones as
// empty logs, flushed ones with their data and topic id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBatch } from './helpers/batches.ts';
import { testEnv } from './helpers/env.ts';

const ID = 'vDrBmGsqTHCasRJBSu8fKQ';
const N = 2000;
const META = 'version: 0\ntopic_id: vDrBmGsqTHCasRJBSu8fKQ\n';

test('creating 2,000 partitions opens no file and fsyncs nothing; a crash after it loses no partition', () => {
  const env = testEnv();
  const mgr = env.open();
  const before = { ...env.fs.stats };
  for (let p = 0; p < N; p++) mgr.getOrCreateLog('wide', p, { topicId: ID });
  assert.deepEqual(env.fs.stats, before);
  assert.equal(env.fs.openFdCount, 0);
  assert.equal(env.fs.readdirSync('/data').filter((n) => n.startsWith('wide-')).length, N);
  assert.deepEqual(env.fs.readdirSync('/data/wide-5'), []);
  assert.equal(mgr.getLog('wide', 5)!.topicId, ID);

  // the first data brings the segment files; the flush syncs partition.metadata and the directories
  const log7 = mgr.getLog('wide', 7)!;
  assert.equal(log7.appendSync(buildBatch({ count: 3 }), { leaderEpoch: 0 }).lastOffset, 2);
  assert.deepEqual(
    env.fs
      .readdirSync('/data/wide-7')
      .filter((n) => n.startsWith('0000'))
      .sort(),
    ['00000000000000000000.index', '00000000000000000000.log', '00000000000000000000.timeindex'],
  );
  const dirSyncs = env.fs.stats.dirFsyncs;
  log7.flush();
  assert.equal(env.fs.bytes('/data/wide-7/partition.metadata').toString(), META);
  assert.equal(env.fs.stats.dirFsyncs - dirSyncs, 2); // wide-7 (with partition.metadata), then /data once
  const log8 = mgr.getLog('wide', 8)!;
  log8.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
  const dirSyncs8 = env.fs.stats.dirFsyncs;
  log8.flush();
  assert.equal(env.fs.stats.dirFsyncs - dirSyncs8, 1); // wide-8 only: /data was synced for every partition created before
  assert.equal(env.fs.statSync('/data/wide-9/partition.metadata'), null);
  mgr.getLog('wide', 9)!.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 }); // never flushed

  env.fs.crash(); // power loss: no clean shutdown, unsynced bytes gone
  const mgr2 = env.open();
  assert.deepEqual(mgr2.startupReport.uncleanDirs, ['/data']);
  assert.equal(mgr2.logCount, N);
  for (let p = 0; p < N; p++) {
    const log = mgr2.getLog('wide', p)!;
    assert.equal(log.logStartOffset, 0);
    assert.equal(log.logEndOffset, p === 7 ? 3 : p === 8 ? 1 : 0, `wide-${p}`);
  }
  assert.equal(mgr2.getLog('wide', 7)!.topicId, ID);
  assert.equal(mgr2.getLog('wide', 9)!.topicId, null);
  assert.equal(mgr2.getLog('wide', 7)!.read(0, 1 << 20).records.length > 0, true);

  // the broker hands the topic id back (from its topic store); partitions go on from where they were
  const log9 = mgr2.getOrCreateLog('wide', 9, { topicId: ID });
  assert.equal(log9.topicId, ID);
  assert.equal(log9.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 1 }).firstOffset, 0);
  assert.equal(mgr2.getOrCreateLog('wide', 7, { topicId: ID }).appendSync(buildBatch({ count: 1 }), { leaderEpoch: 1 }).firstOffset, 3);
  mgr2.shutdown();
  assert.equal(env.fs.bytes('/data/wide-9/partition.metadata').toString(), META);
  const mgr3 = env.open();
  assert.deepEqual(mgr3.startupReport.cleanDirs, ['/data']);
  assert.equal(mgr3.startupReport.recovery.rebuiltIndexes, 0);
  assert.deepEqual(
    [7, 8, 9, 10].map((p) => mgr3.getLog('wide', p)!.logEndOffset),
    [4, 1, 2, 0],
  );
  assert.equal(mgr3.getLog('wide', 9)!.topicId, ID);
  mgr3.shutdown();
});

test('a topic id recorded on a log that already has files is written at once', () => {
  const env = testEnv();
  const mgr = env.open();
  mgr.getOrCreateLog('t', 0).appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
  mgr.getOrCreateLog('t', 0, { topicId: ID });
  assert.equal(env.fs.bytes('/data/t-0/partition.metadata').toString(), META);
  mgr.shutdown();
});
