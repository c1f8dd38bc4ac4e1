// Fetch (API key 1) of `__cluster_metadata-0` on the controller listener, when the metadata log is
// a Raft quorum (KIP-595): voters (followers) replicate from the leader and observers (brokers)
// follow it; the fetch is also how the leader learns each replica's log end offset, and how
// followers learn the high watermark, the leader, a divergence to truncate or a snapshot to load.
// (One voter without Raft: metadata-fetch.ts.)
//
// Versions: 12-17 (v12 brings what Raft replication needs: LastFetchedEpoch, DivergingEpoch,
// CurrentLeader, SnapshotId, ClusterId; v13+ name the topic by id, METADATA_TOPIC_ID; v15+
// ReplicaState.ReplicaId, before it the ReplicaId field; v16+ NodeEndpoints of the leader). An
// older version closes the connection.
//
// Behaviour: checks the wire (raft-wire.ts) and hands ReplicaId, CurrentLeaderEpoch, FetchOffset,
// LastFetchedEpoch, MaxWaitMs and MaxBytes to the Raft core (RaftEndpoint.handleFetch), which may
// long-poll up to MaxWaitMs (it is told when the connection closes or the server stops). The
// answer is one partition: ErrorCode, HighWatermark (= LastStableOffset), LogStartOffset,
// DivergingEpoch, CurrentLeader, SnapshotId and the records as stored.
// Errors (top-level, as KafkaRaftClient answers): INCONSISTENT_CLUSTER_ID (ClusterId present and
// not ours), INVALID_REQUEST (not exactly one topic `__cluster_metadata` with partition 0). Per
// partition: whatever the core answers (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH,
// UNKNOWN_LEADER_EPOCH, INVALID_REQUEST for negative offsets or epochs, ...).
//
// Not implemented: fetch sessions (SessionId 0, every fetch is full), MinBytes (any record
// answers), ReplicaDirectoryId (v17) is ignored, FetchSnapshot (59) is not served yet.
import { ApiKey } from '@tributary/protocol';
import type { ApiHandler } from '../../server/handler-registry.ts';
import { leaderEndpointOf, type RaftEndpoint } from '../raft/raft-endpoint.ts';
import { fetchErrorResponse, fetchRequestFromWire, fetchResponseToWire } from '../raft/raft-wire.ts';

export function raftFetchHandler(endpoint: RaftEndpoint): ApiHandler<typeof ApiKey.Fetch> {
  return {
    apiKey: ApiKey.Fetch,
    name: 'Fetch',
    minVersion: 12,
    maxVersion: 17,
    async handle(ctx, request) {
      const parsed = fetchRequestFromWire(request, ctx.header.apiVersion, endpoint.clusterId);
      if (!parsed.ok) return fetchErrorResponse(parsed.errorCode);
      const response = await endpoint.handleFetch(parsed.value, ctx.signal);
      return fetchResponseToWire(response, ctx.header.apiVersion, leaderEndpointOf(endpoint, response.leaderId));
    },
    errorResponse: (_request, errorCode) => fetchErrorResponse(errorCode),
  };
}
