// Admin.describeMetadataQuorum: DescribeQuorum (API key 55) of `__cluster_metadata-0` to any broker
// (it forwards to the active controller; Kafka's AdminClient sends it to the least loaded node),
// read into Kafka's QuorumInfo shape: LeaderId, LeaderEpoch, HighWatermark, the voters and the
// observers (timestamps -1 read as unknown: null), and v2's Nodes by node id. A top-level or
// partition error is thrown as a KafkaClientError (NOT_LEADER_OR_FOLLOWER is retriable).
import { ApiKey, ErrorCode, errorInfo, type DescribeQuorumResponseReplicaState } from '@tributary/protocol';
import type { QuorumInfo, QuorumReplicaState } from '../api.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { KafkaClientError } from '../network/errors.ts';

const METADATA_TOPIC = '__cluster_metadata';

function fail(code: number, message?: string | null): never {
  const info = errorInfo(code);
  throw new KafkaClientError(`describe metadata quorum: ${info.name}${message ? ` (${message})` : ''}`, info.name, info.retriable, {
    code,
  });
}

const timestamp = (t: bigint): number | null => (t < 0n ? null : Number(t));

function replicaState(r: DescribeQuorumResponseReplicaState): QuorumReplicaState {
  return {
    replicaId: r.replicaId,
    replicaDirectoryId: r.replicaDirectoryId,
    logEndOffset: Number(r.logEndOffset),
    lastFetchTimestamp: timestamp(r.lastFetchTimestamp),
    lastCaughtUpTimestamp: timestamp(r.lastCaughtUpTimestamp),
  };
}

export async function describeMetadataQuorum(cluster: Cluster): Promise<QuorumInfo> {
  const c = await cluster.anyConnection();
  const r = await c.request(ApiKey.DescribeQuorum, { topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0 }] }] });
  if (r.errorCode !== ErrorCode.NONE) fail(r.errorCode, r.errorMessage);
  const p = r.topics.find((t) => t.topicName === METADATA_TOPIC)?.partitions.find((x) => x.partitionIndex === 0);
  if (!p) fail(ErrorCode.UNKNOWN_SERVER_ERROR, `the answer has no ${METADATA_TOPIC}-0`);
  if (p.errorCode !== ErrorCode.NONE) fail(p.errorCode, p.errorMessage);
  return {
    leaderId: p.leaderId,
    leaderEpoch: p.leaderEpoch,
    highWatermark: Number(p.highWatermark),
    voters: p.currentVoters.map(replicaState),
    observers: p.observers.map(replicaState),
    nodes: new Map(
      r.nodes.map((n) => [
        n.nodeId,
        { nodeId: n.nodeId, endpoints: n.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port })) },
      ]),
    ),
  };
}
