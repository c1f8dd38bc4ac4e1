// UnregisterBroker (API key 64).
//
// Versions: 0.
//
// Behaviour (Kafka's ControllerApis.handleUnregisterBroker and ReplicationControlManager
// .unregisterBroker; a broker forwards the request to the controller):
// * A broker id that is not registered: BROKER_ID_NOT_REGISTERED.
// * Otherwise the broker leaves every ISR that keeps another member and its leaderships move to an
//   active in-sync replica (or none), then its registration is removed (UnregisterBrokerRecord):
//   it is gone from Metadata and DescribeCluster, and placement no longer uses it. As in Kafka,
//   a broker that is still running is not refused: it finds its registration gone at its next
//   heartbeat and registers again (meant for a broker that was shut down for good: decommissioning).
// * Authorization: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED (no message).
import { ApiKey, ErrorCode, KafkaError } from '@tributary/protocol';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../server/authorizer.ts';
import type { ApiHandler } from '../server/handler-registry.ts';

export const unregisterBrokerHandler: ApiHandler<typeof ApiKey.UnregisterBroker> = {
  apiKey: ApiKey.UnregisterBroker,
  name: 'UnregisterBroker',
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    if (!ctx.authorize(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_NAME)) {
      throw new KafkaError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'UnregisterBroker needs ALTER on the cluster');
    }
    const r = await ctx.services.controller.unregisterBroker(request.brokerId);
    if (r.errorCode === ErrorCode.NONE) ctx.services.log.info('broker unregistered', { brokerId: request.brokerId });
    return { throttleTimeMs: 0, errorCode: r.errorCode, errorMessage: r.errorMessage };
  },
  // as Kafka's UnregisterBrokerRequest.getErrorResponse: the code only
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null }),
};
