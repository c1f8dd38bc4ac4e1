// The LogCleaner's scheduling with a fake LogCleaning: which log is cleaned first, the dirty-ratio
// threshold and max.compaction.lag, the job's parameters, backoff when idle, the checkpoint across
// runs and restarts, delete horizons, two workers at once, the log line and the totals,
// log.cleaner.enable=false.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLEANER_OFFSET_CHECKPOINT } from '../../src/cleaner/cleaner-checkpoint.ts';
import { describeCleanRun, type CleanRun } from '../../src/cleaner/cleaner-stats.ts';
import { buildBatch } from '../helpers/batches.ts';
import { settle } from './fake-cleaning.ts';
import { cleanerSetup } from './setup.ts';

const CHECKPOINT = `/data/${CLEANER_OFFSET_CHECKPOINT}`;

test('the filthiest compacted log is cleaned first; logs without compaction are never considered', async () => {
  const s = cleanerSetup();
  for (const t of ['a', 'b', 'c']) s.compacted(t);
  s.mgr.getOrCreateLog('d', 0); // cleanup.policy=delete
  s.fake.set('a-0', { cleanBytes: 40, dirtyBytes: 60 });
  s.fake.set('b-0', { cleanBytes: 10, dirtyBytes: 90 });
  s.fake.set('c-0', { cleanBytes: 30, dirtyBytes: 70 });
  s.fake.set('d-0', { cleanBytes: 0, dirtyBytes: 100 });
  const runs = await s.cleaner.cleanNow();
  assert.deepEqual(
    runs.map((r) => [r.topic, r.reason, r.firstDirtyOffset, r.endOffset]),
    [
      ['b', 'dirty-ratio', 0, 10],
      ['c', 'dirty-ratio', 0, 10],
      ['a', 'dirty-ratio', 0, 10],
    ],
  );
  // passes over {a, b, c}, {a, c}, {a}, {}: d is never looked at
  assert.equal(s.fake.rangeCalls.length, 6);
  assert.equal(s.fake.rangeCallsFor('d-0').length, 0);
  assert.equal(s.env.fs.bytes(CHECKPOINT).toString(), '0\n3\nb 0 10\nc 0 10\na 0 10\n');
});

test('min.cleanable.dirty.ratio is a strict threshold, per topic; max.compaction.lag cleans any dirty bytes', async () => {
  const s = cleanerSetup();
  s.compacted('at');
  s.compacted('above');
  s.compacted('strict', 0, { minCleanableDirtyRatio: 0.9 });
  s.compacted('lag');
  s.compacted('lagclean');
  s.compacted('empty');
  s.fake.set('at-0', { cleanBytes: 50, dirtyBytes: 50 }); // 0.5, not above the default 0.5
  s.fake.set('above-0', { cleanBytes: 49, dirtyBytes: 51 });
  s.fake.set('strict-0', { cleanBytes: 20, dirtyBytes: 80 }); // 0.8 <= 0.9
  s.fake.set('lag-0', { cleanBytes: 90, dirtyBytes: 10, needCompactionNow: true });
  s.fake.set('lagclean-0', { cleanBytes: 100, dirtyBytes: 0, needCompactionNow: true });
  s.fake.set('empty-0', { cleanBytes: 0, dirtyBytes: 0, needCompactionNow: true });
  const runs = await s.cleaner.cleanNow();
  assert.deepEqual(
    runs.map((r) => [r.topic, r.reason]),
    [
      ['above', 'dirty-ratio'],
      ['lag', 'max-compaction-lag'],
    ],
  );
  const m = s.cleaner.metrics();
  assert.equal(m.maxDirtyPercent, 80); // strict-0, the dirtiest left
  assert.equal(m.cleanablePartitions, 0);
  assert.equal(m.timeSinceLastRunMs, 0);
});

test("a job gets the range, the clock, the dedupe buffer split across threads, the load factor; the range gets the log's last stable offset", async () => {
  const s = cleanerSetup({ cleaner: { threads: 2, dedupeBufferSize: 1000, ioBufferLoadFactor: 0.75 } });
  const log = s.compacted('a');
  for (let i = 0; i < 3; i++) log.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100, firstUncleanableOffset: 9 });
  await s.env.time.advance(1234);
  await s.cleaner.cleanNow();
  assert.deepEqual(s.fake.jobs[0]!.job, {
    firstDirtyOffset: 0,
    firstUncleanableOffset: 9,
    now: 1_700_000_001_234,
    dedupeBufferBytes: 500,
    loadFactor: 0.75,
  });
  assert.deepEqual(s.fake.rangeCalls[0], { key: 'a-0', checkpoint: undefined, lastStableOffset: 3, now: 1_700_000_001_234 });
  // the broker's last stable offset when it gives one
  const t = cleanerSetup({ extra: { lastStableOffset: (topic, p) => (topic === 'a' && p === 0 ? 2 : undefined) } });
  t.compacted('a');
  await t.cleaner.cleanNow();
  assert.equal(t.fake.rangeCalls[0]!.lastStableOffset, 2);
});

