// Moving a replica between log dirs in the LogManager (AlterReplicaLogDirs' storage side, Kafka's
// future logs): a future log created in another dir, the copy from the current log while it keeps
// taking appends (FutureLogCopier), the swap (the future log becomes the current one, the old one
// is renamed -delete and removed), and a restart in the middle of a move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBatch, batchOffsets } from './helpers/batches.ts';
import { pbatch } from './helpers/producer-batches.ts';
import { LogDirNotFoundError, LogOfflineError } from '../src/errors.ts';
import { FaultyFileSystem } from '../src/faulty-fs.ts';
import { FutureLogCopier } from '../src/future-log-copier.ts';
import { LogManager } from '../src/log-manager.ts';
import { parseLogDirName } from '../src/log-dir-names.ts';
import { MemoryFileSystem } from '../src/memory-fs.ts';
import { MockTime } from '../src/mock-time.ts';
import type { PartitionLog } from '../src/partition-log.ts';

const DIRS = ['/d/a', '/d/b'];

function env() {
  const time = new MockTime(1_700_000_000_000);
  const mem = new MemoryFileSystem(time);
  const fs = new FaultyFileSystem(mem);
  const open = () => new LogManager({ logDirs: DIRS, fs, time, backgroundTasks: false, clusterId: 'c1', brokerId: 1 }).startup();
  return { mem, fs, time, open };
}

/** Every batch of the log: [base offset, last offset, its bytes in hex], read from its start to its end. */
function contents(log: PartitionLog): Array<[number, number, string]> {
  const out: Array<[number, number, string]> = [];
  let at = log.logStartOffset;
  while (at < log.logEndOffset) {
    const buf = log.read(at, 1 << 20).records;
    let pos = 0;
    for (const [base, last] of batchOffsets(buf)) {
      const size = buf.readInt32BE(pos + 8) + 12;
      out.push([base, last, buf.subarray(pos, pos + size).toString('hex')]);
      pos += size;
      at = last + 1;
    }
  }
  return out;
}

const dirEntries = (mem: MemoryFileSystem, dir: string) => mem.readdirSync(dir).filter((n) => parseLogDirName(n) !== null);

test('parseLogDirName knows current, future and deleted logs by their names', () => {
  assert.deepEqual(parseLogDirName('my-topic-3'), { kind: 'current', topic: 'my-topic', partition: 3 });
  assert.deepEqual(parseLogDirName('my-topic-3.0123456789abcdef0123456789abcdef-future'), {
    kind: 'future',
    topic: 'my-topic',
    partition: 3,
  });
  assert.deepEqual(parseLogDirName('t-0.0123456789abcdef0123456789abcdef-delete'), { kind: 'delete' });
  assert.equal(parseLogDirName('meta.properties'), null);
  assert.equal(parseLogDirName('t-x.0123-future'), null);
});

