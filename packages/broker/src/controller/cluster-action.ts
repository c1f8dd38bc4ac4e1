// requireClusterAction: what Kafka's ControllerApis asks of the APIs only cluster nodes send
// (BrokerRegistration, BrokerHeartbeat, AlterPartition, AllocateProducerIds, the metadata log's
// Fetch, and the Raft quorum's Vote, BeginQuorumEpoch, EndQuorumEpoch, FetchSnapshot): CLUSTER_ACTION
// on the cluster. Without it the request is answered CLUSTER_AUTHORIZATION_FAILED through the
// handler's error response (request-dispatcher.ts), or the connection is closed when the response
// has no place for an error code.
import { ErrorCode, KafkaError } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { AnyApiHandler } from '../server/handler-registry.ts';

export function requireClusterAction(handler: AnyApiHandler): AnyApiHandler {
  return {
    ...handler,
    handle(ctx, request) {
      if (!ctx.authorize(AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME))
        throw new KafkaError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, `${handler.name} needs CLUSTER_ACTION on the cluster`);
      return handler.handle(ctx, request);
    },
  };
}
