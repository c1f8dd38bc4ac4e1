// The log-divergence rules (replica/divergence.ts) on Vanlightly's cases A-G
// (Vanlightly/kafka-tlaplus kafka_data_replication/kraft/kip-966/description/3_log_divergence.md and
// its figures divergence_case_{a..g}.svg: each replica's log end offset and epoch cache, the
// follower's Fetch, the leader's DivergingEpoch, the follower's truncation offset), then the edge
// cases: undefined answers, empty caches, epochs and offsets beyond the leader's, a follower that
// does not know the leader's epoch, OFFSET_OUT_OF_RANGE. Each case also goes through the
// OffsetForLeaderEpoch fallback (the handler's endOffsetForEpoch answering the follower's latest
// epoch) and must truncate to the same offset.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeaderEpochCache, MemoryFileSystem } from '@tributary/storage';
import { endOffsetForEpoch } from '../../src/handlers/offset-for-leader-epoch.ts';
import type { Partition } from '../../src/replica/partition.ts';
import { divergingEpoch, outOfRangeAction, truncationState } from '../../src/replica/divergence.ts';

/** A leader epoch cache from literal `[epoch, startOffset]` entries. */
function cache(entries: Array<[number, number]>): LeaderEpochCache {
  const fs = new MemoryFileSystem();
  fs.mkdirSync('/p');
  const c = new LeaderEpochCache(fs, '/p/leader-epoch-checkpoint');
  for (const [epoch, start] of entries) c.assign(epoch, start);
  assert.deepEqual(
    c.all.map((e) => [e.epoch, e.startOffset]),
    entries,
  );
  return c;
}

interface Replica {
  leo: number;
  epochs: Array<[number, number]>;
}

interface Case {
  follower: Replica;
  leader: Replica;
  /** The DivergingEpoch of the figure, or null (none). */
  diverging: { epoch: number; endOffset: number } | null;
  /** The follower's log end offset after truncation. */
  truncatedTo: number;
}

const latest = (r: Replica) => (r.epochs.length ? r.epochs[r.epochs.length - 1]![0] : -1);

function run(c: Case) {
  const follower = cache(c.follower.epochs);
  const leader = cache(c.leader.epochs);
  // truncation on fetch: the follower fetches from its log end with its latest epoch
  const d = divergingEpoch(leader, c.leader.leo, c.follower.leo, latest(c.follower), 0);
  assert.deepEqual(d, c.diverging, 'DivergingEpoch');
  if (c.diverging !== null) {
    assert.deepEqual(truncationState(follower, c.follower.leo, c.diverging), { offset: c.truncatedTo, truncationCompleted: true });
  } else {
    assert.equal(c.truncatedTo, c.follower.leo);
  }
  // the OffsetForLeaderEpoch fallback: the leader answers the follower's latest epoch
  const partition = { logEndOffset: c.leader.leo, log: { leaderEpochCache: leader } } as unknown as Partition;
  const answer = endOffsetForEpoch(partition, latest(c.follower));
  const t = truncationState(follower, c.follower.leo, { epoch: answer.leaderEpoch, endOffset: Number(answer.endOffset) });
  assert.deepEqual(t, { offset: c.truncatedTo, truncationCompleted: true }, 'through OffsetForLeaderEpoch');
}