test('a future log in the other dir copies the current log while it takes appends, then replaces it; the old dir ends empty', () => {
  const e = env();
  const lm = e.open();
  const log = lm.getOrCreateLog('t', 0, { topicId: 'AAAAAAAAAAAAAAAAAAAAAA', config: { segmentBytes: 600 } });
  assert.equal(lm.logDirOf('t', 0), '/d/a');
  for (let i = 0; i < 10; i++) log.appendSync(buildBatch({ count: 3 }), { leaderEpoch: i < 5 ? 0 : 2 });
  log.appendSync(pbatch(7n, 0, 0, { count: 2 }), { leaderEpoch: 3 });
  log.appendSync(pbatch(7n, 0, 2, { count: 2 }), { leaderEpoch: 3 });
  assert.ok(log.segments.length > 1, 'several segments');
  assert.equal(lm.liveLogDir('/d/b'), '/d/b');
  assert.throws(() => lm.liveLogDir('/d/c'), LogDirNotFoundError);
  assert.throws(() => lm.createFutureLog('t', 0, '/d/a'), /already in \/d\/a/);
  const future = lm.createFutureLog('t', 0, '/d/b');
  assert.equal(lm.createFutureLog('t', 0, '/d/b'), future, 'asking again answers the same future log');
  assert.equal(lm.futureLogDirOf('t', 0), '/d/b');
  assert.match(future.dir, /^\/d\/b\/t-0\.[0-9a-f]{32}-future$/);
  assert.deepEqual(lm.nextLogDirs(), ['/d/a', '/d/b'], 'the future log counts in its dir (ties in configured order)');

  const copier = new FutureLogCopier(log, future);
  assert.equal(copier.offsetLag, 34);
  let step = copier.step(200); // one batch at least, a few at most
  assert.ok(step.bytes > 0 && !step.caughtUp);
  assert.ok(future.logEndOffset > 0 && future.logEndOffset < 34);
  // appends keep coming to the current log while the copy runs
  log.appendSync(buildBatch({ count: 5 }), { leaderEpoch: 4 });
  while (!(step = copier.step(200)).caughtUp) assert.ok(step.bytes > 0);
  assert.equal(future.logEndOffset, 39);
  assert.deepEqual(contents(future), contents(log));
  copier.detach();

  const before = contents(log);
  const epochs = log.leaderEpochCache.all.map((x) => ({ ...x }));
  log.leaderEpochCache.assign(5, 39); // an epoch with no batch yet (a new leader): only the old log knows it
  // as after any restart, the snapshot keeps each producer's last batch (Kafka's snapshot format)
  const lastBatch = (l: PartitionLog) => {
    const x = l.producerState.lastEntry(7n)!;
    return JSON.stringify({ ...x, batches: x.batches.slice(-1) }, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
  };
  const producer = lastBatch(log);
  const swapped = lm.replaceCurrentWithFutureLog('t', 0);
  assert.equal(lm.getLog('t', 0), swapped);
  assert.equal(lm.logDirOf('t', 0), '/d/b');
  assert.equal(lm.getFutureLog('t', 0), undefined);
  assert.equal(swapped.dir, '/d/b/t-0');
  assert.equal(swapped.topicId, 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.deepEqual(contents(swapped), before, 'same batches at the same offsets');
  assert.deepEqual(swapped.leaderEpochCache.all, [...epochs, { epoch: 5, startOffset: 39 }], 'the old log leader epochs, copied');
  assert.equal(lastBatch(swapped), producer, 'the same producer state');
  assert.ok(log.isClosed);
  // the old log: renamed -delete at once, removed when the deletion runs
  assert.deepEqual(
    dirEntries(e.mem, '/d/a').map((n) => parseLogDirName(n)!.kind),
    ['delete'],
  );
  e.time.advance(1);
  assert.deepEqual(dirEntries(e.mem, '/d/a'), []);
  // the new current log takes appends, and a duplicate of the producer's last batch is still recognised
  const dup = swapped.appendSync(pbatch(7n, 0, 2, { count: 2 }), { leaderEpoch: 5 });
  assert.equal(dup.duplicate, true);
  assert.equal(dup.firstOffset, 32);
  assert.equal(swapped.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 5 }).firstOffset, 39);
  lm.shutdown();

  const again = e.open();
  assert.equal(again.logDirOf('t', 0), '/d/b');
  assert.equal(again.getLog('t', 0)!.logEndOffset, 40);
  assert.deepEqual(contents(again.getLog('t', 0)!).slice(0, before.length), before);
  again.shutdown();
});

test('the future log follows the current log: its truncation and its log start offset', () => {
  const e = env();
  const lm = e.open();
  const log = lm.getOrCreateLog('t', 0);
  for (let i = 0; i < 6; i++) log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  const future = lm.createFutureLog('t', 0, '/d/b');
  const copier = new FutureLogCopier(log, future);
  while (!copier.step(1 << 20).caughtUp);
  assert.equal(future.logEndOffset, 12);
  log.truncateTo(8); // a follower's divergent tail
  assert.equal(future.logEndOffset, 8, 'the future log truncates with it');
  log.appendSync(buildBatch({ count: 4 }), { leaderEpoch: 1 });
  log.deleteRecordsBefore(4);
  assert.equal(copier.step(1 << 20).caughtUp, true);
  assert.equal(future.logStartOffset, 4);
  assert.deepEqual(contents(future), contents(log));
  copier.detach();
  // cancelled: the future log goes, its dir with it
  assert.equal(lm.removeFutureLog('t', 0), true);
  e.time.advance(1);
  assert.deepEqual(dirEntries(e.mem, '/d/b'), []);
  lm.shutdown();
});

