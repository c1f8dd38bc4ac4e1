// ReplicaFetchStates: what the leader of `__cluster_metadata-0` knows of the replicas that fetch
// from it, as DescribeQuorum reports them (Kafka's LeaderState.ReplicaState, without the voter
// bookkeeping a one-voter leader does not need): per replica, the offset it last fetched from (its
// log end offset), when it last fetched, and when it was last caught up. Every clock reading is
// the leader's (`now` passed in).
//
// Caught up, as Kafka defines it: a fetch at or past the leader's log end catches the replica up
// at that fetch's time; a fetch that reaches the log end the leader had at the replica's previous
// fetch caught it up at that previous fetch's time. An observer that has not fetched for
// OBSERVER_SESSION_TIMEOUT_MS (5 minutes, as Kafka) is forgotten when the quorum is described.
import type { ReplicaDescription } from '@tributary/raft';

export const OBSERVER_SESSION_TIMEOUT_MS = 300_000;

interface ReplicaFetchState {
  logEndOffset: number;
  lastFetchTimestamp: number;
  lastCaughtUpTimestamp: number;
  /** The leader's log end offset when this replica last fetched (-1 before its first fetch). */
  lastFetchLeaderLogEndOffset: number;
}

export class ReplicaFetchStates {
  private readonly states = new Map<number, ReplicaFetchState>();

  /** Records a fetch from `fetchOffset` by `replicaId` when the leader's log ended at `leaderLogEndOffset`. */
  update(replicaId: number, fetchOffset: number, leaderLogEndOffset: number, now: number): void {
    let s = this.states.get(replicaId);
    if (!s) {
      s = { logEndOffset: -1, lastFetchTimestamp: -1, lastCaughtUpTimestamp: -1, lastFetchLeaderLogEndOffset: -1 };
      this.states.set(replicaId, s);
    }
    if (fetchOffset >= leaderLogEndOffset) s.lastCaughtUpTimestamp = Math.max(s.lastCaughtUpTimestamp, now);
    else if (s.lastFetchLeaderLogEndOffset > 0 && fetchOffset >= s.lastFetchLeaderLogEndOffset)
      s.lastCaughtUpTimestamp = Math.max(s.lastCaughtUpTimestamp, s.lastFetchTimestamp);
    s.lastFetchLeaderLogEndOffset = leaderLogEndOffset;
    s.lastFetchTimestamp = Math.max(s.lastFetchTimestamp, now);
    s.logEndOffset = fetchOffset;
  }

  /** The replicas that fetched within the observer session timeout, by replica id (older ones are dropped). */
  describe(now: number): ReplicaDescription[] {
    for (const [id, s] of this.states) if (now - s.lastFetchTimestamp >= OBSERVER_SESSION_TIMEOUT_MS) this.states.delete(id);
    return [...this.states]
      .sort((a, b) => a[0] - b[0])
      .map(([replicaId, s]) => ({
        replicaId,
        logEndOffset: s.logEndOffset,
        lastFetchTimestamp: s.lastFetchTimestamp,
        lastCaughtUpTimestamp: s.lastCaughtUpTimestamp,
      }));
  }
}
