// OffsetFetch (API key 9).
//
// Versions: 0-9.
//
// Behaviour:
// * Delegates to the group coordinator, which answers every commit acknowledged before the
//   request. Missing offsets are -1 with metadata ''.
// * Authorization: DESCRIBE on each group (else GROUP_AUTHORIZATION_FAILED for it), and on each
//   topic: named topics refused are answered TOPIC_AUTHORIZATION_FAILED, and left out of "all".
//
// Version notes:
// * v0-1: one GroupId; a group-level error is answered on every requested partition.
// * v2: Topics null = every partition with a committed offset; a top-level ErrorCode.
// * v5: CommittedLeaderEpoch.
// * v7: RequireStable: a partition with a pending transactional offset (TxnOffsetCommit of a
//   transaction not ended yet) is answered UNSTABLE_OFFSET_COMMIT with offset -1 (as Kafka);
//   without it, the committed offset is answered (pending ones are never shown).
// * v8: several Groups, each answered on its own.
//
// Not implemented:
// * the member epoch checks of v9 (new consumer protocol)
import { ApiKey, ErrorCode, type OffsetFetchRequest } from '@tributary/protocol';
import type { OffsetFetchResult } from '../coordinator/group/index.ts';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler, RequestContext } from '../server/handler-registry.ts';

type Topics = { name: string; partitionIndexes: number[] }[] | null;

/**
 * One group's offsets, authorized as Kafka's KafkaApis does: DESCRIBE on the group (else
 * GROUP_AUTHORIZATION_FAILED), and on each topic: named topics the principal may not describe
 * are answered TOPIC_AUTHORIZATION_FAILED (after the others), and left out of "every topic".
 */
async function fetchGroup(ctx: RequestContext, groupId: string, topics: Topics, requireStable: boolean): Promise<OffsetFetchResult> {
  if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) {
    return { groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
  }
  const describable = (topic: string) => ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
  const allowed = topics?.map((t) => describable(t.name)) ?? null;
  const wanted = topics === null ? null : topics.filter((_, i) => allowed![i]);
  const r = await ctx.services.groupCoordinator.coordinator.fetchOffsets({ groupId, topics: wanted, requireStable });
  if (r.errorCode !== ErrorCode.NONE) return r;
  if (topics === null) return { ...r, topics: r.topics.filter((t) => describable(t.name)) };
  const denied = topics
    .filter((_, i) => !allowed![i])
    .map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        committedOffset: -1,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      })),
    }));
  return denied.length === 0 ? r : { ...r, topics: [...r.topics, ...denied] };
}

const toWire = (topics: OffsetFetchResult['topics']) =>
  topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      committedOffset: BigInt(p.committedOffset),
      committedLeaderEpoch: p.committedLeaderEpoch,
      metadata: p.metadata,
      errorCode: p.errorCode,
    })),
  }));

/**
 * The request answered with one error, as Kafka's OffsetFetchRequest.getErrorResponse: v8+ on
 * every group; v2-7 the top-level ErrorCode; below v2 (no top-level field) on every requested
 * partition, with offset -1 and metadata ''.
 */
function offsetFetchError(request: OffsetFetchRequest, errorCode: number, version: number) {
  if (version >= 8) return { throttleTimeMs: 0, groups: request.groups.map((g) => ({ groupId: g.groupId, errorCode, topics: [] })) };
  if (version >= 2) return { throttleTimeMs: 0, errorCode, topics: [] };
  const topics = (request.topics ?? []).map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({
      partitionIndex,
      committedOffset: -1n,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode,
    })),
  }));
  return { throttleTimeMs: 0, topics };
}

export const offsetFetchHandler: ApiHandler<typeof ApiKey.OffsetFetch> = {
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    if (version >= 8) {
      const groups = await Promise.all(
        request.groups.map(async (g) => {
          const r = await fetchGroup(ctx, g.groupId, g.topics, request.requireStable);
          return { groupId: g.groupId, errorCode: r.errorCode, topics: toWire(r.topics) };
        }),
      );
      return { throttleTimeMs: 0, groups };
    }
    const topics = version < 2 && request.topics === null ? [] : request.topics;
    const r = await fetchGroup(ctx, request.groupId, topics, request.requireStable);
    // Below v2 (no top-level error field) the group's error goes on every requested partition.
    if (version < 2 && r.errorCode !== 0) return offsetFetchError(request, r.errorCode, version);
    return { throttleTimeMs: 0, errorCode: r.errorCode, topics: toWire(r.topics) };
  },
  errorResponse: offsetFetchError,
};
