// DeleteRecords (API key 21).
//
// Versions: 0-2.
//
// Behaviour (KIP-107, Kafka's ReplicaManager.deleteRecords):
// * For each partition the log start offset (low watermark) is raised to the requested offset,
//   -1 meaning the high watermark; whole segments below it are deleted and reads below it answer
//   OFFSET_OUT_OF_RANGE.
// * Answers the new low watermark, which is never lowered: an offset below the current one
//   answers the current one.
// * Errors, with low watermark -1: UNKNOWN_TOPIC_OR_PARTITION (unknown topic or partition);
//   OFFSET_OUT_OF_RANGE (offset above the high watermark or below -1); POLICY_VIOLATION
//   (cleanup.policy without delete); INVALID_TOPIC_EXCEPTION for internal topics unless the client
//   id is Kafka's "__admin_client"; NOT_LEADER_OR_FOLLOWER when another node leads the partition
//   (or this one does not host it); KAFKA_STORAGE_ERROR (log offline).
// * The log start offsets are checkpointed at once, so the deletion survives a crash.
// * A partition named twice is answered once per mention.
// * Authorization: DELETE on each topic, else TOPIC_AUTHORIZATION_FAILED for its partitions.
//
// Not implemented:
// * timeoutMs (single replica: done when answered)
import { ApiKey, ErrorCode, hasErrorCode, type DeleteRecordsResponseDeleteRecordsTopicResult } from '@tributary/protocol';
import { isInternalTopic } from '@tributary/metadata';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

const ADMIN_CLIENT_ID = '__admin_client';

export const deleteRecordsHandler: ApiHandler<typeof ApiKey.DeleteRecords> = {
  apiKey: ApiKey.DeleteRecords,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    const s = ctx.services;
    let changed = false;
    const topics: DeleteRecordsResponseDeleteRecordsTopicResult[] = request.topics.map((rt) => ({
      name: rt.name,
      partitions: rt.partitions.map((rp) => {
        const fail = (errorCode: number) => ({ partitionIndex: rp.partitionIndex, lowWatermark: -1n, errorCode });
        if (!ctx.authorize(AclOperation.DELETE, ResourceType.TOPIC, rt.name)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        const p = s.replicas.getPartitionOrError(rt.name, rp.partitionIndex);
        if (typeof p === 'number') return fail(p);
        if (isInternalTopic(rt.name) && ctx.header.clientId !== ADMIN_CLIENT_ID) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION);
        const leaderError = p.leaderError(s.nodeId);
        if (leaderError !== ErrorCode.NONE) return fail(leaderError);
        const offset = rp.offset;
        if (offset < -1n) return fail(ErrorCode.OFFSET_OUT_OF_RANGE);
        try {
          const before = p.logStartOffset;
          const low = p.deleteRecords(Number(offset));
          if (low !== before) changed = true;
          return { partitionIndex: rp.partitionIndex, lowWatermark: BigInt(low), errorCode: ErrorCode.NONE };
        } catch (err) {
          if (hasErrorCode(err)) return fail(err.errorCode);
          s.log.error('DeleteRecords failed', { partition: `${rt.name}-${rp.partitionIndex}`, err });
          return fail(ErrorCode.KAFKA_STORAGE_ERROR);
        }
      }),
    }));
    if (changed) {
      try {
        s.replicas.logs.checkpointLogStartOffsets();
      } catch (err) {
        s.log.error('cannot checkpoint log start offsets', { err });
      }
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode })),
    })),
  }),
};
