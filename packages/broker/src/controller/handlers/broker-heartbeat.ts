// BrokerHeartbeat (API key 63), on the controller listener.
//
// Versions: 0-1.
//
// Behaviour: the controller's broker lifecycle (LocalController.brokerHeartbeat, Kafka's
// QuorumController.processBrokerHeartbeat): renews the broker's session, unfences it once its
// CurrentMetadataOffset reaches its registration, fences it on WantFence, runs a controlled
// shutdown on WantShutDown. STALE_BROKER_EPOCH for an unknown broker or another epoch (answered
// IsFenced). Answers IsCaughtUp, IsFenced and ShouldShutDown. OfflineLogDirs (v1, JBOD, from
// metadata.version 3.7-IV2): the replicas in those dirs leave their ISRs and leaderships
// (@tributary/metadata replica-directories.ts handleDirectoriesOffline).
//
// Not implemented: nothing beyond Kafka's behaviour.
import { ApiKey } from '@tributary/protocol';
import type { ApiHandler } from '../../server/handler-registry.ts';
import type { ControllerBackend } from '../controller-backend.ts';

export function brokerHeartbeatHandler(controller: ControllerBackend): ApiHandler<typeof ApiKey.BrokerHeartbeat> {
  return {
    apiKey: ApiKey.BrokerHeartbeat,
    name: 'BrokerHeartbeat',
    minVersion: 0,
    maxVersion: 1,
    async handle(_ctx, request) {
      const r = await controller.brokerHeartbeat({
        brokerId: request.brokerId,
        brokerEpoch: request.brokerEpoch,
        currentMetadataOffset: Number(request.currentMetadataOffset),
        wantFence: request.wantFence,
        wantShutDown: request.wantShutDown,
        offlineLogDirs: request.offlineLogDirs,
      });
      return {
        throttleTimeMs: 0,
        errorCode: r.errorCode,
        isCaughtUp: r.isCaughtUp,
        isFenced: r.isFenced,
        shouldShutDown: r.shouldShutDown,
      };
    },
  };
}
