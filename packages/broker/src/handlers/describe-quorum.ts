// DescribeQuorum (API key 55), on a broker listener: the metadata quorum as the active controller
// describes it (kafka-metadata-quorum --bootstrap-server, Admin.describeMetadataQuorum).
//
// Versions: 0-2.
//
// Behaviour:
// * DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED (top-level). (Kafka's broker
//   forwards in an Envelope and the controller authorizes the principal; here the broker checks.)
// * Delegated to `services.quorum` (controller/describe-quorum-channel.ts): a broker-only node
//   forwards the request at its version to the controller and returns the answer as it came (the
//   controller's handler: controller/handlers/describe-quorum.ts); a node whose controller runs
//   in the same process answers from it (no observers: nothing fetches its log over the network
//   unless other brokers joined its CONTROLLER listener).
// * A request naming anything but `__cluster_metadata-0`: UNKNOWN_TOPIC_OR_PARTITION on every
//   partition it names.
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { topLevelErrorResponse } from '../controller/describe-quorum-response.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const describeQuorumHandler: ApiHandler<typeof ApiKey.DescribeQuorum> = {
  apiKey: ApiKey.DescribeQuorum,
  name: 'DescribeQuorum',
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME))
      return topLevelErrorResponse(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    return ctx.services.quorum.describeQuorum(request, ctx.header.apiVersion);
  },
  errorResponse: (_request, errorCode) => topLevelErrorResponse(errorCode),
};
