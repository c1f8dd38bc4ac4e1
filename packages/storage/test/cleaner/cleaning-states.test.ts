// The LogCleaner's partition states with a fake LogCleaning: aborts on truncation (with the
// checkpoint lowered), deletion (with the checkpoint entry removed), a log going offline and
// shutdown; pause and resume; an exception marking a partition uncleanable while the others keep
// being cleaned; an abort raised by the job itself; awaitCleaned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CleanAbortedError } from '../../src/cleaner/clean-job.ts';
import { CLEANER_OFFSET_CHECKPOINT } from '../../src/cleaner/cleaner-checkpoint.ts';
import { buildBatch } from '../helpers/batches.ts';
import { settle } from './fake-cleaning.ts';
import { cleanerSetup } from './setup.ts';

const CHECKPOINT = `/data/${CLEANER_OFFSET_CHECKPOINT}`;

async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await settle(5);
  return done;
}

test('a truncation aborts the running job and lowers the checkpoint to the new log end', async () => {
  const s = cleanerSetup();
  const log = s.compacted('a');
  for (let i = 0; i < 12; i++) log.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100, firstUncleanableOffset: 10 });
  await s.cleaner.cleanNow();
  assert.equal(s.cleaner.checkpoint('a', 0), 10);

  s.fake.set('a-0', { cleanBytes: 50, dirtyBytes: 100, firstUncleanableOffset: 12 });
  s.fake.hold.add('a-0');
  const pass = s.cleaner.cleanNow();
  await settle();
  assert.equal(s.fake.jobs.length, 2);
  log.truncateTo(6);
  assert.equal(s.env.fs.bytes(CHECKPOINT).toString(), '0\n1\na 0 6\n');
  assert.deepEqual(s.cleaner.manager.cleaningState('a-0'), { kind: 'aborted', pauses: 0, reason: 'the log was truncated to 6' });
  s.fake.jobs[1]!.release();
  assert.deepEqual(await pass, []);
  const err = s.fake.jobs[1]!.error;
  assert.ok(err instanceof CleanAbortedError);
  assert.equal(err.message, 'cleaning of a-0 aborted: the log was truncated to 6');
  assert.equal(s.cleaner.checkpoint('a', 0), 6); // the aborted job's end offset (12) is not checkpointed
  assert.equal(s.cleaner.manager.cleaningState('a-0'), undefined);
  assert.deepEqual(s.cleaner.metrics().uncleanablePartitions, []);
  assert.equal(s.cleaner.metrics().totals.aborted, 1);
  assert.ok(s.logger.lines.some((l) => l.level === 'info' && l.msg === 'The cleaning of a-0 was aborted: the log was truncated to 6'));

  // cleaned again from the lowered checkpoint
  s.fake.hold.clear();
  for (let i = 0; i < 6; i++) log.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
  const [run] = await s.cleaner.cleanNow();
  assert.deepEqual([run!.firstDirtyOffset, run!.endOffset], [6, 12]);
  // a truncation below the checkpoint lowers it, one above leaves it
  log.truncateTo(11);
  assert.equal(s.env.fs.bytes(CHECKPOINT).toString(), '0\n1\na 0 11\n');
  for (let i = 0; i < 3; i++) log.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
  log.truncateTo(13);
  assert.equal(s.cleaner.checkpoint('a', 0), 11);
});

test('a truncation below no checkpoint, or of a log not compacted, writes nothing', () => {
  const s = cleanerSetup();
  const log = s.compacted('a');
  const plain = s.mgr.getOrCreateLog('p', 0);
  for (let i = 0; i < 5; i++) {
    log.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
    plain.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
  }
  log.truncateTo(2);
  plain.truncateTo(2);
  assert.equal(s.env.fs.statSync(CHECKPOINT), null);
  assert.equal(s.cleaner.manager.cleaningState('a-0'), undefined);
  assert.equal(s.cleaner.manager.cleaningState('p-0'), undefined);
});

test('deleting a partition aborts its job and removes its checkpoint entry; a new log of that name starts afresh', async () => {
  const s = cleanerSetup();
  s.compacted('a');
  s.compacted('b');
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100 });
  s.fake.set('b-0', { cleanBytes: 0, dirtyBytes: 90 });
  await s.cleaner.cleanNow();
  assert.equal(s.env.fs.bytes(CHECKPOINT).toString(), '0\n2\na 0 10\nb 0 10\n');

  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100, firstUncleanableOffset: 20 });
  s.fake.hold.add('a-0');
  const pass = s.cleaner.cleanNow();
  await settle();
  assert.equal(s.mgr.deleteLog('a', 0), true);
  assert.equal(s.env.fs.bytes(CHECKPOINT).toString(), '0\n1\nb 0 10\n');
  s.fake.jobs[2]!.release();
  assert.deepEqual(await pass, []);
  assert.ok(s.fake.jobs[2]!.error instanceof CleanAbortedError);
  assert.equal(s.cleaner.metrics().totals.aborted, 1);
  assert.equal(s.env.fs.bytes(CHECKPOINT).toString(), '0\n1\nb 0 10\n');

  s.fake.hold.clear();
  s.compacted('a');
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100 });
  const runs = await s.cleaner.cleanNow();
  assert.deepEqual(
    runs.map((r) => [r.topic, r.firstDirtyOffset]),
    [['a', 0]],
  );
  assert.equal(s.fake.rangeCallsFor('a-0').at(-1)!.checkpoint, undefined);
});

