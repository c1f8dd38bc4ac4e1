// The quorum's messages on the wire: pure mappings between @tributary/raft's messages
// (raft-messages.ts: one partition, no nesting) and the generated codec's requests and responses
// of Vote (52), BeginQuorumEpoch (53), EndQuorumEpoch (54), Fetch (1) and DescribeQuorum (55), all
// about `__cluster_metadata` partition 0 (Kafka's RaftUtil.singleton*/hasValidTopicPartition).
//
// Requests arriving (`*RequestFromWire`) are checked as KafkaRaftClient checks them before its
// state is consulted: a ClusterId that is present and not ours is INCONSISTENT_CLUSTER_ID (a
// missing one is accepted, as Kafka does); anything but exactly one topic `__cluster_metadata`
// (by topic id METADATA_TOPIC_ID in Fetch v13+) with exactly partition 0 is INVALID_REQUEST (for
// DescribeQuorum, UNKNOWN_TOPIC_OR_PARTITION per partition asked). Either answers with the
// top-level error (`*ErrorResponse`). A Vote or BeginQuorumEpoch v1+ addressed to another voter
// (VoterId >= 0 and not this node) is INVALID_VOTER_KEY, answered per partition.
//
// Responses arriving (`*ResponseFromWire`): a top-level error becomes the message's errorCode with
// the leader unknown (leaderId -1, epoch -1); a response without our one partition is
// INVALID_REQUEST the same way.
//
// Pre-vote (KIP-996): only VoteRequest v2 has PreVote (our spec overlay, see
// scripts/protocol-gen/overlays.ts). `voteRequestToWire` refuses a pre-vote for a version below 2
// (PreVoteUnsupportedError): a v0/v1 voter would take it for a real vote, bump its epoch and
// persist its ballot. Kafka's network client likewise answers such a send locally with
// UNSUPPORTED_VERSION; its Prospective then stands as a Candidate at once. A v0/v1 request
// decodes with preVote false: a real vote.
//
// Leader endpoints (KIP-853, v1+ of Vote/BeginQuorumEpoch/EndQuorumEpoch, Fetch v16+) are filled
// when the caller knows them, and read back from an answer by `leaderEndpointFromWire` (how a node
// that has only bootstrap servers learns where the leader is); DescribeQuorum v2 Nodes and
// directory ids stay empty (static quorum).
// The `*ToWire` functions take the version they are encoded at and fill only what it has (the
// generated encoders refuse a non-default value in a field the version lacks).
import { CLUSTER_METADATA_TOPIC } from '@tributary/metadata';
import {
  ErrorCode,
  type BeginQuorumEpochRequest as WireBeginQuorumEpochRequest,
  type BeginQuorumEpochResponse as WireBeginQuorumEpochResponse,
  type Encodable,
  type EndQuorumEpochRequest as WireEndQuorumEpochRequest,
  type EndQuorumEpochResponse as WireEndQuorumEpochResponse,
  type FetchRequest as WireFetchRequest,
  type FetchResponse as WireFetchResponse,
  type VoteRequest as WireVoteRequest,
  type VoteResponse as WireVoteResponse,
} from '@tributary/protocol';
import type {
  BeginQuorumEpochRequest,
  EndQuorumEpochRequest,
  FetchRequest,
  FetchResponse,
  QuorumEpochResponse,
  VoteRequest,
  VoteResponse,
} from '@tributary/raft';
import { METADATA_TOPIC_ID } from '../controller-backend.ts';

/** The first Vote version that can carry a pre-vote (KIP-996). */
export const PRE_VOTE_MIN_VERSION = 2;

/** A pre-vote cannot be sent at this Vote version (the peer speaks only v0/v1). */
export class PreVoteUnsupportedError extends Error {
  override name = 'PreVoteUnsupportedError';
  readonly errorCode = ErrorCode.UNSUPPORTED_VERSION;
  constructor(readonly version: number) {
    super(`a pre-vote needs Vote v${PRE_VOTE_MIN_VERSION}+ (KIP-996); the voter speaks v${version}`);
  }
}

/** A request as received: the core's message, or the error that answers it. */
export type FromWire<T> = { ok: true; value: T } | { ok: false; errorCode: number };

/** A leader's host and port on this listener (KIP-853 NodeEndpoints / LeaderEndpoints). */
export interface LeaderEndpoint {
  nodeId: number;
  host: string;
  port: number;
}

const PARTITION = 0;
const UNKNOWN_LEADER = { leaderId: -1, epoch: -1 };
const fail = <T>(errorCode: number): FromWire<T> => ({ ok: false, errorCode });

function clusterIdError(received: string | null, ours: string): number | null {
  return received !== null && received !== ours ? ErrorCode.INCONSISTENT_CLUSTER_ID : null;
}

