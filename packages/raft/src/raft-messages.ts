// The messages of Kafka's Raft (KIP-595, pre-vote from KIP-996) as the quorum core sees them:
// Vote (52), BeginQuorumEpoch (53), EndQuorumEpoch (54), Fetch (1) of `__cluster_metadata-0`,
// FetchSnapshot (59, KIP-630) and DescribeQuorum (55), one partition each, without the wire's topic/partition nesting. The wire
// codecs (generated from Kafka's JSON specs) map to and from these at the controller listener.
//
// `leaderId` -1 means "no leader known"; offsets are log offsets (LastOffset in a Vote is the
// candidate's log end offset, as KafkaRaftClient sends it). `R` is how a batch of records travels
// (bytes of v2 batches on the wire; objects in the simulation).

/** The leader a node knows of, and the epoch it knows (Kafka's LeaderAndEpoch). */
export interface LeaderAndEpoch {
  leaderId: number;
  epoch: number;
}

export interface OffsetAndEpoch {
  offset: number;
  epoch: number;
}

export interface VoteRequest {
  /** The epoch the candidate is (or, for a pre-vote, would be) in. */
  candidateEpoch: number;
  candidateId: number;
  /** The epoch of the candidate's last batch (0 for an empty log). */
  lastOffsetEpoch: number;
  /** The candidate's log end offset. */
  lastOffset: number;
  /** KIP-996: asks whether the voter would vote, without changing its state. */
  preVote: boolean;
}

export interface VoteResponse extends LeaderAndEpoch {
  errorCode: number;
  voteGranted: boolean;
}

export interface BeginQuorumEpochRequest {
  leaderId: number;
  leaderEpoch: number;
}

export interface EndQuorumEpochRequest {
  leaderId: number;
  leaderEpoch: number;
  /** Voters in the order they should start the next election (most caught up first). */
  preferredSuccessors: number[];
}

/** The answer to BeginQuorumEpoch and EndQuorumEpoch. */
export interface QuorumEpochResponse extends LeaderAndEpoch {
  errorCode: number;
}

export interface FetchRequest {
  /** The fetching replica: a voter (a follower) or an observer (a broker). */
  replicaId: number;
  /** The leader epoch the replica is in (-1: it knows none, an observer looking for the leader). */
  currentLeaderEpoch: number;
  fetchOffset: number;
  /** The epoch of the replica's last batch (0 for an empty log). */
  lastFetchedEpoch: number;
  maxWaitMs: number;
  maxBytes: number;
}

export interface FetchResponse<R> extends LeaderAndEpoch {
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  /** Set when the replica's log diverges from the leader's: truncate to at most this. */
  divergingEpoch: { epoch: number; endOffset: number } | null;
  /** Set when FetchOffset is below the log start: fetch this snapshot first. */
  snapshotId: OffsetAndEpoch | null;
  records: R | null;
}

/** Kafka's Errors.POSITION_OUT_OF_RANGE (99, FetchSnapshot past the end), missing from the shared error table. */
export const POSITION_OUT_OF_RANGE = 99;

/** KIP-630: a follower behind the leader's log start downloads its latest snapshot in chunks. */
export interface FetchSnapshotRequest {
  replicaId: number;
  currentLeaderEpoch: number;
  snapshotId: OffsetAndEpoch;
  /** The byte (or, in the simulation, entry) position to read from. */
  position: number;
  maxBytes: number;
}

export interface FetchSnapshotResponse<R> extends LeaderAndEpoch {
  errorCode: number;
  snapshotId: OffsetAndEpoch;
  /** The snapshot's whole size (same unit as `position`). */
  size: number;
  position: number;
  chunk: R | null;
}

/** One replica as DescribeQuorum reports it (times are the leader's wall clock, -1 unknown). */
export interface ReplicaDescription {
  replicaId: number;
  logEndOffset: number;
  lastFetchTimestamp: number;
  lastCaughtUpTimestamp: number;
}

export interface QuorumDescription extends LeaderAndEpoch {
  highWatermark: number;
  voters: ReplicaDescription[];
  observers: ReplicaDescription[];
}

/**
 * How a node reaches the others (a connection per voter in production, a seeded router in the
 * simulation). Each call rejects when the request cannot be sent or times out.
 */
export interface RaftChannel<R> {
  vote(destination: number, request: VoteRequest): Promise<VoteResponse>;
  beginQuorumEpoch(destination: number, request: BeginQuorumEpochRequest): Promise<QuorumEpochResponse>;
  endQuorumEpoch(destination: number, request: EndQuorumEpochRequest): Promise<QuorumEpochResponse>;
  fetch(destination: number, request: FetchRequest): Promise<FetchResponse<R>>;
  fetchSnapshot(destination: number, request: FetchSnapshotRequest): Promise<FetchSnapshotResponse<R>>;
}
