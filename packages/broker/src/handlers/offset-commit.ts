// OffsetCommit (API key 8).
//
// Versions: 0-9.
//
// Behaviour:
// * Delegates to the group coordinator, which validates the group, generation and member and
//   writes one OffsetCommit record per partition to __consumer_offsets. Generation -1 is a
//   "simple" commit outside group membership, accepted while the group has no members.
// * A group-level error is answered on every partition.
// * Partitions that do not exist are answered UNKNOWN_TOPIC_OR_PARTITION without reaching the
//   coordinator (as KafkaApis does).
// * Authorization: READ on the group, else GROUP_AUTHORIZATION_FAILED on every partition; then
//   READ on each topic, else TOPIC_AUTHORIZATION_FAILED on its partitions (not sent to the
//   coordinator).
// * Offsets are JS numbers inside the broker.
//
// Version notes:
// * v0: no generation or member (-1, '').
// * v1: a CommitTimestamp per partition.
// * v2-4: RetentionTimeMs (-1 = offsets.retention.minutes); v5+ neither.
// * v6: CommittedLeaderEpoch.
// * v7: GroupInstanceId.
// * v9: GROUP_ID_NOT_FOUND instead of ILLEGAL_GENERATION for an unknown group.
//
// Not implemented:
// * the new consumer protocol's member epochs
// * quotas
import { ApiKey, ErrorCode, type OffsetCommitRequest } from '@tributary/protocol';
import { checkPartitions, mergePartitionResults } from '../coordinator/partition-checks.ts';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

/** Every partition with the code (Kafka's OffsetCommitRequest.getErrorResponse). */
const offsetCommitError = (request: OffsetCommitRequest, errorCode: number) => ({
  throttleTimeMs: 0,
  topics: request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  })),
});

export const offsetCommitHandler: ApiHandler<typeof ApiKey.OffsetCommit> = {
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    if (!ctx.authorize(AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return offsetCommitError(request, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const readable = (topic: string) => ctx.authorize(AclOperation.READ, ResourceType.TOPIC, topic);
    const { existing, answered } = checkPartitions(ctx.services.metadata, request.topics, readable);
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
    return { throttleTimeMs: 0, topics: mergePartitionResults(request.topics, answered, result.topics) };
  },
  errorResponse: offsetCommitError,
};
