// Replica: what a partition leader knows about one follower (Kafka's cluster.Replica): its log end
// offset as its last Fetch reported it, and when it was last caught up. The leader keeps one per
// remote replica; the high watermark and the ISR decisions are made from these.
//
// Caught-up time (Kafka's Replica.updateFetchStateOrThrow): a fetch at or beyond the leader's log
// end offset makes the follower caught up now; a fetch at or beyond the log end offset the leader
// had at the follower's previous fetch makes it caught up as of that previous fetch; otherwise the
// time stays. A follower is in sync while its log end offset equals the leader's, or it was caught
// up within replica.lag.time.max.ms.
export class Replica {
  /** -1 until the first fetch. */
  logEndOffset = -1;
  logStartOffset = -1;
  lastCaughtUpTimeMs = 0;
  /** The leader's log end offset at this follower's last fetch, and when that fetch came. */
  private lastFetchLeaderLogEndOffset = -1;
  private lastFetchTimeMs = 0;
  /** The broker epoch the follower sent (Fetch ReplicaState, v15+); -1 unknown. */
  brokerEpoch = -1n;

  constructor(readonly brokerId: number) {}

  /** Records a follower's fetch from `fetchOffset` while the leader's log ends at `leaderEndOffset`. */
  updateFetchState(fetchOffset: number, logStartOffset: number, leaderEndOffset: number, nowMs: number): void {
    if (fetchOffset >= leaderEndOffset) this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, nowMs);
    else if (fetchOffset >= this.lastFetchLeaderLogEndOffset)
      this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, this.lastFetchTimeMs);
    this.logEndOffset = fetchOffset;
    this.logStartOffset = logStartOffset;
    this.lastFetchLeaderLogEndOffset = leaderEndOffset;
    this.lastFetchTimeMs = nowMs;
  }

  /** Kafka's Replica.isCaughtUp. */
  isCaughtUp(leaderEndOffset: number, nowMs: number, replicaLagTimeMaxMs: number): boolean {
    return this.logEndOffset === leaderEndOffset || nowMs - this.lastCaughtUpTimeMs <= replicaLagTimeMaxMs;
  }

  /**
   * On becoming leader (Kafka's Partition.makeLeader -> resetReplicaState): the offsets are
   * unknown until the follower fetches, and an ISR member counts as caught up now, so a new
   * leader does not shrink a healthy ISR on its first check.
   */
  reset(nowMs: number, inIsr: boolean): void {
    this.logEndOffset = -1;
    this.logStartOffset = -1;
    this.lastFetchLeaderLogEndOffset = -1;
    this.lastFetchTimeMs = 0;
    this.lastCaughtUpTimeMs = inIsr ? nowMs : 0;
  }
}
