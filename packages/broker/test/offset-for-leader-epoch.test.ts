// OffsetForLeaderEpoch's lookup (Kafka's LeaderEpochFileCache.endOffsetFor) over an epoch cache
// with gaps: epochs 3 (from offset 10) and 5 (from 20), log end offset 30. The handler's leader
// rules are tested over sockets in local-cluster.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endOffsetForEpoch } from '../src/handlers/offset-for-leader-epoch.ts';
import type { Partition } from '../src/replica/partition.ts';

test('end offset per requested epoch, as Kafka answers it', () => {
  const p = {
    logEndOffset: 30,
    log: {
      leaderEpochCache: {
        all: [
          { epoch: 3, startOffset: 10 },
          { epoch: 5, startOffset: 20 },
        ],
      },
    },
  } as unknown as Partition;
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
  const empty = { logEndOffset: 0, log: { leaderEpochCache: { all: [] } } } as unknown as Partition;
  assert.deepEqual(endOffsetForEpoch(empty, 0), { leaderEpoch: -1, endOffset: -1n });
});
