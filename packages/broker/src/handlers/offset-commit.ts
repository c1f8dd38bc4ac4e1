// OffsetCommit (API key 8), versions 0-9.
//
// Behaviour: delegates to the group coordinator, which validates the group, generation and
// member (generation -1 = a "simple" commit outside group membership, accepted while the group has
// no members) and writes one OffsetCommit record per partition to __consumer_offsets. v0 has no
// generation/member (-1, ''); v1 carries a per-partition CommitTimestamp; v2-4 a RetentionTimeMs
// (-1 = offsets.retention.minutes); v5+ neither; v6+ CommittedLeaderEpoch; v7+ GroupInstanceId;
// v9 GROUP_ID_NOT_FOUND instead of ILLEGAL_GENERATION for an unknown group. Offsets are JS
// numbers inside the broker. A group-level error is answered on every partition. Partitions that
// do not exist are answered UNKNOWN_TOPIC_OR_PARTITION without reaching the coordinator (KafkaApis).
// Not implemented: the new consumer protocol's member epochs, authorization, quotas.
import { ApiKey } from '@tributary/protocol';
import { mergePartitionResults, splitByExistence } from '../coordinator/unknown-partitions.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const offsetCommitHandler: ApiHandler<typeof ApiKey.OffsetCommit> = {
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const { existing, missing } = splitByExistence(ctx.services.metadata, request.topics);
    const result = await ctx.services.groupCoordinator.coordinator.commitOffsets({
      groupId: request.groupId,
      generationIdOrMemberEpoch: version >= 1 ? request.generationIdOrMemberEpoch : -1,
      memberId: version >= 1 ? request.memberId : '',
      groupInstanceId: version >= 7 ? request.groupInstanceId : null,
      retentionTimeMs: version >= 2 && version <= 4 ? Number(request.retentionTimeMs) : -1,
      apiVersion: version,
      topics: existing.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: Number(p.committedOffset),
          committedLeaderEpoch: version >= 6 ? p.committedLeaderEpoch : -1,
          commitTimestamp: version === 1 ? Number(p.commitTimestamp) : -1,
          committedMetadata: p.committedMetadata,
        })),
      })),
    });
    return { throttleTimeMs: 0, topics: mergePartitionResults(request.topics, missing, result.topics) };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  }),
};
