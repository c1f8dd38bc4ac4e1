// DescribeQuorum's data from the one-voter LocalController: itself as the leader and only voter
// (log end = high watermark, fetch and caught-up times now), the brokers fetching its log as
// observers with Kafka's caught-up rule (a fetch at the log end, or reaching the end the leader
// had at the previous fetch), forgotten after 5 minutes without a fetch; non-replicas ignored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryFileSystem, MockTime } from '@tributary/storage';
import { LocalController } from '../src/index.ts';
import { OBSERVER_SESSION_TIMEOUT_MS, ReplicaFetchStates } from '../src/local/replica-fetch-states.ts';
import { options } from './helpers/fixtures.ts';

const T0 = 1_700_000_000_000;

describe('ReplicaFetchStates', () => {
  it('a fetch at the leader log end catches the replica up now', () => {
    const s = new ReplicaFetchStates();
    s.update(1, 10, 10, T0);
    assert.deepEqual(s.describe(T0), [{ replicaId: 1, logEndOffset: 10, lastFetchTimestamp: T0, lastCaughtUpTimestamp: T0 }]);
  });

  it('a fetch behind the end only counts as caught up at the previous fetch once it reaches that fetch’s leader end', () => {
    const s = new ReplicaFetchStates();
    s.update(1, 0, 10, T0); // behind: unknown
    assert.equal(s.describe(T0)[0]!.lastCaughtUpTimestamp, -1);
    s.update(1, 5, 20, T0 + 100); // behind the end it had at T0 (10): still unknown
    assert.equal(s.describe(T0 + 100)[0]!.lastCaughtUpTimestamp, -1);
    s.update(1, 20, 30, T0 + 200); // reached 20, the end at its previous fetch (T0 + 100)
    assert.deepEqual(s.describe(T0 + 200)[0], {
      replicaId: 1,
      logEndOffset: 20,
      lastFetchTimestamp: T0 + 200,
      lastCaughtUpTimestamp: T0 + 100,
    });
  });

  it('forgets an observer silent for the observer session timeout; lists by replica id', () => {
    const s = new ReplicaFetchStates();
    s.update(3, 1, 1, T0);
    s.update(2, 1, 1, T0 + 1000);
    assert.deepEqual(
      s.describe(T0 + 1000).map((r) => r.replicaId),
      [2, 3],
    );
    assert.deepEqual(
      s.describe(T0 + OBSERVER_SESSION_TIMEOUT_MS).map((r) => r.replicaId),
      [2],
    );
  });
});

describe('LocalController.describeQuorum', () => {
  it('one voter leading its epoch, HW = log end; fetching brokers as observers', async () => {
    const time = new MockTime(T0);
    const m = await LocalController.open({ logDir: '/meta', controller: options(), time, fs: new MemoryFileSystem(time), nodeId: 3000 });
    try {
      const end = m.nextOffset;
      assert.ok(end > 0);
      m.updateReplicaState(1, end);
      m.updateReplicaState(2, 0);
      m.updateReplicaState(-1, end); // a consumer: not a replica
      await time.advance(50);
      assert.deepEqual(m.describeQuorum(), {
        leaderId: 3000,
        epoch: m.leaderEpoch,
        highWatermark: end,
        voters: [{ replicaId: 3000, logEndOffset: end, lastFetchTimestamp: T0 + 50, lastCaughtUpTimestamp: T0 + 50 }],
        observers: [
          { replicaId: 1, logEndOffset: end, lastFetchTimestamp: T0, lastCaughtUpTimestamp: T0 },
          { replicaId: 2, logEndOffset: 0, lastFetchTimestamp: T0, lastCaughtUpTimestamp: -1 },
        ],
      });
    } finally {
      await m.close();
    }
  });
});