describe("Vanlightly's divergence cases", () => {
  it('A: follower behind, same epoch: no divergence', () =>
    run({
      follower: { leo: 2, epochs: [[1, 0]] },
      leader: {
        leo: 4,
        epochs: [
          [1, 0],
          [2, 4],
        ],
      },
      diverging: null,
      truncatedTo: 2,
    }));

  it('B: follower behind, the leader has records of a higher epoch: no divergence', () =>
    run({
      follower: { leo: 2, epochs: [[1, 0]] },
      leader: {
        leo: 4,
        epochs: [
          [1, 0],
          [2, 2],
          [3, 4],
        ],
      },
      diverging: null,
      truncatedTo: 2,
    }));

  it('C: follower ahead with extra records of the same epoch: truncate to min(4, 2) = 2', () =>
    run({
      follower: { leo: 4, epochs: [[1, 0]] },
      leader: {
        leo: 2,
        epochs: [
          [1, 0],
          [2, 2],
        ],
      },
      diverging: { epoch: 1, endOffset: 2 },
      truncatedTo: 2,
    }));

  it('D: follower ahead with records of an epoch the leader does not have: truncate to min(2, 2) = 2', () =>
    run({
      follower: {
        leo: 4,
        epochs: [
          [1, 0],
          [2, 2],
        ],
      },
      leader: {
        leo: 2,
        epochs: [
          [1, 0],
          [3, 2],
        ],
      },
      diverging: { epoch: 1, endOffset: 2 },
      truncatedTo: 2,
    }));

  it('E: forked logs, epoch 2 on the follower, 3 on the leader: truncate to min(2, 2) = 2', () =>
    run({
      follower: {
        leo: 4,
        epochs: [
          [1, 0],
          [2, 2],
        ],
      },
      leader: {
        leo: 4,
        epochs: [
          [1, 0],
          [3, 2],
          [4, 4],
        ],
      },
      diverging: { epoch: 1, endOffset: 2 },
      truncatedTo: 2,
    }));

  it('F: forked, the leader has more epoch-1 records than the follower: truncate to min(1, 2) = 1', () =>
    run({
      follower: {
        leo: 3,
        epochs: [
          [1, 0],
          [2, 1],
        ],
      },
      leader: {
        leo: 2,
        epochs: [
          [1, 0],
          [3, 2],
        ],
      },
      diverging: { epoch: 1, endOffset: 2 },
      truncatedTo: 1,
    }));

  it('G: no common epoch: truncate to min(0, 1) = 0, the whole log', () =>
    // The figure lists the follower's cache as [1 => 0], but its log is one record of epoch 2 and
    // its latest epoch 2, which only the cache [2 => 0] gives; with it the figure's answer follows.
    run({
      follower: { leo: 1, epochs: [[2, 0]] },
      leader: {
        leo: 2,
        epochs: [
          [1, 0],
          [3, 1],
          [4, 2],
        ],
      },
      diverging: { epoch: 1, endOffset: 1 },
      truncatedTo: 0,
    }));
});

describe('divergingEpoch (leader side), edge cases', () => {
  const leader = cache([
    [1, 0],
    [3, 2],
  ]); // log end offset 5

  it('no LastFetchedEpoch (-1): null, the read checks the offset', () => {
    assert.equal(divergingEpoch(leader, 5, 9, -1, 0), null);
  });

  it('LastFetchedEpoch above every epoch the leader knows: OFFSET_OUT_OF_RANGE (no end offset for it)', () => {
    assert.equal(divergingEpoch(leader, 5, 5, 4, 0), 'OFFSET_OUT_OF_RANGE');
    assert.equal(divergingEpoch(cache([]), 0, 0, 0, 0), 'OFFSET_OUT_OF_RANGE'); // a leader with no epoch at all
  });

  it('a fetch offset beyond the leader end for the matching (latest) epoch: diverging at the leader end', () => {
    assert.deepEqual(divergingEpoch(leader, 5, 8, 3, 0), { epoch: 3, endOffset: 5 });
    assert.equal(divergingEpoch(leader, 5, 5, 3, 0), null); // at the end: nothing to fetch yet, no divergence
    assert.deepEqual(divergingEpoch(leader, 5, 3, 1, 0), { epoch: 1, endOffset: 2 }); // epoch 1 ended at 2
  });

  it('an epoch below every known one ends where the first starts', () => {
    const trimmed = cache([[3, 10]]);
    assert.equal(divergingEpoch(trimmed, 20, 10, 2, 10), null); // epoch 2 ends at 10: matches
    assert.deepEqual(divergingEpoch(trimmed, 20, 12, 2, 10), { epoch: 2, endOffset: 10 });
  });

  it('a fetch offset below the log start: OFFSET_OUT_OF_RANGE, also when the epochs diverge', () => {
    assert.equal(divergingEpoch(cache([[3, 10]]), 20, 4, 3, 10), 'OFFSET_OUT_OF_RANGE');
    assert.equal(divergingEpoch(cache([[3, 10]]), 20, 4, 5, 10), 'OFFSET_OUT_OF_RANGE');
  });
});