/** The one partition of a singleton `topics` list (by name), or null. */
function singleton<P extends { partitionIndex: number }>(topics: readonly { topicName: string; partitions: P[] }[]): P | null {
  if (topics.length !== 1 || topics[0]!.topicName !== CLUSTER_METADATA_TOPIC) return null;
  const parts = topics[0]!.partitions;
  return parts.length === 1 && parts[0]!.partitionIndex === PARTITION ? parts[0]! : null;
}

/** Whether a v1+ VoterId names this node (-1: not addressed, accepted). */
export function isAddressedTo(voterId: number, nodeId: number): boolean {
  return voterId < 0 || voterId === nodeId;
}

/** `value` from version `from` on, else omitted (the field's default). */
const since = <T>(version: number, from: number, value: T): T | undefined => (version >= from ? value : undefined);

const endpoints = (e: LeaderEndpoint | undefined, leaderId: number) =>
  e && leaderId >= 0 && e.nodeId === leaderId ? [{ nodeId: e.nodeId, host: e.host, port: e.port }] : [];

/** The leader's entry among an answer's NodeEndpoints (Vote/BeginQuorumEpoch/EndQuorumEpoch v1+, Fetch v16+), if it is there. */
export function leaderEndpointFromWire(nodeEndpoints: readonly LeaderEndpoint[], leaderId: number): LeaderEndpoint | undefined {
  const e = leaderId >= 0 ? nodeEndpoints.find((n) => n.nodeId === leaderId) : undefined;
  return e ? { nodeId: e.nodeId, host: e.host, port: e.port } : undefined;
}

// ---- Vote (52) ----------------------------------------------------------------------------------

export function voteRequestToWire(
  req: VoteRequest,
  o: { clusterId: string; voterId: number; version: number },
): Encodable<WireVoteRequest> {
  if (req.preVote && o.version < PRE_VOTE_MIN_VERSION) throw new PreVoteUnsupportedError(o.version);
  const partition = {
    partitionIndex: PARTITION,
    candidateEpoch: req.candidateEpoch,
    candidateId: req.candidateId,
    lastOffsetEpoch: req.lastOffsetEpoch,
    lastOffset: BigInt(req.lastOffset),
    preVote: since(o.version, PRE_VOTE_MIN_VERSION, req.preVote),
  };
  return {
    clusterId: o.clusterId,
    voterId: since(o.version, 1, o.voterId),
    topics: [{ topicName: CLUSTER_METADATA_TOPIC, partitions: [partition] }],
  };
}

export function voteRequestFromWire(w: WireVoteRequest, clusterId: string): FromWire<VoteRequest> {
  const cluster = clusterIdError(w.clusterId, clusterId);
  if (cluster !== null) return fail(cluster);
  const p = singleton(w.topics);
  if (!p) return fail(ErrorCode.INVALID_REQUEST);
  return {
    ok: true,
    value: {
      candidateEpoch: p.candidateEpoch,
      candidateId: p.candidateId,
      lastOffsetEpoch: p.lastOffsetEpoch,
      lastOffset: Number(p.lastOffset),
      preVote: p.preVote,
    },
  };
}

export function voteResponseToWire(res: VoteResponse, version: number, leader?: LeaderEndpoint): Encodable<WireVoteResponse> {
  const partition = {
    partitionIndex: PARTITION,
    errorCode: res.errorCode,
    leaderId: res.leaderId,
    leaderEpoch: res.epoch,
    voteGranted: res.voteGranted,
  };
  return {
    errorCode: ErrorCode.NONE,
    topics: [{ topicName: CLUSTER_METADATA_TOPIC, partitions: [partition] }],
    nodeEndpoints: since(version, 1, endpoints(leader, res.leaderId)),
  };
}

export const voteErrorResponse = (errorCode: number): Encodable<WireVoteResponse> => ({ errorCode, topics: [] });

export function voteResponseFromWire(w: WireVoteResponse): VoteResponse {
  const p = w.errorCode === ErrorCode.NONE ? singleton(w.topics) : null;
  if (!p) return { errorCode: w.errorCode || ErrorCode.INVALID_REQUEST, voteGranted: false, ...UNKNOWN_LEADER };
  return { errorCode: p.errorCode, voteGranted: p.voteGranted, leaderId: p.leaderId, epoch: p.leaderEpoch };
}

// ---- BeginQuorumEpoch (53) and EndQuorumEpoch (54) ------------------------------------------------

type WireLeaderEndpoint = { name: string; host: string; port: number };
const leaderEndpoints = (listener: string, e: LeaderEndpoint | undefined, leaderId: number): WireLeaderEndpoint[] =>
  e && e.nodeId === leaderId ? [{ name: listener, host: e.host, port: e.port }] : [];