test('a future log found at startup is loaded with what was copied; the move can resume and finish', () => {
  const e = env();
  const lm = e.open();
  const log = lm.getOrCreateLog('t', 0);
  for (let i = 0; i < 8; i++) log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  const future = lm.createFutureLog('t', 0, '/d/b');
  const copier = new FutureLogCopier(log, future);
  copier.step(1); // one batch
  copier.step(1);
  assert.equal(future.logEndOffset, 4);
  future.flush();
  log.flush();
  // the process dies: nothing closed, no clean-shutdown marker
  const lm2 = e.open();
  assert.equal(lm2.getLog('t', 0)!.logEndOffset, 16);
  assert.equal(lm2.logDirOf('t', 0), '/d/a');
  const f2 = lm2.getFutureLog('t', 0)!;
  assert.equal(lm2.futureLogDirOf('t', 0), '/d/b');
  assert.equal(f2.logEndOffset, 4);
  const c2 = new FutureLogCopier(lm2.getLog('t', 0)!, f2);
  while (!c2.step(64).caughtUp);
  c2.detach();
  lm2.replaceCurrentWithFutureLog('t', 0);
  assert.equal(lm2.logDirOf('t', 0), '/d/b');
  assert.equal(lm2.getLog('t', 0)!.logEndOffset, 16);
  lm2.shutdown();
  assert.deepEqual(dirEntries(e.mem, '/d/a'), []);
});

test('a partition not hosted yet is created in its preferred dir; a failed dir drops the future log in it', () => {
  const e = env();
  const lm = e.open();
  lm.maybeUpdatePreferredLogDir('p', 0, '/d/b');
  assert.equal(lm.getOrCreateLog('p', 0) && lm.logDirOf('p', 0), '/d/b');
  lm.getOrCreateLog('q', 0); // -> /d/a (fewest)
  assert.equal(lm.logDirOf('q', 0), '/d/a');
  lm.getLog('q', 0)!.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  const future = lm.createFutureLog('q', 0, '/d/b');
  new FutureLogCopier(lm.getLog('q', 0)!, future).step(10);
  e.fs.fail('/d/b', 'EIO');
  assert.throws(() => lm.getLog('p', 0)!.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 }), LogOfflineError);
  assert.deepEqual(lm.offlineLogDirs(), ['/d/b']);
  assert.equal(lm.getFutureLog('q', 0), undefined, 'the move is over');
  assert.equal(lm.liveLogDir('/d/b'), null);
  assert.throws(() => lm.createFutureLog('q', 0, '/d/b'), LogOfflineError);
  lm.shutdown();
});

test('a log emptied by DeleteRecords and retention moves at its offset; an empty new log moves too', () => {
  const e = env();
  const lm = e.open();
  const log = lm.getOrCreateLog('t', 0, { config: { segmentBytes: 200 } });
  for (let i = 0; i < 5; i++) log.appendSync(buildBatch({ count: 2 }), { leaderEpoch: 0 });
  log.roll();
  log.deleteRecordsBefore(10);
  log.deleteOldSegments();
  assert.deepEqual([log.logStartOffset, log.logEndOffset], [10, 10]);
  const to = lm.logDirOf('t', 0) === '/d/a' ? '/d/b' : '/d/a';
  const copier = new FutureLogCopier(log, lm.createFutureLog('t', 0, to));
  assert.deepEqual(copier.step(100), { bytes: 0, caughtUp: true });
  copier.detach();
  const moved = lm.replaceCurrentWithFutureLog('t', 0);
  assert.deepEqual([moved.logStartOffset, moved.logEndOffset], [10, 10]);
  assert.equal(moved.appendSync(buildBatch({ count: 1 }), { leaderEpoch: 1 }).firstOffset, 10);
  const empty = lm.getOrCreateLog('e', 0);
  const other = lm.logDirOf('e', 0) === '/d/a' ? '/d/b' : '/d/a';
  assert.equal(new FutureLogCopier(empty, lm.createFutureLog('e', 0, other)).step(10).caughtUp, true);
  assert.equal(lm.replaceCurrentWithFutureLog('e', 0).appendSync(buildBatch({ count: 1 }), { leaderEpoch: 0 }).firstOffset, 0);
  assert.equal(lm.logDirOf('e', 0), other);
  lm.shutdown();
  const again = e.open();
  assert.deepEqual([again.getLog('t', 0)!.logStartOffset, again.getLog('t', 0)!.logEndOffset], [10, 11]);
  assert.equal(again.getLog('e', 0)!.logEndOffset, 1);
  again.shutdown();
});
