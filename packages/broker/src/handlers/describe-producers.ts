// DescribeProducers (API key 61): the active producers of partitions (KIP-664, what
// kafka-transactions.sh describe-producers prints).
//
// Versions: 0 (flexible).
//
// Behaviour (Kafka's KafkaApis.handleDescribeProducersRequest and Partition.activeProducerState):
// * Per topic first: an invalid name -> INVALID_TOPIC_EXCEPTION; no READ on the topic ->
//   TOPIC_AUTHORIZATION_FAILED; a topic the metadata does not know -> UNKNOWN_TOPIC_OR_PARTITION;
//   each of its partitions answers that error with its message.
// * Per partition: not hosted here -> NOT_LEADER_OR_FOLLOWER when the metadata knows the
//   partition, else UNKNOWN_TOPIC_OR_PARTITION (no message); a hosted replica, leader or follower,
//   answers from its log's producer state (Partition.activeProducers): per producer id its
//   epoch, last sequence (-1 when no batch is retained), the MaxTimestamp of its last batch or
//   marker, the coordinator epoch of its last marker (-1 when none) and the first offset of its
//   open transaction (-1 when none). Producers are listed in the order the state first saw them.
//
// Not implemented:
// * producer.id.expiration.ms: producers are never expired, so every producer the state knows is listed
import { ApiKey, ErrorCode, errorInfo, type DescribeProducersResponsePartitionResponse } from '@tributary/protocol';
import { topicNameProblem } from '@tributary/metadata';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

function failed(partitionIndex: number, errorCode: number, errorMessage: string | null): DescribeProducersResponsePartitionResponse {
  return { partitionIndex, errorCode, errorMessage, activeProducers: [] };
}

export const describeProducersHandler: ApiHandler<typeof ApiKey.DescribeProducers> = {
  apiKey: ApiKey.DescribeProducers,
  name: 'DescribeProducers',
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    const { replicas, metadata } = ctx.services;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => {
        const invalid = topicNameProblem(t.name);
        const topicError: [number, string] | null = invalid
          ? [ErrorCode.INVALID_TOPIC_EXCEPTION, invalid]
          : !ctx.authorize(AclOperation.READ, ResourceType.TOPIC, t.name)
            ? [ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorInfo(ErrorCode.TOPIC_AUTHORIZATION_FAILED).message]
            : !metadata.topic(t.name)
              ? [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message]
              : null;
        return {
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex): DescribeProducersResponsePartitionResponse => {
            if (topicError) return failed(partitionIndex, topicError[0], topicError[1]);
            const p = replicas.getPartitionOrError(t.name, partitionIndex);
            if (typeof p === 'number') return failed(partitionIndex, p, null);
            return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers: p.activeProducers() };
          }),
        };
      }),
    };
  },
  // Kafka's DescribeProducersRequest.getErrorResponse: every partition with the error
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => failed(partitionIndex, errorCode, errorInfo(errorCode).message)),
    })),
  }),
};
