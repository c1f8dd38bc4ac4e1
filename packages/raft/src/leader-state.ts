// LeaderState: what a leader knows of the replicas that fetch from it (Kafka's LeaderState), and
// the high watermark that follows from it.
//
// Each voter's log end offset is the FetchOffset of its last valid Fetch in this epoch (a follower
// fetches from its flushed log end, so it holds everything below durably); the leader's own is
// its flushed offset. Every voter starts unknown (-1) in a new epoch: nothing reported to an
// earlier leader counts.
//
// High watermark (Kafka's LeaderState.maybeUpdateHighWatermark): the largest offset a majority of
// voters hold, once it is past the epoch start offset (the LeaderChange record this leader wrote
// first): a leader exposes nothing before a record of its own epoch is committed. It never moves
// back.
//
// Observers (brokers) are tracked for DescribeQuorum only: they never count.
import type { QuorumDescription, ReplicaDescription } from './raft-messages.ts';

interface ReplicaState {
  endOffset: number;
  lastFetchMs: number;
  lastCaughtUpMs: number;
}

export class LeaderState {
  private readonly voterStates = new Map<number, ReplicaState>();
  private readonly observerStates = new Map<number, ReplicaState>();
  private hw: number;
  private committedOwnEpoch = false;

  constructor(
    readonly nodeId: number,
    readonly epoch: number,
    /** The offset of the LeaderChange record that starts this epoch. */
    readonly epochStartOffset: number,
    voters: readonly number[],
    /** The high watermark this node knew before it was elected. */
    highWatermark: number,
    /** When it was elected (the check-quorum clock starts there). */
    readonly electedAtMs: number,
  ) {
    for (const v of voters) this.voterStates.set(v, { endOffset: -1, lastFetchMs: -1, lastCaughtUpMs: -1 });
    this.hw = highWatermark;
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** Whether a record of this epoch is committed: the leader may serve what it has. */
  get isReady(): boolean {
    return this.committedOwnEpoch;
  }

  isVoter(id: number): boolean {
    return this.voterStates.has(id);
  }

  /**
   * Records a replica's fetch at `fetchOffset`; `leaderEndOffset` is the leader's log end then.
   * Returns whether the high watermark moved.
   */
  updateReplica(replicaId: number, fetchOffset: number, leaderEndOffset: number, nowMs: number): boolean {
    const voter = this.voterStates.get(replicaId);
    const state = voter ?? this.observerStates.get(replicaId) ?? { endOffset: -1, lastFetchMs: -1, lastCaughtUpMs: -1 };
    if (!voter) this.observerStates.set(replicaId, state);
    state.endOffset = fetchOffset;
    state.lastFetchMs = nowMs;
    if (fetchOffset >= leaderEndOffset) state.lastCaughtUpMs = nowMs;
    return voter !== undefined && this.maybeAdvance();
  }

  /** Records the leader's own flushed offset; returns whether the high watermark moved. */
  updateLocal(flushedOffset: number, nowMs: number): boolean {
    const self = this.voterStates.get(this.nodeId)!;
    self.endOffset = flushedOffset;
    self.lastFetchMs = nowMs;
    self.lastCaughtUpMs = nowMs;
    return this.maybeAdvance();
  }

  /**
   * The latest time by which `others` voters besides the leader had all fetched: the
   * `others`-th most recent fetch among them (the election counts as a contact with each).
   */
  majorityContactMs(others: number): number {
    if (others <= 0) return Number.POSITIVE_INFINITY;
    const times = [...this.voterStates]
      .filter(([id]) => id !== this.nodeId)
      .map(([, s]) => Math.max(s.lastFetchMs, this.electedAtMs))
      .sort((a, b) => b - a);
    return times[others - 1] ?? this.electedAtMs;
  }

  /** Whether the voter fetched at or after `sinceMs`. */
  fetchedAfter(id: number, sinceMs: number): boolean {
    return (this.voterStates.get(id)?.lastFetchMs ?? -1) >= sinceMs;
  }

  /** Whether the voter fetched at least once in this epoch. */
  hasFetched(id: number): boolean {
    return (this.voterStates.get(id)?.lastFetchMs ?? -1) >= 0;
  }

  /** Other voters, most caught up first (the successors an EndQuorumEpoch names). */
  preferredSuccessors(): number[] {
    return [...this.voterStates]
      .filter(([id]) => id !== this.nodeId)
      .sort((a, b) => b[1].endOffset - a[1].endOffset || a[0] - b[0])
      .map(([id]) => id);
  }

  describe(nowMs: number): QuorumDescription {
    const describe = (id: number, s: ReplicaState): ReplicaDescription => ({
      replicaId: id,
      logEndOffset: s.endOffset,
      lastFetchTimestamp: id === this.nodeId ? nowMs : s.lastFetchMs,
      lastCaughtUpTimestamp: id === this.nodeId ? nowMs : s.lastCaughtUpMs,
    });
    return {
      leaderId: this.nodeId,
      epoch: this.epoch,
      highWatermark: this.hw,
      voters: [...this.voterStates].map(([id, s]) => describe(id, s)),
      observers: [...this.observerStates].map(([id, s]) => describe(id, s)),
    };
  }

  private maybeAdvance(): boolean {
    const offsets = [...this.voterStates.values()].map((s) => s.endOffset).sort((a, b) => b - a);
    const majority = offsets[Math.floor(offsets.length / 2)]!;
    if (majority <= this.epochStartOffset || majority <= this.hw) return false;
    this.hw = majority;
    this.committedOwnEpoch = true;
    return true;
  }
}