test('a log going offline aborts its job; it is skipped, not marked uncleanable', async () => {
  const s = cleanerSetup();
  const log = s.compacted('a');
  log.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 });
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100 });
  s.fake.hold.add('a-0');
  const pass = s.cleaner.cleanNow();
  await settle();
  s.env.fs.faults.failFsync = true;
  assert.throws(() => log.flush());
  s.env.fs.faults.failFsync = false;
  assert.equal(log.isOffline, true);
  s.fake.jobs[0]!.release();
  assert.deepEqual(await pass, []);
  assert.equal((s.fake.jobs[0]!.error as Error).message, 'cleaning of a-0 aborted: the log went offline');
  assert.deepEqual(s.cleaner.metrics().uncleanablePartitions, []);
  const calls = s.fake.rangeCalls.length;
  assert.deepEqual(await s.cleaner.cleanNow(), []);
  assert.equal(s.fake.rangeCalls.length, calls);
});

test('shutdown aborts the running jobs and resolves once they ended; nothing is checkpointed', async () => {
  const s = cleanerSetup({ background: true, cleaner: { threads: 2 } });
  for (const t of ['a', 'b']) {
    s.compacted(t);
    s.fake.set(`${t}-0`, { cleanBytes: 0, dirtyBytes: 100 });
    s.fake.hold.add(`${t}-0`);
  }
  await settle();
  assert.deepEqual([...s.fake.active].sort(), ['a-0', 'b-0']);
  const stopping = s.mgr.shutdownAsync();
  assert.equal(await isSettled(stopping), false);
  s.fake.jobs[0]!.release();
  assert.equal(await isSettled(stopping), false);
  s.fake.jobs[1]!.release();
  await stopping;
  assert.deepEqual(
    s.fake.jobs.map((j) => (j.error as Error).message),
    ['cleaning of a-0 aborted: the log cleaner is shutting down', 'cleaning of b-0 aborted: the log cleaner is shutting down'],
  );
  assert.equal(s.cleaner.isRunning, false);
  assert.equal(s.cleaner.metrics().totals.aborted, 2);
  assert.equal(s.env.fs.statSync(CHECKPOINT), null);
  assert.notEqual(s.env.fs.statSync('/data/.kafka_cleanshutdown'), null);
});

test('a throttle sleep does not hold up shutdown', async () => {
  const s = cleanerSetup({ cleaner: { ioMaxBytesPerSecond: 1 } });
  s.compacted('a');
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100 });
  s.fake.hold.add('a-0');
  const pass = s.cleaner.cleanNow();
  await settle();
  await s.env.time.advance(301);
  s.fake.jobs[0]!.release(); // its step of 140 bytes at 1 B/s asks for a 139699 ms sleep
  await settle();
  assert.equal(s.cleaner.pacing.throttler.sleptMs, 139699);
  await s.cleaner.shutdown();
  assert.deepEqual(await pass, []);
  assert.ok(s.fake.jobs[0]!.error instanceof CleanAbortedError);
});

test('an exception in a job marks its partition uncleanable; the others keep being cleaned', async () => {
  const s = cleanerSetup({ background: true, cleaner: { backoffMs: 1000 } });
  s.compacted('a');
  s.compacted('b');
  s.compacted('c');
  s.fake.set('a-0', { cleanBytes: 10, dirtyBytes: 90 });
  s.fake.set('b-0', { cleanBytes: 40, dirtyBytes: 60 });
  s.fake.set('c-0', { cleanBytes: 0, dirtyBytes: 100, throws: new Error('bad segment') });
  s.fake.fail.set('a-0', new Error('boom'));
  await settle();
  // pass 1: c's range throws (uncleanable), a is picked and fails (uncleanable); the worker backs off
  assert.deepEqual(
    s.fake.jobs.map((j) => j.key),
    ['a-0'],
  );
  assert.deepEqual(s.cleaner.metrics().uncleanablePartitions, ['a-0', 'c-0']);
  assert.deepEqual(
    s.logger.lines.filter((l) => l.level === 'warn').map((l) => l.msg),
    [
      'Failed to calculate log cleaning stats for partition c-0. Marking it as uncleanable',
      'Unexpected exception thrown when cleaning log a-0. Marking its partition (a-0) as uncleanable',
    ],
  );
  await s.env.time.advance(1000);
  await settle();
  assert.deepEqual(
    s.fake.jobs.map((j) => [j.key, j.outcome]),
    [
      ['a-0', 'error'],
      ['b-0', 'cleaned'],
    ],
  );
  await s.env.time.advance(5000);
  await settle();
  assert.equal(s.fake.rangeCallsFor('a-0').length, 1);
  assert.equal(s.fake.rangeCallsFor('c-0').length, 1);
  assert.equal(s.cleaner.checkpoint('a', 0), undefined);
  assert.deepEqual(s.cleaner.metrics().totals, {
    runs: 1,
    aborted: 0,
    failed: 1,
    bytesRead: 100,
    bytesWritten: 40,
    messagesRead: 10,
    messagesWritten: 4,
    elapsedMs: 250,
  });
  // deleted and made again, the partition is cleanable again
  s.mgr.deleteLog('a', 0);
  assert.deepEqual(s.cleaner.metrics().uncleanablePartitions, ['c-0']);
  s.fake.fail.clear();
  s.compacted('a');
  await s.env.time.advance(1000);
  await settle();
  assert.deepEqual(s.fake.jobs.at(-1)!.outcome, 'cleaned');
  assert.equal(s.fake.jobs.at(-1)!.key, 'a-0');
  await s.mgr.shutdownAsync();
});

