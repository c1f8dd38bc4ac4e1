// Vote (API key 52), on the controller listener: a candidate asks this voter for its vote in a new
// epoch of the `__cluster_metadata` quorum (KIP-595), or a prospective voter asks whether it would
// get it, without changing any state (a pre-vote, KIP-996).
//
// Versions: 0-2 (v1: VoterId and directory ids, leader NodeEndpoints, KIP-853; v2: PreVote, from
// our spec overlay of Kafka 4.0's KIP-996 — a v0/v1 request is always a real vote).
//
// Behaviour: checks the wire (raft-wire.ts) and hands the vote to the Raft core
// (RaftEndpoint.handleVote), which grants or refuses it and answers its leader and epoch; v1+
// answers carry the leader's endpoint when the endpoint knows it.
// Errors (top-level): INCONSISTENT_CLUSTER_ID (ClusterId present and not ours), INVALID_REQUEST
// (not exactly `__cluster_metadata-0`). Per partition: INVALID_VOTER_KEY (v1+ VoterId names
// another voter), and whatever the core answers (FENCED_LEADER_EPOCH, INCONSISTENT_VOTER_SET, ...).
//
// Not implemented: directory ids (CandidateDirectoryId, VoterDirectoryId) are ignored (static
// quorum, no KIP-853 voter keys).
import { ApiKey, ErrorCode } from '@tributary/protocol';
import type { ApiHandler } from '../../server/handler-registry.ts';
import { leaderEndpointOf, type RaftEndpoint } from '../raft/raft-endpoint.ts';
import { isAddressedTo, voteErrorResponse, voteRequestFromWire, voteResponseToWire } from '../raft/raft-wire.ts';

export function voteHandler(endpoint: RaftEndpoint): ApiHandler<typeof ApiKey.Vote> {
  return {
    apiKey: ApiKey.Vote,
    name: 'Vote',
    minVersion: 0,
    maxVersion: 2,
    async handle(ctx, request) {
      const parsed = voteRequestFromWire(request, endpoint.clusterId);
      if (!parsed.ok) return voteErrorResponse(parsed.errorCode);
      const response = isAddressedTo(request.voterId, endpoint.nodeId)
        ? await endpoint.handleVote(parsed.value)
        : { errorCode: ErrorCode.INVALID_VOTER_KEY, voteGranted: false, ...endpoint.leaderAndEpoch() };
      return voteResponseToWire(response, ctx.header.apiVersion, leaderEndpointOf(endpoint, response.leaderId));
    },
    errorResponse: (_request, errorCode) => voteErrorResponse(errorCode),
  };
}
