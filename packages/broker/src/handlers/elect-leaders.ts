// ElectLeaders (API key 43).
//
// Versions: 0-2 (v0 names no election type: PREFERRED; v1+ ElectionType and a top-level ErrorCode).
//
// Behaviour (Kafka's ControllerApis.handleElectLeaders; a broker forwards the request to the
// controller, which elects: packages/metadata controller/elect-leaders.ts):
// * PREFERRED (0): each partition named goes back to its preferred replica (replicas[0]) when that
//   replica is in the ISR and active (registered, unfenced, not shutting down): NONE; already led
//   by it: ELECTION_NOT_NEEDED; the preferred replica out of the ISR or not active:
//   PREFERRED_LEADER_NOT_AVAILABLE (the current leader stays).
// * UNCLEAN (1): a partition without a leader gets the first in-sync active replica, else the
//   first active replica, its ISR then [it] and LeaderRecoveryState RECOVERING (may lose data;
//   whatever the topic's unclean.leader.election.enable); one with a leader: ELECTION_NOT_NEEDED;
//   no active replica: ELIGIBLE_LEADERS_NOT_AVAILABLE.
// * An unknown topic or partition: UNKNOWN_TOPIC_OR_PARTITION. TopicPartitions null: every
//   partition of the cluster, listing only those elected or failed (a partition that needed no
//   election is left out). An unknown election type: INVALID_REQUEST for the whole request.
// * Answered once the controller has written the elections; brokers learn the new leaders from the
//   metadata log, so Metadata shows them a moment later.
// * Authorization: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED at the top level (v1+)
//   and for every partition named (none when TopicPartitions is null), as Kafka's getErrorResponse.
//
// Not implemented:
// * TimeoutMs (the controller answers once the records are durable)
import { ApiKey, ErrorCode, KafkaError, errorInfo, type ElectLeadersRequest } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

/**
 * Every partition of the request answered `errorCode` (Kafka's ElectLeadersRequest.getErrorResponse),
 * and the top-level ErrorCode from v1 (v0 has none: a non-zero one would not encode).
 */
function everyPartition(request: ElectLeadersRequest, errorCode: number, version: number) {
  const errorMessage = errorInfo(errorCode).message;
  return {
    throttleTimeMs: 0,
    errorCode: version >= 1 ? errorCode : ErrorCode.NONE,
    replicaElectionResults: (request.topicPartitions ?? []).map((t) => ({
      topic: t.topic,
      partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage })),
    })),
  };
}

export const electLeadersHandler: ApiHandler<typeof ApiKey.ElectLeaders> = {
  apiKey: ApiKey.ElectLeaders,
  name: 'ElectLeaders',
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    if (!ctx.authorize(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      throw new KafkaError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'ElectLeaders needs ALTER on the cluster');
    }
    if (request.topicPartitions !== null && request.topicPartitions.length === 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: [] };
    }
    const r = await ctx.services.controller.electLeaders({ electionType: request.electionType, topicPartitions: request.topicPartitions });
    const elected = r.replicaElectionResults.flatMap((t) =>
      t.partitionResult.filter((p) => p.errorCode === ErrorCode.NONE).map((p) => `${t.topic}-${p.partitionId}`),
    );
    if (elected.length > 0) ctx.services.log.info('leaders elected', { electionType: request.electionType, partitions: elected });
    return { throttleTimeMs: 0, ...r };
  },
  errorResponse: (request, errorCode, version) => everyPartition(request, errorCode, version),
};
