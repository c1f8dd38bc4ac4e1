// OffsetDelete (API key 47), version 0.
//
// Behaviour: deletes a group's committed offsets of the listed partitions. Refused per partition
// with GROUP_SUBSCRIBED_TO_TOPIC while the group is consuming the topic; GROUP_ID_NOT_FOUND for
// an unknown group (group-level); NON_EMPTY_GROUP rules as in Kafka's OffsetMetadataManager.
// Partitions that do not exist are answered UNKNOWN_TOPIC_OR_PARTITION (KafkaApis).
// Not implemented: authorization.
import { ApiKey } from '@tributary/protocol';
import { mergePartitionResults, splitByExistence } from '../coordinator/unknown-partitions.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const offsetDeleteHandler: ApiHandler<typeof ApiKey.OffsetDelete> = {
  apiKey: ApiKey.OffsetDelete,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    const { existing, missing } = splitByExistence(ctx.services.metadata, request.topics);
    const result = await ctx.services.groupCoordinator.coordinator.deleteOffsets({
      groupId: request.groupId,
      topics: existing.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex })) })),
    });
    if (result.errorCode !== 0) return { throttleTimeMs: 0, errorCode: result.errorCode, topics: [] };
    return { throttleTimeMs: 0, errorCode: 0, topics: mergePartitionResults(request.topics, missing, result.topics) };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, topics: [] }),
};
