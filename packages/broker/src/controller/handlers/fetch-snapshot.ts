// FetchSnapshot (API key 59) on the controller listener (KIP-630): a voter or an observer whose
// fetch offset is below the leader's log start downloads the leader's latest snapshot of the
// metadata (`<offset>-<epoch>.checkpoint`) in chunks.
//
// Versions: 0-1.
//
// Behaviour: checks the wire (fetch-snapshot-wire.ts) and asks the Raft core
// (RaftEndpoint.handleFetchSnapshot), which answers from the leader only: the chunk at Position
// (at most MaxBytes), the snapshot's Size, CurrentLeader.
// Errors: top-level INCONSISTENT_CLUSTER_ID, INVALID_REQUEST (not exactly `__cluster_metadata-0`);
// per partition FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER,
// SNAPSHOT_NOT_FOUND, POSITION_OUT_OF_RANGE.
//
// Not implemented: ReplicaDirectoryId (v1) is ignored; v1 NodeEndpoints are not sent.
import { ApiKey } from '@tributary/protocol';
import type { ApiHandler } from '../../server/handler-registry.ts';
import { fetchSnapshotErrorResponse, fetchSnapshotRequestFromWire, fetchSnapshotResponseToWire } from '../raft/fetch-snapshot-wire.ts';
import type { RaftEndpoint } from '../raft/raft-endpoint.ts';

export function fetchSnapshotHandler(endpoint: RaftEndpoint): ApiHandler<typeof ApiKey.FetchSnapshot> {
  return {
    apiKey: ApiKey.FetchSnapshot,
    name: 'FetchSnapshot',
    minVersion: 0,
    maxVersion: 1,
    async handle(_ctx, request) {
      const parsed = fetchSnapshotRequestFromWire(request, endpoint.clusterId);
      if (!parsed.ok) return fetchSnapshotErrorResponse(parsed.errorCode);
      return fetchSnapshotResponseToWire(await endpoint.handleFetchSnapshot(parsed.value));
    },
    errorResponse: (_request, errorCode) => fetchSnapshotErrorResponse(errorCode),
  };
}
