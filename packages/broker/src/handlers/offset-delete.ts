// OffsetDelete (API key 47), version 0.
//
// Behaviour: deletes a group's committed offsets of the listed partitions. Refused per partition
// with GROUP_SUBSCRIBED_TO_TOPIC while the group is consuming the topic; GROUP_ID_NOT_FOUND for
// an unknown group (group-level); NON_EMPTY_GROUP rules as in Kafka's OffsetMetadataManager.
// Partitions that do not exist are answered UNKNOWN_TOPIC_OR_PARTITION (KafkaApis).
// Authorization: DELETE on the group (else GROUP_AUTHORIZATION_FAILED), then READ on each topic
// (else TOPIC_AUTHORIZATION_FAILED on its partitions).
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { checkPartitions, mergePartitionResults } from '../coordinator/partition-checks.ts';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

const offsetDeleteError = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, topics: [] });

export const offsetDeleteHandler: ApiHandler<typeof ApiKey.OffsetDelete> = {
  apiKey: ApiKey.OffsetDelete,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    if (!ctx.authorize(AclOperation.DELETE, ResourceType.GROUP, request.groupId)) {
      return offsetDeleteError(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const readable = (topic: string) => ctx.authorize(AclOperation.READ, ResourceType.TOPIC, topic);
    const { existing, answered } = checkPartitions(ctx.services.metadata, request.topics, readable);
    const result = await ctx.services.groupCoordinator.coordinator.deleteOffsets({
      groupId: request.groupId,
      topics: existing.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex })) })),
    });
    if (result.errorCode !== 0) return offsetDeleteError(result.errorCode);
    return { throttleTimeMs: 0, errorCode: 0, topics: mergePartitionResults(request.topics, answered, result.topics) };
  },
  errorResponse: (_request, errorCode) => offsetDeleteError(errorCode),
};
