// AlterPartitionReassignments (API key 45).
//
// Versions: 0.
//
// Behaviour (Kafka's ControllerApis.handleAlterPartitionReassignments; a broker forwards the
// request to the controller, as KafkaApis does in KRaft mode):
// * Authorization: ALTER on the CLUSTER, else CLUSTER_AUTHORIZATION_FAILED at the top level and for
//   every partition (Kafka's getErrorResponse), nothing changed.
// * Per partition, a target replica list starts (or replaces) a reassignment and a null one cancels
//   it (the controller's reassignment.ts): UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT
//   (empty, duplicate or unregistered brokers; a cancellation needing an unclean election) and
//   NO_REASSIGNMENT_IN_PROGRESS (cancelling none) with Kafka's messages; the partitions accepted are
//   written together, answered once durable. The moves then run in the background: the new
//   replicas catch up (bounded by the replication throttles), join the ISR, and the removed ones
//   are dropped and their logs deleted.
//
// Not implemented:
// * timeoutMs (the controller answers once the records are durable)
// * AllowReplicationFactorChange (v1, KIP-860): Tributary serves v0, whose targets may change the
//   replication factor
import {
  ApiKey,
  ErrorCode,
  errorInfo,
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponse,
} from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const alterPartitionReassignmentsHandler: ApiHandler<typeof ApiKey.AlterPartitionReassignments> = {
  apiKey: ApiKey.AlterPartitionReassignments,
  name: 'AlterPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    if (!ctx.authorize(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return failed(request, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    const response = await ctx.services.controller.alterPartitionReassignments(request.topics);
    for (const t of response.responses) {
      for (const p of t.partitions) {
        if (p.errorCode !== ErrorCode.NONE) continue;
        const target = request.topics.find((x) => x.name === t.name)?.partitions.find((x) => x.partitionIndex === p.partitionIndex);
        const what = target?.replicas === null ? 'cancelled' : 'started';
        ctx.services.log.info(`partition reassignment ${what}`, { partition: `${t.name}-${p.partitionIndex}`, replicas: target?.replicas });
      }
    }
    return response;
  },
  errorResponse: (request, errorCode) => failed(request, errorCode),
};

/** Kafka's getErrorResponse: the error at the top level and for every partition. */
function failed(request: AlterPartitionReassignmentsRequest, errorCode: number): AlterPartitionReassignmentsResponse {
  const errorMessage = errorInfo(errorCode).message;
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    responses: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, errorMessage })),
    })),
  };
}
