// BeginQuorumEpoch (API key 53), on the controller listener: a newly elected leader of the
// `__cluster_metadata` quorum tells this voter (KIP-595: replication is pull, so voters would
// otherwise learn of the leader only when their fetch timeout expires).
//
// Versions: 0-1 (v1: VoterId, VoterDirectoryId, LeaderEndpoints; answers carry NodeEndpoints).
//
// Behaviour: checks the wire (raft-wire.ts) and hands LeaderId and LeaderEpoch to the Raft core
// (RaftEndpoint.handleBeginQuorumEpoch), which answers with the leader and epoch it then knows.
// Errors (top-level): INCONSISTENT_CLUSTER_ID, INVALID_REQUEST (not exactly
// `__cluster_metadata-0`). Per partition: INVALID_VOTER_KEY (v1 VoterId names another voter), and
// whatever the core answers (FENCED_LEADER_EPOCH, INCONSISTENT_VOTER_SET, ...).
//
// Not implemented: LeaderEndpoints (v1) are not read — voters' addresses come from
// `controller.quorum.voters` (static quorum); directory ids are ignored.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { ApiHandler } from '../../server/handler-registry.ts';
import { leaderEndpointOf, type RaftEndpoint } from '../raft/raft-endpoint.ts';
import { beginQuorumEpochRequestFromWire, isAddressedTo, quorumEpochErrorResponse, quorumEpochResponseToWire } from '../raft/raft-wire.ts';

export function beginQuorumEpochHandler(endpoint: RaftEndpoint): ApiHandler<typeof ApiKey.BeginQuorumEpoch> {
  return {
    apiKey: ApiKey.BeginQuorumEpoch,
    name: 'BeginQuorumEpoch',
    minVersion: 0,
    maxVersion: 1,
    async handle(ctx, request) {
      const parsed = beginQuorumEpochRequestFromWire(request, endpoint.clusterId);
      if (!parsed.ok) return quorumEpochErrorResponse(parsed.errorCode);
      const response = isAddressedTo(request.voterId, endpoint.nodeId)
        ? await endpoint.handleBeginQuorumEpoch(parsed.value)
        : { errorCode: ErrorCode.INVALID_VOTER_KEY, ...endpoint.leaderAndEpoch() };
      return quorumEpochResponseToWire(response, ctx.header.apiVersion, leaderEndpointOf(endpoint, response.leaderId));
    },
    errorResponse: (_request, errorCode) => quorumEpochErrorResponse(errorCode),
  };
}
