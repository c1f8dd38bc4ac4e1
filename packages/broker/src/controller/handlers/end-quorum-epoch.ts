// EndQuorumEpoch (API key 54), on the controller listener: the leader of the `__cluster_metadata`
// quorum resigns (a graceful shutdown) and tells this voter, so the next election starts at once
// instead of after a fetch timeout, the preferred successors first (KIP-595).
//
// Versions: 0-1 (v0: PreferredSuccessors; v1: PreferredCandidates with directory ids,
// LeaderEndpoints; answers carry NodeEndpoints).
//
// Behaviour: checks the wire (raft-wire.ts) and hands LeaderId, LeaderEpoch and the successors in
// order to the Raft core (RaftEndpoint.handleEndQuorumEpoch), which answers with the leader and
// epoch it then knows.
// Errors (top-level): INCONSISTENT_CLUSTER_ID, INVALID_REQUEST (not exactly
// `__cluster_metadata-0`). Per partition: whatever the core answers (FENCED_LEADER_EPOCH, ...).
//
// Not implemented: LeaderEndpoints and directory ids (v1) are not read (static quorum).
import { ApiKey } from '@tributary/protocol';
import type { ApiHandler } from '../../server/handler-registry.ts';
import { leaderEndpointOf, type RaftEndpoint } from '../raft/raft-endpoint.ts';
import { endQuorumEpochRequestFromWire, quorumEpochErrorResponse, quorumEpochResponseToWire } from '../raft/raft-wire.ts';

export function endQuorumEpochHandler(endpoint: RaftEndpoint): ApiHandler<typeof ApiKey.EndQuorumEpoch> {
  return {
    apiKey: ApiKey.EndQuorumEpoch,
    name: 'EndQuorumEpoch',
    minVersion: 0,
    maxVersion: 1,
    async handle(ctx, request) {
      const parsed = endQuorumEpochRequestFromWire(request, ctx.header.apiVersion, endpoint.clusterId);
      if (!parsed.ok) return quorumEpochErrorResponse(parsed.errorCode);
      const response = await endpoint.handleEndQuorumEpoch(parsed.value);
      return quorumEpochResponseToWire(response, ctx.header.apiVersion, leaderEndpointOf(endpoint, response.leaderId));
    },
    errorResponse: (_request, errorCode) => quorumEpochErrorResponse(errorCode),
  };
}
