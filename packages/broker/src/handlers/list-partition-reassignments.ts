// ListPartitionReassignments (API key 46).
//
// Versions: 0.
//
// Behaviour (Kafka's ControllerApis.handleListPartitionReassignments; a broker forwards the request
// to the controller, as KafkaApis does in KRaft mode):
// * Authorization: DESCRIBE on the CLUSTER, else CLUSTER_AUTHORIZATION_FAILED at the top level, the
//   topics asked for listed with their partition indexes only (Kafka's getErrorResponse).
// * Topics null: every partition with a reassignment in progress (topics by name, partitions
//   ascending); else the named partitions that have one, in the order asked. Each with its current
//   replicas (target first, then the ones being removed), adding and removing replicas. Unknown
//   topics and partitions, and partitions not reassigning, are left out.
//
// Not implemented:
// * timeoutMs (answered from the controller's current metadata)
import {
  ApiKey,
  ErrorCode,
  errorInfo,
  type ListPartitionReassignmentsRequest,
  type ListPartitionReassignmentsResponse,
} from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const listPartitionReassignmentsHandler: ApiHandler<typeof ApiKey.ListPartitionReassignments> = {
  apiKey: ApiKey.ListPartitionReassignments,
  name: 'ListPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return failed(request, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    return ctx.services.controller.listPartitionReassignments(request.topics);
  },
  errorResponse: (request, errorCode) => failed(request, errorCode),
};

/** Kafka's getErrorResponse: the error at the top level, the topics asked for with their partition indexes. */
function failed(request: ListPartitionReassignmentsRequest, errorCode: number): ListPartitionReassignmentsResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage: errorInfo(errorCode).message,
    topics: (request.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, replicas: [], addingReplicas: [], removingReplicas: [] })),
    })),
  };
}
