// DescribeQuorum (API key 55), on the controller listener: the state of the `__cluster_metadata`
// quorum as its leader sees it (`kafka-metadata-quorum describe --status/--replication`).
//
// Versions: 0-2 (v1: LastFetchTimestamp, LastCaughtUpTimestamp; v2: ErrorMessage, directory ids,
// Nodes, KIP-853).
//
// Behaviour: answers LeaderId, LeaderEpoch, HighWatermark and, per voter and observer,
// LogEndOffset, LastFetchTimestamp and LastCaughtUpTimestamp (the leader's wall clock, -1
// unknown) from RaftEndpoint.describeQuorum.
// Errors (per partition): UNKNOWN_TOPIC_OR_PARTITION for every partition asked unless the request
// is exactly `__cluster_metadata-0`; NOT_LEADER_OR_FOLLOWER from a node that is not the leader.
//
// Not implemented: v2 Nodes (voters' listeners) and ReplicaDirectoryId stay empty (static
// quorum); ErrorMessage stays null.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { ApiHandler } from '../../server/handler-registry.ts';
import type { RaftEndpoint } from '../raft/raft-endpoint.ts';
import { describeQuorumErrorResponse, describeQuorumResponseToWire, isDescribeQuorumOfMetadata } from '../raft/raft-wire.ts';

export function describeQuorumHandler(endpoint: RaftEndpoint): ApiHandler<typeof ApiKey.DescribeQuorum> {
  return {
    apiKey: ApiKey.DescribeQuorum,
    name: 'DescribeQuorum',
    minVersion: 0,
    maxVersion: 2,
    handle(ctx, request) {
      if (!isDescribeQuorumOfMetadata(request)) return describeQuorumErrorResponse(request, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const quorum = endpoint.describeQuorum();
      if (!quorum) return describeQuorumErrorResponse(request, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      return describeQuorumResponseToWire(quorum, ctx.header.apiVersion);
    },
    errorResponse: (_request, errorCode) => ({ errorCode, topics: [] }),
  };
}
