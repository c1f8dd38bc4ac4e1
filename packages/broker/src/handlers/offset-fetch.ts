// OffsetFetch (API key 9), versions 0-9.
//
// Behaviour: delegates to the group coordinator, which answers every commit acknowledged before
// the request. v0-7: one GroupId; v2+ Topics null = every partition with a committed offset and a
// top-level ErrorCode (below v2 a group-level error is answered on every requested partition);
// v5+ CommittedLeaderEpoch; v7+ RequireStable (accepted; there are no pending transactional
// offsets). v8+: several Groups, each answered on its own. Missing offsets are -1 with metadata ''.
// Not implemented: transactional (pending) offsets, member epoch checks of v9 (new consumer
// protocol), authorization.
import { ApiKey } from '@tributary/protocol';
import type { OffsetFetchResult } from '../coordinator/group/index.ts';
import type { ApiHandler, RequestContext } from '../server/handler-registry.ts';

type Topics = { name: string; partitionIndexes: number[] }[] | null;

function fetchGroup(ctx: RequestContext, groupId: string, topics: Topics, requireStable: boolean): Promise<OffsetFetchResult> {
  return ctx.services.groupCoordinator.coordinator.fetchOffsets({ groupId, topics, requireStable });
}

const toWire = (topics: OffsetFetchResult['topics']) => topics.map((t) => ({
  name: t.name,
  partitions: t.partitions.map((p) => ({
    partitionIndex: p.partitionIndex,
    committedOffset: BigInt(p.committedOffset),
    committedLeaderEpoch: p.committedLeaderEpoch,
    metadata: p.metadata,
    errorCode: p.errorCode,
  })),
}));

export const offsetFetchHandler: ApiHandler<typeof ApiKey.OffsetFetch> = {
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    if (version >= 8) {
      const groups = await Promise.all(request.groups.map(async (g) => {
        const r = await fetchGroup(ctx, g.groupId, g.topics, request.requireStable);
        return { groupId: g.groupId, errorCode: r.errorCode, topics: toWire(r.topics) };
      }));
      return { throttleTimeMs: 0, groups };
    }
    const topics = version < 2 && request.topics === null ? [] : request.topics;
    const r = await fetchGroup(ctx, request.groupId, topics, request.requireStable);
    if (version < 2 && r.errorCode !== 0) {
      // No top-level error field: the group's error goes on every requested partition.
      const failed = (topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: r.errorCode })),
      }));
      return { throttleTimeMs: 0, topics: failed };
    }
    return { throttleTimeMs: 0, errorCode: r.errorCode, topics: toWire(r.topics) };
  },
};
