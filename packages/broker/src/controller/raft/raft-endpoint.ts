// RaftEndpoint: what the controller listener's quorum handlers (controller/handlers/vote.ts,
// begin-quorum-epoch.ts, end-quorum-epoch.ts, raft-fetch.ts, fetch-snapshot.ts) call — the
// receiving side of a RaftChannel, implemented over the Raft core of this controller. The handlers
// do the wire's checks (cluster id, topic and partition, the voter a request is addressed to; see
// raft-wire.ts) and hand over the core's messages; everything about epochs, votes, offsets and the
// log is the core's. A promise that rejects is answered UNKNOWN_SERVER_ERROR (top-level).
import type {
  BeginQuorumEpochRequest,
  EndQuorumEpochRequest,
  FetchRequest,
  FetchResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  LeaderAndEpoch,
  QuorumDescription,
  QuorumEpochResponse,
  VoteRequest,
  VoteResponse,
} from '@tributary/raft';
import type { LeaderEndpoint } from './raft-wire.ts';

export interface RaftEndpoint {
  /** This controller's node id (a v1+ Vote or BeginQuorumEpoch names the voter it is for). */
  readonly nodeId: number;
  /** The cluster id requests must carry (when they carry one): else INCONSISTENT_CLUSTER_ID. */
  readonly clusterId: string;
  /** The leader and epoch this node knows now (answers a request addressed to another voter). */
  leaderAndEpoch(): LeaderAndEpoch;
  handleVote(request: VoteRequest): Promise<VoteResponse>;
  handleBeginQuorumEpoch(request: BeginQuorumEpochRequest): Promise<QuorumEpochResponse>;
  handleEndQuorumEpoch(request: EndQuorumEpochRequest): Promise<QuorumEpochResponse>;
  /** A voter's or observer's Fetch; may wait up to MaxWaitMs for records, and should answer once `signal` aborts. */
  handleFetch(request: FetchRequest, signal: AbortSignal): Promise<FetchResponse<Buffer>>;
  /** FetchSnapshot (KIP-630): a chunk of the leader's latest snapshot. */
  handleFetchSnapshot(request: FetchSnapshotRequest): Promise<FetchSnapshotResponse<Buffer>>;
  /** The quorum as the leader sees it; null when this node is not the leader (NOT_LEADER_OR_FOLLOWER). */
  describeQuorum(): QuorumDescription | null;
  /** The leader's address on this listener, when known (KIP-853 NodeEndpoints in v1+ answers); optional. */
  leaderEndpoint?(leaderId: number): LeaderEndpoint | undefined;
}

/** The endpoint of `leaderId` as RaftEndpoint.leaderEndpoint knows it (undefined: none, or leader unknown). */
export function leaderEndpointOf(endpoint: RaftEndpoint, leaderId: number): LeaderEndpoint | undefined {
  return leaderId >= 0 ? endpoint.leaderEndpoint?.(leaderId) : undefined;
}
