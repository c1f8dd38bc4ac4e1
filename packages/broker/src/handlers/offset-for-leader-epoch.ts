// OffsetForLeaderEpoch (API key 23).
//
// Versions: 0-4.
//
// Behaviour (Kafka's ReplicaManager/Partition.lastOffsetForLeaderEpoch, KIP-101/KIP-279/KIP-320):
// * For each partition, the end offset of the requested LeaderEpoch from the partition's leader
//   epoch cache, as Kafka's LeaderEpochFileCache.endOffsetFor answers it:
//   - LeaderEpoch -1 (undefined): LeaderEpoch -1, EndOffset -1;
//   - the latest epoch: that epoch and the log end offset;
//   - an epoch above every known one, or none known: -1, -1;
//   - an epoch below every known one: the requested epoch and the start offset of the first epoch;
//   - otherwise: the largest known epoch <= the requested one and the start offset of the next one.
// * Errors, with LeaderEpoch -1 and EndOffset -1: UNKNOWN_TOPIC_OR_PARTITION; a CurrentLeaderEpoch
//   older than the partition's: FENCED_LEADER_EPOCH, newer: UNKNOWN_LEADER_EPOCH; then
//   NOT_LEADER_OR_FOLLOWER when another node leads the partition (or does not host it): every request
//   must go to the leader, as in Kafka.
// * Authorization: CLUSTER_ACTION on the cluster (replicas), or DESCRIBE on each topic, else
//   TOPIC_AUTHORIZATION_FAILED.
//
// Version notes:
// * v2: CurrentLeaderEpoch.
// * v3: ReplicaId (not used).
//
// Not implemented:
// * KAFKA_STORAGE_ERROR for an offline log dir
// * follower fetching
import { ApiKey, ErrorCode, type OffsetForLeaderEpochResponseEpochEndOffset } from '@tributary/protocol';
import type { Partition } from '../replica/partition.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

const UNDEFINED = { leaderEpoch: -1, endOffset: -1n };

/** The partition's epoch cache's Kafka end offset for `requested` (see the header), as the response has it. */
export function endOffsetForEpoch(p: Partition, requested: number): { leaderEpoch: number; endOffset: bigint } {
  const r = p.log.leaderEpochCache.endOffsetFor(requested, p.logEndOffset);
  return { leaderEpoch: r.epoch, endOffset: BigInt(r.endOffset) };
}

export const offsetForLeaderEpochHandler: ApiHandler<typeof ApiKey.OffsetForLeaderEpoch> = {
  apiKey: ApiKey.OffsetForLeaderEpoch,
  name: 'OffsetForLeaderEpoch',
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const { replicas, nodeId } = ctx.services;
    // CLUSTER_ACTION (replicas) may ask about every topic; others need DESCRIBE on each.
    const clusterAction = ctx.authorize(AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME);
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((rp): OffsetForLeaderEpochResponseEpochEndOffset => {
          const fail = (errorCode: number) => ({ errorCode, partition: rp.partition, ...UNDEFINED });
          if (!clusterAction && !ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic)) {
            return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          }
          const p = replicas.getPartitionOrError(t.topic, rp.partition);
          if (typeof p === 'number') return fail(p);
          const leaderError = p.leaderError(nodeId, rp.currentLeaderEpoch);
          if (leaderError !== ErrorCode.NONE) return fail(leaderError);
          return { errorCode: ErrorCode.NONE, partition: rp.partition, ...endOffsetForEpoch(p, rp.leaderEpoch) };
        }),
      })),
    };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => ({ errorCode, partition: p.partition, ...UNDEFINED })),
    })),
  }),
};