test('with nothing to clean the worker sleeps log.cleaner.backoff.ms, then looks again; after a clean it looks at once', async () => {
  const s = cleanerSetup({ background: true, cleaner: { backoffMs: 15000 } });
  s.compacted('a');
  s.fake.set('a-0', { cleanBytes: 90, dirtyBytes: 10 });
  await settle();
  assert.equal(s.fake.rangeCalls.length, 1);
  await s.env.time.advance(14999);
  await settle();
  assert.equal(s.fake.rangeCalls.length, 1);
  await s.env.time.advance(1);
  await settle();
  assert.equal(s.fake.rangeCalls.length, 2);
  s.fake.set('a-0', { cleanBytes: 10, dirtyBytes: 90 });
  await s.env.time.advance(15000);
  await settle();
  // pass 3 cleans a, pass 4 (at once) finds it clean and backs off
  assert.equal(s.fake.jobs.length, 1);
  assert.equal(s.fake.rangeCalls.length, 4);
  await s.env.time.advance(15000);
  await settle();
  assert.equal(s.fake.rangeCalls.length, 5);
  assert.equal(s.fake.jobs.length, 1);
  await s.mgr.shutdownAsync();
});

test('the checkpoint is written after each clean, given to the next range, and read back after a restart', async () => {
  const s = cleanerSetup();
  s.compacted('a');
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100 });
  await s.cleaner.cleanNow();
  assert.equal(s.env.fs.bytes(CHECKPOINT).toString(), '0\n1\na 0 10\n');
  s.fake.set('a-0', { cleanBytes: 50, dirtyBytes: 100, firstUncleanableOffset: 25 });
  const [run] = await s.cleaner.cleanNow();
  assert.deepEqual([run!.firstDirtyOffset, run!.endOffset], [10, 25]);
  assert.equal(s.fake.rangeCalls.at(-1)!.checkpoint, 10);
  assert.equal(s.env.fs.bytes(CHECKPOINT).toString(), '0\n1\na 0 25\n');
  await s.mgr.shutdownAsync();

  const r = s.reopen();
  assert.equal(r.cleaner.checkpoint('a', 0), 25);
  r.compacted('a'); // the broker gives the loaded log its topic config again
  await r.cleaner.cleanNow();
  assert.deepEqual(
    r.fake.rangeCalls.map((c) => [c.key, c.checkpoint]),
    [['a-0', 25]],
  );
});

test('a log whose kept tombstones reach their delete horizon is cleaned again without new dirty data', async () => {
  const s = cleanerSetup();
  s.compacted('a');
  s.compacted('b');
  const t0 = s.env.time.now();
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100 });
  s.fake.set('b-0', { cleanBytes: 0, dirtyBytes: 80 });
  s.fake.horizons.set('a-0', t0 + 1000);
  s.fake.horizons.set('b-0', t0); // already passed when reported: ignored (else cleaned forever)
  assert.equal((await s.cleaner.cleanNow()).length, 2);
  assert.equal(s.cleaner.manager.deleteHorizon('a-0'), t0 + 1000);
  assert.equal(s.cleaner.manager.deleteHorizon('b-0'), undefined);
  assert.deepEqual(await s.cleaner.cleanNow(), []);
  await s.env.time.advance(999);
  assert.deepEqual(await s.cleaner.cleanNow(), []);
  await s.env.time.advance(1);
  s.fake.horizons.delete('a-0');
  const runs = await s.cleaner.cleanNow();
  assert.deepEqual(
    runs.map((r) => [r.topic, r.reason, r.firstDirtyOffset, r.firstUncleanableOffset]),
    [['a', 'delete-horizon', 10, 10]],
  );
  assert.equal(s.cleaner.manager.deleteHorizon('a-0'), undefined);
  assert.deepEqual(await s.cleaner.cleanNow(), []);
});

