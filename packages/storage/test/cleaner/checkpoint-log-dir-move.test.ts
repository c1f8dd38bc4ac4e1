// The log cleaner's checkpoint follows a compacted log moved between log dirs (AlterReplicaLogDirs'
// swap, Kafka's LogManager.replaceCurrentWithFutureLog -> cleaner.alterCheckpointDir): a log
// cleaned up to offset N in /d/a, moved to /d/b, has N in /d/b's cleaner-offset-checkpoint and no
// entry left in /d/a's, before and after a restart; the next clean starts at N, not at its start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLEANER_OFFSET_CHECKPOINT } from '../../src/cleaner/cleaner-checkpoint.ts';
import { FutureLogCopier } from '../../src/future-log-copier.ts';
import { LogManager } from '../../src/log-manager.ts';
import { MemoryFileSystem } from '../../src/memory-fs.ts';
import { MockTime } from '../../src/mock-time.ts';
import type { PartitionLog } from '../../src/partition-log.ts';
import { T0, append } from './helpers.ts';

const DIRS = ['/d/a', '/d/b'];

/** 60 records of 6 keys in batches of 3, then a roll: every record is in a closed (cleanable) segment. */
async function fillKeys(log: PartitionLog, from: number, count: number): Promise<void> {
  for (let n = from; n < from + count; n += 3) {
    await append(
      log,
      [0, 1, 2].map((i) => ({ key: `k${(n + i) % 6}`, value: `v${n + i}`, timestamp: T0 + n + i })),
    );
  }
  log.roll();
}

test('a compacted log moved to another log dir takes its cleaner checkpoint along, across a restart too', async () => {
  const time = new MockTime(T0);
  const fs = new MemoryFileSystem(time);
  const open = () =>
    new LogManager({
      logDirs: DIRS,
      fs,
      time,
      // every log compacted (the topic's config is the broker's to pass again after a restart)
      defaultConfig: { compact: true, delete: false, segmentBytes: 600 },
      backgroundTasks: false,
      clusterId: 'c1',
      brokerId: 1,
      cleanerPacing: { clock: () => 0 },
    }).startup();
  const checkpointFile = (dir: string) => fs.readFileSync(`${dir}/${CLEANER_OFFSET_CHECKPOINT}`)?.toString();

  const lm = open();
  const log = lm.getOrCreateLog('t', 0);
  assert.equal(lm.logDirOf('t', 0), '/d/a');
  await fillKeys(log, 0, 60);
  const first = await lm.cleaner!.cleanNow();
  assert.deepEqual(
    first.map((r) => [r.topic, r.partition, r.firstDirtyOffset, r.endOffset]),
    [['t', 0, 0, 60]],
  );
  assert.equal(lm.cleaner!.checkpoint('t', 0), 60);
  assert.equal(checkpointFile('/d/a'), '0\n1\nt 0 60\n');
  assert.equal(checkpointFile('/d/b'), undefined);

  const future = lm.createFutureLog('t', 0, '/d/b');
  const copier = new FutureLogCopier(log, future);
  while (!copier.step(1 << 20).caughtUp);
  copier.detach();
  lm.replaceCurrentWithFutureLog('t', 0);
  assert.equal(lm.logDirOf('t', 0), '/d/b');
  assert.equal(checkpointFile('/d/b'), '0\n1\nt 0 60\n', 'the entry is in the new dir');
  assert.equal(checkpointFile('/d/a'), '0\n0\n', 'and gone from the old one');
  assert.equal(lm.cleaner!.checkpoint('t', 0), 60);
  assert.deepEqual(await lm.cleaner!.cleanNow(), [], 'nothing dirty: it is not cleaned from its start again');
  lm.shutdown();

  const again = open();
  assert.equal(again.logDirOf('t', 0), '/d/b');
  assert.equal(again.cleaner!.checkpoint('t', 0), 60);
  assert.equal(checkpointFile('/d/b'), '0\n1\nt 0 60\n');
  assert.equal(checkpointFile('/d/a'), '0\n0\n');
  // new records: the next clean starts where the moved checkpoint says
  const moved = again.getLog('t', 0)!;
  await fillKeys(moved, 60, 30);
  const next = await again.cleaner!.cleanNow();
  assert.deepEqual(
    next.map((r) => [r.topic, r.partition, r.firstDirtyOffset, r.endOffset]),
    [['t', 0, 60, 90]],
  );
  assert.equal(checkpointFile('/d/b'), '0\n1\nt 0 90\n');
  again.shutdown();
});
