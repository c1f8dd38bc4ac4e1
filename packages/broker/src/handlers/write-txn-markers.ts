// WriteTxnMarkers (API key 27): a transaction coordinator asks the leaders of a transaction's
// partitions to write its COMMIT or ABORT markers.
//
// Versions: 0-1 (v1 flexible).
//
// Behaviour:
// * Authorization as Kafka: ALTER on the cluster, else CLUSTER_ACTION on the cluster (brokers);
//   neither: every partition answers CLUSTER_AUTHORIZATION_FAILED.
// * Delegates to coordinator/transaction/write-txn-markers.ts: per marker and partition, the
//   control batch appended as the coordinator's (acks=all, waiting for the ISR), with Kafka's
//   per-partition errors (UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, INVALID_PRODUCER_EPOCH,
//   TRANSACTION_COORDINATOR_FENCED, NOT_ENOUGH_REPLICAS, ...); committed or aborted
//   __consumer_offsets partitions are handed to the group coordinator.
//
// Not implemented:
// * UNSUPPORTED_FOR_MESSAGE_FORMAT (every log is record batch v2)
import { ApiKey, ErrorCode, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from '@tributary/protocol';
import { writeTxnMarkers } from '../coordinator/transaction/write-txn-markers.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

/** Every partition of the request answered with `errorCode` (Kafka's WriteTxnMarkersRequest.getErrorResponse). */
function everyPartition(request: WriteTxnMarkersRequest, errorCode: number): WriteTxnMarkersResponse {
  return {
    markers: request.markers.map((m) => ({
      producerId: m.producerId,
      topics: m.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })),
      })),
    })),
  };
}

export const writeTxnMarkersHandler: ApiHandler<typeof ApiKey.WriteTxnMarkers> = {
  apiKey: ApiKey.WriteTxnMarkers,
  name: 'WriteTxnMarkers',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const allowed =
      ctx.authorize(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME) ||
      ctx.authorize(AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME);
    if (!allowed) return everyPartition(request, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    return writeTxnMarkers(ctx.services, request, ctx.services.nodeId);
  },
  errorResponse: (request, errorCode) => everyPartition(request, errorCode),
};