export function beginQuorumEpochRequestToWire(
  req: BeginQuorumEpochRequest,
  o: { clusterId: string; voterId: number; version: number; listener: string; leader?: LeaderEndpoint },
): Encodable<WireBeginQuorumEpochRequest> {
  return {
    clusterId: o.clusterId,
    voterId: since(o.version, 1, o.voterId),
    topics: [
      {
        topicName: CLUSTER_METADATA_TOPIC,
        partitions: [{ partitionIndex: PARTITION, leaderId: req.leaderId, leaderEpoch: req.leaderEpoch }],
      },
    ],
    leaderEndpoints: since(o.version, 1, leaderEndpoints(o.listener, o.leader, req.leaderId)),
  };
}

export function beginQuorumEpochRequestFromWire(w: WireBeginQuorumEpochRequest, clusterId: string): FromWire<BeginQuorumEpochRequest> {
  const cluster = clusterIdError(w.clusterId, clusterId);
  if (cluster !== null) return fail(cluster);
  const p = singleton(w.topics);
  if (!p) return fail(ErrorCode.INVALID_REQUEST);
  return { ok: true, value: { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch } };
}

export function endQuorumEpochRequestToWire(
  req: EndQuorumEpochRequest,
  o: { clusterId: string; version: number; listener: string; leader?: LeaderEndpoint },
): Encodable<WireEndQuorumEpochRequest> {
  const partition = {
    partitionIndex: PARTITION,
    leaderId: req.leaderId,
    leaderEpoch: req.leaderEpoch,
    preferredSuccessors: o.version === 0 ? req.preferredSuccessors : undefined,
    preferredCandidates: since(
      o.version,
      1,
      req.preferredSuccessors.map((candidateId) => ({ candidateId })),
    ),
  };
  return {
    clusterId: o.clusterId,
    topics: [{ topicName: CLUSTER_METADATA_TOPIC, partitions: [partition] }],
    leaderEndpoints: since(o.version, 1, leaderEndpoints(o.listener, o.leader, req.leaderId)),
  };
}

export function endQuorumEpochRequestFromWire(
  w: WireEndQuorumEpochRequest,
  version: number,
  clusterId: string,
): FromWire<EndQuorumEpochRequest> {
  const cluster = clusterIdError(w.clusterId, clusterId);
  if (cluster !== null) return fail(cluster);
  const p = singleton(w.topics);
  if (!p) return fail(ErrorCode.INVALID_REQUEST);
  const preferredSuccessors = version >= 1 ? p.preferredCandidates.map((c) => c.candidateId) : [...p.preferredSuccessors];
  return { ok: true, value: { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, preferredSuccessors } };
}

type WireQuorumEpochResponse = WireBeginQuorumEpochResponse | WireEndQuorumEpochResponse;

/** The answer to BeginQuorumEpoch or EndQuorumEpoch (the two responses have the same shape). */
export function quorumEpochResponseToWire(
  res: QuorumEpochResponse,
  version: number,
  leader?: LeaderEndpoint,
): Encodable<WireQuorumEpochResponse> {
  return {
    errorCode: ErrorCode.NONE,
    topics: [
      {
        topicName: CLUSTER_METADATA_TOPIC,
        partitions: [{ partitionIndex: PARTITION, errorCode: res.errorCode, leaderId: res.leaderId, leaderEpoch: res.epoch }],
      },
    ],
    nodeEndpoints: since(version, 1, endpoints(leader, res.leaderId)),
  };
}

export const quorumEpochErrorResponse = (errorCode: number): Encodable<WireQuorumEpochResponse> => ({ errorCode, topics: [] });

export function quorumEpochResponseFromWire(w: WireQuorumEpochResponse): QuorumEpochResponse {
  const p = w.errorCode === ErrorCode.NONE ? singleton(w.topics) : null;
  if (!p) return { errorCode: w.errorCode || ErrorCode.INVALID_REQUEST, ...UNKNOWN_LEADER };
  return { errorCode: p.errorCode, leaderId: p.leaderId, epoch: p.leaderEpoch };
}

// ---- Fetch (1) ----------------------------------------------------------------------------------