test('a job that aborts itself (its segments went under it) is not marked uncleanable and is cleaned again', async () => {
  const s = cleanerSetup();
  s.compacted('a');
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100 });
  s.fake.fail.set('a-0', new CleanAbortedError('segment 0 was deleted by retention'));
  assert.deepEqual(await s.cleaner.cleanNow(), []);
  assert.deepEqual(s.cleaner.metrics().uncleanablePartitions, []);
  assert.equal(s.cleaner.metrics().totals.aborted, 1);
  s.fake.fail.clear();
  assert.equal((await s.cleaner.cleanNow()).length, 1);
});

test('a job finishing after an abort it never saw (no step left) is not checkpointed', async () => {
  const s = cleanerSetup();
  s.compacted('a');
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100 });
  s.fake.hold.add('a-0');
  s.fake.stepless.add('a-0');
  const pass = s.cleaner.cleanNow();
  await settle();
  const stopped = s.cleaner.abortCleaning('a', 0);
  assert.equal(await isSettled(stopped), false);
  s.fake.jobs[0]!.release();
  await stopped;
  assert.equal(s.fake.jobs[0]!.outcome, 'cleaned');
  assert.deepEqual(await pass, []);
  assert.equal(s.cleaner.checkpoint('a', 0), undefined);
  assert.equal(s.cleaner.manager.cleaningState('a-0'), undefined);
});

test('abortAndPauseCleaning keeps a log from being cleaned until as many resumeCleaning calls', async () => {
  const s = cleanerSetup();
  s.compacted('a');
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100 });
  s.fake.hold.add('a-0');
  const pass = s.cleaner.cleanNow();
  await settle();
  const paused = s.cleaner.abortAndPauseCleaning('a', 0);
  void s.cleaner.abortAndPauseCleaning('a', 0);
  assert.deepEqual(s.cleaner.manager.cleaningState('a-0'), { kind: 'aborted', pauses: 2, reason: 'cleaning was paused' });
  s.fake.jobs[0]!.release();
  await paused;
  await pass;
  assert.deepEqual(s.cleaner.manager.cleaningState('a-0'), { kind: 'paused', pauses: 2 });
  s.fake.hold.clear();
  assert.deepEqual(await s.cleaner.cleanNow(), []);
  s.cleaner.resumeCleaning('a', 0);
  assert.deepEqual(await s.cleaner.cleanNow(), []);
  s.cleaner.resumeCleaning('a', 0);
  assert.equal((await s.cleaner.cleanNow()).length, 1);
  assert.throws(() => s.cleaner.resumeCleaning('a', 0), /Compaction for partition a-0 cannot be resumed since it is not paused/);
});

test('awaitCleaned resolves true once the checkpoint reaches the offset, false after maxWaitMs', async () => {
  const s = cleanerSetup({ background: true, cleaner: { backoffMs: 60000 } });
  s.compacted('a');
  await settle(); // the worker finds nothing and sleeps 60 s
  s.fake.set('a-0', { cleanBytes: 0, dirtyBytes: 100, firstUncleanableOffset: 10 });
  assert.equal(await s.cleaner.awaitCleaned('a', 0, 10), true); // wakes the worker
  assert.equal(await s.cleaner.awaitCleaned('a', 0, 5), true);
  const never = s.cleaner.awaitCleaned('a', 0, 11, 5000);
  await settle();
  await s.env.time.advance(4999);
  assert.equal(await isSettled(never), false);
  await s.env.time.advance(1);
  assert.equal(await never, false);
  await s.mgr.shutdownAsync();
});

test('cleanNow with the workers running resolves once each has nothing more to clean', async () => {
  const s = cleanerSetup({ background: true, cleaner: { threads: 2, backoffMs: 60000 } });
  for (const t of ['a', 'b', 'c']) s.compacted(t);
  await settle();
  for (const t of ['a', 'b', 'c']) s.fake.set(`${t}-0`, { cleanBytes: 0, dirtyBytes: 100 });
  const runs = await s.cleaner.cleanNow();
  assert.deepEqual(runs.map((r) => r.topic).sort(), ['a', 'b', 'c']);
  assert.deepEqual([...new Set(runs.map((r) => r.thread))].sort(), [0, 1]);
  await s.mgr.shutdownAsync();
});