describe('truncationState (follower side), edge cases', () => {
  const follower = cache([
    [1, 0],
    [3, 5],
  ]); // log end offset 8

  it('a leader answer with an undefined end offset: truncate nothing (to the fetch offset, the log end)', () => {
    assert.deepEqual(truncationState(follower, 8, { epoch: -1, endOffset: -1 }), { offset: 8, truncationCompleted: true });
  });

  it('a leader answer with an undefined epoch but an end offset: min(end offset, own log end)', () => {
    assert.deepEqual(truncationState(follower, 8, { epoch: -1, endOffset: 6 }), { offset: 6, truncationCompleted: true });
    assert.deepEqual(truncationState(follower, 8, { epoch: -1, endOffset: 12 }), { offset: 8, truncationCompleted: true });
  });

  it('a follower with an empty cache: min(leader end offset, own log end)', () => {
    assert.deepEqual(truncationState(cache([]), 8, { epoch: 2, endOffset: 4 }), { offset: 4, truncationCompleted: true });
    assert.deepEqual(truncationState(cache([]), 3, { epoch: 2, endOffset: 4 }), { offset: 3, truncationCompleted: true });
  });

  it('an epoch the follower does not know: truncate to the end of its largest smaller epoch and ask again', () => {
    // leader epochs [1 => 0, 2 => 3, 4 => 6], log end 9; the follower fetches (8, lastFetchedEpoch 3)
    const leader = cache([
      [1, 0],
      [2, 3],
      [4, 6],
    ]);
    const first = divergingEpoch(leader, 9, 8, 3, 0);
    assert.deepEqual(first, { epoch: 2, endOffset: 6 });
    const t1 = truncationState(follower, 8, first as { epoch: number; endOffset: number });
    assert.deepEqual(t1, { offset: 5, truncationCompleted: false, nextEpochToAsk: 1 });
    // truncated to 5 its latest epoch is 1: the next fetch (5, 1) meets the leader's epoch 1 ending at 3
    const truncated = cache([[1, 0]]);
    const second = divergingEpoch(leader, 9, 5, 1, 0);
    assert.deepEqual(second, { epoch: 1, endOffset: 3 });
    assert.deepEqual(truncationState(truncated, 5, second as { epoch: number; endOffset: number }), {
      offset: 3,
      truncationCompleted: true,
    });
  });

  it('never above its own log end offset', () => {
    assert.deepEqual(truncationState(follower, 8, { epoch: 3, endOffset: 20 }), { offset: 8, truncationCompleted: true });
  });
});

describe('outOfRangeAction', () => {
  it("the leader's log ends below the follower's: truncate to the leader's end", () => {
    assert.deepEqual(outOfRangeAction(10, 0, 7), { kind: 'truncateTo', offset: 7 });
  });
  it("the follower's log ends below the leader's start: truncate fully, start at the leader's start", () => {
    assert.deepEqual(outOfRangeAction(10, 50, 80), { kind: 'truncateFullyAndStartAt', offset: 50 });
  });
  it('otherwise keep the log and fetch from its end', () => {
    assert.deepEqual(outOfRangeAction(10, 10, 80), { kind: 'truncateTo', offset: 10 });
    assert.deepEqual(outOfRangeAction(10, 0, 10), { kind: 'truncateTo', offset: 10 });
  });
});