/** A voter's or observer's Fetch (KafkaRaftClient.buildFetchRequest): ReplicaState (v15+) or ReplicaId, no session. */
export function fetchRequestToWire(req: FetchRequest, clusterId: string, version: number): Encodable<WireFetchRequest> {
  const partition = {
    partition: PARTITION,
    currentLeaderEpoch: req.currentLeaderEpoch,
    fetchOffset: BigInt(req.fetchOffset),
    lastFetchedEpoch: req.lastFetchedEpoch,
    partitionMaxBytes: req.maxBytes,
  };
  const byId = version >= 13;
  return {
    clusterId: since(version, 12, clusterId),
    replicaId: version < 15 ? req.replicaId : undefined,
    replicaState: since(version, 15, { replicaId: req.replicaId, replicaEpoch: -1n }),
    maxWaitMs: req.maxWaitMs,
    maxBytes: req.maxBytes,
    topics: [{ topic: byId ? undefined : CLUSTER_METADATA_TOPIC, topicId: since(version, 13, METADATA_TOPIC_ID), partitions: [partition] }],
  };
}

function fetchTopicMatches(t: { topic: string; topicId: string }, version: number): boolean {
  return version >= 13 ? t.topicId === METADATA_TOPIC_ID : t.topic === CLUSTER_METADATA_TOPIC;
}

export function fetchRequestFromWire(w: WireFetchRequest, version: number, clusterId: string): FromWire<FetchRequest> {
  const cluster = clusterIdError(w.clusterId, clusterId);
  if (cluster !== null) return fail(cluster);
  const t = w.topics.length === 1 ? w.topics[0]! : null;
  const p = t && fetchTopicMatches(t, version) && t.partitions.length === 1 ? t.partitions[0]! : null;
  if (!p || p.partition !== PARTITION) return fail(ErrorCode.INVALID_REQUEST);
  return {
    ok: true,
    value: {
      replicaId: version >= 15 ? w.replicaState.replicaId : w.replicaId,
      currentLeaderEpoch: p.currentLeaderEpoch,
      fetchOffset: Number(p.fetchOffset),
      lastFetchedEpoch: p.lastFetchedEpoch,
      maxWaitMs: w.maxWaitMs,
      maxBytes: w.maxBytes, // Kafka's raft leaves PartitionMaxBytes 0: the request-wide limit is the one
    },
  };
}

/** The leader's (or a voter's) answer; LastStableOffset = HighWatermark (no transactions in the metadata log). */
export function fetchResponseToWire(res: FetchResponse<Buffer>, version: number, leader?: LeaderEndpoint): Encodable<WireFetchResponse> {
  const hw = BigInt(res.highWatermark);
  const partition = {
    partitionIndex: PARTITION,
    errorCode: res.errorCode,
    highWatermark: hw,
    lastStableOffset: hw,
    logStartOffset: BigInt(res.logStartOffset),
    divergingEpoch: res.divergingEpoch
      ? { epoch: res.divergingEpoch.epoch, endOffset: BigInt(res.divergingEpoch.endOffset) }
      : { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: res.leaderId, leaderEpoch: res.epoch },
    snapshotId: res.snapshotId ? { epoch: res.snapshotId.epoch, endOffset: BigInt(res.snapshotId.offset) } : { epoch: -1, endOffset: -1n },
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: res.records,
  };
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses: [
      {
        topic: version >= 13 ? undefined : CLUSTER_METADATA_TOPIC,
        topicId: since(version, 13, METADATA_TOPIC_ID),
        partitions: [partition],
      },
    ],
    nodeEndpoints: since(
      version,
      16,
      endpoints(leader, res.leaderId).map((e) => ({ ...e, rack: null })),
    ),
  };
}

export const fetchErrorResponse = (errorCode: number): Encodable<WireFetchResponse> => ({
  throttleTimeMs: 0,
  errorCode,
  sessionId: 0,
  responses: [],
});

export function fetchResponseFromWire(w: WireFetchResponse, version: number): FetchResponse<Buffer> {
  const t = w.errorCode === ErrorCode.NONE && w.responses.length === 1 ? w.responses[0]! : null;
  const p = t && fetchTopicMatches(t, version) && t.partitions.length === 1 ? t.partitions[0]! : null;
  if (!p || p.partitionIndex !== PARTITION) {
    return {
      errorCode: w.errorCode || ErrorCode.INVALID_REQUEST,
      ...UNKNOWN_LEADER,
      highWatermark: -1,
      logStartOffset: -1,
      divergingEpoch: null,
      snapshotId: null,
      records: null,
    };
  }
  const d = p.divergingEpoch;
  const s = p.snapshotId;
  return {
    errorCode: p.errorCode,
    leaderId: p.currentLeader.leaderId,
    epoch: p.currentLeader.leaderEpoch,
    highWatermark: Number(p.highWatermark),
    logStartOffset: Number(p.logStartOffset),
    divergingEpoch: d.epoch !== -1 || d.endOffset !== -1n ? { epoch: d.epoch, endOffset: Number(d.endOffset) } : null,
    snapshotId: s.epoch !== -1 || s.endOffset !== -1n ? { epoch: s.epoch, offset: Number(s.endOffset) } : null,
    records: p.records,
  };
}
