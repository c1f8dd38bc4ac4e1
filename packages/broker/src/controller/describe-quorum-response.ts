// DescribeQuorum's answers (API key 55), built from what the quorum reports (a QuorumDescription,
// the shape @tributary/raft gives it) and the voters' endpoints: the one topic partition
// `__cluster_metadata-0` with LeaderId, LeaderEpoch, HighWatermark, CurrentVoters and Observers
// (v1+ LastFetchTimestamp and LastCaughtUpTimestamp; v2 ReplicaDirectoryId, the zero uuid: no
// directory ids yet, and Nodes: each voter's listeners). The error answers as Kafka's
// KafkaRaftClient gives them: a request that does not name exactly `__cluster_metadata-0` gets
// UNKNOWN_TOPIC_OR_PARTITION on every partition it names; a voter that is not the leader answers
// `__cluster_metadata-0` with NOT_LEADER_OR_FOLLOWER; request-wide errors are top-level.
import { CLUSTER_METADATA_TOPIC } from '@tributary/metadata';
import type { QuorumDescription, ReplicaDescription } from '@tributary/raft';
import {
  ErrorCode,
  type DescribeQuorumRequest,
  type DescribeQuorumResponse,
  type DescribeQuorumResponseReplicaState,
  type Encodable,
} from '@tributary/protocol';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

type Response = Encodable<DescribeQuorumResponse>;

/** A voter's endpoints, as v2's Nodes lists them (its controller listeners). */
export interface QuorumNode {
  nodeId: number;
  listeners: ReadonlyArray<{ name: string; host: string; port: number }>;
}

/** Whether the request names `__cluster_metadata-0` and nothing else (Kafka's hasValidTopicPartition). */
export function namesQuorumPartition(request: DescribeQuorumRequest): boolean {
  const [topic] = request.topics;
  return (
    request.topics.length === 1 &&
    topic!.topicName === CLUSTER_METADATA_TOPIC &&
    topic!.partitions.length === 1 &&
    topic!.partitions[0]!.partitionIndex === 0
  );
}

/** Every partition the request names, with `errorCode`. */
export function partitionErrorResponse(request: DescribeQuorumRequest, errorCode: number): Response {
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: request.topics.map((t) => ({
      topicName: t.topicName,
      partitions: t.partitions.map((p) => partitionError(p.partitionIndex, errorCode)),
    })),
    nodes: [],
  };
}

/** `__cluster_metadata-0` with `errorCode` (NOT_LEADER_OR_FOLLOWER from a voter that is not the leader). */
export function quorumErrorResponse(errorCode: number): Response {
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: [{ topicName: CLUSTER_METADATA_TOPIC, partitions: [partitionError(0, errorCode)] }],
    nodes: [],
  };
}

/** The request-wide error (authorization): the top-level ErrorCode only. */
export function topLevelErrorResponse(errorCode: number): Response {
  return { errorCode, errorMessage: null, topics: [], nodes: [] };
}

/** The leader's answer at `version`: the quorum as described, and (v2) the endpoints of each voter `nodes` knows. */
export function quorumResponse(q: QuorumDescription, nodes: readonly QuorumNode[], version: number): Response {
  const voterIds = new Set(q.voters.map((v) => v.replicaId));
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: [
      {
        topicName: CLUSTER_METADATA_TOPIC,
        partitions: [
          {
            partitionIndex: 0,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            leaderId: q.leaderId,
            leaderEpoch: q.epoch,
            highWatermark: BigInt(q.highWatermark),
            currentVoters: q.voters.map(replicaState),
            observers: q.observers.map(replicaState),
          },
        ],
      },
    ],
    nodes: (version >= 2 ? nodes : [])
      .filter((n) => voterIds.has(n.nodeId))
      .map((n) => ({ nodeId: n.nodeId, listeners: n.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port })) })),
  };
}

function replicaState(r: ReplicaDescription): Encodable<DescribeQuorumResponseReplicaState> {
  return {
    replicaId: r.replicaId,
    replicaDirectoryId: ZERO_UUID,
    logEndOffset: BigInt(r.logEndOffset),
    lastFetchTimestamp: BigInt(r.lastFetchTimestamp),
    lastCaughtUpTimestamp: BigInt(r.lastCaughtUpTimestamp),
  };
}

function partitionError(partitionIndex: number, errorCode: number) {
  return {
    partitionIndex,
    errorCode,
    errorMessage: null,
    leaderId: -1,
    leaderEpoch: -1,
    highWatermark: -1n,
    currentVoters: [],
    observers: [],
  };
}