test('threads = 2: two logs are cleaned at once, never the same log twice', async () => {
  const s = cleanerSetup({ background: true, cleaner: { threads: 2 } });
  for (const t of ['a', 'b', 'c']) {
    s.compacted(t);
    s.fake.hold.add(`${t}-0`);
  }
  s.fake.set('a-0', { cleanBytes: 10, dirtyBytes: 90 });
  s.fake.set('b-0', { cleanBytes: 20, dirtyBytes: 80 });
  s.fake.set('c-0', { cleanBytes: 30, dirtyBytes: 70 });
  await settle();
  assert.deepEqual([...s.fake.active].sort(), ['a-0', 'b-0']);
  assert.deepEqual(s.cleaner.metrics().inProgress, ['a-0', 'b-0']);
  s.fake.set('a-0', { cleanBytes: 10, dirtyBytes: 90 }); // still dirty: it must not be started again while it runs
  s.fake.jobs[1]!.release(); // b
  await settle();
  assert.deepEqual(
    s.fake.jobs.map((j) => j.key),
    ['a-0', 'b-0', 'c-0'],
  );
  assert.deepEqual([...s.fake.active].sort(), ['a-0', 'c-0']);
  s.fake.jobs[0]!.release();
  s.fake.jobs[2]!.release();
  await settle();
  assert.equal(s.fake.maxConcurrent, 2);
  assert.equal(s.fake.sameLogTwice, false);
  assert.deepEqual(
    s.fake.jobs.map((j) => j.outcome),
    ['cleaned', 'cleaned', 'cleaned'],
  );
  assert.deepEqual(
    s.fake.jobs.map((j) => j.job.dedupeBufferBytes),
    [67108864, 67108864, 67108864],
  );
  await s.mgr.shutdownAsync();
});

test('one log line per clean, in Kafka words; totals and last runs for metrics', async () => {
  const s = cleanerSetup();
  for (const t of ['a', 'b', 'c']) {
    s.compacted(t);
    s.fake.set(`${t}-0`, { cleanBytes: 0, dirtyBytes: 100 });
  }
  await s.cleaner.cleanNow();
  assert.deepEqual(
    s.logger.lines.filter((l) => l.msg.startsWith('Log cleaner thread')),
    ['a', 'b', 'c'].map((t) => ({
      level: 'info',
      msg:
        `Log cleaner thread 0 cleaned log ${t}-0 (dirty section = [0, 10]): 0.0 MB of log processed in 0.3 seconds (0.0 MB/sec); ` +
        'start size 0.0 MB (10 messages), end size 0.0 MB (4 messages); 60.0% size reduction (60.0% fewer messages)',
    })),
  );
  const m = s.cleaner.metrics();
  assert.deepEqual(m.totals, {
    runs: 3,
    aborted: 0,
    failed: 0,
    bytesRead: 300,
    bytesWritten: 120,
    messagesRead: 30,
    messagesWritten: 12,
    elapsedMs: 750,
  });
  assert.equal(m.recopyPercent, 40);
  assert.deepEqual([...s.cleaner.stats.lastRuns.keys()], ['a-0', 'b-0', 'c-0']);
  assert.equal(s.cleaner.stats.lastRun!.topic, 'c');
});

test('describeCleanRun formats sizes in MB, the rate and the reduction', () => {
  const run: CleanRun = {
    thread: 1,
    topic: 'orders',
    partition: 3,
    reason: 'dirty-ratio',
    firstDirtyOffset: 1000,
    firstUncleanableOffset: 2_000_000,
    endOffset: 1_500_000,
    startMs: 0,
    endMs: 2000,
    yields: 0,
    sleeps: 0,
    sleptMs: 0,
    result: {
      endOffset: 1_500_000,
      bytesRead: 10 * 1024 * 1024,
      bytesWritten: 2.5 * 1024 * 1024,
      messagesRead: 1_000_000,
      messagesWritten: 250_000,
      mapKeys: 250_000,
      mapMessages: 1_000_000,
      mapBytesRead: 10 * 1024 * 1024,
      invalidMessages: 0,
      segmentsBefore: 10,
      segmentsAfter: 3,
      nextDeleteHorizonMs: -1,
      elapsedMs: 2000,
    },
  };
  assert.equal(
    describeCleanRun(run),
    'Log cleaner thread 1 cleaned log orders-3 (dirty section = [1000, 1500000]): 10.0 MB of log processed in 2.0 seconds (5.0 MB/sec); ' +
      'start size 10.0 MB (1,000,000 messages), end size 2.5 MB (250,000 messages); 75.0% size reduction (75.0% fewer messages)',
  );
});

test('log.cleaner.enable=false runs nothing', async () => {
  const s = cleanerSetup({ background: true, cleaner: { enable: false } });
  s.compacted('a');
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100 });
  await settle();
  await s.env.time.advance(60000);
  await settle();
  assert.equal(s.cleaner.isRunning, false);
  assert.deepEqual(await s.cleaner.cleanNow(), []);
  assert.equal(s.fake.rangeCalls.length, 0);
  assert.equal(s.fake.jobs.length, 0);
  assert.equal(s.env.fs.statSync(CHECKPOINT), null);
});
