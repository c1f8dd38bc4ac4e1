// OffsetForLeaderEpoch's lookup (Kafka's LeaderEpochFileCache.endOffsetFor) over an epoch cache
// with gaps: epochs 3 (from offset 10) and 5 (from 20), log end offset 30. The handler's leader
// rules are tested over sockets in local-cluster.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeaderEpochCache, MemoryFileSystem } from '@tributary/storage';
import { endOffsetForEpoch } from '../src/handlers/offset-for-leader-epoch.ts';
import type { Partition } from '../src/replica/partition.ts';

function partitionWith(epochs: Array<[number, number]>, logEndOffset: number): Partition {
  const fs = new MemoryFileSystem();
  fs.mkdirSync('/p');
  const leaderEpochCache = new LeaderEpochCache(fs, '/p/leader-epoch-checkpoint');
  for (const [epoch, start] of epochs) leaderEpochCache.assign(epoch, start);
  return { logEndOffset, log: { leaderEpochCache } } as unknown as Partition;
}

test('end offset per requested epoch, as Kafka answers it', () => {
  const p = partitionWith(
    [
      [3, 10],
      [5, 20],
    ],
    30,
  );
  const at = (e: number) => {
    const r = endOffsetForEpoch(p, e);
    return [r.leaderEpoch, Number(r.endOffset)];
  };
  assert.deepEqual(at(-1), [-1, -1]); // undefined epoch
  assert.deepEqual(at(1), [1, 10]); // below every known epoch: the requested one, ending where the first starts
  assert.deepEqual(at(3), [3, 20]);
  assert.deepEqual(at(4), [3, 20]); // no epoch 4: the one before it, ending where the next starts
  assert.deepEqual(at(5), [5, 30]); // the latest epoch ends at the log end offset
  assert.deepEqual(at(6), [-1, -1]); // above every known epoch
  assert.deepEqual(endOffsetForEpoch(partitionWith([], 0), 0), { leaderEpoch: -1, endOffset: -1n }); // no epoch known
});
