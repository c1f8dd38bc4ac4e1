// ListOffsets (API key 2).
//
// Versions: 0-8.
//
// Behaviour, per partition, by Timestamp:
// * -2 EARLIEST and -4 EARLIEST_LOCAL: the log start offset.
// * -1 LATEST: the high watermark (read_uncommitted) or the last stable offset (read_committed:
//   below it every transaction is decided; equal to the HW without open transactions).
// * -3 MAX_TIMESTAMP: the largest timestamp in the log and the offset of the first record carrying
//   it, read from its batch (storage maxTimestampAndOffset, KIP-734); offset -1 and timestamp -1
//   for an empty log, or when that offset is not below the HW / LSO.
// * >= 0: the first offset whose record timestamp is >= Timestamp, through the time index
//   (storage offsetForTimestamp), below the HW (read_committed: the LSO, as Kafka's
//   lastFetchableOffset); none: offset -1, timestamp -1, no error.
// * Timestamps answered are -1 for EARLIEST/LATEST.
// * A follower's request (ReplicaId >= 0, a broker resetting its fetch offset): LATEST is the log
//   end offset.
// * After a leader change, until the new leader's HW reaches the offset its epoch started at (the
//   followers have not fetched yet): LATEST, and a timestamp found at or above the HW, answer
//   OFFSET_NOT_AVAILABLE (retriable) instead of an offset that would go backwards.
// * Errors: UNKNOWN_TOPIC_OR_PARTITION; INVALID_REQUEST for a partition listed twice (as Kafka);
//   FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a stale / future CurrentLeaderEpoch; then
//   NOT_LEADER_OR_FOLLOWER when another node leads the partition (or this one does not host it), except for
//   ReplicaId -2 (Kafka's debugging replica id, which may read any replica); KAFKA_STORAGE_ERROR
//   for an offline log.
// * Authorization: DESCRIBE on each topic, else TOPIC_AUTHORIZATION_FAILED for its partitions.
//
// Version notes:
// * v0: OldStyleOffsets: [offset] (or [] when nothing matched); MaxNumOffsets is not honoured
//   beyond one offset.
// * v2: IsolationLevel (read_committed).
// * v4: CurrentLeaderEpoch; LeaderEpoch answered, the epoch of the offset found per the leader
//   epoch cache (-1 when unknown).
// * v7: MAX_TIMESTAMP.
// * v8: EARLIEST_LOCAL.
//
// Not implemented:
// * v0's list of segment base offsets before a timestamp
import { ApiKey, ErrorCode, errorCodeOf, type ListOffsetsResponseListOffsetsPartitionResponse } from '@tributary/protocol';
import type { Partition } from '../replica/partition.ts';
import { AclOperation, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

const EARLIEST = -2n;
const LATEST = -1n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const DEBUGGING_REPLICA_ID = -2;

type PartitionResponse = ListOffsetsResponseListOffsetsPartitionResponse;

function partitionError(partitionIndex: number, errorCode: number): PartitionResponse {
  return { partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 };
}

function epochFor(p: Partition, offset: number): number {
  if (offset < 0) return -1;
  let epoch = -1;
  for (const e of p.log.leaderEpochCache.all) {
    if (e.startOffset <= offset) epoch = e.epoch;
    else break;
  }
  return epoch === -1 && offset === p.logEndOffset ? p.leaderEpoch : epoch;
}

class OffsetNotAvailable extends Error {
  readonly errorCode = ErrorCode.OFFSET_NOT_AVAILABLE;
}

async function lookup(
  p: Partition,
  timestamp: bigint,
  isolationLevel: number,
  fromFollower: boolean,
): Promise<{ offset: number; timestamp: number }> {
  if (timestamp === EARLIEST || timestamp === EARLIEST_LOCAL) return { offset: p.logStartOffset, timestamp: -1 };
  if (fromFollower && timestamp === LATEST) return { offset: p.logEndOffset, timestamp: -1 };
  // Kafka's fetchOffsetForTimestamp: a new leader whose HW lags its epoch start offset
  const lagging = p.isLeader && p.leaderEpochStartOffset > p.highWatermark;
  if (lagging && timestamp === LATEST) {
    throw new OffsetNotAvailable(
      `the high watermark (${p.highWatermark}) of ${p.key} lags the start offset of leader epoch ${p.leaderEpoch} (${p.leaderEpochStartOffset})`,
    );
  }
  const fetchable = () => (isolationLevel === 1 ? p.lastStableOffset : p.highWatermark);
  const lastFetchable = fetchable();
  if (timestamp === LATEST) return { offset: lastFetchable, timestamp: -1 };
  if (timestamp === MAX_TIMESTAMP) {
    const m = await p.log.maxTimestampAndOffset();
    return m.offset < 0 || m.offset >= lastFetchable ? { offset: -1, timestamp: -1 } : m;
  }
  if (timestamp < 0n) return { offset: -1, timestamp: -1 };
  const found = await p.log.offsetForTimestamp(Number(timestamp));
  if (!found || found.offset >= fetchable()) {
    if (lagging) throw new OffsetNotAvailable(`the high watermark of ${p.key} lags the start of leader epoch ${p.leaderEpoch}`);
    return { offset: -1, timestamp: -1 };
  }
  return found;
}

export const listOffsetsHandler: ApiHandler<typeof ApiKey.ListOffsets> = {
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 8,
  async handle(ctx, request) {
    const version = ctx.header.apiVersion;
    const replicas = ctx.services.replicas;
    const nodeId = ctx.services.nodeId;
    const requireLeader = request.replicaId !== DEBUGGING_REPLICA_ID;
    const topics = request.topics.map(async (t) => {
      if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)) {
        const denied = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        return { name: t.name, partitions: t.partitions.map((rp) => partitionError(rp.partitionIndex, denied)) };
      }
      const counts = new Map<number, number>();
      for (const rp of t.partitions) counts.set(rp.partitionIndex, (counts.get(rp.partitionIndex) ?? 0) + 1);
      const partitions = t.partitions.map(async (rp): Promise<PartitionResponse> => {
        if (counts.get(rp.partitionIndex)! > 1) return partitionError(rp.partitionIndex, ErrorCode.INVALID_REQUEST);
        const p = replicas.getPartitionOrError(t.name, rp.partitionIndex);
        if (typeof p === 'number') return partitionError(rp.partitionIndex, p);
        const leaderError = p.leaderError(nodeId, rp.currentLeaderEpoch, requireLeader);
        if (leaderError !== ErrorCode.NONE) return partitionError(rp.partitionIndex, leaderError);
        let found: { offset: number; timestamp: number };
        try {
          found = await lookup(p, rp.timestamp, request.isolationLevel, request.replicaId >= 0);
        } catch (err) {
          return partitionError(rp.partitionIndex, errorCodeOf(err));
        }
        // Fields a version lacks must keep their defaults (the codec refuses anything else).
        if (version === 0) {
          const oldStyleOffsets = found.offset >= 0 ? [BigInt(found.offset)] : [];
          return { ...partitionError(rp.partitionIndex, ErrorCode.NONE), oldStyleOffsets };
        }
        return {
          partitionIndex: rp.partitionIndex,
          errorCode: ErrorCode.NONE,
          oldStyleOffsets: [],
          timestamp: BigInt(found.timestamp),
          offset: BigInt(found.offset),
          leaderEpoch: version >= 4 ? epochFor(p, found.offset) : -1,
        };
      });
      return { name: t.name, partitions: await Promise.all(partitions) };
    });
    return { throttleTimeMs: 0, topics: await Promise.all(topics) };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => partitionError(p.partitionIndex, errorCode)) })),
  }),
};
