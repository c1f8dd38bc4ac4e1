// validateFetch, the leader's answer to a Fetch before any record is sent, case by case over a
// MemoryRaftLog: epochs fenced or unknown, not the leader, offsets out of range, a replica that
// diverged (Vanlightly's cases in small: same epoch shorter, an epoch the leader never had), and
// one behind the log start or in an epoch trimmed away (the snapshot).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@tributary/protocol';
import { MemoryRaftLog, validateFetch, type FetchRequest } from '../src/index.ts';

/** A log of epochs 1 (offsets 0-2), 3 (3-4), 4 (5). */
function leaderLog(): MemoryRaftLog<number> {
  const log = new MemoryRaftLog<number>();
  for (const [epoch, n] of [
    [1, 3],
    [3, 2],
    [4, 1],
  ] as const)
    for (let i = 0; i < n; i++) log.appendAsLeader(i, epoch);
  return log;
}

const leader = { epoch: 4, isLeader: true, isVoter: (id: number) => id < 100 };
const fetch = (o: Partial<FetchRequest>): FetchRequest => ({
  replicaId: 2,
  currentLeaderEpoch: 4,
  fetchOffset: 0,
  lastFetchedEpoch: 0,
  maxWaitMs: 0,
  maxBytes: 100,
  ...o,
});

describe('validateFetch', () => {
  it('fences old epochs, refuses unknown ones, and answers only as the leader', () => {
    const log = leaderLog();
    assert.deepEqual(validateFetch(fetch({ currentLeaderEpoch: 3 }), leader, log), {
      kind: 'error',
      errorCode: ErrorCode.FENCED_LEADER_EPOCH,
    });
    assert.deepEqual(validateFetch(fetch({ currentLeaderEpoch: 5 }), leader, log), {
      kind: 'error',
      errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH,
    });
    assert.deepEqual(validateFetch(fetch({ currentLeaderEpoch: -1 }), leader, log), { kind: 'valid' }, 'an observer that knows no epoch');
    assert.deepEqual(validateFetch(fetch({}), { ...leader, isLeader: false }, log), {
      kind: 'error',
      errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
    });
  });

  it('offsets: negative, or an observer past the log end, are out of range; a voter past it diverged', () => {
    const log = leaderLog();
    assert.deepEqual(validateFetch(fetch({ fetchOffset: -1 }), leader, log), { kind: 'error', errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
    assert.deepEqual(validateFetch(fetch({ replicaId: 100, fetchOffset: 9, lastFetchedEpoch: 4 }), leader, log), {
      kind: 'error',
      errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
    });
    assert.deepEqual(validateFetch(fetch({ fetchOffset: 9, lastFetchedEpoch: 4 }), leader, log), {
      kind: 'diverging',
      epoch: 4,
      endOffset: 6,
    });
  });

  it('a replica whose last epoch matches up to its offset is valid; one that diverged is told where its epoch ends here', () => {
    const log = leaderLog();
    assert.deepEqual(validateFetch(fetch({ fetchOffset: 4, lastFetchedEpoch: 3 }), leader, log), { kind: 'valid' });
    assert.deepEqual(validateFetch(fetch({ fetchOffset: 6, lastFetchedEpoch: 4 }), leader, log), { kind: 'valid' });
    // it has epoch 3 up to 6, the leader's epoch 3 ends at 5
    assert.deepEqual(validateFetch(fetch({ fetchOffset: 6, lastFetchedEpoch: 3 }), leader, log), {
      kind: 'diverging',
      epoch: 3,
      endOffset: 5,
    });
    // it has an epoch 2 the leader never had: the largest below it, 1, ends at 3
    assert.deepEqual(validateFetch(fetch({ fetchOffset: 4, lastFetchedEpoch: 2 }), leader, log), {
      kind: 'diverging',
      epoch: 1,
      endOffset: 3,
    });
  });

  it('behind the log start, or in an epoch trimmed away, the replica fetches the snapshot', async () => {
    const log = leaderLog();
    await log.flush();
    await log.writeSnapshot({ offset: 5, epoch: 3 }, log.prefix(5));
    assert.equal(log.startOffset, 5);
    const snapshot = { kind: 'snapshot', snapshotId: { offset: 5, epoch: 3 } };
    assert.deepEqual(validateFetch(fetch({ fetchOffset: 0 }), leader, log), snapshot);
    assert.deepEqual(validateFetch(fetch({ fetchOffset: 3, lastFetchedEpoch: 1 }), leader, log), snapshot);
    assert.deepEqual(validateFetch(fetch({ fetchOffset: 5, lastFetchedEpoch: 3 }), leader, log), { kind: 'valid' }, 'at the snapshot');
    assert.deepEqual(
      validateFetch(fetch({ fetchOffset: 6, lastFetchedEpoch: 2 }), leader, log),
      snapshot,
      'epoch 2 is below what the log holds',
    );
  });
});
