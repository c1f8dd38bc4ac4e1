// OffsetDelete (API key 47), version 0.
//
// Behaviour: deletes a group's committed offsets of the listed partitions. Refused per partition
// with GROUP_SUBSCRIBED_TO_TOPIC while the group is consuming the topic; GROUP_ID_NOT_FOUND for
// an unknown group (group-level); NON_EMPTY_GROUP rules as in Kafka's OffsetMetadataManager.
// Not implemented: authorization.
import { ApiKey } from '@tributary/protocol';
import type { ApiHandler } from './registry.ts';

export const offsetDeleteHandler: ApiHandler<typeof ApiKey.OffsetDelete> = {
  apiKey: ApiKey.OffsetDelete,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    const result = await ctx.services.groupCoordinator.coordinator.deleteOffsets({
      groupId: request.groupId,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex })) })),
    });
    return { throttleTimeMs: 0, errorCode: result.errorCode, topics: result.topics };
  },
};
