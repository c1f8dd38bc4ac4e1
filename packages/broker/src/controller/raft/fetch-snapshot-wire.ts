// FetchSnapshot (59, KIP-630) on the wire, for `__cluster_metadata-0`: the core's
// FetchSnapshotRequest / FetchSnapshotResponse<Buffer> to and from the generated messages. One
// topic (by name), one partition; SnapshotId {EndOffset, Epoch}; Position and Size in bytes of the
// snapshot file; the chunk travels as UnalignedRecords (raw file bytes, not whole batches).
// ClusterId, when present, must be ours (INCONSISTENT_CLUSTER_ID); anything but exactly
// `__cluster_metadata-0` is INVALID_REQUEST, as KafkaRaftClient answers.
import { CLUSTER_METADATA_TOPIC } from '@tributary/metadata';
import {
  ErrorCode,
  type Encodable,
  type FetchSnapshotRequest as WireFetchSnapshotRequest,
  type FetchSnapshotResponse as WireFetchSnapshotResponse,
} from '@tributary/protocol';
import type { FetchSnapshotRequest, FetchSnapshotResponse } from '@tributary/raft';
import type { FromWire } from './raft-wire.ts';

const PARTITION = 0;

export function fetchSnapshotRequestToWire(req: FetchSnapshotRequest, clusterId: string): Encodable<WireFetchSnapshotRequest> {
  return {
    clusterId,
    replicaId: req.replicaId,
    maxBytes: req.maxBytes,
    topics: [
      {
        name: CLUSTER_METADATA_TOPIC,
        partitions: [
          {
            partition: PARTITION,
            currentLeaderEpoch: req.currentLeaderEpoch,
            snapshotId: { endOffset: BigInt(req.snapshotId.offset), epoch: req.snapshotId.epoch },
            position: BigInt(req.position),
          },
        ],
      },
    ],
  };
}

export function fetchSnapshotRequestFromWire(w: WireFetchSnapshotRequest, clusterId: string): FromWire<FetchSnapshotRequest> {
  if (w.clusterId !== null && w.clusterId !== clusterId) return { ok: false, errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID };
  const t = w.topics.length === 1 && w.topics[0]!.name === CLUSTER_METADATA_TOPIC ? w.topics[0]! : null;
  const p = t && t.partitions.length === 1 && t.partitions[0]!.partition === PARTITION ? t.partitions[0]! : null;
  if (!p) return { ok: false, errorCode: ErrorCode.INVALID_REQUEST };
  return {
    ok: true,
    value: {
      replicaId: w.replicaId,
      currentLeaderEpoch: p.currentLeaderEpoch,
      snapshotId: { offset: Number(p.snapshotId.endOffset), epoch: p.snapshotId.epoch },
      position: Number(p.position),
      maxBytes: w.maxBytes,
    },
  };
}

export function fetchSnapshotResponseToWire(res: FetchSnapshotResponse<Buffer>): Encodable<WireFetchSnapshotResponse> {
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    topics: [
      {
        name: CLUSTER_METADATA_TOPIC,
        partitions: [
          {
            index: PARTITION,
            errorCode: res.errorCode,
            snapshotId: { endOffset: BigInt(res.snapshotId.offset), epoch: res.snapshotId.epoch },
            currentLeader: { leaderId: res.leaderId, leaderEpoch: res.epoch },
            size: BigInt(res.size),
            position: BigInt(res.position),
            unalignedRecords: res.chunk ?? Buffer.alloc(0),
          },
        ],
      },
    ],
  };
}

export function fetchSnapshotErrorResponse(errorCode: number): Encodable<WireFetchSnapshotResponse> {
  return { throttleTimeMs: 0, errorCode, topics: [] };
}

export function fetchSnapshotResponseFromWire(w: WireFetchSnapshotResponse, asked: FetchSnapshotRequest): FetchSnapshotResponse<Buffer> {
  const p = w.topics[0]?.partitions[0];
  if (w.errorCode !== ErrorCode.NONE || !p) {
    return {
      errorCode: w.errorCode || ErrorCode.INVALID_REQUEST,
      leaderId: -1,
      epoch: -1,
      snapshotId: asked.snapshotId,
      size: -1,
      position: asked.position,
      chunk: null,
    };
  }
  return {
    errorCode: p.errorCode,
    leaderId: p.currentLeader.leaderId,
    epoch: p.currentLeader.leaderEpoch,
    snapshotId: { offset: Number(p.snapshotId.endOffset), epoch: p.snapshotId.epoch },
    size: Number(p.size),
    position: Number(p.position),
    chunk: p.errorCode === ErrorCode.NONE ? p.unalignedRecords : null,
  };
}
