// The election state a voter must not forget (Kafka's QuorumStateData, the `quorum-state` file):
// the epoch, the voter it voted for in that epoch, the leader it knows in that epoch. Written,
// and durable, before the voter acts on it: a vote is answered, a candidacy or a leadership begins,
// only after `write` resolves; so a voter never votes twice in an epoch, even across a crash.
// Implementations: quorum-state-file.ts (the file, as Kafka writes it) and MemoryQuorumStateStore.

export interface ElectionState {
  epoch: number;
  /** -1: no leader known in this epoch. */
  leaderId: number;
  /** -1: no vote cast in this epoch. */
  votedId: number;
}

export interface QuorumStateStore {
  /** The last state written, or null when none was. */
  read(): ElectionState | null;
  /** Replaces the state; resolves once it is durable. */
  write(state: ElectionState): Promise<void>;
}

/** Keeps the state in memory: survives a simulated crash as a fsynced file survives a real one. */
export class MemoryQuorumStateStore implements QuorumStateStore {
  private state: ElectionState | null = null;
  /** How many times the state was written (tests). */
  writes = 0;

  read(): ElectionState | null {
    return this.state ? { ...this.state } : null;
  }

  async write(state: ElectionState): Promise<void> {
    this.state = { ...state };
    this.writes++;
  }
}
