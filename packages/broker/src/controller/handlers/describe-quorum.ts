// DescribeQuorum (API key 55), on the controller listener: the metadata quorum as its leader
// describes it (Kafka's KafkaRaftClient.handleDescribeQuorumRequest; kafka-metadata-quorum
// --bootstrap-controller, and what brokers forward).
//
// Versions: 0-2.
//
// Behaviour:
// * DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED (top-level), as Kafka's ControllerApis.
// * A request naming anything but exactly `__cluster_metadata-0`: UNKNOWN_TOPIC_OR_PARTITION on
//   every partition it names.
// * A voter that is not the leader (the backend's leaderId is not this node):
//   NOT_LEADER_OR_FOLLOWER on `__cluster_metadata-0`.
// * The leader: ControllerBackend.describeQuorum() — LeaderId, LeaderEpoch, HighWatermark, the
//   voters (the leader's own LastFetchTimestamp and LastCaughtUpTimestamp are now) and the
//   observers (the brokers that fetched the log in the last 5 minutes); v2 Nodes: each voter's
//   controller listeners (this node's bound ones, the others' from controller.quorum.voters).
//
// Not implemented: ReplicaDirectoryId (v2) is the zero uuid (no directory ids, KIP-853).
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../../server/authorizer.ts';
import type { ApiHandler } from '../../server/handler-registry.ts';
import type { ControllerBackend } from '../controller-backend.ts';
import { quorumNodes } from '../describe-quorum-channel.ts';
import {
  namesQuorumPartition,
  partitionErrorResponse,
  quorumErrorResponse,
  quorumResponse,
  topLevelErrorResponse,
} from '../describe-quorum-response.ts';

export function controllerDescribeQuorumHandler(controller: ControllerBackend): ApiHandler<typeof ApiKey.DescribeQuorum> {
  return {
    apiKey: ApiKey.DescribeQuorum,
    name: 'DescribeQuorum',
    minVersion: 0,
    maxVersion: 2,
    handle(ctx, request) {
      if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME))
        return topLevelErrorResponse(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      if (!namesQuorumPartition(request)) return partitionErrorResponse(request, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const quorum = controller.describeQuorum();
      const s = ctx.services;
      if (quorum.leaderId !== s.nodeId) return quorumErrorResponse(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      return quorumResponse(quorum, quorumNodes(s.config, s.nodeId, s.advertisedListeners), ctx.header.apiVersion);
    },
    errorResponse: (_request, errorCode) => topLevelErrorResponse(errorCode),
  };
}
